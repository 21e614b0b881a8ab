// The components that take input (Label, Input, Textarea, Select,
// Checkbox, Switch, Button, Form) and fire the app's handlers with the
// JSON arguments of PROTOCOL.md. See view.js for what a view is.

import {controlValue, controlChecked, noteSent} from "./controlled.js";
import {attr, emit, h, make, textLead} from "./view.js";

// Label's `for` names a control of the same root (apps cannot set DOM ids).
export function Label(props, fire) {
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

export function Select(props, fire) {
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

export function Button(props, fire) {
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
export function Form(props, fire) {
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


export const Input = textControl("input");
export const Textarea = textControl("textarea");
export const Checkbox = toggle("checkbox");
export const Switch = toggle("switch");
