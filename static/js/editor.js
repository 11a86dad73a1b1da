// The module editor, enhanced: the page works without this file (plain forms).
// - checking while typing: the form is posted to the validate endpoint (debounced) and
//   each problem is shown next to its field, in the container the server renders;
// - live preview of Markdown and math, rendered by the server with the runner's renderer;
// - a prerequisite that would make a circle is unticked at once, with the reason.
(function () {
  "use strict";
  var form = document.getElementById("editor-form");
  if (!form || !window.fetch || !window.FormData) { return; }
  var status = document.getElementById("ed-status");
  var timer = null;
  var pending = null;
  // The page's own words, in the teacher's language (the server translated them).
  var msg = {error: form.dataset.msgError, warning: form.dataset.msgWarning,
             status: form.dataset.msgStatus, publish: form.dataset.msgPublish,
             circle: form.dataset.msgCircle, here: form.dataset.msgHere};

  function formData() {
    var data = new FormData(form);
    data.delete("figure_file");  // never upload a file just to check the text
    return data;
  }

  function show(result) {
    var boxes = form.querySelectorAll(".ed-problems");
    for (var i = 0; i < boxes.length; i++) { boxes[i].textContent = ""; }
    result.problems.forEach(function (p) {
      var box = document.getElementById(p.field + "-p") || document.getElementById("f-module-p");
      if (!box) { return; }
      var line = document.createElement("p");
      line.className = "ed-problem ed-" + p.severity;
      line.textContent = (p.severity === "error" ? msg.error : msg.warning) + " " + p.message;
      box.appendChild(line);
    });
    if (status) {
      // The status is a live region: a screen reader hears the counts and, for the field
      // being typed in, its own problems (the boxes next to fields are not live: a region
      // per field would talk over the typing).
      var active = document.activeElement;
      var here = result.problems.filter(function (p) {
        return active && active.id && p.field === active.id;
      }).map(function (p) { return p.message; });
      status.textContent = msg.status.replace("{n}", result.errors)
        .replace("{w}", result.warnings) + (result.errors ? " " + msg.publish : "") +
        (here.length ? " " + msg.here + " " + here.join(" ") : "");
    }
  }

  function validate() {
    if (pending) { pending.abort(); }
    pending = new AbortController();
    fetch(form.dataset.validate, {method: "POST", body: formData(), signal: pending.signal,
                                  credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (result) { if (result) { show(result); } })
      .catch(function () { /* offline or aborted: the server checks again on save */ });
  }

  function preview(area) {
    var target = document.getElementById(area.dataset.preview);
    if (!target) { return; }
    var body = new FormData();
    body.append("t", form.querySelector("input[name=t]").value);
    body.append("text", area.value);
    fetch(form.dataset.render, {method: "POST", body: body, credentials: "same-origin"})
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (result) {
        // The server sanitised this HTML (the same renderer as the learner's page).
        if (result) { target.innerHTML = result.html; }
      })
      .catch(function () {});
  }

  // --- prerequisites: refuse a circle as it is made ----------------------------------
  function prerequisiteGraph() {
    var edges = {};
    var sets = form.querySelectorAll("fieldset[data-skill]");
    for (var i = 0; i < sets.length; i++) {
      var id = sets[i].querySelector("input[name$='.id']");
      var ticked = sets[i].querySelectorAll("input[name$='.prerequisites']:checked");
      var list = [];
      for (var j = 0; j < ticked.length; j++) { list.push(ticked[j].value); }
      edges[id ? id.value : sets[i].dataset.skill] = list;
    }
    return edges;
  }

  function reaches(edges, from, to) {
    var stack = [from], seen = {};
    while (stack.length) {
      var node = stack.pop();
      if (node === to) { return true; }
      if (seen[node]) { continue; }
      seen[node] = true;
      (edges[node] || []).forEach(function (n) { stack.push(n); });
    }
    return false;
  }

  function checkCycle(box) {
    if (!box.checked) { return; }
    var owner = box.closest("fieldset[data-skill]");
    var idField = owner && owner.querySelector("input[name$='.id']");
    if (!idField) { return; }
    box.checked = false;
    var edges = prerequisiteGraph();
    if (reaches(edges, box.value, idField.value)) {
      var problems = document.getElementById(box.name.replace(/\[/g, "_").replace(/\]/g, "")
        .replace(/\./g, "__").replace(/^/, "f-") + "-p");
      if (problems) {
        problems.textContent = "";
        var line = document.createElement("p");
        line.className = "ed-problem ed-error";
        line.setAttribute("role", "alert");
        line.textContent = msg.circle.replace("{a}", box.value).replace("{b}", idField.value);
        problems.appendChild(line);
      }
      return;
    }
    box.checked = true;
  }

  form.addEventListener("input", function (event) {
    var el = event.target;
    if (el.dataset && el.dataset.preview) {
      clearTimeout(el._previewTimer);
      el._previewTimer = setTimeout(function () { preview(el); }, 400);
    }
    clearTimeout(timer);
    timer = setTimeout(validate, 500);
  });
  form.addEventListener("change", function (event) {
    var el = event.target;
    if (el.type === "checkbox" && /\.prerequisites$/.test(el.name)) { checkCycle(el); }
    clearTimeout(timer);
    timer = setTimeout(validate, 200);
  });

  // After "Add ..." or "Remove ...", the server sends us to the new entry (or the one now
  // in the removed one's place): focus its first field. After "Move up/down" it sends us to
  // the moved entry's button, which keeps the focus for the next move.
  // After the load, when the browser has scrolled to the fragment (which moves focus).
  function focusEntry() {
    if (!location.hash) { return; }
    var entry = document.getElementById(location.hash.slice(1));
    var first = entry && (entry.matches("input, select, textarea, button") ? entry :
      entry.querySelector("input:not([type=hidden]), select, textarea"));
    if (first) { first.focus(); }
  }
  window.addEventListener("load", function () { setTimeout(focusEntry, 0); });
})();
