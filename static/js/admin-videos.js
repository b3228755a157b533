// Admin list: poll the JSON status endpoint while videos are queued or processing,
// and update their rows in place (no page reload).
(function () {
  "use strict";
  var list = document.getElementById("admin-videos");
  if (!list) return;
  var url = list.getAttribute("data-status-url");
  var BUSY = { queued: true, processing: true, uploading: true };
  var INTERVAL = 2500;

  function rows() {
    return Array.prototype.slice.call(list.querySelectorAll("[data-video-id]"));
  }

  function busyIds() {
    return rows()
      .filter(function (row) { return BUSY[row.getAttribute("data-status")]; })
      .map(function (row) { return row.getAttribute("data-video-id"); });
  }

  function renderStatus(cell, v) {
    cell.textContent = "";
    var label = document.createElement("span");
    label.className = "status status-" + v.status;
    label.setAttribute("data-role", "status-label");
    label.textContent = v.status_label;
    cell.appendChild(label);
    if (BUSY[v.status]) {
      var bar = document.createElement("progress");
      bar.className = "ingest-progress";
      bar.max = 100;
      bar.value = v.progress;
      bar.setAttribute("data-role", "progress");
      bar.setAttribute("aria-label", v.status_label);
      cell.appendChild(document.createTextNode(" "));
      cell.appendChild(bar);
      var pct = document.createElement("span");
      pct.className = "small muted";
      pct.setAttribute("data-role", "percent");
      pct.textContent = " " + v.progress + " %";
      cell.appendChild(pct);
    }
    if (v.status === "failed" && v.error) {
      var err = document.createElement("p");
      err.className = "status-error small";
      err.setAttribute("data-role", "error");
      err.textContent = v.error;
      cell.appendChild(err);
    }
  }

  function update(v) {
    var row = list.querySelector('[data-video-id="' + v.id + '"]');
    if (!row) return;
    var previous = row.getAttribute("data-status");
    row.setAttribute("data-status", v.status);
    var cell = row.querySelector('[data-role="status"]');
    var bar = cell && cell.querySelector('[data-role="progress"]');
    if (bar && previous === v.status && BUSY[v.status]) {
      bar.value = v.progress;  // only the percentage moved: keep focus and screen reader calm
      var pct = cell.querySelector('[data-role="percent"]');
      if (pct) pct.textContent = " " + v.progress + " %";
    } else if (cell) {
      renderStatus(cell, v);
    }
    var title = row.querySelector(".admin-video-title a");
    if (title && v.title) title.textContent = v.title;
    var poster = row.querySelector('[data-role="poster"]');
    if (v.poster && poster && poster.tagName !== "IMG") {
      var img = document.createElement("img");
      img.src = v.poster;
      img.alt = "";
      img.setAttribute("data-role", "poster");
      poster.parentNode.replaceChild(img, poster);
    }
    var publish = row.querySelector('[data-role="publish"]');
    if (publish) {
      var ready = v.status === "ready";
      publish.disabled = !ready;
      if (ready) { publish.removeAttribute("aria-disabled"); publish.removeAttribute("title"); }
    }
    var retry = row.querySelector('[data-role="retry"]');
    if (retry) retry.hidden = !v.can_retry;
  }

  function poll() {
    var ids = busyIds();
    if (!ids.length) return;
    fetch(url + "?ids=" + ids.join(","), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && data.videos) data.videos.forEach(update);
      })
      .catch(function () { /* offline for a moment: try again at the next tick */ })
      .then(function () { if (busyIds().length) setTimeout(poll, INTERVAL); });
  }

  setTimeout(poll, INTERVAL);
})();
