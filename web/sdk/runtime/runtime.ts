// The frame runtime after the handshake: it announces the App's surfaces,
// answers trigger-surface for every kind, renders widgets and dialogs
// through the Renderer, routes event-handler-call to live handlers and
// runs server functions over the port.
import { createElement } from "react";
import type { App, SurfaceEntry } from "../app";
import { surfaceEntries } from "../app";
import type { DialogHandle, DialogOptions, RuntimeHost } from "../host";
import { ServerFunctionError, setRuntimeHost } from "../host";
import type { Envelope, SurfaceKind, WireError } from "../protocol";
import type { Channel } from "./channel";
import { RequestError } from "./channel";
import { Renderer } from "./renderer";

interface TriggerData {
  surface_id?: string;
  kind?: string;
  root_id?: string;
  context?: unknown;
}

export class Runtime implements RuntimeHost {
  readonly renderer: Renderer;
  private readonly surfaces = new Map<string, SurfaceEntry>();
  private readonly dialogs = new Map<string, DialogOptions>();
  private dialogCounter = 0;

  /** It throws when the App definition is not valid (surfaceEntries). */
  constructor(
    private readonly channel: Channel,
    app: App,
  ) {
    for (const e of surfaceEntries(app)) this.surfaces.set(`${e.surface.kind}:${e.surface.id}`, e);
    this.renderer = new Renderer((data) => channel.send("render", data));
    channel.on("trigger-surface", (msg) => void this.trigger(msg));
    channel.on("event-handler-call", (msg) => {
      const d = (msg.data ?? {}) as { handler_id?: unknown; args?: unknown };
      if (typeof d.handler_id !== "string") return;
      this.renderer.callHandler(d.handler_id, Array.isArray(d.args) ? d.args : []);
    });
    channel.on("close-dialog", (msg) => {
      const id = (msg.data as { dialog_id?: unknown } | null)?.dialog_id;
      if (typeof id === "string") this.closeDialog(id, false);
    });
  }

  /** Sends set-surfaces and makes this the runtime the public API uses. */
  start(): void {
    this.channel.send("set-surfaces", { surfaces: [...this.surfaces.values()].map((e) => e.surface) });
    setRuntimeHost(this);
  }

  private async trigger(msg: Envelope): Promise<void> {
    const d = (msg.data ?? {}) as TriggerData;
    const answer = (error?: WireError) =>
      this.channel.answer("trigger-surface-result", msg.requestId, error ? { ok: false, error } : { ok: true });
    if (d.kind === "unmount-root") {
      if (typeof d.root_id === "string") this.renderer.unmount(d.root_id);
      return answer();
    }
    const entry = this.surfaces.get(`${d.kind}:${d.surface_id}`);
    if (!entry) return answer({ code: "unknown_surface", message: `this app has no ${d.kind} surface ${JSON.stringify(d.surface_id)}` });
    try {
      if (entry.widget) {
        if (typeof d.root_id !== "string" || d.root_id === "") return answer({ code: "bad_request", message: "a record widget needs root_id" });
        this.renderer.render(d.root_id, createElement(entry.widget.component, { context: d.context as never }));
      } else {
        await entry.action!.onTrigger(d.context as never);
      }
      answer();
    } catch (err) {
      console.error(`${entry.surface.kind} ${entry.surface.id}:`, err);
      answer({ code: "surface_failed", message: err instanceof Error ? err.message : String(err) });
    }
  }

  async runServerFunction(moduleHash: string, args: string): Promise<unknown> {
    let d: { ok?: boolean; result?: unknown; error?: Partial<WireError> };
    try {
      d = ((await this.channel.request("run-server-function", { moduleHash, args })) ?? {}) as typeof d;
    } catch (err) {
      if (err instanceof RequestError) throw new ServerFunctionError(err.code, `${moduleHash}: ${err.message}`);
      throw new ServerFunctionError("bad_arguments", err instanceof Error ? err.message : String(err));
    }
    if (d.ok === true) {
      try {
        return typeof d.result === "string" ? JSON.parse(d.result) : undefined;
      } catch {
        throw new ServerFunctionError("bad_result", "The server function's result is not JSON.");
      }
    }
    const e = d.error ?? {};
    throw new ServerFunctionError(e.code || "server_function_failed", e.message || "The server function failed.");
  }

  openDialog(options: DialogOptions): DialogHandle {
    if (!options || typeof options.title !== "string" || options.title.trim() === "") {
      throw new Error("openDialog: a dialog needs a title");
    }
    this.dialogCounter += 1;
    const id = `dialog-${this.dialogCounter}`;
    this.dialogs.set(id, options);
    // open-dialog goes now; the root's first render follows in this tick's flush.
    this.channel.send("open-dialog", { dialog_id: id, title: options.title });
    this.renderer.render(id, options.content);
    return { id, close: () => this.closeDialog(id, true) };
  }

  private closeDialog(id: string, tellHost: boolean): void {
    const options = this.dialogs.get(id);
    if (!options) return;
    this.dialogs.delete(id);
    this.renderer.unmount(id);
    if (tellHost) this.channel.send("close-dialog", { dialog_id: id });
    try {
      options.onClose?.();
    } catch (err) {
      console.error(`dialog ${id} onClose:`, err);
    }
  }
}

export type { SurfaceKind };
