/* Live updates: the tenant's events from /ws/events/ shown in the page's live region.
   The signed-in session's cookie authenticates (same origin). Pages work fully without this. */
(function () {
  "use strict";
  var region = document.getElementById("live-events");
  if (!region || !("WebSocket" in window)) { return; }
  var FINAL_CODES = [4401, 4403, 4404];  // not signed in, not allowed, no events here: do not retry
  var SHOWN_FOR_MS = 8000;
  var MAX_SHOWN = 3;
  var delay = 1000;

  function show(text) {
    var item = document.createElement("div");
    item.className = "live-event";
    item.textContent = text;
    region.appendChild(item);
    while (region.children.length > MAX_SHOWN) { region.removeChild(region.firstChild); }
    setTimeout(function () { if (item.parentNode) { item.parentNode.removeChild(item); } }, SHOWN_FOR_MS);
  }

  function describe(event) {
    var aggregate = event.aggregate;
    return event.eventType + (aggregate && aggregate.id ? " · " + aggregate.id : "");
  }

  function connect() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    var socket = new WebSocket(scheme + window.location.host + "/ws/events/");
    socket.onopen = function () {
      delay = 1000;
      socket.send(JSON.stringify({ action: "subscribe", topics: ["*.*.*"] }));
    };
    socket.onmessage = function (message) {
      var data;
      try { data = JSON.parse(message.data); } catch (error) { return; }
      if (data.type === "event" && data.event && data.event.eventType) { show(describe(data.event)); }
    };
    socket.onclose = function (closed) {
      if (FINAL_CODES.indexOf(closed.code) !== -1) { return; }
      // Reconnect with a growing pause (up to a minute): a restart of the server must not be a storm.
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 60000);
    };
  }

  connect();
})();
