// The components an app may render (PROTOCOL.md, "Components and their
// props") and the schema of each one's props, checked on the host: the frame
// runs the app's code, so nothing it sends is trusted. A node passes only if
// its component is listed and every prop is listed with a value of the right
// type; anything else is refused with a reason {component, prop?, reason}.

import {builders} from "./views.js";

const MAX_STRING = 10000;
// Labels, titles and names are short (PROTOCOL.md); `for` holds a name.
const MAX_SHORT = 200;
const MAX_OPTIONS = 200;
const MAX_HANDLER_ID = 64;

const str = (max = MAX_STRING) => ({kind: "string", max});
const short = str(MAX_SHORT);
const bool = {kind: "bool"};
const int = (min, max) => ({kind: "int", min, max});
const oneOf = (...values) => ({kind: "enum", values});
const httpsURL = {kind: "https-url"};
const handler = {kind: "handler"};
const options = {kind: "options"};

const container = {};
const inputBase = {name: short, label: short, placeholder: str(), value: str(), defaultValue: str(), required: bool, disabled: bool, maxLength: int(0, MAX_STRING)};
const toggle = {name: short, label: short, checked: bool, defaultChecked: bool, disabled: bool, onChange: handler};

// children: whether the component holds app nodes. Inputs and the void
// components (Avatar, Separator) do not.
const components = new Map(Object.entries({
  Stack: {children: true, props: {
    direction: oneOf("row", "column"), gap: oneOf("none", "xs", "sm", "md", "lg"),
    align: oneOf("start", "center", "end", "stretch"), justify: oneOf("start", "center", "end", "between"), wrap: bool}},
  Card: {children: true, props: container},
  CardHeader: {children: true, props: container},
  CardTitle: {children: true, props: container},
  CardDescription: {children: true, props: container},
  CardContent: {children: true, props: container},
  CardFooter: {children: true, props: container},
  Typography: {children: true, props: {variant: oneOf("h1", "h2", "h3", "h4", "body", "small", "muted", "code")}},
  TextBlock: {children: true, props: {text: str(), tone: oneOf("default", "muted", "success", "warning", "danger")}},
  Label: {children: true, props: {text: str(), for: short}},
  Input: {children: false, props: {...inputBase,
    type: oneOf("text", "email", "number", "password", "search", "tel", "url"), onChange: handler, onBlur: handler}},
  Textarea: {children: false, props: {...inputBase, rows: int(1, 20), onChange: handler}},
  Select: {children: false, props: {name: short, label: short, placeholder: str(), value: str(), options,
    required: bool, disabled: bool, onChange: handler}},
  Checkbox: {children: false, props: toggle},
  Switch: {children: false, props: toggle},
  Button: {children: true, props: {
    variant: oneOf("default", "primary", "secondary", "destructive", "outline", "ghost", "link"),
    size: oneOf("sm", "md", "lg"), type: oneOf("button", "submit"), disabled: bool, loading: bool, onClick: handler}},
  Form: {children: true, props: {onSubmit: handler}},
  Badge: {children: true, props: {variant: oneOf("default", "secondary", "success", "warning", "destructive", "outline"), text: str()}},
  Avatar: {children: false, props: {src: httpsURL, alt: str(), fallback: str(3), size: oneOf("sm", "md", "lg")}},
  Alert: {children: true, props: {variant: oneOf("default", "destructive", "warning", "success"), title: short, description: str()}},
  Separator: {children: false, props: {orientation: oneOf("horizontal", "vertical")}},
  Banner: {children: true, props: {variant: oneOf("info", "success", "warning", "danger"), title: short, description: str(),
    dismissible: bool, onDismiss: handler}},
  Dialog: {children: true, props: {title: short, description: str()}},
}));

/** The names of the components the platform renders. */
export const componentNames = Object.freeze([...components.keys()]);

/** Whether a component holds app nodes (false for inputs and unknown names). */
export function acceptsChildren(type) {
  return components.get(type)?.children === true;
}

/**
 * Checks one node's props against its component's schema. Returns null when
 * they pass, or the refusal {component, prop?, reason}.
 */
