// Controlled inputs across a message round trip. In React DOM a controlled
// input's value is reset synchronously after onChange; here the app's new
// value arrives a message later, by which time the user may have typed
// more. So the values sent by onChange are remembered, and an echo of an
// older one does not overwrite what the user typed since.

const sent = new WeakMap(); // control -> values sent by onChange, oldest first
const MAX_PENDING = 64; // an app that never echoes must not grow the list

/** Records the value an input event is about to send to onChange. */
export function noteSent(control) {
  const pending = sent.get(control) ?? [];
  pending.push(control.value);
  if (pending.length > MAX_PENDING) pending.shift();
  sent.set(control, pending);
}

/**
 * Brings a control's DOM value to its value prop when the prop changed.
 * defaultValue is given on the first render only.
 */
export function controlValue(control, value, prevValue, defaultValue) {
  if (typeof value !== "string") {
    if (typeof defaultValue === "string") control.value = defaultValue;
    return;
  }
  if (value === prevValue) return;
  const pending = sent.get(control) ?? [];
  const at = pending.indexOf(value);
  if (at >= 0) {
    pending.splice(0, at + 1);
    if (pending.length > 0) return; // an older echo: newer input is on its way
  } else {
    pending.length = 0; // the app chose its own value: it wins
  }
  if (control.value !== value) setKeepingCaret(control, value);
}

/** The same for a checkbox's checked prop. */
export function controlChecked(control, checked, prevChecked, defaultChecked) {
  if (typeof checked !== "boolean") {
    if (typeof defaultChecked === "boolean") control.checked = defaultChecked;
    return;
  }
  if (checked !== prevChecked) control.checked = checked;
}

// Setting .value moves the caret to the end; keep it where the user had it
// when the control has focus. Some input types (email, number) have no
// selection and throw on access.
function setKeepingCaret(control, value) {
  if (control.ownerDocument.activeElement !== control) {
    control.value = value;
    return;
  }
  let start = null;
  let end = null;
  try {
    start = control.selectionStart;
    end = control.selectionEnd;
  } catch { /* no selection on this type */ }
  control.value = value;
  if (start === null) return;
  try {
    control.setSelectionRange(Math.min(start, value.length), Math.min(end, value.length));
  } catch { /* no selection on this type */ }
}
