// Forms whose values have JSON types: the settings forms generated from an
// app's JSON Schema, and the permission toggles. Each input's data-type
// says how its value is sent (number, integer, boolean, string); dotted
// names nest (limits.daily -> {"limits": {"daily": ...}}). The server
// validates; its field errors are shown next to each field.
(function () {
  "use strict";

  function child(obj, key) {
    if (typeof obj[key] !== "object" || obj[key] === null) obj[key] = {};
    return obj[key];
  }

  function setPath(obj, path, value) {
    var parts = path.split(".");
    for (var i = 0; i < parts.length - 1; i++) obj = child(obj, parts[i]);
    obj[parts[parts.length - 1]] = value;
  }

  function ensurePath(obj, path) {
    path.split(".").forEach(function (p) { obj = child(obj, p); });
  }

  // collect returns the form's values; an empty input is left out, so an
  // optional setting is unset and a required one is reported as missing.
  function collect(form) {
    var out = {};
    form.querySelectorAll("fieldset[data-field]").forEach(function (fs) { ensurePath(out, fs.dataset.field); });
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || !el.dataset.type || el.disabled) return;
      var type = el.dataset.type, value;
      if (el.type === "checkbox") {
        value = el.checked;
      } else {
        if (el.value === "") return;
        value = el.value;
        if (type === "number" || type === "integer") {
          var n = Number(value);
          if (!isNaN(n)) value = n; // else the server says it is not a number
        } else if (type === "boolean") {
          value = value === "true";
        }
      }
      setPath(out, el.name, value);
    });
    return out;
  }

  function clearErrors(form) {
    form.querySelectorAll("[data-field-error]").forEach(function (p) { p.hidden = true; p.textContent = ""; });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) { el.removeAttribute("aria-invalid"); });
    var top = formError(form);
    if (top) top.hidden = true;
    var saved = form.querySelector("[data-saved]");
    if (saved) saved.hidden = true;
  }

  function formError(form) {
    return form.querySelector("[data-form-error]") || document.querySelector("[data-form-error]");
  }

  // showErrors puts each field error next to its field: the server names
  // fields scope.path (organization.limits.daily); the form's names are the
  // path. Errors without a field on the form go to the top.
  function showErrors(form, problem) {
    var rest = [];
    (problem.errors || []).forEach(function (e) {
      var path = e.field.replace(/^(organization|user)\./, "");
      var slot = form.querySelector('[data-field-error="' + CSS.escape(path) + '"]');
      if (!slot) { rest.push(e.field + ": " + e.message); return; }
      slot.textContent = slot.textContent ? slot.textContent + "; " + e.message : e.message;
      slot.hidden = false;
      var input = form.querySelector('[name="' + CSS.escape(path) + '"]');
      if (input) input.setAttribute("aria-invalid", "true");
    });
    var top = formError(form);
    if (top && (rest.length || !(problem.errors || []).length)) {
      top.textContent = [problem.detail || "Something went wrong."].concat(rest).join(" ");
      top.hidden = false;
    }
  }

  function submit(form) {
    clearErrors(form);
    var body = collect(form);
    if (form.dataset.wrap) { var w = {}; w[form.dataset.wrap] = body; body = w; }
    fetch(form.dataset.url, {
      method: form.dataset.method,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body)
    }).then(function (res) {
      return res.json().catch(function () { return {}; }).then(function (data) { return { ok: res.ok, data: data }; });
    }).then(function (r) {
      if (!r.ok) { showErrors(form, r.data); return; }
      if (form.hasAttribute("data-typed-autosubmit")) { location.reload(); return; }
      var saved = form.querySelector("[data-saved]");
      if (saved) saved.hidden = false;
    }).catch(function () { showErrors(form, { detail: "The network request failed. Try again." }); });
  }

  document.addEventListener("submit", function (e) {
    if (!e.target.hasAttribute || !e.target.hasAttribute("data-typed-form")) return;
    e.preventDefault();
    submit(e.target);
  });

  document.addEventListener("change", function (e) {
    var form = e.target.form;
    if (form && form.hasAttribute("data-typed-form") && form.hasAttribute("data-typed-autosubmit")) submit(form);
  });
})();
