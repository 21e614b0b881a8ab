// Portal behaviour without a framework: forms marked data-api-method /
// data-api-url submit JSON to the API (same origin, session cookie; fields
// marked data-number go as numbers, data-nullable ones as null when
// empty), and
// slug inputs check availability as the user types.
(function () {
  "use strict";

  function formJSON(form) {
    var body = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled) return;
      if (el.hasAttribute("data-list")) {
        body[el.name] = el.value.split(/[\s,;]+/).filter(Boolean);
      } else if (el.hasAttribute("data-number")) {
        // A JSON number, or null (unchanged) when left empty.
        body[el.name] = el.value === "" ? null : Number(el.value);
      } else if (el.hasAttribute("data-nullable") && el.value === "") {
        body[el.name] = null;
      } else {
        body[el.name] = el.value;
      }
    });
    return body;
  }

  function showError(form, message) {
    var box = form.querySelector("[data-error]") || document.querySelector("[data-error]");
    if (!box) { alert(message); return; }
    box.textContent = message;
    box.hidden = false;
  }

  function showResults(form, results) {
    var list = form.querySelector("[data-results-list]");
    list.innerHTML = "";
    results.forEach(function (r) {
      var li = document.createElement("li");
      li.setAttribute("data-result", r.result);
      li.textContent = r.email + ": " + (r.result === "invited" ? "invitation sent" : (r.message || r.result));
      li.className = r.result === "invited" ? "ok" : "error";
      list.appendChild(li);
    });
    list.hidden = false;
  }

  function submit(form) {
    if (form.dataset.confirm && !window.confirm(form.dataset.confirm)) return;
    var method = form.dataset.apiMethod;
    var hasBody = method !== "DELETE";
    fetch(form.dataset.apiUrl, {
      method: method,
      credentials: "same-origin",
      headers: hasBody ? { "Content-Type": "application/json" } : {},
      body: hasBody ? JSON.stringify(formJSON(form)) : undefined
    }).then(function (res) {
      var json = res.status === 204 ? Promise.resolve({}) : res.json().catch(function () { return {}; });
      return json.then(function (data) { return { ok: res.ok, data: data }; });
    }).then(function (r) {
      if (!r.ok) { showError(form, r.data.detail || "Something went wrong."); return; }
      if (form.hasAttribute("data-results") && r.data.results) {
        showResults(form, r.data.results);
        if (r.data.results.some(function (x) { return x.result === "invited"; })) {
          setTimeout(function () { location.reload(); }, 1200);
        }
        return;
      }
      if (form.hasAttribute("data-success")) {
        var done = form.parentNode.querySelector("[data-success-message]");
        if (done) {
          if (!done.textContent.trim()) done.textContent = r.data.message || "Done.";
          done.hidden = false;
          form.hidden = true;
          return;
        }
      }
      if (form.dataset.redirect) {
        location.assign(form.dataset.redirect.replace("{id}", r.data.id || ""));
      } else {
        location.reload();
      }
    }).catch(function () { showError(form, "The network request failed. Try again."); });
  }

  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.dataset || !form.dataset.apiUrl) return;
    e.preventDefault();
    submit(form);
  });

  document.addEventListener("change", function (e) {
    if (e.target.hasAttribute && e.target.hasAttribute("data-navigate")) {
      location.assign(e.target.value);
      return;
    }
    var form = e.target.form;
    if (form && form.hasAttribute("data-autosubmit")) submit(form);
  });

  var timer;
  document.addEventListener("input", function (e) {
    var input = e.target;
    if (!input.dataset || !input.dataset.slugCheck) return;
    var status = input.form.querySelector("[data-slug-status]");
    clearTimeout(timer);
    timer = setTimeout(function () {
      if (!input.value.trim()) return;
      fetch(input.dataset.slugCheck + "?slug=" + encodeURIComponent(input.value), { credentials: "same-origin" })
        .then(function (res) { return res.json(); })
        .then(function (c) {
          status.setAttribute("data-available", c.available ? "yes" : "no");
          status.className = c.available ? "hint ok" : "error";
          status.textContent = c.available ? (c.slug + " is available") : (c.slug ? c.slug + ": " : "") + (c.message || "not available");
        });
    }, 250);
  });

  // Shared with the page scripts (app_editor.js, webhooks.js), which load
  // after this one: api sends a JSON request and resolves to
  // {ok, status, data}; showProblem fills box with a problem's detail and
  // its field errors.
  function api(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body)
    }).then(function (res) {
      var json = res.status === 204 ? Promise.resolve({}) : res.json().catch(function () { return {}; });
      return json.then(function (data) { return { ok: res.ok, status: res.status, data: data }; });
    }, function () {
      return { ok: false, status: 0, data: { detail: "The network request failed. Try again." } };
    });
  }

  function showProblem(box, data) {
    box.innerHTML = "";
    var p = document.createElement("p");
    p.textContent = data.detail || "Something went wrong.";
    box.appendChild(p);
    if (data.errors && data.errors.length) {
      var ul = document.createElement("ul");
      data.errors.forEach(function (e) {
        var li = document.createElement("li");
        li.textContent = (e.field ? e.field + ": " : "") + e.message;
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }
    box.hidden = false;
  }

  window.Appstore = { api: api, showProblem: showProblem };
})();
