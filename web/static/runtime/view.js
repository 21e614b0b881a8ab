// What every component's view is built with. Props reach here only after
// registry.js has checked them, and still nothing an app sends becomes
// markup: elements come from document.createElement, text from textContent
// or text nodes, and each attribute is set by name from a validated value.
//
// A view is {el, slot, props, update(props)}: el is placed in the parent,
// app children go into slot. Parts the platform adds itself (a label, a
// spinner) sit in el before the slot's app children or outside the slot, so
// an app child's index is its position among the app children alone.

/** Creates an element with the platform's class. */
export function h(tag, className) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  return el;
}

// attr sets or removes an attribute: false/null/undefined remove it.
export function attr(el, name, value) {
  if (value === false || value === null || value === undefined) el.removeAttribute(name);
  else el.setAttribute(name, value === true ? "" : String(value));
}

// make builds the view and applies the first props. Handlers are read from
// the current props when an event fires, so a new handler id needs no new
// listener.
export function make(props, fire, el, slot, set) {
  const view = {el, slot, props: {}, fire, update(next) {
    const prev = view.props;
    view.props = next;
    set(next, prev);
  }};
  view.update(props);
  return view;
}

export function emit(view, name, args) {
  const ref = view.props[name];
  if (ref) view.fire(ref.$handler, args);
}

export function plain(tag, className) {
  return (props, fire) => {
    const el = h(tag, className);
    return make(props, fire, el, el, () => {});
  };
}

// textLead keeps a text prop as the first node of el, before app children.
export function textLead(el) {
  const node = document.createTextNode("");
  el.append(node);
  return (text) => { node.data = text ?? ""; };
}
