// The app pages' behaviour (loaded only there): the listing editor with its
// live publish checklist, the OAuth tab's one-time secret dialog and
// settings, and the connection form. Everything goes through the JSON API
// with the session cookie; the server is the judge of every rule.
(function () {
  "use strict";

  var api = window.Appstore.api;

  function lines(text) {
    return text.split(/\r?\n/).map(function (s) { return s.trim(); }).filter(Boolean);
  }

  function checked(form, name) {
    return Array.prototype.filter.call(form.querySelectorAll('input[name="' + name + '"]'), function (el) { return el.checked; })
      .map(function (el) { return el.value; });
  }

  var showProblem = window.Appstore.showProblem;

  function markInvalid(form, errors) {
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (el) { el.removeAttribute("aria-invalid"); });
    (errors || []).forEach(function (e) {
      var name = (e.field || "").replace(/\[\d+\]$/, "");
      var el = name && form.querySelector('[name="' + name + '"]');
      if (el) el.setAttribute("aria-invalid", "true");
    });
  }

  // ---- Listing editor and live checklist ----

  function listingDraft(form) {
    var body = {};
    ["title", "description", "category", "avatar_url", "website_url", "docs_url", "contact_url", "support_url",
      "terms_url", "overview", "content_how_it_works", "content_configure", "app_url", "callback_url"].forEach(function (n) {
      body[n] = form.elements[n].value;
    });
    body.screenshot_urls = lines(form.elements.screenshot_urls.value);
    body.features = lines(form.elements.features.value);
    body.required_scopes = checked(form, "required_scopes");
    body.is_free = checked(form, "is_free")[0] === "true";
    body.monthly_price = body.is_free ? "" : form.elements.monthly_price.value.trim();
    return body;
  }

  function renderChecklist(result) {
    var list = document.querySelector("[data-checklist]");
    var state = document.querySelector("[data-ready]");
    if (!list || !state) return;
    list.innerHTML = "";
    result.checks.forEach(function (c) {
      var li = document.createElement("li");
      li.className = "check-item check-" + c.severity;
      li.setAttribute("data-code", c.code);
      li.setAttribute("data-field", c.field);
      var sev = document.createElement("span");
      sev.className = "sev";
      sev.textContent = c.severity;
      li.appendChild(sev);
      li.appendChild(document.createTextNode(" " + c.message));
      list.appendChild(li);
    });
    state.setAttribute("data-state", result.blocking ? "blocking" : "ready");
    state.textContent = result.blocking ? "Not ready: fix the errors below before publishing." : "✓ Ready to publish";
  }

  function updateCounts(form) {
    Array.prototype.forEach.call(form.querySelectorAll("[data-count]"), function (el) {
      var out = form.querySelector('[data-count-for="' + el.name + '"]');
      if (!out) return;
      var bounds = el.dataset.count.split("-").map(Number);
      var n = Array.from(el.value.trim()).length;
      out.textContent = n + " / " + bounds[0] + "–" + bounds[1];
      out.className = "count " + (n >= bounds[0] && n <= bounds[1] ? "ok" : "short");
    });
  }

  function setupListing(form) {
    var base = form.dataset.appUrl;
    var seq = 0, timer;
    updateCounts(form);
    if (form.hasAttribute("data-readonly")) return;

    function preview() {
      var mine = ++seq;
      api("POST", base + "/publish-checks/preview", listingDraft(form)).then(function (r) {
        if (mine !== seq || !r.ok) return; // a newer draft is on its way, or the draft is malformed
        renderChecklist(r.data);
      });
    }
    function changed() {
      updateCounts(form);
      var price = form.elements.monthly_price;
      price.disabled = checked(form, "is_free")[0] === "true";
      form.querySelector("[data-save-status]").textContent = "Unsaved changes";
      clearTimeout(timer);
      timer = setTimeout(preview, 300);
    }
    form.addEventListener("input", changed);
    form.addEventListener("change", changed);

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var box = form.querySelector("[data-error]");
      var status = form.querySelector("[data-save-status]");
      status.textContent = "Saving…";
      api("PATCH", base, listingDraft(form)).then(function (r) {
        markInvalid(form, r.ok ? [] : r.data.errors);
        if (!r.ok) {
          status.textContent = "";
          showProblem(box, r.data);
          return;
        }
        box.hidden = true;
        status.textContent = "Saved";
        status.setAttribute("data-saved", "yes");
        preview();
      });
    });

    document.addEventListener("click", function (e) {
      var item = e.target.closest && e.target.closest("[data-checklist] [data-field]");
      if (!item) return;
      var el = form.querySelector('[name="' + item.dataset.field + '"]');
      if (el) el.focus();
    });

    Array.prototype.forEach.call(document.querySelectorAll("[data-publish]"), function (btn) {
      btn.addEventListener("click", function () {
        if (btn.dataset.confirm && !window.confirm(btn.dataset.confirm)) return;
        var box = document.querySelector("[data-publish-error]");
        btn.disabled = true;
        api("POST", btn.dataset.url).then(function (r) {
          btn.disabled = false;
          if (r.ok) { location.reload(); return; }
          showProblem(box, r.data);
        });
      });
    });
  }

  // ---- OAuth tab ----

  function showSecret(dialog, title, data, note) {
    dialog.querySelector("[data-secret-title]").textContent = title;
    dialog.querySelector("[data-secret-value]").textContent = data.client_secret;
    dialog.querySelector("[data-secret-client-id]").textContent = data.client_id;
    dialog.querySelector("[data-secret-note]").textContent = note;
    dialog.addEventListener("close", function () { location.reload(); }, { once: true });
    dialog.showModal();
  }

  function setupOAuth(root) {
    var base = root.dataset.appUrl;
    var dialog = document.querySelector("[data-secret-dialog]");
    var errorBox = root.querySelector("[data-oauth-error]");

    dialog.querySelector("[data-copy-secret]").addEventListener("click", function (e) {
      var btn = e.target;
      var secret = dialog.querySelector("[data-secret-value]").textContent;
      var done = function () { btn.textContent = "Copied"; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(secret).then(done, function () { selectSecret(); });
      } else {
        selectSecret();
      }
    });
    function selectSecret() {
      var range = document.createRange();
      range.selectNodeContents(dialog.querySelector("[data-secret-value]"));
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    }

    Array.prototype.forEach.call(root.querySelectorAll("[data-oauth-action]"), function (btn) {
      btn.addEventListener("click", function () {
        if (btn.dataset.confirm && !window.confirm(btn.dataset.confirm)) return;
        var action = btn.dataset.oauthAction;
        var url = base + "/oauth/" + (action === "rotate" ? "rotate-secret" : action);
        btn.disabled = true;
        api("POST", url).then(function (r) {
          btn.disabled = false;
          if (!r.ok) { showProblem(errorBox, r.data); return; }
          if (!r.data.client_secret) { location.reload(); return; }
          if (action === "rotate") {
            var until = r.data.previous_expires_at ? new Date(r.data.previous_expires_at).toUTCString() : "";
            showSecret(dialog, "New client secret (generation " + r.data.generation + ")", r.data,
              until ? "The previous secret keeps working until " + until + ", then it is revoked. Update your app before then."
                : "No previous secret remains valid.");
          } else {
            showSecret(dialog, "Your client secret", r.data, "OAuth is enabled. Put the client ID and secret in your app's configuration.");
          }
        });
      });
    });

    var form = root.querySelector("[data-oauth-settings]");
    if (!form || !form.querySelector("button[type=submit]")) return;
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var box = form.querySelector("[data-error]");
      var uriErrors = form.querySelector("[data-uri-errors]");
      var status = form.querySelector("[data-save-status]");
      var uris = lines(form.elements.redirect_uris.value);
      var body = {
        redirect_uris: uris,
        scopes: checked(form, "scopes"),
        entrypoint_url: form.elements.entrypoint_url.value.trim(),
        pkce_required: form.elements.pkce_required.checked
      };
      status.textContent = "Saving…";
      api("PATCH", base + "/oauth", body).then(function (r) {
        uriErrors.innerHTML = "";
        uriErrors.hidden = true;
        box.hidden = true;
        markInvalid(form, r.ok ? [] : r.data.errors);
        if (r.ok) { status.textContent = "Saved"; location.reload(); return; }
        status.textContent = "";
        var rest = [];
        (r.data.errors || []).forEach(function (err) {
          var m = /^redirect_uris\[(\d+)\]$/.exec(err.field || "");
          if (!m) { rest.push(err); return; }
          var li = document.createElement("li");
          var code = document.createElement("code");
          code.textContent = uris[Number(m[1])];
          li.appendChild(document.createTextNode("Line " + (Number(m[1]) + 1) + " "));
          li.appendChild(code);
          li.appendChild(document.createTextNode(" " + err.message));
          uriErrors.appendChild(li);
        });
        uriErrors.hidden = !uriErrors.children.length;
        showProblem(box, { detail: r.data.detail, errors: rest });
      });
    });
  }

  // ---- Connection form ----

  function setupConnections(form) {
    var typeSelect = form.querySelector("[data-connection-type]");
    var rows = form.querySelector("[data-field-rows]");
    var rowTemplate = form.querySelector("template[data-field-row]");

    function showType() {
      Array.prototype.forEach.call(form.querySelectorAll("[data-for-type]"), function (fs) {
        var on = fs.dataset.forType === typeSelect.value;
        fs.hidden = !on;
        fs.disabled = !on;
      });
      if (typeSelect.value === "custom" && !rows.children.length) addRow();
    }
    function addRow() { rows.appendChild(rowTemplate.content.cloneNode(true)); }

    typeSelect.addEventListener("change", showType);
    form.querySelector("[data-add-field]").addEventListener("click", addRow);
    rows.addEventListener("click", function (e) {
      if (e.target.hasAttribute("data-remove-field")) e.target.closest("tr").remove();
    });
    showType();

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      var el = form.elements;
      var type = typeSelect.value;
      var body = {
        key: el.key.value.trim(), type: type, display_name: el.display_name.value,
        description: el.description.value, required: el.required.checked
      };
      if (type === "api_key") {
        body.placeholder = el.placeholder.value;
        body.default_value = el.default_value.value;
      } else if (type === "oauth2") {
        body.authorize_url = el.authorize_url.value.trim();
        body.token_url = el.token_url.value.trim();
        body.client_id = el.client_id.value.trim();
        body.scopes = el.scopes.value.split(/[\s,]+/).filter(Boolean);
        body.refresh = el.refresh.value;
        body.pkce = el.pkce.checked;
        if (el.client_secret.value) body.client_secret = el.client_secret.value;
      } else {
        body.fields = Array.prototype.map.call(rows.querySelectorAll("[data-field-row-item]"), function (tr) {
          var q = function (n) { return tr.querySelector('[name="' + n + '"]'); };
          return {
            key: q("field_key").value.trim(), label: q("field_label").value, placeholder: q("field_placeholder").value,
            required: q("field_required").checked, secret: q("field_secret").checked
          };
        });
      }
      var box = form.querySelector("[data-form-error]");
      var list = form.querySelector("[data-field-errors]");
      api("POST", form.dataset.url, body).then(function (r) {
        if (r.ok) { location.reload(); return; }
        markInvalid(form, r.data.errors);
        box.textContent = r.data.detail || "Something went wrong.";
        box.hidden = false;
        list.innerHTML = "";
        (r.data.errors || []).forEach(function (err) {
          var li = document.createElement("li");
          li.textContent = (err.field ? err.field + ": " : "") + err.message;
          list.appendChild(li);
        });
        list.hidden = !list.children.length;
      });
    });
  }

  var listing = document.querySelector("form[data-listing]");
  if (listing) setupListing(listing);
  var oauth = document.querySelector("[data-oauth]");
  if (oauth) setupOAuth(oauth);
  var conn = document.querySelector("form[data-connection-create]");
  if (conn) setupConnections(conn);
})();
