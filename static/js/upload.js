// Upload page: resumable uploads with tus-js-client (static/vendor), one row per file
// with a progress bar, speed, time left, pause/resume and cancel. Network drops are
// retried automatically; an upload interrupted for longer resumes from where it
// stopped (the client remembers it by the file's fingerprint).
(function () {
  "use strict";
  var root = document.getElementById("uploader");
  if (!root) return;
  var input = document.getElementById("upload-files");
  var zone = document.getElementById("dropzone");
  var list = document.getElementById("upload-list");
  var msg = function (name) { return root.getAttribute("data-msg-" + name) || name; };
  var lang = document.documentElement.lang || "fr";

  if (!window.tus || !window.tus.isSupported) {
    var p = document.createElement("p");
    p.className = "notice notice-error";
    p.textContent = msg("unsupported");
    root.appendChild(p);
    return;
  }

  var UNITS = (root.getAttribute("data-units") || "B,KB,MB,GB,TB").split(",");

  function formatBytes(n) {
    var units = UNITS;
    var i = 0;
    // Binary units, as the server writes them (app/formatting.py SIZE_UNITS: KiB, MiB…).
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return new Intl.NumberFormat(lang, { maximumFractionDigits: i ? 1 : 0 }).format(n) + "\u00a0" + units[i];
  }

  function formatDuration(seconds) {
    seconds = Math.max(0, Math.round(seconds));
    var h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    var pad = function (x) { return (x < 10 ? "0" : "") + x; };
    return h ? h + ":" + pad(m) + ":" + pad(s) : m + ":" + pad(s);
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text) node.textContent = text;
    return node;
  }

  function errorMessage(err) {
    var res = err && err.originalResponse;
    if (res) {
      try {
        var body = JSON.parse(res.getBody() || "{}");
        if (body.error) return body.error;
      } catch (e) { /* not JSON */ }
    }
    return msg("failed");
  }

  function addFile(file) {
    var item = el("li", "upload-item panel");
    var head = el("div", "upload-head");
    var name = el("strong", "upload-name", file.name);
    var size = el("span", "muted small", formatBytes(file.size));
    head.appendChild(name);
    head.appendChild(size);
    var bar = el("progress", "upload-progress");
    bar.max = 100;
    bar.value = 0;
    bar.setAttribute("aria-label", file.name);
    var state = el("p", "upload-state small", msg("waiting"));
    state.setAttribute("role", "status");
    var buttons = el("div", "upload-buttons");
    var pause = el("button", "button button-small button-secondary", msg("pause"));
    pause.type = "button";
    var cancel = el("button", "button button-small button-secondary", msg("cancel"));
    cancel.type = "button";
    buttons.appendChild(pause);
    buttons.appendChild(cancel);
    item.appendChild(head);
    item.appendChild(bar);
    item.appendChild(state);
    item.appendChild(buttons);
    list.appendChild(item);

    var running = false;
    var samples = [];  // [time ms, bytes] over the last seconds, for speed and time left

    function setState(text, kind) {
      state.textContent = text;
      item.setAttribute("data-state", kind || "");
    }

    var upload = new window.tus.Upload(file, {
      endpoint: root.getAttribute("data-endpoint"),
      chunkSize: parseInt(root.getAttribute("data-chunk-size"), 10) || Infinity,
      retryDelays: [0, 1000, 3000, 5000, 10000, 20000, 30000, 60000, 60000, 60000, 60000],
      removeFingerprintOnSuccess: true,
      headers: { "X-CSRFToken": root.getAttribute("data-csrf") },
      metadata: { filename: file.name, filetype: file.type || "application/octet-stream" },
      onProgress: function (sent, total) {
        var now = Date.now();
        samples.push([now, sent]);
        while (samples.length > 2 && now - samples[0][0] > 8000) samples.shift();
        var pct = total ? Math.floor((sent / total) * 100) : 0;
        bar.value = pct;
        var text = msg("uploading") + " " + pct + " % · " + formatBytes(sent) + " / " + formatBytes(total);
        var first = samples[0];
        var elapsed = (now - first[0]) / 1000;
        if (elapsed > 0.5 && sent > first[1]) {
          var speed = (sent - first[1]) / elapsed;
          text += " · " + formatBytes(speed) + "/s · " +
            msg("left").replace("{time}", formatDuration((total - sent) / speed));
        }
        setState(text, "uploading");
      },
      onShouldRetry: function (err, attempt, options) {
        var status = err.originalResponse ? err.originalResponse.getStatus() : 0;
        if (status >= 400 && status < 500 && status !== 409 && status !== 423) return false;
        setState(msg("retrying"), "retrying");
        return true;
      },
      onChunkComplete: function (chunk, sent, total) {
        if (sent === total) setState(msg("processing"), "processing");
      },
      onSuccess: function (payload) {
        running = false;
        bar.value = 100;
        var editUrl = null;
        var res = payload && payload.lastResponse;
        if (res) editUrl = res.getHeader("Rushes-Edit-Url");
        setState(msg("done"), "done");
        buttons.textContent = "";
        if (editUrl) {
          var link = el("a", "button button-small button-accent", msg("edit"));
          link.href = editUrl;
          buttons.appendChild(link);
        }
      },
      onError: function (err) {
        running = false;
        var res = err && err.originalResponse;
        var status = res ? res.getStatus() : 0;
        var text = errorMessage(err);
        if (!res || status >= 500 || status === 0) {
          // Still a network problem after every retry: let the user resume later.
          pause.textContent = msg("resume");
          setState(msg("failed") + " — " + text, "error");
          return;
        }
        setState(text, "error");
        bar.value = 0;
        buttons.textContent = "";
      },
    });

    function start() {
      running = true;
      samples = [];
      pause.textContent = msg("pause");
      setState(msg("uploading"), "uploading");
      upload.findPreviousUploads().then(function (previous) {
        if (previous.length) upload.resumeFromPreviousUpload(previous[0]);
        upload.start();
      });
    }

    pause.addEventListener("click", function () {
      if (running) {
        running = false;
        upload.abort();
        pause.textContent = msg("resume");
        setState(msg("paused") + " · " + bar.value + " %", "paused");
      } else {
        start();
      }
    });
    cancel.addEventListener("click", function () {
      running = false;
      upload.abort(true).catch(function () { /* already gone */ });
      setState(msg("cancelled"), "cancelled");
      buttons.textContent = "";
    });
    window.addEventListener("online", function () {
      if (item.getAttribute("data-state") === "error" && pause.textContent === msg("resume")) start();
    });
    start();
  }

  function addFiles(files) {
    Array.prototype.forEach.call(files, addFile);
  }

  input.addEventListener("change", function () {
    addFiles(input.files);
    input.value = "";
  });
  ["dragenter", "dragover"].forEach(function (type) {
    zone.addEventListener(type, function (e) {
      e.preventDefault();
      zone.classList.add("dragging");
    });
  });
  ["dragleave", "drop"].forEach(function (type) {
    zone.addEventListener(type, function (e) {
      e.preventDefault();
      zone.classList.remove("dragging");
    });
  });
  zone.addEventListener("drop", function (e) {
    if (e.dataTransfer && e.dataTransfer.files) addFiles(e.dataTransfer.files);
  });
})();
