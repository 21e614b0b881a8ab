// The DOM of each component. Props reach here only after registry.js has
// checked them, and still nothing an app sends becomes markup: elements come
// from document.createElement, text from textContent or text nodes, and each
// attribute is set by name from a validated value.
//
// A view is {el, slot, props, update(props)}: el is placed in the parent,
// app children go into slot. Parts the platform adds itself (a label, a
// spinner) sit in el before the slot's app children or outside the slot, so
// an app child's index is its position among the app children alone.

import {controlValue, controlChecked, noteSent} from "./controlled.js";

function h(tag, className) {
  const el = document.createElement(tag);
  if (className) el.className = className;
  return el;
}

// attr sets or removes an attribute: false/null/undefined remove it.
function attr(el, name, value) {
  if (value === false || value === null || value === undefined) el.removeAttribute(name);
  else el.setAttribute(name, value === true ? "" : String(value));
}

// make builds the view and applies the first props. Handlers are read from
// the current props when an event fires, so a new handler id needs no new
// listener.
function make(props, fire, el, slot, set) {
  const view = {el, slot, props: {}, fire, update(next) {
    const prev = view.props;
    view.props = next;
    set(next, prev);
  }};
  view.update(props);
  return view;
}

function emit(view, name, args) {
  const ref = view.props[name];
  if (ref) view.fire(ref.$handler, args);
}

function plain(tag, className) {
  return (props, fire) => {
    const el = h(tag, className);
    return make(props, fire, el, el, () => {});
  };
}

// textLead keeps a text prop as the first node of el, before app children.
function textLead(el) {
  const node = document.createTextNode("");
  el.append(node);
  return (text) => { node.data = text ?? ""; };
}

function Stack(props, fire) {
  const el = h("div", "ui-stack");
  return make(props, fire, el, el, (p) => {
    el.setAttribute("data-direction", p.direction ?? "column");
    el.setAttribute("data-gap", p.gap ?? "md");
    el.setAttribute("data-align", p.align ?? "stretch");
    el.setAttribute("data-justify", p.justify ?? "start");
    attr(el, "data-wrap", p.wrap === true);
  });
}

const typographyTags = {h1: "h1", h2: "h2", h3: "h3", h4: "h4", body: "p", small: "small", muted: "p", code: "code"};

// A variant that needs another tag replaces the element in place; the
// app's children move with it, so their DOM nodes are kept.
function Typography(props, fire) {
  const first = h(typographyTags[props.variant ?? "body"], "ui-typography");
  let view = null; // null while make applies the first props
  view = make(props, fire, first, first, (p) => {
    const variant = p.variant ?? "body";
    let el = view ? view.el : first;
    if (el.localName !== typographyTags[variant]) {
      const next = h(typographyTags[variant], "ui-typography");
      next.append(...el.childNodes);
      el.replaceWith(next);
      el = view.el = view.slot = next;
    }
    el.setAttribute("data-variant", variant);
  });
  return view;
}

function TextBlock(props, fire) {
  const el = h("p", "ui-textblock");
  const text = textLead(el);
  return make(props, fire, el, el, (p) => { text(p.text); el.setAttribute("data-tone", p.tone ?? "default"); });
}

// Label's `for` names a control of the same root (apps cannot set DOM ids).
function Label(props, fire) {
  const el = h("label", "ui-label");
  const text = textLead(el);
  const view = make(props, fire, el, el, (p) => text(p.text));
  el.addEventListener("click", (event) => {
    const name = view.props.for;
    const root = el.closest("[data-app-root]");
    if (!name || !root || event.target.closest("input, textarea, select, button")) return;
    for (const control of root.querySelectorAll("input, textarea, select")) {
      if (control.name === name) { control.focus(); if (control.type === "checkbox") control.click(); return; }
    }
  });
  return view;
}

// field wraps a control in a label with an optional caption.
function field(control) {
  const el = h("label", "ui-field");
  const caption = h("span", "ui-field-label");
  el.append(caption, control);
  return {el, caption: (text) => { caption.textContent = text ?? ""; caption.hidden = !text; }};
}

