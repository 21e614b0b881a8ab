// The components that lay out and show things (Stack, Card and its parts,
// Typography, TextBlock, Badge, Avatar, Alert, Banner, Dialog, Separator),
// and the builder of every component by name. See view.js for what a view
// is and why nothing an app sends becomes markup.

import {Button, Checkbox, Form, Input, Label, Select, Switch, Textarea} from "./inputs.js";
import {attr, emit, h, make, plain, textLead} from "./view.js";

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
  Input,
  Textarea,
  Select,
  Checkbox,
  Switch,
  Button,
  Form,
  Badge,
  Avatar,
  Alert,
  Separator,
  Banner,
  Dialog,
}));
