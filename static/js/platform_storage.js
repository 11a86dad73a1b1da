/* LTI client-side postMessage storage (lti-cs-pm, lti-pm-s): put/get a value in
   the platform's window, so the login survives blocked third-party cookies.

   Each request goes out under both subject names the spec has had: "lti.put_data" and the
   older "org.imsglobal.lti.put_data" that D2L still uses. The first answer settles it; a
   platform's "unsupported_subject" for one name waits for the other.

   A busy LMS page (or a slow device) can take seconds to answer. A late answer is still
   the right one, so a request is not abandoned at the first deadline: ``onSlow`` runs
   then (the page says it is still waiting), the request is sent again every
   ``resendMs`` in case the platform's listener was not ready, and after ``giveUpMs`` the
   promise rejects, or, with ``onGiveUp``, that runs and an answer is still awaited. */
(function () {
  "use strict";
  var PREFIXES = ["", "org.imsglobal."];
  function targetWindow(name) {
    if (window.parent === window) return null; // not framed: no platform to ask
    if (!name || name === "_parent") return window.parent;
    try { return window.parent.frames[name] || null; } catch (e) { return null; }
  }
  function send(subject, payload, targetName, origin, options) {
    var opts = options || {};
    var slowMs = opts.slowMs || 2000;
    var giveUpMs = Math.max(opts.giveUpMs || slowMs, slowMs);
    return new Promise(function (resolve, reject) {
      var target = targetWindow(targetName);
      if (!target) { reject(new Error("no platform frame")); return; }
      var id = "bw-" + Math.random().toString(36).slice(2) + Date.now().toString(36);
      var pending = {}; // message_id -> the message still waiting for its answer
      PREFIXES.forEach(function (prefix, n) {
        pending[id + "-" + n] = Object.assign(
          { subject: prefix + subject, message_id: id + "-" + n }, payload);
      });
      var timers = [];
      function post() {
        Object.keys(pending).forEach(function (k) { target.postMessage(pending[k], origin); });
      }
      function done() {
        timers.forEach(function (t) { clearTimeout(t); clearInterval(t); });
        window.removeEventListener("message", onMessage);
      }
      function onMessage(event) {
        if (event.origin !== origin) return; // only the platform may answer
        var data = event.data || {};
        var sent = pending[data.message_id];
        if (!sent || data.subject !== sent.subject + ".response") return;
        if (data.error && data.error.code === "unsupported_subject") {
          delete pending[data.message_id]; // this name is not spoken here: wait for the other
          if (Object.keys(pending).length) return;
        }
        done();
        if (data.error) reject(new Error(data.error.message || data.error.code || "error"));
        else resolve(data);
      }
      window.addEventListener("message", onMessage);
      if (opts.onSlow) timers.push(setTimeout(opts.onSlow, slowMs));
      if (opts.resendMs) timers.push(setInterval(post, opts.resendMs));
      timers.push(setTimeout(function () {
        if (opts.onGiveUp) { opts.onGiveUp(); return; } // keep listening: late is still right
        done(); reject(new Error("timeout"));
      }, giveUpMs));
      post();
    });
  }
  window.BranchwiseStorage = {
    put: function (key, value, target, origin, options) {
      return send("lti.put_data", { key: key, value: value }, target, origin, options);
    },
    get: function (key, target, origin, options) {
      return send("lti.get_data", { key: key }, target, origin, options)
        .then(function (d) { return d.value; });
    }
  };
})();
