/* Login step: store the binding secret in platform storage, then go to the LMS.
   If the platform does not answer, the state cookie set with this page is the fallback. */
(function () {
  "use strict";
  var d = document.getElementById("login-data").dataset;
  var go = function () { window.location.assign(d.authUrl); };
  window.BranchwiseStorage.put("bw-bind-" + d.state, d.binding, d.target, d.origin)
    .then(go, go);
})();