export function validateProps(type, props) {
  const spec = typeof type === "string" ? components.get(type) : undefined;
  if (!spec) return {component: String(type).slice(0, 64), reason: "is not a component the platform renders"};
  if (typeof props !== "object" || props === null || Array.isArray(props)) {
    return {component: type, reason: "props must be an object"};
  }
  for (const prop of Object.keys(props)) {
    // Object.hasOwn: a prop named "constructor" or "__proto__" is unknown,
    // not something found on Object.prototype.
    const rule = Object.hasOwn(spec.props, prop) ? spec.props[prop] : undefined;
    if (!rule) return {component: type, prop: prop.slice(0, 64), reason: unlisted(prop)};
    const reason = check(rule, props[prop]);
    if (reason) return {component: type, prop, reason};
  }
  return null;
}

/**
 * Builds the DOM for one validated node: {el, slot, update(props)}. `el` is
 * the element to place, `slot` the element its children go into (null when
 * it takes none), update applies new (validated) props in place. fire is
 * called as fire(handlerId, args) when an input fires a handler prop.
 */
export function buildElement(type, props, fire) {
  return builders[type](props, fire);
}

function unlisted(prop) {
  if (prop === "style" || prop === "className") return `${prop} is not allowed: the platform styles components`;
  if (prop === "dangerouslySetInnerHTML") return "raw HTML is not allowed";
  if (/^on[A-Z]/.test(prop)) return "is not an event this component fires";
  return "is not a prop of this component";
}

// check returns why a value breaks the rule, or "" when it does not. null
// stands for an unset prop, as React treats it.
function check(rule, value) {
  if (value === null) return "";
  if (isHandler(value) && rule.kind !== "handler") return "an event handler is not allowed here";
  switch (rule.kind) {
    case "string":
      if (typeof value !== "string") return "must be a string";
      return tooLong(value, rule.max) ? `must be at most ${rule.max} characters` : "";
    case "bool":
      return typeof value === "boolean" ? "" : "must be true or false";
    case "int":
      if (!Number.isInteger(value) || value < rule.min || value > rule.max) return `must be a whole number from ${rule.min} to ${rule.max}`;
      return "";
    case "enum":
      return rule.values.includes(value) ? "" : `must be one of ${rule.values.join(", ")}`;
    case "https-url":
      return isHTTPS(value) ? "" : "must be an https URL";
    case "handler":
      return isHandler(value) ? "" : "must be an event handler";
    case "options":
      return checkOptions(value);
  }
  return "has no rule"; // unreachable: every rule above has a kind
}

function checkOptions(value) {
  if (!Array.isArray(value)) return "must be a list of {value, label}";
  if (value.length > MAX_OPTIONS) return `must have at most ${MAX_OPTIONS} options`;
  for (const option of value) {
    if (typeof option !== "object" || option === null || Array.isArray(option)) return "must be a list of {value, label}";
    const keys = Object.keys(option);
    if (keys.length !== 2 || typeof option.value !== "string" || typeof option.label !== "string") {
      return "each option must be exactly {value, label}, both strings";
    }
    if (tooLong(option.value, MAX_STRING) || tooLong(option.label, MAX_SHORT)) return "an option is too long";
  }
  return "";
}

/** Whether a prop value is a handler reference {"$handler": "<id>"}. */
export function isHandler(value) {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const keys = Object.keys(value);
  const id = value.$handler;
  return keys.length === 1 && keys[0] === "$handler" && typeof id === "string" && id.length > 0 && id.length <= MAX_HANDLER_ID;
}

function isHTTPS(value) {
  if (typeof value !== "string" || tooLong(value, MAX_STRING)) return false;
  try {
    return new URL(value).protocol === "https:";
  } catch {
    return false; // relative or malformed
  }
}

// Limits count characters (code points); .length counts UTF-16 units, so it
// is exact for the common case and only long strings are counted again.
export function tooLong(s, max) {
  if (s.length <= max) return false;
  let n = 0;
  for (const _ of s) if (++n > max) return true;
  return false;
}
