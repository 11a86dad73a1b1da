/* Launch step without a cookie: read the binding secret back from platform storage.
   The LMS may be slow to answer: say so after 2 s, keep asking, and offer the way out
   (the fallback text) only after 20 s without an answer, still taking one that comes later. */
(function () {
  "use strict";
  var d = document.getElementById("confirm-data").dataset;
  var form = document.getElementById("confirm-form");
  var status = document.getElementById("status");
  window.BranchwiseStorage.get(d.key, d.target, d.origin, {
    slowMs: 2000,
    resendMs: 2000,
    giveUpMs: 20000,
    onSlow: function () { status.textContent = status.dataset.slow; },
    onGiveUp: blocked
  }).then(function (value) {
    form.elements.binding.value = value || "";
    form.submit();
  }, blocked);
  function blocked() {
    status.textContent = status.dataset.blocked;
    document.getElementById("fallback").hidden = false;
  }
})();
