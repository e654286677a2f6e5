// Counts this page view once: path, referrer and host, sent as a beacon to the site itself.
// No cookie, no storage, nothing about the browser. Skipped when the reader asks not to be
// tracked, and for a prerendered page until (unless) the reader actually opens it.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !navigator.sendBeacon) return;
  if (navigator.doNotTrack === "1" || navigator.globalPrivacyControl === true) return;
  var endpoint = script.getAttribute("data-endpoint");

  function send() {
    var data = new URLSearchParams();
    data.set("p", location.pathname);
    data.set("r", document.referrer);
    data.set("h", location.host);
    navigator.sendBeacon(endpoint, data);
  }

  if (document.prerendering) {
    document.addEventListener("prerenderingchange", send, { once: true });
  } else {
    send();
  }
})();
