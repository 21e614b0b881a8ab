// The bridge between the public API (runServerFunction, openDialog) and
// the frame runtime. The runtime imports react-reconciler and is loaded
// only by the boot module; keeping it behind this interface lets
// appstore-cli bundle @appstore/sdk from source, without node_modules,
// for evaluating the App definition at build time.
import type { ReactNode } from "react";

/** A server function failed, was refused, or did not answer in time. */
export class ServerFunctionError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.name = "ServerFunctionError";
    this.code = code;
  }
}

/** What openDialog shows. */
export interface DialogOptions {
  title: string;
  content: ReactNode;
  /** Called once when the dialog closes, by close() or by the user. */
  onClose?: () => void;
}

/** An open dialog. */
export interface DialogHandle {
  readonly id: string;
  /** Closes the dialog; closing it twice does nothing. */
  close(): void;
}

/** The frame runtime, as the public API sees it. */
export interface RuntimeHost {
  runServerFunction(moduleHash: string, args: string): Promise<unknown>;
  openDialog(options: DialogOptions): DialogHandle;
}

let current: RuntimeHost | null = null;
const waiting: Array<(h: RuntimeHost) => void> = [];

/** Installs the runtime after the handshake (null uninstalls it, for tests). */
export function setRuntimeHost(h: RuntimeHost | null): void {
  current = h;
  if (h) for (const resolve of waiting.splice(0)) resolve(h);
}

/** The runtime, once the platform has connected. */
export function runtimeHost(): RuntimeHost | null {
  return current;
}

/** Resolves with the runtime once it is installed. */
export function whenRuntimeHost(): Promise<RuntimeHost> {
  return current ? Promise.resolve(current) : new Promise((resolve) => waiting.push(resolve));
}
