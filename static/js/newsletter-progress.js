// Staff issue page: refresh the sending progress every two seconds while it runs.
(function () {
  "use strict";
  var panel = document.querySelector(".nl-progress");
  if (!panel) return;
  var url = panel.getAttribute("data-progress-url");
  var status = panel.getAttribute("data-status");
  var bar = document.getElementById("nl-progress-bar");
  var badge = document.getElementById("nl-status-badge");
  var lastError = document.getElementById("nl-last-error");
  var stale = document.getElementById("nl-stale");
  var running = function (s) { return s === "sending" || s === "stopping"; };
  if (!running(status)) return;

  function update(data) {
    ["sent", "failed", "unknown", "remaining", "skipped", "total"].forEach(function (key) {
      var el = panel.querySelector('[data-field="' + key + '"]');
      if (el) el.textContent = String(data[key]);
    });
    if (bar) {
      bar.max = data.total || 1;
      bar.value = data.done;
    }
    if (badge && data.status_label) {
      badge.textContent = data.status_label;
      badge.className = "nl-status nl-status-" + data.status;
    }
    if (lastError) {
      lastError.textContent = data.last_error || "";
      lastError.hidden = !data.last_error;
    }
    if (stale) stale.hidden = !data.stale;
  }

  function tick() {
    fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.json();
      })
      .then(function (data) {
        update(data);
        if (!running(data.status) || data.status !== status) {
          // Finished, paused or stopped: reload to show the actions and failures.
          window.location.reload();
          return;
        }
        window.setTimeout(tick, 2000);
      })
      .catch(function () { window.setTimeout(tick, 5000); });
  }
  window.setTimeout(tick, 2000);
})();