function textControl(tag) {
  return (props, fire) => {
    const control = h(tag, tag === "input" ? "ui-input" : "ui-textarea");
    const {el, caption} = field(control);
    let first = true;
    const view = make(props, fire, el, null, (p, prev) => {
      caption(p.label);
      attr(control, "name", p.name);
      attr(control, "placeholder", p.placeholder);
      attr(control, "required", p.required === true);
      control.disabled = p.disabled === true;
      attr(control, "maxlength", p.maxLength);
      if (tag === "input") control.type = p.type ?? "text";
      else control.rows = p.rows ?? 3;
      controlValue(control, p.value, prev.value, first ? p.defaultValue : undefined);
      first = false;
    });
    control.addEventListener("input", () => { noteSent(control); emit(view, "onChange", [control.value]); });
    control.addEventListener("blur", () => emit(view, "onBlur", []));
    return view;
  };
}

function option(value, label, disabled) {
  const o = h("option");
  o.value = value;
  o.textContent = label;
  o.disabled = disabled;
  return o;
}

function Select(props, fire) {
  const control = h("select", "ui-select");
  const {el, caption} = field(control);
  let shown = "";
  const view = make(props, fire, el, null, (p, prev) => {
    caption(p.label);
    attr(control, "name", p.name);
    attr(control, "required", p.required === true);
    control.disabled = p.disabled === true;
    // Options are platform parts, rebuilt only when they change; the
    // selection is kept across a rebuild unless the app controls it.
    const key = JSON.stringify([p.placeholder ?? null, p.options ?? []]);
    if (key !== shown) {
      const keep = shown ? control.value : "";
      const list = [];
      if (p.placeholder != null) list.push(option("", p.placeholder, true));
      for (const {value, label} of p.options ?? []) list.push(option(value, label, false));
      control.replaceChildren(...list);
      if (typeof p.value === "string") control.value = p.value;
      else if (shown || p.placeholder != null) control.value = keep;
      shown = key;
    } else if (typeof p.value === "string" && p.value !== prev.value) {
      control.value = p.value;
    }
  });
  control.addEventListener("change", () => emit(view, "onChange", [control.value]));
  return view;
}

function toggle(role) {
  return (props, fire) => {
    const el = h("label", role === "switch" ? "ui-check ui-switch" : "ui-check");
    const control = h("input");
    control.type = "checkbox";
    if (role === "switch") control.setAttribute("role", "switch");
    const caption = h("span");
    el.append(control, caption);
    let first = true;
    const view = make(props, fire, el, null, (p, prev) => {
      caption.textContent = p.label ?? "";
      attr(control, "name", p.name);
      control.disabled = p.disabled === true;
      controlChecked(control, p.checked, prev.checked, first ? p.defaultChecked : undefined);
      first = false;
    });
    control.addEventListener("change", () => emit(view, "onChange", [control.checked]));
    return view;
  };
}

function Button(props, fire) {
  const el = h("button", "ui-button");
  const spinner = h("span", "ui-spinner");
  spinner.setAttribute("aria-hidden", "true");
  el.append(spinner);
  const view = make(props, fire, el, el, (p) => {
    el.type = p.type ?? "button"; // never the HTML default, submit
    el.setAttribute("data-variant", p.variant ?? "default");
    el.setAttribute("data-size", p.size ?? "md");
    el.disabled = p.disabled === true || p.loading === true;
    attr(el, "aria-busy", p.loading === true ? "true" : null);
    spinner.hidden = p.loading !== true;
  });
  el.addEventListener("click", () => emit(view, "onClick", []));
  return view;
}

// Form never navigates: the submit is always prevented and the named
// controls' values go to onSubmit (checkboxes as booleans).
function Form(props, fire) {
  const el = h("form", "ui-form");
  const view = make(props, fire, el, el, () => {});
  el.addEventListener("submit", (event) => {
    event.preventDefault();
    const entries = [];
    for (const control of el.elements) {
      if (!control.name || control.disabled || control.localName === "button") continue;
      entries.push([control.name, control.type === "checkbox" ? control.checked : control.value]);
    }
    emit(view, "onSubmit", [Object.fromEntries(entries)]);
  });
  return view;
}

function Badge(props, fire) {
  const el = h("span", "ui-badge");
  const text = textLead(el);
  return make(props, fire, el, el, (p) => { text(p.text); el.setAttribute("data-variant", p.variant ?? "default"); });
}

