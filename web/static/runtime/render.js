// The host side of a root (PROTOCOL.md, "Trees" and "Limits"): builds an
// app's tree of whitelisted components and applies its mutations in place.
//
// A root is all or nothing: the moment anything is refused — a component,
// a prop, a limit, a malformed mutation — every app node is removed, the
// container shows the platform's error instead, and onRefused is called
// once. Later messages for that root are ignored, so a half-applied batch
// is never left on screen (it all happens in one task, before a paint).

import {acceptsChildren, buildElement, tooLong, validateProps} from "./registry.js";

/** Limits of one root (PROTOCOL.md). */
export const limits = Object.freeze({nodes: 5000, depth: 64, text: 10000});

const refusalPrefix = "This app tried to render something the platform does not allow: ";

class Refusal extends Error {
  constructor(info) {
    super(info.reason);
    this.info = info;
  }
}

function refuse(component, reason, prop) {
  throw new Refusal(prop === undefined ? {component, reason} : {component, prop, reason});
}

/**
 * Creates the root rendered into container. onHandler(handlerId, args) is
 * called when a component fires a handler prop; onRefused({component,
 * prop?, reason}) once, when the root is refused. Returns {mount(children),
 * apply(mutations), destroy(), nodeCount()}; mount and apply return false
 * when the root is refused or destroyed and did nothing.
 */
