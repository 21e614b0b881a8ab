// The webhooks page: add an endpoint and show its signing secret once,
// the endpoint and delivery buttons, and following deliveries under way
// until they finish. Everything goes through the JSON API.
(function () {
  "use strict";

  var api = window.Appstore.api;

  var showProblem = window.Appstore.showProblem;

  var dialog = document.querySelector("[data-secret-dialog]");

  function showSecret(title, data) {
    dialog.querySelector("[data-secret-title]").textContent = title;
    dialog.querySelector("[data-secret-value]").textContent = data.secret;
    dialog.querySelector("[data-secret-endpoint]").textContent = data.endpoint.url;
    dialog.addEventListener("close", function () { location.reload(); }, { once: true });
    dialog.showModal();
  }

  dialog.querySelector("[data-copy-secret]").addEventListener("click", function (e) {
    var btn = e.target;
    var value = dialog.querySelector("[data-secret-value]");
    var select = function () {
      var range = document.createRange();
      range.selectNodeContents(value);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(value.textContent).then(function () { btn.textContent = "Copied"; }, select);
    } else {
      select();
    }
  });

  var create = document.querySelector("form[data-webhook-create]");
  if (create) {
    create.addEventListener("submit", function (e) {
      e.preventDefault();
      var box = create.querySelector("[data-error]");
      var body = {
        url: create.elements.url.value.trim(),
        description: create.elements.description.value,
        event_types: Array.prototype.filter.call(create.querySelectorAll("input[name=event_types]"), function (el) { return el.checked; })
          .map(function (el) { return el.value; })
      };
      var btn = create.querySelector("button[type=submit]");
      btn.disabled = true;
      api("POST", create.dataset.url, body).then(function (r) {
        btn.disabled = false;
        if (!r.ok) { showProblem(box, r.data); return; }
        box.hidden = true;
        showSecret("Your signing secret", r.data);
      });
    });
  }

  var errorBox = document.querySelector("[data-webhook-error]");
  document.addEventListener("click", function (e) {
    var btn = e.target.closest && e.target.closest("[data-webhook-action]");
    if (!btn) return;
    if (btn.dataset.confirm && !window.confirm(btn.dataset.confirm)) return;
    btn.disabled = true;
    var body = btn.dataset.body ? JSON.parse(btn.dataset.body) : undefined;
    api(btn.dataset.method, btn.dataset.url, body).then(function (r) {
      btn.disabled = false;
      if (!r.ok) { showProblem(errorBox, r.data); window.scrollTo(0, 0); return; }
      if (btn.dataset.webhookAction === "rotate") { showSecret("New signing secret", r.data); return; }
      location.reload();
    });
  });

  // Deliveries under way: poll each one and reload when any changes.
  var list = document.querySelector("[data-testid=webhook-deliveries][data-pending]");
  if (list) {
    var started = Date.now();
    var poll = function () {
      var rows = list.querySelectorAll("tr[data-delivery-status=pending]");
      if (!rows.length || Date.now() - started > 10 * 60 * 1000) return;
      Promise.all(Array.prototype.map.call(rows, function (row) {
        return api("GET", "/api/v1/webhook-deliveries/" + row.dataset.delivery).then(function (r) {
          return r.ok && (r.data.status !== "pending" || String(r.data.attempt_count) !== row.dataset.attemptCount);
        });
      })).then(function (changed) {
        if (changed.some(Boolean)) { location.reload(); return; }
        setTimeout(poll, 1500);
      });
    };
    setTimeout(poll, 1000);
  }
})();
