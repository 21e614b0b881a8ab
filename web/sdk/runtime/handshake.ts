// The handshake on the window (PROTOCOL.md, "Handshake"): post ready to
// the parent at the platform's origin, then accept exactly one init that
// comes from the parent, from that origin, for this app and installation,
// carrying a port. After it the window is not listened to any more.
import type { Envelope } from "../protocol";
import { EXTENSION_SOURCE, PLATFORM_SOURCE, SDK_VERSION, isEnvelope } from "../protocol";
import type { PortLike } from "./channel";

/** The runtime page's #appstore-context. */
export interface BootContext {
  app_id: string;
  app_installation_id: string;
  deployment_id: string;
  platform_origin: string;
  bundle: string;
}

/** What init carries. */
export interface InitData {
  organization_id: string;
  locale: string;
}

/** A message event, as much of it as the handshake reads. */
export interface WindowMessage {
  data: unknown;
  origin: string;
  source: unknown;
  ports: readonly PortLike[];
}

/** The part of window the handshake uses (tests pass a fake). */
export interface WindowLike {
  parent: { postMessage(message: unknown, targetOrigin: string): void };
  addEventListener(type: "message", listener: (event: WindowMessage) => void): void;
  removeEventListener(type: "message", listener: (event: WindowMessage) => void): void;
}

/** Checks the context the runtime page carries; it throws on a bad one. */
export function parseContext(raw: unknown): BootContext {
  const c = raw as Partial<BootContext> | null;
  for (const key of ["app_id", "app_installation_id", "deployment_id", "platform_origin", "bundle"] as const) {
    if (!c || typeof c[key] !== "string" || c[key] === "") throw new Error(`appstore-context: ${key} is missing`);
  }
  const ctx = c as BootContext;
  if (ctx.platform_origin === "*" || new URL(ctx.platform_origin).origin !== ctx.platform_origin) {
    throw new Error("appstore-context: platform_origin must be an exact origin");
  }
  return ctx;
}

/** Posts ready (or the bundle's failure) to the parent, at the platform's origin only. */
export function postReady(win: WindowLike, ctx: BootContext, error?: { code: string; message: string }): void {
  const msg: Envelope = {
    source: EXTENSION_SOURCE,
    type: "ready",
    appId: ctx.app_id,
    appInstallationId: ctx.app_installation_id,
    data: error ? { error } : { sdk_version: SDK_VERSION },
  };
  win.parent.postMessage(msg, ctx.platform_origin);
}

/** Resolves with the port and data of the first acceptable init. */
export function waitForInit(win: WindowLike, ctx: BootContext): Promise<{ port: PortLike; data: InitData }> {
  return new Promise((resolve) => {
    const listener = (event: WindowMessage) => {
      if (event.source !== win.parent || event.origin !== ctx.platform_origin) return;
      const msg = event.data;
      if (!isEnvelope(msg) || msg.source !== PLATFORM_SOURCE || msg.type !== "init") return;
      if (msg.appId !== ctx.app_id || msg.appInstallationId !== ctx.app_installation_id) return;
      const port = event.ports?.[0];
      if (!port) return;
      win.removeEventListener("message", listener);
      const d = (msg.data ?? {}) as Partial<InitData>;
      resolve({ port, data: { organization_id: String(d.organization_id ?? ""), locale: String(d.locale ?? "") } });
    };
    win.addEventListener("message", listener);
  });
}
