// The places one app shows on a page: widget cards, action buttons, the
// palette's entries, text actions and dialogs. Everything here is built
// with createElement and textContent; app content goes only through the
// renderer's roots, which check every component and prop.

const MAX_DIALOGS = 3;
const MAX_TEXT = 10_000;

function el(tag, attrs = {}, text) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") e.className = v;
    else if (k.startsWith("data-")) e.setAttribute(k, v);
    else e.setAttribute(k, v);
  }
  if (text !== undefined) e.textContent = text;
  return e;
}

function sameSurface(a, b) {
  const types = (s) => [...(s.record_types || [])].sort().join(",");
  const fields = (s) => [...(s.fields || [])].sort().join(",");
  return a.kind === b.kind && a.id === b.id && types(a) === types(b) && fields(a) === fields(b);
}

export class AppSurfaces {
  constructor(app, page, { createRoot, report }) {
    this.app = app;
    this.page = page;
    this.createRoot = createRoot;
    this.report = report;
    this.frame = null;
    this.provided = []; // surfaces accepted from set-surfaces
    this.roots = new Map(); // root_id -> {root, mounted, container, dialog?}
    this.statusEls = []; // where a failure is shown
    this.buttons = [];
    this.bars = [];
    this.widgets = new Map(); // surface id -> card element
    this.failure = "";
    this.onSurfaces = () => {}; // called after set-surfaces changed what the app provides
  }

  manifest(kind) {
    return this.app.surfaces.filter((s) => s.kind === kind);
  }

  // placeholders shows, from the manifest, where the app will appear, so a
  // slow or broken app still has somewhere to say so.
  placeholders() {
    const { record } = this.page;
    if (!record) return;
    for (const s of this.manifest("record-widget")) {
      if ((s.record_types || []).includes(record.type)) this.card(s);
    }
  }

  // card returns the widget card of surface s, making it if need be.
  card(s) {
    let w = this.widgets.get(s.id);
    if (w) return w;
    const card = el("article", { class: "app-widget", "data-testid": "app-widget", "data-app": this.app.app_slug, "data-surface": s.id });
    card.append(el("h3", { class: "app-widget-title" }, s.title), el("p", { class: "app-widget-by muted" }, this.app.app_title));
    const status = el("p", { class: "surface-status muted", "data-testid": "surface-status" }, this.failure || "Loading…");
    const container = el("div", { class: "app-root" });
    card.append(status, container);
    this.page.record.el.append(card);
    w = { card, container, status, triggered: false };
    this.widgets.set(s.id, w);
    this.statusEls.push(status);
    return w;
  }

  connected(frame) {
    this.frame = frame;
    for (const w of this.widgets.values()) w.status.textContent = "Starting…";
  }

  failed(message) {
    this.failure = message;
    for (const s of this.statusEls) {
      s.textContent = message;
      s.classList.add("surface-failed");
    }
    for (const b of this.buttons) b.disabled = true;
    for (const [id, r] of this.roots) this.dropRoot(id, r);
  }

  onMessage(type, data, requestId) {
    const d = data && typeof data === "object" ? data : {};
    switch (type) {
      case "set-surfaces":
        return this.setSurfaces(d.surfaces);
      case "render":
        return this.render(d);
      case "open-dialog":
        return this.openDialog(d);
      case "close-dialog":
        return this.closeDialog(d.dialog_id, false);
      case "run-server-function":
        return this.runServerFunction(d, requestId);
      default:
        this.frame.refuseMessage(type, "an unknown message type");
    }
  }

  setSurfaces(list) {
    if (!Array.isArray(list) || list.length > 100) {
      this.frame.refuseMessage("set-surfaces", "surfaces must be a list of at most 100");
      return;
    }
    const accepted = [];
    for (const s of list) {
      const ok = s && typeof s === "object" && this.app.surfaces.some((m) => sameSurface(m, s));
      if (!ok) {
        this.frame.refuseMessage("set-surfaces", `surface ${JSON.stringify(s && s.id).slice(0, 60)} is not in the deployment's manifest`);
        continue;
      }
      if (!accepted.some((a) => a.id === s.id)) accepted.push(this.app.surfaces.find((m) => sameSurface(m, s)));
    }
    this.provided = accepted;
    // Tests and tools can tell a running app from a starting one.
    if (this.frame.iframe) this.frame.iframe.dataset.surfaces = String(accepted.length);
    this.showWidgets();
    this.showActions();
    this.onSurfaces();
  }

