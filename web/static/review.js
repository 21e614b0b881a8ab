// The reject form of the review console: the reviewer ticks reasons from
// the catalogue and says what is wrong for each; the API wants them as a
// list of {code, message, field}.
(function () {
  "use strict";
  document.addEventListener("submit", function (e) {
    var form = e.target;
    if (!form.dataset || !form.dataset.rejectUrl) return;
    e.preventDefault();
    var reasons = [];
    form.querySelectorAll("input[name=code]:checked").forEach(function (box) {
      var code = box.value;
      var reason = { code: code, message: form.elements["message-" + code].value.trim() };
      var field = form.elements["field-" + code].value.trim();
      if (field) reason.field = field;
      reasons.push(reason);
    });
    var box = document.querySelector("[data-error]");
    fetch(form.dataset.rejectUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ reasons: reasons })
    }).then(function (res) {
      if (res.ok) { location.reload(); return; }
      return res.json().then(function (p) {
        var text = p.detail || "The rejection was refused.";
        if (p.errors && p.errors.length) text += " " + p.errors.map(function (f) { return f.field + ": " + f.message; }).join("; ");
        box.textContent = text;
        box.hidden = false;
      });
    }).catch(function () { box.textContent = "The network request failed. Try again."; box.hidden = false; });
  });
})();
