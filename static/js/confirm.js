/* Launch step without a cookie: read the binding secret back from platform storage.
   The LMS may be slow to answer: after 2 s say so and show the way out (open in a new
   window, or again from the course) while asking again every 2 s; after 20 s say the check
   was blocked. A late answer still completes the launch. */
(function () {
  "use strict";
  var d = document.getElementById("confirm-data").dataset;
  var form = document.getElementById("confirm-form");
  var status = document.getElementById("status");
  window.BranchwiseStorage.get(d.key, d.target, d.origin, {
    slowMs: 2000,
    resendMs: 2000,
    giveUpMs: 20000,
    onSlow: function () {
      status.textContent = status.dataset.slow;
      document.getElementById("fallback").hidden = false;
    },
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
