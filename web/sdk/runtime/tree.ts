// The frame's copy of each root: host nodes with stable integer ids, and
// the handlers their function props stand for. The renderer mutates it
// and records what the host must do to follow.
import type { WireNode, WireProps } from "../protocol";
import { MAX_TEXT } from "../protocol";

export type Parent = HostElement | RootContainer;
export type HostNode = HostElement | HostText;

interface HandlerSlot {
  fn: (...args: unknown[]) => unknown;
  id: string;
}

/** Live handlers by id; an id leaves when its node or prop goes. */
export class Handlers {
  private readonly live = new Map<string, (...args: unknown[]) => unknown>();
  private counter = 0;

  add(fn: (...args: unknown[]) => unknown): string {
    this.counter += 1;
    const id = `h${this.counter}`;
    this.live.set(id, fn);
    return id;
  }
  get(id: string): ((...args: unknown[]) => unknown) | undefined {
    return this.live.get(id);
  }
  /** Points a live id at a new function (a re-render's new closure). */
  replace(id: string, fn: (...args: unknown[]) => unknown): void {
    if (this.live.has(id)) this.live.set(id, fn);
  }
  delete(id: string): void {
    this.live.delete(id);
  }
  get size(): number {
    return this.live.size;
  }
}

export class RootContainer {
  readonly kind = "root";
  readonly id = 0;
  children: HostNode[] = [];
  /** The whole tree went to the host once; from then on, mutations. */
  mounted = false;
  /** The host no longer shows it: nothing more is sent. */
  closed = false;
  /** Over a limit: the host would refuse it, so nothing more is sent. */
  broken = false;
  dirty = false;
  constructor(readonly rootId: string) {}
}

export class HostElement {
  readonly kind = "element";
  parent: Parent | null = null;
  children: HostNode[] = [];
  hidden = false;
  wire: WireProps = {};
  private slots = new Map<string, HandlerSlot>();
  constructor(
    readonly id: number,
    readonly type: string,
  ) {}

  /**
   * Sets the props sent for this node from React's props. A function
   * prop keeps its handler id for as long as the prop is a function: a
   * re-render's new closure takes the id over, so nothing is sent for it
   * and a user's event in flight still finds a live handler. The id dies
   * with the node, or when the prop goes or stops being a function. It
   * returns whether the wire props changed.
   */
  setProps(props: { [k: string]: unknown }, handlers: Handlers): boolean {
    const wire: WireProps = {};
    const slots = new Map<string, HandlerSlot>();
    for (const key of Object.keys(props)) {
      const v = props[key];
      if (key === "children" || key === "key" || key === "ref" || v === undefined) continue;
      if (typeof v === "function") {
        const fn = v as HandlerSlot["fn"];
        const prev = this.slots.get(key);
        let slot: HandlerSlot;
        if (prev) {
          if (prev.fn !== fn) handlers.replace(prev.id, fn);
          slot = { fn, id: prev.id };
        } else {
          slot = { fn, id: handlers.add(fn) };
        }
        slots.set(key, slot);
        wire[key] = { $handler: slot.id };
        continue;
      }
      const json = toJSON(v);
      if (json === undefined) {
        console.warn(`<${this.type}> prop ${key}: not JSON, not sent`);
        continue;
      }
      wire[key] = json;
    }
    for (const [key, slot] of this.slots) if (slots.get(key)?.id !== slot.id) handlers.delete(slot.id);
    this.slots = slots;
    const changed = JSON.stringify(wire) !== JSON.stringify(this.wire);
    this.wire = wire;
    return changed;
  }

  /** Lets every handler of this node go. */
  releaseHandlers(handlers: Handlers): void {
    for (const slot of this.slots.values()) handlers.delete(slot.id);
    this.slots.clear();
  }
}

export class HostText {
  readonly kind = "text";
  parent: Parent | null = null;
  hidden = false;
  text: string;
  constructor(
    readonly id: number,
    text: string,
  ) {
    this.text = clampText(text);
  }
}

/** The SDK keeps texts within the host's limit rather than be refused. */
export function clampText(text: string): string {
  return text.length > MAX_TEXT ? text.slice(0, MAX_TEXT) : text;
}

function toJSON(v: unknown): unknown {
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") return Number.isFinite(v) ? v : undefined;
  try {
    const s = JSON.stringify(v);
    return s === undefined ? undefined : JSON.parse(s);
  } catch {
    return undefined;
  }
}

/** The node as the host receives it; hidden children are left out. */
export function serialize(node: HostNode): WireNode {
  if (node.kind === "text") return { id: node.id, text: node.text };
  return { id: node.id, type: node.type, props: node.wire, children: visibleChildren(node).map(serialize) };
}

export function visibleChildren(parent: Parent): HostNode[] {
  return parent.children.filter((c) => !c.hidden);
}

/** The root node belongs to, or null when it is detached or hidden. */
export function shownRoot(node: HostNode | Parent): RootContainer | null {
  let n: HostNode | Parent | null = node;
  while (n && n.kind !== "root") {
    if (n.hidden) return null;
    n = n.parent;
  }
  return n;
}

/** Where child sits among the children the host sees. */
export function hostIndex(parent: Parent, child: HostNode): number {
  let i = 0;
  for (const c of parent.children) {
    if (c === child) return i;
    if (!c.hidden) i++;
  }
  return i;
}

/** Node count and depth of a root as the host sees it. */
export function measure(root: RootContainer): { nodes: number; depth: number } {
  let nodes = 0;
  let depth = 0;
  const walk = (n: HostNode, d: number) => {
    nodes++;
    depth = Math.max(depth, d);
    if (n.kind === "element") for (const c of visibleChildren(n)) walk(c, d + 1);
  };
  for (const c of visibleChildren(root)) walk(c, 1);
  return { nodes, depth };
}

/** Lets the handlers of node and its descendants go. */
export function releaseSubtree(node: HostNode, handlers: Handlers): void {
  if (node.kind === "text") return;
  node.releaseHandlers(handlers);
  for (const c of node.children) releaseSubtree(c, handlers);
}
