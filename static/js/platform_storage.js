/* LTI client-side postMessage storage (lti-cs-pm, lti-pm-s): put/get a value in
   the platform's window, so the login survives blocked third-party cookies. */
(function () {
  "use strict";
  function targetWindow(name) {
    if (window.parent === window) return null; // not framed: no platform to ask
    if (!name || name === "_parent") return window.parent;
    try { return window.parent.frames[name] || null; } catch (e) { return null; }
  }
  function send(subject, payload, targetName, origin, timeoutMs) {
    return new Promise(function (resolve, reject) {
      var target = targetWindow(targetName);
      if (!target) { reject(new Error("no platform frame")); return; }
      var id = "bw-" + Math.random().toString(36).slice(2) + Date.now().toString(36);
      var timer = setTimeout(function () { done(); reject(new Error("timeout")); }, timeoutMs || 2000);
      function done() { clearTimeout(timer); window.removeEventListener("message", onMessage); }
      function onMessage(event) {
        if (event.origin !== origin) return; // only the platform may answer
        var data = event.data || {};
        if (data.message_id !== id || data.subject !== subject + ".response") return;
        done();
        if (data.error) reject(new Error(data.error.message || data.error.code || "error"));
        else resolve(data);
      }
      window.addEventListener("message", onMessage);
      var message = Object.assign({ subject: subject, message_id: id }, payload);
      target.postMessage(message, origin);
    });
  }
  window.BranchwiseStorage = {
    put: function (key, value, target, origin) {
      return send("lti.put_data", { key: key, value: value }, target, origin);
    },
    get: function (key, target, origin) {
      return send("lti.get_data", { key: key }, target, origin).then(function (d) { return d.value; });
    }
  };
})();
