/* Dynamic registration finished: tell the LMS to close its registration frame (LTI DR §3.7). */
(function () {
  "use strict";
  function close() {
    var target = window.parent !== window ? window.parent : window.opener;
    if (target) {
      // The LMS origin is not known to this page, and the message carries no secret.
      target.postMessage({ subject: "org.imsglobal.lti.close" }, "*");
    }
  }
  document.getElementById("close-registration").addEventListener("click", close);
  close();
})();
