/* Video page: thumbnail preview over a scrub bar (WebVTT sprite) and shot-list seeking.
   No inline script (CSP): loaded with defer from templates/library/video.html. */
(function () {
  "use strict";

  var video = document.getElementById("player");
  if (!video) return;

  function formatTime(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    var h = Math.floor(seconds / 3600);
    var m = Math.floor((seconds % 3600) / 60);
    var s = seconds % 60;
    var mm = (h ? String(m).padStart(2, "0") : String(m));
    return (h ? h + ":" : "") + mm + ":" + String(s).padStart(2, "0");
  }

  function parseVttTime(text) {
    var parts = text.trim().split(":");
    var seconds = 0;
    for (var i = 0; i < parts.length; i++) seconds = seconds * 60 + parseFloat(parts[i]);
    return seconds;
  }

  /* "WEBVTT\n\n00:00.000 --> 00:02.000\nthumbs.jpg#xywh=0,0,160,90" -> cues */
  function parseVtt(text, baseUrl) {
    var cues = [];
    var blocks = text.replace(/\r/g, "").split(/\n\n+/);
    blocks.forEach(function (block) {
      var lines = block.split("\n");
      for (var i = 0; i < lines.length; i++) {
        var match = lines[i].match(/^\s*([\d:.]+)\s+-->\s+([\d:.]+)/);
        if (!match || i + 1 >= lines.length) continue;
        var target = lines[i + 1].trim();
        var hash = target.indexOf("#xywh=");
        var url = hash >= 0 ? target.slice(0, hash) : target;
        var xywh = hash >= 0 ? target.slice(hash + 6).split(",").map(Number) : null;
        cues.push({
          start: parseVttTime(match[1]),
          end: parseVttTime(match[2]),
          url: new URL(url, baseUrl).href,
          xywh: xywh
        });
        break;
      }
    });
    return cues;
  }

  function cueAt(cues, time) {
    for (var i = 0; i < cues.length; i++) {
      if (time >= cues[i].start && time < cues[i].end) return cues[i];
    }
    return cues.length ? cues[cues.length - 1] : null;
  }

  /* ---------------------------------------------------------------- scrub bar */
  var scrub = document.querySelector("[data-scrub]");
  var range = document.querySelector("[data-scrub-range]");
  var preview = document.querySelector("[data-scrub-preview]");
  var thumb = document.querySelector("[data-scrub-thumb]");
  var label = document.querySelector("[data-scrub-time]");
  var cues = [];
  var dragging = false;

  function duration() {
    return isFinite(video.duration) && video.duration > 0 ? video.duration : parseFloat(range.max) || 0;
  }

  function showPreview(time, fraction) {
    if (!preview) return;
    label.textContent = formatTime(time);
    var cue = cueAt(cues, time);
    if (cue && cue.xywh) {
      thumb.hidden = false;
      thumb.style.backgroundImage = "url(\"" + cue.url + "\")";
      thumb.style.backgroundPosition = (-cue.xywh[0]) + "px " + (-cue.xywh[1]) + "px";
      thumb.style.width = cue.xywh[2] + "px";
      thumb.style.height = cue.xywh[3] + "px";
    } else {
      thumb.hidden = true;
    }
    preview.hidden = false;
    var barWidth = range.getBoundingClientRect().width;
    var boxWidth = preview.getBoundingClientRect().width;
    var left = Math.min(Math.max(fraction * barWidth - boxWidth / 2, 0), Math.max(barWidth - boxWidth, 0));
    preview.style.left = left + "px";
  }

  function hidePreview() {
    if (preview && !dragging) preview.hidden = true;
  }

  if (scrub && range) {
    scrub.hidden = false;
    range.setAttribute("aria-valuetext", formatTime(0));
    video.addEventListener("loadedmetadata", function () { range.max = duration(); });
    video.addEventListener("timeupdate", function () {
      if (!dragging) range.value = video.currentTime;
      range.setAttribute("aria-valuetext", formatTime(video.currentTime));
    });
    range.addEventListener("input", function () {
      video.currentTime = parseFloat(range.value);
      var fraction = duration() ? parseFloat(range.value) / duration() : 0;
      showPreview(parseFloat(range.value), fraction);
    });
    range.addEventListener("pointerdown", function () { dragging = true; });
    document.addEventListener("pointerup", function () { dragging = false; hidePreview(); });
    range.addEventListener("pointermove", function (event) {
      var rect = range.getBoundingClientRect();
      var fraction = Math.min(Math.max((event.clientX - rect.left) / rect.width, 0), 1);
      showPreview(fraction * duration(), fraction);
    });
    range.addEventListener("pointerleave", hidePreview);
    range.addEventListener("blur", hidePreview);

    var vttUrl = video.getAttribute("data-thumbs-vtt");
    if (vttUrl) {
      fetch(vttUrl, { credentials: "same-origin" })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (text) { cues = parseVtt(text, new URL(vttUrl, document.baseURI).href); })
        .catch(function () { cues = []; });
    }
  }

  /* ---------------------------------------------------------------- shot list */
  document.querySelectorAll("[data-seek]").forEach(function (button) {
    button.addEventListener("click", function () {
      var seconds = parseFloat(button.getAttribute("data-seek"));
      if (!isFinite(seconds)) return;
      video.currentTime = seconds;
      document.querySelectorAll(".shot.is-current").forEach(function (li) { li.classList.remove("is-current"); });
      var item = button.closest(".shot");
      if (item) item.classList.add("is-current");
      var rect = video.getBoundingClientRect();
      if (rect.top < 0 || rect.bottom > window.innerHeight) {
        video.scrollIntoView({ behavior: "smooth", block: "center" });
      }
    });
  });
})();
