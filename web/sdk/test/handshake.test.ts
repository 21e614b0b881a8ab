import assert from "node:assert/strict";
import { test } from "node:test";
import type { BootContext, WindowLike, WindowMessage } from "../runtime/handshake";
import { parseContext, postReady, waitForInit } from "../runtime/handshake";
import { FakePort } from "./fakes";

const ctx: BootContext = {
  app_id: "app-1",
  app_installation_id: "inst-1",
  deployment_id: "dep-1",
  platform_origin: "https://appstore.example",
  bundle: "/bundles/abc.js",
};

function fakeWindow() {
  const posted: { message: unknown; targetOrigin: string }[] = [];
  const listeners = new Set<(e: WindowMessage) => void>();
  const parent = { postMessage: (message: unknown, targetOrigin: string) => posted.push({ message, targetOrigin }) };
  const win: WindowLike = {
    parent,
    addEventListener: (_t, l) => listeners.add(l),
    removeEventListener: (_t, l) => listeners.delete(l),
  };
  const dispatch = (e: Partial<WindowMessage>) => {
    for (const l of [...listeners]) l({ data: null, origin: "", source: null, ports: [], ...e });
  };
  return { win, parent, posted, listeners, dispatch };
}

const init = (over: object = {}) => ({ source: "appstore-platform", type: "init", appId: "app-1", appInstallationId: "inst-1", data: { organization_id: "org-1", locale: "en" }, ...over });

test("ready goes to the parent at the platform's origin only", () => {
  const w = fakeWindow();
  postReady(w.win, ctx);
  assert.deepEqual(w.posted, [
    { message: { source: "appstore-extension", type: "ready", appId: "app-1", appInstallationId: "inst-1", data: { sdk_version: "0.1.0" } }, targetOrigin: "https://appstore.example" },
  ]);
  postReady(w.win, ctx, { code: "bundle_failed", message: "boom" });
  assert.deepEqual((w.posted[1].message as { data: unknown }).data, { error: { code: "bundle_failed", message: "boom" } });
});

test("init is accepted only from the parent, the platform's origin, for these ids, with a port", async () => {
  const w = fakeWindow();
  let done = false;
  const p = waitForInit(w.win, ctx).then((r) => ((done = true), r));
  const port = new FakePort();
  const good = { data: init(), origin: ctx.platform_origin, source: w.parent, ports: [port] };
  const refused: [string, Partial<WindowMessage>][] = [
    ["wrong origin", { ...good, origin: "https://evil.example" }],
    ["another window", { ...good, source: {} }],
    ["wrong app", { ...good, data: init({ appId: "app-2" }) }],
    ["wrong installation", { ...good, data: init({ appInstallationId: "inst-2" }) }],
    ["wrong source", { ...good, data: init({ source: "appstore-extension" }) }],
    ["not init", { ...good, data: init({ type: "trigger-surface" }) }],
    ["no port", { ...good, ports: [] }],
    ["not an envelope", { ...good, data: "init" }],
  ];
  for (const [name, e] of refused) {
    w.dispatch(e);
    await Promise.resolve();
    assert.equal(done, false, `${name} was accepted`);
  }
  w.dispatch(good);
  const r = await p;
  assert.equal(r.port, port);
  assert.deepEqual(r.data, { organization_id: "org-1", locale: "en" });
  assert.equal(w.listeners.size, 0, "the window is not listened to after init");
});

test("the context must name an exact platform origin", () => {
  assert.deepEqual(parseContext(ctx), ctx);
  assert.throws(() => parseContext({ ...ctx, platform_origin: "*" }), /exact origin/);
  assert.throws(() => parseContext({ ...ctx, platform_origin: "https://appstore.example/path" }), /exact origin/);
  assert.throws(() => parseContext({ ...ctx, bundle: "" }), /bundle/);
  assert.throws(() => parseContext(null), /app_id/);
});