export function createRoot(container, {onHandler = () => {}, onRefused = () => {}} = {}) {
  const nodes = new Map(); // node id -> record
  // A record: {id, type?, parent, depth, children: [record], view? | text?}.
  const top = {id: 0, depth: 0, children: [], slot: container};
  let state = "live"; // "refused" or "destroyed" once it is over

  container.setAttribute("data-app-root", "");
  container.replaceChildren();

  const fire = (handlerId, args) => {
    if (state === "live") onHandler(handlerId, args);
  };

  // guarded runs a change; any refusal, or any error at all, ends the root.
  function guarded(change) {
    if (state !== "live") return false;
    try {
      change();
      return true;
    } catch (err) {
      if (!(err instanceof Refusal)) console.error("app root: render failed", err);
      const info = err instanceof Refusal ? err.info : {component: "root", reason: "the render could not be applied"};
      state = "refused";
      nodes.clear();
      top.children = [];
      const message = document.createElement("div");
      message.className = "ui-surface-error error";
      message.setAttribute("role", "alert");
      message.dataset.testid = "surface-error";
      message.textContent = refusalPrefix + describe(info);
      container.replaceChildren(message);
      onRefused(info);
      return false;
    }
  }

  // build validates node and creates its DOM and its subtree's, registering
  // every id; it returns the record.
  function build(node, parent) {
    if (typeof node !== "object" || node === null || Array.isArray(node)) refuse("root", "a node must be an object");
    const depth = parent.depth + 1;
    const isText = node.type === undefined && typeof node.text === "string";
    const component = isText ? "#text" : String(node.type).slice(0, 64);
    if (!Number.isSafeInteger(node.id) || node.id <= 0) refuse(component, "a node id must be a positive integer");
    if (nodes.has(node.id)) refuse(component, `node id ${node.id} is already in use`);
    if (nodes.size >= limits.nodes) refuse(component, `a root may hold at most ${limits.nodes} nodes`);
    if (depth > limits.depth) refuse(component, `a tree may be at most ${limits.depth} levels deep`);
    if (isText) {
      if (tooLong(node.text, limits.text)) refuse("#text", `a text may be at most ${limits.text} characters`);
      const rec = {id: node.id, parent, depth, children: [], text: document.createTextNode(node.text)};
      nodes.set(rec.id, rec);
      return rec;
    }
    const props = node.props ?? {};
    const children = node.children ?? [];
    const problem = validateProps(node.type, props);
    if (problem) throw new Refusal(problem);
    if (!Array.isArray(children)) refuse(component, "children must be a list");
    if (children.length > 0 && !acceptsChildren(node.type)) refuse(component, "does not take children");
    const rec = {id: node.id, type: node.type, parent, depth, children: [], view: buildElement(node.type, props, fire)};
    nodes.set(rec.id, rec);
    for (const child of children) {
      const c = build(child, rec);
      rec.children.push(c);
      rec.view.slot.append(dom(c));
    }
    return rec;
  }

  function insert(m) {
    let parent = parentOf(m.parent_id);
    const node = m.node;
    // Inserting an id that exists replaces that node (a move sends remove
    // first, but a replacement may come alone).
    const old = node && typeof node === "object" ? nodes.get(node.id) : undefined;
    if (old) {
      detach(old);
      parent = parentOf(m.parent_id); // it may have gone with the old node
    }
    if (!Number.isInteger(m.index) || m.index < 0 || m.index > parent.children.length) {
      refuse("root", `insert index ${shown(m.index)} is out of range`);
    }
    const rec = build(node, parent);
    const next = parent.children[m.index];
    slotOf(parent).insertBefore(dom(rec), next ? dom(next) : null);
    parent.children.splice(m.index, 0, rec);
  }

  function parentOf(id) {
    if (id === 0) return top;
    const rec = nodes.get(id);
    if (!rec) refuse("root", `parent ${shown(id)} is not in this root`);
    if (!rec.view?.slot) refuse(rec.type ?? "#text", "does not take children");
    return rec;
  }

  function remove(m) {
    const rec = nodes.get(m.id);
    if (!rec) refuse("root", `node ${shown(m.id)} is not in this root`);
    if (rec.parent.id !== m.parent_id) refuse("root", `node ${shown(m.id)} is not a child of ${shown(m.parent_id)}`);
    detach(rec);
  }

  // detach removes a record's DOM and forgets its whole subtree.
  function detach(rec) {
    dom(rec).remove();
    const siblings = rec.parent.children;
    siblings.splice(siblings.indexOf(rec), 1);
    const forget = (r) => { nodes.delete(r.id); r.children.forEach(forget); };
    forget(rec);
  }

  function setProps(m) {
    const rec = nodes.get(m.id);
    if (!rec) refuse("root", `node ${shown(m.id)} is not in this root`);
    if (!rec.view) refuse("#text", "a text node has no props");
    const problem = validateProps(rec.type, m.props);
    if (problem) throw new Refusal(problem);
    rec.view.update(m.props);
  }

  function setText(m) {
    const rec = nodes.get(m.id);
    if (!rec) refuse("root", `node ${shown(m.id)} is not in this root`);
    if (!rec.text) refuse(rec.type, "only a text node has text");
    if (typeof m.text !== "string") refuse("#text", "text must be a string");
    if (tooLong(m.text, limits.text)) refuse("#text", `a text may be at most ${limits.text} characters`);
    rec.text.data = m.text;
  }

  const ops = {insert, remove, props: setProps, text: setText};

  return {
    mount(children) {
      return guarded(() => {
        if (!Array.isArray(children)) refuse("root", "mount must be a list of nodes");
        nodes.clear();
        top.children = [];
        // Built off-document, then placed at once.
        const fragment = document.createDocumentFragment();
        for (const child of children) {
          const rec = build(child, top);
          top.children.push(rec);
          fragment.append(dom(rec));
        }
        container.replaceChildren(fragment);
      });
    },
    apply(mutations) {
      return guarded(() => {
        if (!Array.isArray(mutations)) refuse("root", "mutations must be a list");
        for (const m of mutations) {
          const op = m && typeof m === "object" && Object.hasOwn(ops, m.op) ? ops[m.op] : null;
          if (!op) refuse("root", `unknown mutation ${shown(m?.op ?? null)}`);
          op(m);
        }
      });
    },
    destroy() {
      state = "destroyed";
      nodes.clear();
      top.children = [];
      container.replaceChildren();
      container.removeAttribute("data-app-root");
    },
    nodeCount() {
      return nodes.size;
    },
  };
}

// shown quotes a value from the app for a reason, kept short: reasons are
// shown and logged.
function shown(value) {
  return String(JSON.stringify(value)).slice(0, 40);
}

function dom(rec) {
  return rec.view ? rec.view.el : rec.text;
}

function slotOf(rec) {
  return rec === undefined || rec.id === 0 ? rec.slot : rec.view.slot;
}

/** The text shown for a refusal: "Avatar.src: must be an https URL". */
export function describe(info) {
  const where = info.prop === undefined ? info.component : `${info.component}.${info.prop}`;
  return `${where}: ${info.reason}`;
}