  provides(kind) {
    return this.provided.filter((s) => s.kind === kind);
  }

  showWidgets() {
    const { record } = this.page;
    if (!record) return;
    const wanted = this.provides("record-widget").filter((s) => (s.record_types || []).includes(record.type));
    for (const [id, w] of this.widgets) {
      if (wanted.some((s) => s.id === id)) continue;
      const rootId = `widget:${id}:${record.id}`;
      const r = this.roots.get(rootId);
      if (r) this.dropRoot(rootId, r);
      w.card.remove();
      this.widgets.delete(id);
    }
    for (const s of wanted) {
      const w = this.card(s);
      if (w.triggered) continue;
      w.triggered = true;
      const rootId = `widget:${s.id}:${record.id}`;
      this.addRoot(rootId, w.container);
      this.trigger(s, { organization_id: this.page.organizationId, record_type: record.type, record_id: record.id, record: record.data }, rootId)
        .then(() => w.status.remove())
        .catch((e) => this.showStatus(w.status, e.message));
    }
  }

  showActions() {
    const { record, bulk } = this.page;
    for (const b of this.bars) b.remove();
    this.bars = [];
    this.buttons = [];
    if (record) {
      const actions = this.provides("record-action").filter((s) => (s.record_types || []).includes(record.type));
      if (actions.length) {
        const bar = this.bar(record.el, "record-actions");
        for (const s of actions) {
          this.button(bar, s, "app-action", () => ({
            organization_id: this.page.organizationId, record_type: record.type, record_id: record.id, record: record.data,
          }));
        }
      }
    }
    if (bulk) {
      const actions = this.provides("bulk-action").filter((s) => (s.record_types || []).includes(bulk.type));
      if (actions.length) {
        const bar = this.bar(bulk.el, "bulk-actions");
        for (const s of actions) {
          this.button(bar, s, "app-bulk-action", () => {
            const ids = [...document.querySelectorAll("input[type=checkbox][data-record-id]:checked")].map((c) => c.dataset.recordId);
            if (ids.length === 0) throw new Error("Select records first.");
            return { organization_id: this.page.organizationId, record_type: bulk.type, record_ids: ids.slice(0, 500) };
          });
        }
      }
    }
  }

  bar(parent, kind) {
    const bar = el("div", { class: "app-action-bar", "data-app": this.app.app_slug, "data-kind": kind });
    bar.append(el("span", { class: "app-action-bar-title muted" }, this.app.app_title));
    const status = el("span", { class: "surface-status muted", "data-testid": "surface-status" });
    bar.append(status);
    parent.append(bar);
    this.bars.push(bar);
    this.statusEls.push(status);
    bar.status = status;
    return bar;
  }

  button(bar, surface, testid, context) {
    const b = el("button", { type: "button", class: "button secondary", "data-testid": testid, "data-app": this.app.app_slug, "data-surface": surface.id }, surface.title);
    b.addEventListener("click", () => this.run(surface, context, bar.status));
    bar.insertBefore(b, bar.status);
    this.buttons.push(b);
    return b;
  }

  // run triggers an action surface with the context it computes now.
  run(surface, context, status) {
    let ctx;
    try {
      ctx = context();
    } catch (e) {
      this.showStatus(status, e.message);
      return Promise.resolve();
    }
    if (status) status.textContent = "";
    return this.trigger(surface, ctx).catch((e) => this.showStatus(status, e.message));
  }

  trigger(surface, context, rootId) {
    if (this.failure) return Promise.reject(new Error(this.failure));
    if (!this.frame) return Promise.reject(new Error("The app is still starting."));
    const data = { surface_id: surface.id, kind: surface.kind, context };
    if (rootId) data.root_id = rootId;
    return this.frame.request("trigger-surface", data);
  }

  showStatus(status, message) {
    if (!status) return;
    status.textContent = message;
    status.classList.add("surface-failed");
  }

