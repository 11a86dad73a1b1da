/* Launch step without a cookie: read the binding secret back from platform storage. */
(function () {
  "use strict";
  var d = document.getElementById("confirm-data").dataset;
  var form = document.getElementById("confirm-form");
  window.BranchwiseStorage.get(d.key, d.target, d.origin).then(function (value) {
    form.elements.binding.value = value || "";
    form.submit();
  }, function () {
    document.getElementById("status").textContent = "Your browser blocked the connection check.";
    document.getElementById("fallback").hidden = false;
  });
})();
