// Fakes of the browser objects the runtime talks through, recording
// what it sends.
import type { PortLike } from "../runtime/channel";
import type { Envelope } from "../protocol";

export class FakePort implements PortLike {
  sent: Envelope[] = [];
  onmessage: ((event: { data: unknown }) => void) | null = null;
  postMessage(message: unknown): void {
    this.sent.push(JSON.parse(JSON.stringify(message)));
  }
  /** Delivers a message as the platform would. */
  deliver(type: string, data: unknown, requestId?: string, ids = IDS): void {
    this.onmessage?.({ data: { source: "appstore-platform", type, appId: ids.appId, appInstallationId: ids.appInstallationId, requestId, data } });
  }
  take(type?: string): Envelope[] {
    const out = this.sent.filter((m) => type === undefined || m.type === type);
    this.sent = this.sent.filter((m) => !out.includes(m));
    return out;
  }
}

export const IDS = { appId: "app-1", appInstallationId: "inst-1" };

/** Lets microtasks, the reconciler's scheduler and the flush run. */
export function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 5));
}

/** What the host shows of one root, applying renders the way PROTOCOL.md says. */
export class HostModel {
  children: import("../protocol").WireNode[] = [];
  apply(d: import("../runtime/renderer").RenderData): void {
    if ("mount" in d) {
      this.children = structuredClone(d.mount);
      return;
    }
    for (const m of d.mutations) {
      if (m.op === "insert") this.childrenOf(m.parent_id).splice(m.index, 0, structuredClone(m.node));
      else if (m.op === "remove") {
        const list = this.childrenOf(m.parent_id);
        const i = list.findIndex((n) => n.id === m.id);
        if (i < 0) throw new Error(`remove of ${m.id}: not a child of ${m.parent_id}`);
        list.splice(i, 1);
      } else if (m.op === "props") (this.find(m.id) as import("../protocol").WireElement).props = m.props;
      else (this.find(m.id) as import("../protocol").WireText).text = m.text;
    }
  }
  private childrenOf(id: number) {
    if (id === 0) return this.children;
    const n = this.find(id);
    if (!n || !("children" in n)) throw new Error(`no element ${id}`);
    return n.children;
  }
  find(id: number, list = this.children): import("../protocol").WireNode | undefined {
    for (const n of list) {
      if (n.id === id) return n;
      if ("children" in n) {
        const f = this.find(id, n.children);
        if (f) return f;
      }
    }
    return undefined;
  }
}