// Avatar shows the image when it loads, else the fallback letters. The
// image is fetched without a referrer: the app learns nothing of the page.
// The <img> is made only for a src (an image element costs several times
// a plain one, and most avatars in a list are letters).
function Avatar(props, fire) {
  const el = h("span", "ui-avatar");
  const fallback = h("span", "ui-avatar-fallback");
  el.append(fallback);
  let img = null;
  return make(props, fire, el, null, (p, prev) => {
    el.setAttribute("data-size", p.size ?? "md");
    fallback.textContent = p.fallback ?? "";
    if (p.src && !img) {
      img = h("img");
      img.referrerPolicy = "no-referrer";
      img.addEventListener("error", () => { img.hidden = true; fallback.hidden = false; });
      img.addEventListener("load", () => { fallback.hidden = true; });
      el.prepend(img);
    }
    if (!img) return;
    img.alt = p.alt ?? "";
    if (p.src !== prev.src) {
      img.hidden = !p.src;
      fallback.hidden = !!p.src;
      if (p.src) img.src = p.src; else img.removeAttribute("src");
    }
  });
}

// boxed builds the components with a title and a description above their
// app children (Alert, Banner, Dialog).
function boxed(tag, className, titleTag) {
  const el = h(tag, className);
  const title = h(titleTag, `${className}-title`);
  const description = h("p", `${className}-description`);
  const slot = h("div", `${className}-content`);
  const body = h("div", `${className}-body`);
  body.append(title, description, slot);
  el.append(body);
  const texts = (p) => {
    title.textContent = p.title ?? "";
    title.hidden = !p.title;
    description.textContent = p.description ?? "";
    description.hidden = !p.description;
  };
  return {el, slot, texts};
}

function Alert(props, fire) {
  const {el, slot, texts} = boxed("div", "ui-alert", "strong");
  return make(props, fire, el, slot, (p) => {
    texts(p);
    el.setAttribute("data-variant", p.variant ?? "default");
    el.setAttribute("role", p.variant === "destructive" ? "alert" : "status");
  });
}

function Banner(props, fire) {
  const {el, slot, texts} = boxed("div", "ui-banner", "strong");
  el.setAttribute("role", "status");
  const dismiss = h("button", "ui-banner-dismiss");
  dismiss.type = "button";
  dismiss.setAttribute("aria-label", "Dismiss");
  dismiss.textContent = "×";
  el.append(dismiss);
  const view = make(props, fire, el, slot, (p) => {
    texts(p);
    el.setAttribute("data-variant", p.variant ?? "info");
    dismiss.hidden = p.dismissible !== true;
  });
  // Without onDismiss the platform hides the banner itself.
  dismiss.addEventListener("click", () => {
    if (view.props.onDismiss) emit(view, "onDismiss", []);
    else el.hidden = true;
  });
  return view;
}

function Dialog(props, fire) {
  const {el, slot, texts} = boxed("section", "ui-dialog", "h2");
  return make(props, fire, el, slot, texts);
}

function Separator(props, fire) {
  const el = h("hr", "ui-separator");
  return make(props, fire, el, null, (p) => {
    const orientation = p.orientation ?? "horizontal";
    el.setAttribute("data-orientation", orientation);
    el.setAttribute("aria-orientation", orientation);
  });
}

/** The view builder of each component, by name: builder(props, fire). */
export const builders = Object.freeze(Object.assign(Object.create(null), {
  Stack,
  Card: plain("div", "card ui-card"),
  CardHeader: plain("div", "ui-card-header"),
  CardTitle: plain("h3", "ui-card-title"),
  CardDescription: plain("p", "ui-card-description"),
  CardContent: plain("div", "ui-card-content"),
  CardFooter: plain("div", "ui-card-footer"),
  Typography,
  TextBlock,
  Label,
  Input: textControl("input"),
  Textarea: textControl("textarea"),
  Select,
  Checkbox: toggle("checkbox"),
  Switch: toggle("switch"),
  Button,
  Form,
  Badge,
  Avatar,
  Alert,
  Separator,
  Banner,
  Dialog,
}));
