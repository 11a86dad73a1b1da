// A launch answers its id_token POST with the page itself (two hops, not four).
// Give the page its own URL, so that reload or back asks for the page (GET)
// instead of sending the id_token again, which the tool refuses as a replay.
(function () {
  var meta = document.querySelector('meta[name="bw-canonical-url"]');
  if (meta && window.history && window.history.replaceState) {
    window.history.replaceState(null, "", meta.getAttribute("content"));
  }
})();
