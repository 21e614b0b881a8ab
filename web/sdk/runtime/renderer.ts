// A react-reconciler host config whose "host" is the platform page. The
// first commit of a root is sent whole (render {root_id, mount}); every
// later commit as mutation records on stable node ids (render {root_id,
// mutations}), batched into one message per root per tick, the way
// Shopify's remote-dom keeps a remote tree in step.
import { createContext, type ReactNode } from "react";
import createReconciler from "react-reconciler";
import { DefaultEventPriority, DiscreteEventPriority, NoEventPriority } from "react-reconciler/constants.js";
import type { Mutation, WireNode } from "../protocol";
import { MAX_DEPTH, MAX_MESSAGE_BYTES, MAX_ROOT_NODES, utf8Length } from "../protocol";
import type { HostNode, Parent } from "./tree";
import { Handlers, HostElement, HostText, RootContainer, clampText, hostIndex, measure, releaseSubtree, serialize, shownRoot, visibleChildren } from "./tree";

/** One render message's data. */
export type RenderData = { root_id: string; mount: WireNode[] } | { root_id: string; mutations: Mutation[] };

// Room for the envelope around a render's data.
const ENVELOPE_ROOM = 2048;

/** Renders React trees into roots and reports them as render messages. */
export class Renderer {
  readonly handlers = new Handlers();
  private readonly roots = new Map<string, { container: RootContainer; fiberRoot: unknown }>();
  private readonly pending = new Map<RootContainer, Mutation[]>();
  private nextId = 1;
  private flushQueued = false;
  private priority: number = NoEventPriority;
  private readonly reconciler;

  /** send gets each render message, in order; budget caps one message's data. */
  constructor(
    private readonly send: (data: RenderData) => void,
    private readonly budget = MAX_MESSAGE_BYTES - ENVELOPE_ROOM,
  ) {
    this.reconciler = createReconciler(this.hostConfig());
  }

  /** Renders element into the root rootId, creating the root on first use. */
  render(rootId: string, element: ReactNode): void {
    let r = this.roots.get(rootId);
    if (!r) {
      const container = new RootContainer(rootId);
      const report = (err: unknown) => console.error(`root ${rootId}:`, err);
      const fiberRoot = this.reconciler.createContainer(container, 1, null, false, null, `${rootId}-`, report, report, report, () => {}, null);
      r = { container, fiberRoot };
      this.roots.set(rootId, r);
    }
    this.reconciler.updateContainerSync(element, r.fiberRoot as never, null, null);
    this.reconciler.flushSyncWork();
  }

  /** Unmounts rootId; nothing more is sent for it and its handlers die. */
  unmount(rootId: string): void {
    const r = this.roots.get(rootId);
    if (!r) return;
    r.container.closed = true;
    this.roots.delete(rootId);
    this.pending.delete(r.container);
    this.reconciler.updateContainerSync(null, r.fiberRoot as never, null, null);
    this.reconciler.flushSyncWork();
  }

  has(rootId: string): boolean {
    return this.roots.has(rootId);
  }

  /** The root's children as the host should now show them (for tests and debugging). */
  snapshot(rootId: string): WireNode[] {
    const r = this.roots.get(rootId);
    return r ? visibleChildren(r.container).map(serialize) : [];
  }

  /**
   * Calls the handler id with args, as a discrete event (its updates
   * commit at once). It returns false for a dead handler, which is ignored.
   */
  callHandler(id: string, args: unknown[]): boolean {
    const fn = this.handlers.get(id);
    if (!fn) return false;
    const prev = this.priority;
    this.priority = DiscreteEventPriority;
    try {
      const out = fn(...args);
      if (out instanceof Promise) out.catch((err) => console.error(`handler ${id}:`, err));
    } catch (err) {
      console.error(`handler ${id}:`, err);
    } finally {
      this.priority = prev;
    }
    return true;
  }

  /** Sends what changed since the last flush (runs by itself once per tick). */
  flush(): void {
    this.flushQueued = false;
    for (const { container } of [...this.roots.values()]) {
      if (!container.dirty) continue;
      container.dirty = false;
      const mutations = this.pending.get(container) ?? [];
      this.pending.delete(container);
      if (container.closed || container.broken) continue;
      const { nodes, depth } = measure(container);
      if (nodes > MAX_ROOT_NODES || depth > MAX_DEPTH) {
        container.broken = true;
        console.error(`root ${container.rootId}: ${nodes} nodes, depth ${depth}: above the host's limits (${MAX_ROOT_NODES} nodes, depth ${MAX_DEPTH}); it is no longer sent`);
        continue;
      }
      try {
        if (!container.mounted) {
          container.mounted = true;
          this.sendMount(container);
        } else if (mutations.length > 0) {
          this.sendMutations(container.rootId, mutations);
        }
      } catch (err) {
        container.broken = true;
        console.error(`root ${container.rootId}:`, err);
      }
    }
  }

