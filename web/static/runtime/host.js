// The host runtime: runs the organization's apps on this page and shows
// their surfaces where the page offers places for them (web/sdk/PROTOCOL.md).
//
//   [data-app-surfaces][data-record-type][data-record-id]  record widgets and record actions
//   [data-app-bulk-actions][data-record-type]               bulk actions on the checked rows
//   [data-call-field] inside a call recording page          text actions on selected text
//   Ctrl+K / ⌘K anywhere                                    the quick-action palette
//
// Each place carries data-organization-id. Apps come from
// GET /api/v1/organizations/:org/runtime/apps; each runs in its own frame.

import { AppFrame } from "./frame.js";
import { createRoot } from "./render.js";
import { AppSurfaces } from "./surfaces.js";

const RECORD_JSON = "script[type='application/json'][data-app-record]";

function pageContext() {
  const record = document.querySelector("[data-app-surfaces][data-record-type][data-record-id]");
  const bulk = document.querySelector("[data-app-bulk-actions][data-record-type]");
  const any = document.querySelector("[data-organization-id]");
  if (!any) return null;
  let recordData = {};
  const json = record && record.querySelector(RECORD_JSON);
  if (json) {
    try {
      recordData = JSON.parse(json.textContent);
    } catch {
      recordData = {};
    }
  }
  return {
    organizationId: any.dataset.organizationId,
    record: record && { el: record, type: record.dataset.recordType, id: record.dataset.recordId, data: recordData },
    bulk: bulk && { el: bulk, type: bulk.dataset.recordType },
    callFields: [...document.querySelectorAll("[data-call-field]")],
  };
}

// relevant reports whether a page shows any of an app's surfaces.
function relevant(app, page) {
  return app.surfaces.some((s) => {
    switch (s.kind) {
      case "record-widget":
      case "record-action":
        return page.record && (s.record_types || []).includes(page.record.type);
      case "bulk-action":
        return page.bulk && (s.record_types || []).includes(page.bulk.type);
      case "text-action":
        return page.callFields.length > 0;
      case "quick-action":
        return true;
      default:
        return false;
    }
  });
}

// At most this many refusals are reported per app and page: a hostile app
// must not turn the host into a source of requests.
const MAX_REPORTS = 20;
const reported = new Map();

async function reportRefusal(page, app, report) {
  const n = (reported.get(app.installation_id) || 0) + 1;
  reported.set(app.installation_id, n);
  if (n > MAX_REPORTS) return;
  try {
    await fetch(`/api/v1/organizations/${encodeURIComponent(page.organizationId)}/installations/${encodeURIComponent(app.installation_id)}/runtime-refusals`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "same-origin",
      body: JSON.stringify({
        kind: report.kind,
        reason: String(report.reason || "refused").slice(0, 500),
        component: String(report.component || "").slice(0, 100),
        prop: String(report.prop || "").slice(0, 100),
        message: String(report.message || "").slice(0, 100),
      }),
    });
  } catch {
    // Reporting is best effort: the refusal itself already happened.
  }
}

async function start() {
  const page = pageContext();
  if (!page) return;
  const res = await fetch(`/api/v1/organizations/${encodeURIComponent(page.organizationId)}/runtime/apps`, { credentials: "same-origin" });
  if (!res.ok) return;
  const { items } = await res.json();
  const holder = document.createElement("div");
  holder.className = "app-frames";
  document.body.appendChild(holder);
  const hosts = [];
  for (const app of items || []) {
    if (!relevant(app, page)) continue;
    const surfaces = new AppSurfaces(app, page, { createRoot, report: (r) => reportRefusal(page, app, r) });
    const frame = new AppFrame(app, {
      onReady: () => surfaces.connected(frame),
      onFailed: (message) => surfaces.failed(message),
      onMessage: (type, data, requestId) => surfaces.onMessage(type, data, requestId),
      onRefused: (r) => reportRefusal(page, app, r),
    });
    surfaces.placeholders();
    frame.start(holder);
    hosts.push(surfaces);
  }
  AppSurfaces.installPalette(hosts, page);
  AppSurfaces.installTextActions(hosts, page);
  document.documentElement.dataset.appsStarted = String(hosts.length);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else start();
