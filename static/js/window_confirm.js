/* A launch that arrived without the tool's cookie and without platform storage.
   - In the window opened by "Open in a new window", this tab holds the binding secret:
     post it to confirm the launch (the activity then opens here).
   - In the LMS frame there is none: the page offers the new window, and says so once it
     has been opened. */
(function () {
  "use strict";
  var data = document.getElementById("nw-data").dataset; // texts in the learner's language
  var key = data.key;
  var binding = null;
  try {
    binding = window.sessionStorage.getItem(key);
    if (binding) { window.sessionStorage.removeItem(key); }
  } catch (e) { binding = null; } // storage blocked in the frame, like the cookie
  if (binding) {
    var form = document.getElementById("nw-confirm");
    form.elements.binding.value = binding;
    document.getElementById("nw-status").textContent = data.connecting;
    form.submit();
    return;
  }
  var link = document.getElementById("nw-open");
  link.addEventListener("click", function () {
    document.getElementById("nw-status").textContent = data.opened;
    link.textContent = data.again;
    link.classList.add("secondary");
  });
})();
