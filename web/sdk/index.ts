// @appstore/sdk: what an app's client bundle uses to talk to the platform.
//
// The client bundle runs in a sandboxed iframe (DESIGN §7). It talks to the
// platform page, its parent frame, only by postMessage with the envelope
//
//   {source, type, appId, appInstallationId, requestId?, data}
//
// where source is "appstore-extension" from the app and "appstore-platform"
// from the platform. Each side checks the origin, source, appId and
// installation id of a message before anything else, and always posts with
// an explicit target origin.
//
// Handshake: the platform's first message is
//   {source: "appstore-platform", type: "init", appId, appInstallationId, data: {}}
// from the parent frame; its origin becomes the only origin the SDK talks to.
// (A host that knows the context some other way can call connect().)
//
// Server functions: `appstore-cli build` replaces every import of a
// `*.server.ts` module in the client bundle by a proxy whose exports call
// runServerFunction("<path>#<export>", args). The request is
//   type "run-server-function", data {moduleHash: "<path>#<export>", args: <JSON string of the argument array>}
// and the platform answers with the same requestId and
//   type "run-server-function-result", data {ok: true, result: <JSON string>}
//                                    or data {ok: false, error: {code, message}}.
// A request without an answer fails after 30 seconds.

export * from "./components";

/** The source of messages the app sends. */
export const EXTENSION_SOURCE = "appstore-extension";
/** The source of messages the platform sends. */
export const PLATFORM_SOURCE = "appstore-platform";
/** How long a request waits for the platform's answer. */
export const REQUEST_TIMEOUT_MS = 30_000;

/** Who the app is talking to. */
export interface HostContext {
  appId: string;
  appInstallationId: string;
  /** The platform page's origin: the only one messages go to or come from. */
  origin: string;
}

/** The postMessage envelope of DESIGN §7. */
export interface Envelope<T = unknown> {
  source: typeof EXTENSION_SOURCE | typeof PLATFORM_SOURCE;
  type: string;
  appId: string;
  appInstallationId: string;
  requestId?: string;
  data: T;
}

/** A server function failed, was refused, or did not answer in time. */
export class ServerFunctionError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "ServerFunctionError";
    this.code = code;
  }
}

interface Pending {
  resolve(value: unknown): void;
  reject(err: Error): void;
  timer: ReturnType<typeof setTimeout>;
}

let host: HostContext | null = null;
let listening = false;
const waitingForHost: Array<(h: HostContext) => void> = [];
const pending = new Map<string, Pending>();
let counter = 0;

/** Sets the context explicitly, for hosts that do not send init. */
export function connect(ctx: HostContext): void {
  if (!ctx || !ctx.appId || !ctx.appInstallationId || !ctx.origin || ctx.origin === "*") {
    throw new Error("connect needs appId, appInstallationId and an exact origin");
  }
  host = { appId: ctx.appId, appInstallationId: ctx.appInstallationId, origin: ctx.origin };
  listen();
  for (const resolve of waitingForHost.splice(0)) resolve(host);
}

/** The context, once the platform has introduced itself. */
export function hostContext(): HostContext | null {
  return host;
}

function listen(): void {
  if (listening || typeof window === "undefined") return;
  listening = true;
  window.addEventListener("message", onMessage);
}

function onMessage(event: MessageEvent): void {
  const msg = event.data as Partial<Envelope> | null;
  if (!msg || typeof msg !== "object" || msg.source !== PLATFORM_SOURCE) return;
  if (host === null) {
    // Only the parent frame may introduce itself, and only with init.
    if (msg.type !== "init" || event.source !== window.parent) return;
    if (typeof msg.appId !== "string" || typeof msg.appInstallationId !== "string") return;
    connect({ appId: msg.appId, appInstallationId: msg.appInstallationId, origin: event.origin });
    return;
  }
  if (event.origin !== host.origin || msg.appId !== host.appId || msg.appInstallationId !== host.appInstallationId) {
    return;
  }
  if (msg.type === "run-server-function-result" && typeof msg.requestId === "string") {
    settle(msg.requestId, msg.data);
  }
}

function settle(requestId: string, data: unknown): void {
  const p = pending.get(requestId);
  if (!p) return; // timed out already, or not ours
  pending.delete(requestId);
  clearTimeout(p.timer);
  const d = (data ?? {}) as { ok?: boolean; result?: unknown; error?: { code?: string; message?: string } };
  if (d.ok === true) {
    try {
      p.resolve(typeof d.result === "string" ? JSON.parse(d.result) : undefined);
    } catch {
      p.reject(new ServerFunctionError("bad_result", "The server function's result is not JSON."));
    }
    return;
  }
  const e = d.error ?? {};
  p.reject(new ServerFunctionError(e.code || "server_function_failed", e.message || "The server function failed."));
}

function newRequestId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c && typeof c.randomUUID === "function") return c.randomUUID();
  counter += 1;
  return `req-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2)}`;
}

function whenConnected(): Promise<HostContext> {
  listen();
  if (host) return Promise.resolve(host);
  return new Promise((resolve) => waitingForHost.push(resolve));
}

/**
 * Runs the server function moduleHash ("<path>#<export>", e.g.
 * "src/greet.server.ts#greet") on the platform with args, which must
 * survive JSON, and resolves with its result. It rejects with a
 * ServerFunctionError when the platform refuses or fails, or after 30 s.
 */
export function runServerFunction<R = unknown>(moduleHash: string, args: unknown[]): Promise<R> {
  let payload: string;
  try {
    payload = JSON.stringify(args ?? []);
  } catch {
    return Promise.reject(new ServerFunctionError("bad_arguments", "Server function arguments must be JSON."));
  }
  return new Promise<R>((resolve, reject) => {
    const requestId = newRequestId();
    const timer = setTimeout(() => {
      pending.delete(requestId);
      reject(new ServerFunctionError("timeout", `${moduleHash} did not answer within ${REQUEST_TIMEOUT_MS / 1000} s.`));
    }, REQUEST_TIMEOUT_MS);
    pending.set(requestId, { resolve: resolve as (v: unknown) => void, reject, timer });
    whenConnected().then((h) => {
      if (!pending.has(requestId)) return; // timed out while waiting for init
      const envelope: Envelope<{ moduleHash: string; args: string }> = {
        source: EXTENSION_SOURCE,
        type: "run-server-function",
        appId: h.appId,
        appInstallationId: h.appInstallationId,
        requestId,
        data: { moduleHash, args: payload },
      };
      window.parent.postMessage(envelope, h.origin);
    });
  });
}