  private sendMount(root: RootContainer): void {
    const mount = visibleChildren(root).map(serialize);
    if (this.size({ root_id: root.rootId, mount }) <= this.budget) {
      this.send({ root_id: root.rootId, mount });
      return;
    }
    // Too big for one message: an empty mount, then the children as inserts.
    this.send({ root_id: root.rootId, mount: [] });
    this.sendMutations(root.rootId, mount.map((node, index) => ({ op: "insert", parent_id: 0, index, node })));
  }

  // Packs mutations, in order, into as few messages as the budget allows;
  // an insert too large alone goes as its node then its children.
  private sendMutations(rootId: string, mutations: Mutation[]): void {
    const base = this.size({ root_id: rootId, mutations: [] });
    let batch: Mutation[] = [];
    let bytes = base;
    const push = (m: Mutation) => {
      const n = utf8Length(JSON.stringify(m)) + 1;
      if (base + n > this.budget) {
        if (m.op !== "insert" || !("children" in m.node) || m.node.children.length === 0) {
          throw new Error(`a ${m.op} of node ${"id" in m ? m.id : m.node.id} is larger than one message may be`);
        }
        const { children, ...rest } = m.node;
        push({ ...m, node: { ...rest, children: [] } });
        children.forEach((node, index) => push({ op: "insert", parent_id: m.node.id, index, node }));
        return;
      }
      if (bytes + n > this.budget) {
        this.send({ root_id: rootId, mutations: batch });
        batch = [];
        bytes = base;
      }
      batch.push(m);
      bytes += n;
    };
    mutations.forEach(push);
    if (batch.length > 0) this.send({ root_id: rootId, mutations: batch });
  }

  private size(data: RenderData): number {
    return utf8Length(JSON.stringify(data));
  }

  // Records m for the root node is shown in; nothing when it is detached,
  // hidden, or the root has not gone out whole yet (the mount will carry it).
  private record(at: HostNode | Parent, m: () => Mutation): void {
    const root = shownRoot(at);
    if (!root) return;
    this.touch(root);
    if (!root.mounted || root.closed) return;
    let list = this.pending.get(root);
    if (!list) this.pending.set(root, (list = []));
    list.push(m());
  }

  private touch(root: RootContainer): void {
    root.dirty = true;
    if (!this.flushQueued) {
      this.flushQueued = true;
      queueMicrotask(() => this.flush());
    }
  }

  private place(parent: Parent, child: HostNode, before: HostNode | null): void {
    const at = parent.children.indexOf(child);
    if (at >= 0) {
      // A move: the host removes and re-inserts the same subtree.
      if (!child.hidden) this.record(parent, () => ({ op: "remove", parent_id: parent.id, id: child.id }));
      parent.children.splice(at, 1);
    } else if (child.parent) {
      this.detach(child.parent, child, false);
    }
    const i = before ? parent.children.indexOf(before) : -1;
    if (i >= 0) parent.children.splice(i, 0, child);
    else parent.children.push(child);
    child.parent = parent;
    if (!child.hidden) {
      this.record(parent, () => ({ op: "insert", parent_id: parent.id, index: hostIndex(parent, child), node: serialize(child) }));
    }
  }

  private detach(parent: Parent, child: HostNode, release: boolean): void {
    const at = parent.children.indexOf(child);
    if (at < 0) return;
    if (!child.hidden) this.record(parent, () => ({ op: "remove", parent_id: parent.id, id: child.id }));
    parent.children.splice(at, 1);
    child.parent = null;
    if (release) releaseSubtree(child, this.handlers);
  }

  private setHidden(node: HostNode, hidden: boolean): void {
    if (node.hidden === hidden) return;
    const parent = node.parent;
    if (hidden && parent) this.record(parent, () => ({ op: "remove", parent_id: parent.id, id: node.id }));
    node.hidden = hidden;
    if (!hidden && parent) {
      this.record(parent, () => ({ op: "insert", parent_id: parent.id, index: hostIndex(parent, node), node: serialize(node) }));
    }
  }

