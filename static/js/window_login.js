/* Login in a new top-level window: keep the binding secret in this tab's sessionStorage
   (the tool is first party here), then go to the LMS. window_confirm.js reads it back when
   the launch arrives without a cookie (plain http, or a browser that still refuses it). */
(function () {
  "use strict";
  var d = document.getElementById("login-data").dataset;
  try { window.sessionStorage.setItem(d.key, d.binding); } catch (e) { /* cookie path only */ }
  window.location.assign(d.authUrl);
})();
