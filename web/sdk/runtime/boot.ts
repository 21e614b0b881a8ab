// The runtime page's module script: read #appstore-context, import the
// app's bundle, say ready, wait for init, then run the app over the port.
// The page's import map gives the bundle this build's react and
// @appstore/sdk, so the bundle and this module share one of each.
import type { App } from "../app";
import { surfaceEntries } from "../app";
import { Channel } from "./channel";
import type { WindowLike } from "./handshake";
import { parseContext, postReady, waitForInit } from "./handshake";
import { Runtime } from "./runtime";

async function boot(): Promise<void> {
  const el = document.getElementById("appstore-context");
  const ctx = parseContext(JSON.parse(el?.textContent ?? "null"));
  const win = window as unknown as WindowLike;
  let app: App;
  try {
    const mod = (await import(ctx.bundle)) as { default?: unknown };
    if (!mod.default || typeof mod.default !== "object") {
      throw new Error("the bundle has no default export: end src/app.tsx with export default defineApp({...})");
    }
    app = mod.default as App;
    surfaceEntries(app); // a bad definition fails here, not after init
  } catch (err) {
    console.error("appstore: the app's bundle failed:", err);
    postReady(win, ctx, { code: "bundle_failed", message: err instanceof Error ? err.message : String(err) });
    return;
  }
  const init = waitForInit(win, ctx);
  postReady(win, ctx);
  const { port } = await init;
  new Runtime(new Channel(port, { appId: ctx.app_id, appInstallationId: ctx.app_installation_id }), app).start();
}

boot().catch((err) => console.error("appstore: the runtime did not start:", err));
