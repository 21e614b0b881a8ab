// @appstore/sdk: what an app's client code imports. The frame runtime
// (runtime/, loaded by the runtime page's boot module) provides the
// same module instance to the app's bundle through the import map, so
// the App definition, dialogs and server function calls all meet it.
//
// Server functions: `appstore-cli build` replaces every import of a
// `*.server.ts` module in the client bundle by a proxy whose exports call
// runServerFunction("<path>#<export>", args) and carry that moduleHash.
import type { DialogHandle, DialogOptions } from "./host";
import { ServerFunctionError, runtimeHost, whenRuntimeHost } from "./host";
import { REQUEST_TIMEOUT_MS } from "./protocol";

export * from "./components";
export * from "./app";
export type { DialogHandle, DialogOptions } from "./host";
export { ServerFunctionError } from "./host";
export { EXTENSION_SOURCE, PLATFORM_SOURCE, REQUEST_TIMEOUT_MS, SDK_VERSION } from "./protocol";
export type { Envelope, Mutation, WireNode } from "./protocol";

/**
 * Runs the server function moduleHash ("<path>#<export>", e.g.
 * "src/greet.server.ts#greet") on the platform with args, which must
 * survive JSON, and resolves with its result. It rejects with a
 * ServerFunctionError when the platform refuses or fails, or when no
 * answer came within 30 s (counting the wait for the handshake).
 */
export function runServerFunction<R = unknown>(moduleHash: string, args: unknown[]): Promise<R> {
  let payload: string;
  try {
    payload = JSON.stringify(args ?? []);
  } catch {
    return Promise.reject(new ServerFunctionError("bad_arguments", "Server function arguments must be JSON."));
  }
  const h = runtimeHost();
  if (h) return h.runServerFunction(moduleHash, payload) as Promise<R>;
  // Called before the handshake finished (top-level code): wait for it,
  // within the same 30 s a request gets.
  return new Promise<R>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new ServerFunctionError("timeout", `${moduleHash}: the platform did not connect within ${REQUEST_TIMEOUT_MS / 1000} s.`));
    }, REQUEST_TIMEOUT_MS);
    whenRuntimeHost().then((host) => {
      clearTimeout(timer);
      (host.runServerFunction(moduleHash, payload) as Promise<R>).then(resolve, reject);
    });
  });
}

/**
 * Shows a modal dialog titled title whose body is content (any tree of
 * the platform's components) and returns a handle to close it. It throws
 * when called outside the app's runtime (before the platform connected).
 */
export function openDialog(options: DialogOptions): DialogHandle {
  const h = runtimeHost();
  if (!h) throw new Error("openDialog: the app runtime is not connected yet; open dialogs from surfaces and handlers");
  return h.openDialog(options);
}
