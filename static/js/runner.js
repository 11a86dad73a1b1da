/* Branchwise activity: progressive enhancement only (every page works without it).
   - tells the LMS how tall the page is (lti.frameResize, as Canvas and the demo LMS expect),
     on load and whenever the content changes size;
   - moves keyboard/screen-reader focus to the feedback after an answer;
   - disables submit buttons once a form is sent (the server also counts an answer once). */
(function () {
  "use strict";
  var lastHeight = 0;
  function postHeight() {
    if (window.parent === window) { return; }
    var height = Math.ceil(Math.max(document.documentElement.scrollHeight,
                                    document.body ? document.body.scrollHeight : 0));
    if (height === lastHeight) { return; }
    lastHeight = height;
    window.parent.postMessage({ subject: "lti.frameResize", height: height }, "*");
  }

  function init() {
    postHeight();
    if (window.ResizeObserver) {
      new ResizeObserver(postHeight).observe(document.body);
    } else {
      window.addEventListener("resize", postHeight);
    }
    document.addEventListener("toggle", postHeight, true);  // <details> opened or closed

    var target = document.querySelector("[data-autofocus]");
    if (target) { target.focus({ preventScroll: false }); }

    Array.prototype.forEach.call(document.querySelectorAll("form.step-form"), function (form) {
      form.addEventListener("submit", function () {
        // After the browser has taken the clicked button's formaction, block further clicks.
        window.setTimeout(function () {
          Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (b) {
            b.disabled = true;
          });
        }, 0);
      });
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
  window.addEventListener("load", postHeight);
})();
