/* Learning assistant: progressive enhancement only (the form also works without it).
   - posts the question with Accept: application/json and shows the reply in place;
   - on the teachers' page, polls the live flags every 2 s and redraws the table. */
(function () {
  "use strict";

  function initAsk(form) {
    var reply = document.getElementById("assistant-reply");
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !reply) { return; }
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; }
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { "Accept": "application/json" },
        credentials: "omit"
      }).then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      }).then(function (data) {
        reply.innerHTML = data.html;  // rendered and escaped by the server's template
        var t = form.querySelector("input[name=t]");
        if (t && data.token) { t.value = data.token; }
      }).catch(function () {
        form.submit();  // the page version of the reply
      }).then(function () {
        if (button) { button.disabled = false; }
      });
    });
  }

  function cell(row, text) {
    var td = document.createElement("td");
    td.textContent = text;
    row.appendChild(td);
  }

  function initFlags(table) {
    var url = table.getAttribute("data-flags-url");
    var reasons = JSON.parse(table.getAttribute("data-reasons") || "{}");
    var empty = table.getAttribute("data-empty") || "";
    var ago = table.getAttribute("data-ago") || "{n} s";
    var body = table.querySelector("tbody");
    function draw(flags) {
      while (body.firstChild) { body.removeChild(body.firstChild); }
      if (!flags.length) {
        var row = document.createElement("tr");
        var td = document.createElement("td");
        td.colSpan = 4;
        td.textContent = empty;
        row.appendChild(td);
        body.appendChild(row);
        return;
      }
      flags.forEach(function (f) {
        var row = document.createElement("tr");
        row.setAttribute("data-reason", f.reason);
        cell(row, f.learner);
        cell(row, f.skill || "\u2014");
        cell(row, reasons[f.reason] || f.reason);
        cell(row, ago.replace("{n}", String(f.seconds_ago)));
        body.appendChild(row);
      });
    }
    function poll() {
      fetch(url, { headers: { "Accept": "application/json" }, credentials: "omit" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (data) { if (data) { draw(data.flags); } })
        .catch(function () { /* try again at the next tick */ });
    }
    window.setInterval(poll, 2000);
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("form.assistant-form"), initAsk);
    var table = document.getElementById("assistant-flags");
    if (table) { initFlags(table); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