  private hostConfig() {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const self = this;
    type Props = { [k: string]: unknown };
    const noop = () => {};
    return {
      supportsMutation: true,
      supportsPersistence: false,
      supportsHydration: false,
      isPrimaryRenderer: true,
      rendererVersion: "0.1.0",
      rendererPackageName: "@appstore/sdk",
      extraDevToolsConfig: null,
      noTimeout: -1 as const,
      scheduleTimeout: setTimeout,
      cancelTimeout: (id: ReturnType<typeof setTimeout>) => clearTimeout(id),
      supportsMicrotasks: true,
      scheduleMicrotask: queueMicrotask,
      NotPendingTransition: null,
      HostTransitionContext: createContext(null),

      createInstance(type: string, props: Props): HostElement {
        const el = new HostElement(self.nextId++, type);
        el.setProps(props, self.handlers);
        return el;
      },
      createTextInstance(text: string): HostText {
        return new HostText(self.nextId++, text);
      },
      appendInitialChild(parent: HostElement, child: HostNode) {
        parent.children.push(child);
        child.parent = parent;
      },
      finalizeInitialChildren: () => false,
      shouldSetTextContent: () => false,
      getRootHostContext: () => null,
      getChildHostContext: (ctx: null) => ctx,
      getPublicInstance: (i: HostNode) => i,
      prepareForCommit: () => null,
      resetAfterCommit(container: RootContainer) {
        self.touch(container);
      },
      preparePortalMount: noop,

      appendChild: (p: HostElement, c: HostNode) => self.place(p, c, null),
      appendChildToContainer: (p: RootContainer, c: HostNode) => self.place(p, c, null),
      insertBefore: (p: HostElement, c: HostNode, b: HostNode) => self.place(p, c, b),
      insertInContainerBefore: (p: RootContainer, c: HostNode, b: HostNode) => self.place(p, c, b),
      removeChild: (p: HostElement, c: HostNode) => self.detach(p, c, true),
      removeChildFromContainer: (p: RootContainer, c: HostNode) => self.detach(p, c, true),
      clearContainer(container: RootContainer) {
        for (const c of [...container.children]) self.detach(container, c, true);
      },
      commitUpdate(el: HostElement, _type: string, _old: Props, props: Props) {
        if (el.setProps(props, self.handlers)) self.record(el, () => ({ op: "props", id: el.id, props: el.wire }));
      },
      commitTextUpdate(t: HostText, _old: string, text: string) {
        const next = clampText(text);
        if (next === t.text) return;
        t.text = next;
        self.record(t, () => ({ op: "text", id: t.id, text: next }));
      },
      resetTextContent: noop,
      hideInstance: (i: HostElement) => self.setHidden(i, true),
      unhideInstance: (i: HostElement) => self.setHidden(i, false),
      hideTextInstance: (t: HostText) => self.setHidden(t, true),
      unhideTextInstance: (t: HostText) => self.setHidden(t, false),
      commitMount: noop,
      detachDeletedInstance: noop,

      setCurrentUpdatePriority(p: number) {
        self.priority = p;
      },
      getCurrentUpdatePriority: () => self.priority,
      resolveUpdatePriority: () => (self.priority !== NoEventPriority ? self.priority : DefaultEventPriority),
      resolveEventType: () => null,
      resolveEventTimeStamp: () => -1.1,
      trackSchedulerEvent: noop,
      shouldAttemptEagerTransition: () => false,
      requestPostPaintCallback: noop,
      getInstanceFromNode: () => null,
      beforeActiveInstanceBlur: noop,
      afterActiveInstanceBlur: noop,
      prepareScopeUpdate: noop,
      getInstanceFromScope: () => null,
      bindToConsole: (method: string, args: unknown[]) => (console as unknown as { [m: string]: (...a: unknown[]) => void })[method].bind(console, ...args),
      resetFormInstance: noop,
      maySuspendCommit: () => false,
      maySuspendCommitOnUpdate: () => false,
      maySuspendCommitInSyncRender: () => false,
      preloadInstance: () => true,
      startSuspendingCommit: noop,
      suspendInstance: noop,
      suspendOnActiveViewTransition: noop,
      waitForCommitToBeReady: () => null,
      getSuspendedCommitReason: () => null,
    };
  }
}