  addRoot(rootId, container) {
    const root = this.createRoot(container, {
      onHandler: (handlerId, args) => this.frame && this.frame.send("event-handler-call", { handler_id: handlerId, args }),
      onRefused: (info) => this.report({ kind: "render", reason: info.reason, component: info.component, prop: info.prop, message: "render" }),
    });
    this.roots.set(rootId, { root, mounted: false, container });
    return root;
  }

  render(d) {
    const r = this.roots.get(d.root_id);
    if (!r) {
      this.frame.refuseMessage("render", "a render for a root the platform did not open");
      return;
    }
    if (Array.isArray(d.mount)) {
      r.root.mount(d.mount);
      r.mounted = true;
    } else if (Array.isArray(d.mutations) && r.mounted) {
      r.root.apply(d.mutations);
    } else {
      this.frame.refuseMessage("render", "a render with neither a first mount nor mutations after it");
    }
  }

  openDialog(d) {
    const id = d.dialog_id;
    if (typeof id !== "string" || !/^[A-Za-z0-9:_-]{1,64}$/.test(id) || this.roots.has(id)) {
      this.frame.refuseMessage("open-dialog", "a dialog id that is not new and short");
      return;
    }
    const open = [...this.roots.values()].filter((r) => r.dialog).length;
    if (open >= MAX_DIALOGS) {
      this.frame.refuseMessage("open-dialog", `more than ${MAX_DIALOGS} dialogs at once`);
      return;
    }
    const dialog = el("dialog", { class: "app-dialog", "data-testid": "app-dialog", "data-app": this.app.app_slug, "data-dialog": id });
    const head = el("header", { class: "app-dialog-head" });
    head.append(el("h2", {}, String(d.title || this.app.app_title).slice(0, 200)));
    const close = el("button", { type: "button", class: "button ghost", "aria-label": "Close", "data-testid": "app-dialog-close" }, "Close");
    close.addEventListener("click", () => this.closeDialog(id, true));
    head.append(close);
    head.append(el("p", { class: "muted app-dialog-by" }, this.app.app_title));
    const container = el("div", { class: "app-root" });
    dialog.append(head, container);
    dialog.addEventListener("cancel", (e) => {
      e.preventDefault();
      this.closeDialog(id, true);
    });
    document.body.append(dialog);
    this.addRoot(id, container);
    this.roots.get(id).dialog = dialog;
    dialog.showModal();
  }

  closeDialog(id, byUser) {
    const r = this.roots.get(id);
    if (!r || !r.dialog) return;
    this.dropRoot(id, r);
    if (byUser && this.frame) this.frame.send("close-dialog", { dialog_id: id });
  }

  dropRoot(id, r) {
    r.root.destroy();
    if (r.dialog) {
      r.dialog.close();
      r.dialog.remove();
    }
    this.roots.delete(id);
  }

  // Server functions run on the platform once their route exists (the
  // server-functions issue); until then the host answers with a clear,
  // structured refusal.
  runServerFunction(d, requestId) {
    if (typeof requestId !== "string") {
      this.frame.refuseMessage("run-server-function", "a request without a requestId");
      return;
    }
    const known = (this.app.server_functions || []).includes(d.moduleHash);
    const error = known
      ? { code: "server_functions_unavailable", message: "Server functions cannot run on this platform yet." }
      : { code: "unknown_server_function", message: `${String(d.moduleHash).slice(0, 200)} is not one of the app's server functions.` };
    this.frame.send("run-server-function-result", { ok: false, error }, requestId);
  }

