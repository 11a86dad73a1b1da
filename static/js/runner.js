/* Branchwise activity: progressive enhancement only (every page works without it).
   - tells the LMS how tall the page is (lti.frameResize, as Canvas and the demo LMS expect),
     on load and whenever the content changes size;
   - moves keyboard/screen-reader focus to the feedback after an answer;
   - disables submit buttons once a form is sent (the server also counts an answer once);
   - makes a table that has to scroll reachable from the keyboard. */
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

  /* A table wider than its place (the narrow LMS frame of a phone) scrolls in its wrapper
     (a data table may, WCAG 1.4.10): the wrapper is then a named region with a tab stop, so
     it can be scrolled from the keyboard; no extra tab stop while it fits. */
  function scrollRegions() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-scroll-label]"), function (wrap) {
      if (wrap.scrollWidth > wrap.clientWidth + 1) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", wrap.getAttribute("data-scroll-label"));
      } else {
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        wrap.removeAttribute("aria-label");
      }
    });
  }

  function resized() {
    postHeight();
    scrollRegions();
  }

  function init() {
    resized();
    if (window.ResizeObserver) {
      new ResizeObserver(resized).observe(document.body);
    } else {
      window.addEventListener("resize", resized);
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