  // The quick-action palette: Ctrl+K / ⌘K, or the launcher button.
  static installPalette(hosts, page) {
    const entries = () => hosts.flatMap((h) => h.provides("quick-action").map((s) => ({ host: h, surface: s })));
    let palette = null;
    const open = () => {
      const list = entries();
      if (palette || list.length === 0) return;
      palette = el("dialog", { class: "quick-palette", "data-testid": "quick-action-palette" });
      const input = el("input", { type: "search", placeholder: "Run a quick action…", "aria-label": "Quick action", "data-testid": "quick-action-filter" });
      const ul = el("ul", { class: "quick-palette-list" });
      const draw = () => {
        ul.replaceChildren();
        const q = input.value.trim().toLowerCase();
        for (const { host, surface } of list) {
          const label = `${host.app.app_title}: ${surface.title}`;
          if (q && !label.toLowerCase().includes(q)) continue;
          const li = el("li");
          const b = el("button", { type: "button", class: "quick-palette-item", "data-testid": "quick-action", "data-app": host.app.app_slug, "data-surface": surface.id }, label);
          b.addEventListener("click", () => {
            close();
            const ctx = { organization_id: page.organizationId };
            if (page.record) Object.assign(ctx, { record_type: page.record.type, record_id: page.record.id });
            host.trigger(surface, ctx).catch((e) => console.warn(`[appstore] ${label}: ${e.message}`));
          });
          li.append(b);
          ul.append(li);
        }
      };
      input.addEventListener("input", draw);
      // Enter runs the first match when the key comes up: closing the
      // palette on keydown would hand the rest of the keystroke to the
      // element focus returns to (an action button, say).
      let entered = false;
      input.addEventListener("keydown", (e) => {
        if (e.key !== "Enter") return;
        e.preventDefault();
        entered = true;
      });
      input.addEventListener("keyup", (e) => {
        if (e.key !== "Enter" || !entered) return;
        entered = false;
        const first = ul.querySelector("button");
        if (first) first.click();
      });
      palette.addEventListener("cancel", (e) => {
        e.preventDefault();
        close();
      });
      palette.append(input, ul);
      draw();
      document.body.append(palette);
      palette.showModal();
      input.focus();
    };
    const close = () => {
      if (!palette) return;
      palette.close();
      palette.remove();
      palette = null;
    };
    document.addEventListener("keydown", (e) => {
      if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "k") {
        e.preventDefault();
        if (palette) close();
        else open();
      }
    });
    const launcher = el("button", { type: "button", class: "quick-launcher button secondary", "data-testid": "quick-action-launcher", hidden: "" }, "Quick actions (Ctrl K)");
    launcher.addEventListener("click", open);
    // In the page's flow, where its apps are, so it never covers content.
    const place = (page.record && page.record.el) || (page.bulk && page.bulk.el) || document.querySelector("main") || document.body;
    place.append(launcher);
    // The launcher shows once an app has provided a quick action.
    const reveal = () => {
      launcher.hidden = entries().length === 0;
    };
    for (const h of hosts) h.onSurfaces = reveal;
  }

  // Text actions: a toolbar under a call recording field while text in it
  // is selected.
  static installTextActions(hosts, page) {
    if (page.callFields.length === 0 || !page.record) return;
    let bar = null;
    const hide = () => {
      if (bar) bar.remove();
      bar = null;
    };
    const show = () => {
      const sel = document.getSelection();
      const text = sel ? sel.toString().trim() : "";
      if (!text || !sel.rangeCount) return hide();
      const node = sel.getRangeAt(0).commonAncestorContainer;
      const field = (node.nodeType === 1 ? node : node.parentElement).closest("[data-call-field]");
      if (!field) return hide();
      const name = field.dataset.callField;
      const actions = hosts.flatMap((h) => h.provides("text-action").filter((s) => (s.fields || []).includes(name)).map((s) => ({ host: h, surface: s })));
      hide();
      if (actions.length === 0) return;
      bar = el("div", { class: "text-actions", "data-testid": "text-actions", "data-field": name });
      for (const { host, surface } of actions) {
        const b = el("button", { type: "button", class: "button secondary", "data-testid": "text-action", "data-app": host.app.app_slug, "data-surface": surface.id }, surface.title);
        // mousedown would clear the selection before click: keep it.
        b.addEventListener("mousedown", (e) => e.preventDefault());
        b.addEventListener("click", () => {
          const ctx = { organization_id: page.organizationId, recording_id: page.record.id, field: name, text: text.slice(0, MAX_TEXT) };
          hide();
          host.trigger(surface, ctx).catch((e) => console.warn(`[appstore] ${surface.title}: ${e.message}`));
        });
        bar.append(b);
      }
      field.after(bar);
    };
    document.addEventListener("mouseup", () => setTimeout(show, 0));
    document.addEventListener("keyup", (e) => {
      if (e.shiftKey || e.key === "Shift") show();
    });
  }
}
