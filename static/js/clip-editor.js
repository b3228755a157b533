/* Clip editor (issue 5): pick in/out points on the player and download a clip of the
 * master. Markup: templates/library/_clip_editor.html. Timecode maths: timecode.js.
 *
 * Frames, not floating seconds: the selection is kept as frame indexes of the master
 * (in inclusive, out exclusive, as the API and the ?in=&out= link take them). What people
 * mark, type and see as the out point is the LAST frame of the clip, included (as in Avid
 * or Premiere): shown out = outFrame - 1, duration = out - in + 1 frames. The player plays the web proxy, which keeps the
 * master's frame rate; to show frame f we seek to the middle of it, (f + 0.5) / fps,
 * and the frame on screen is floor(time * fps + 1e-6) (requestVideoFrameCallback gives
 * the exact presentation time where the browser has it).
 */
(function () {
  "use strict";

  var editor = document.querySelector("[data-clip-editor]");
  if (!editor || !window.RushesTimecode) return;

  var $ = function (sel, root) { return (root || editor).querySelector(sel); };
  var $$ = function (sel, root) { return Array.prototype.slice.call((root || editor).querySelectorAll(sel)); };
  var data = editor.dataset;
  var lang = data.lang || document.documentElement.lang || "fr";
  var tc = window.RushesTimecode.create({
    fpsNum: data.fpsNum, fpsDen: data.fpsDen, start: data.startTc, frames: data.frames,
  });
  var total = tc.frames;
  var msg = function (key) { return data["msg" + key.charAt(0).toUpperCase() + key.slice(1)] || ""; };

  var form = $("[data-clip-form]");
  var list = $("[data-clip-list]");
  var recent = $("[data-clip-recent]");
  var template = $("[data-clip-item-template]");
  var message = $("[data-clip-message]");
  var polling = {};

  // ------------------------------------------------------------ recent clips (no player needed)

  function plural(key, n) {
    var one = new Intl.PluralRules(lang).select(n) === "one";
    return msg(one ? key : key + "s").replace("{n}", n.toLocaleString(lang));
  }

  function field(item, name) { return item.querySelector('[data-field="' + name + '"]'); }

  /* Text is replaced only when it changes: a poll every 250 ms must not make screen
   * readers read the list again. */
  function setText(el, text) {
    if (el && el.textContent !== text) el.textContent = text;
  }

  function percent(value) {
    return Math.round(100 * (value || 0)).toLocaleString(lang) + "\u00a0%";
  }

  function renderItem(item, s) {
    item.dataset.id = s.id;
    item.dataset.status = s.status;
    item.dataset.statusUrl = s.status_url;
    // The out point shown is the last frame of the clip (the API's out is exclusive).
    var last = typeof s.out_frame === "number" ? tc.format(s.out_frame - 1) : s.tc_out;
    setText(field(item, "range"), s.tc_in + " → " + last);
    setText(field(item, "duration"), s.duration_tc + " · " + plural("frame", s.frames));
    setText(field(item, "state"), msg(s.status));
    var done = s.status === "done";
    var progress = field(item, "progress");
    progress.value = done ? 1 : s.progress || 0;
    progress.setAttribute("aria-valuetext", msg(s.status) + " " + percent(progress.value));
    progress.hidden = done || s.status === "failed";
    var error = field(item, "error");
    setText(error, s.error || "");
    error.hidden = !s.error;
    var link = field(item, "download");
    if (done && s.download_url) {
      link.href = s.download_url;
      if (s.filename) link.setAttribute("download", s.filename);
      setText(field(item, "size"), s.size_text ? " · " + s.size_text : "");
      link.hidden = false;
    } else {
      // Nothing to click until the file is there: no target, and not shown.
      link.removeAttribute("href");
      link.removeAttribute("download");
      link.hidden = true;
    }
    renderCaptions(field(item, "captions"), done ? s.captions || [] : []);
    var audio = field(item, "audio");
    if (audio) {
      var names = s.audio_names || [];
      setText(audio.querySelector("[data-audio-names]"), names.join(" · "));
      audio.hidden = names.length === 0;
    }
  }

  /* "Captions of the clip: Français (.vtt, .srt) · English (.vtt, .srt)" */
  function renderCaptions(box, captions) {
    if (!box) return;
    var key = JSON.stringify(captions);
    if (box.dataset.shown === key) return; // polled: rebuild only on a change
    box.dataset.shown = key;
    var files = box.querySelector("[data-captions-files]");
    files.textContent = "";
    captions.forEach(function (c, i) {
      if (i) files.appendChild(document.createTextNode(" · "));
      var name = document.createElement("span");
      name.lang = c.lang;
      name.textContent = c.label;
      files.appendChild(name);
      files.appendChild(document.createTextNode(" ("));
      [["vtt_url", ".vtt"], ["srt_url", ".srt"]].forEach(function (kind, k) {
        if (k) files.appendChild(document.createTextNode(", "));
        var a = document.createElement("a");
        a.href = c[kind[0]];
        a.setAttribute("download", "");
        a.textContent = kind[1];
        files.appendChild(a);
      });
      files.appendChild(document.createTextNode(")"));
    });
    box.hidden = captions.length === 0;
  }

  function itemFor(id) {
    return list ? list.querySelector('[data-clip-item][data-id="' + id + '"]') : null;
  }

  function addItem(s) {
    var item = itemFor(s.id);
    if (!item) {
      item = template.content.firstElementChild.cloneNode(true);
    }
    list.insertBefore(item, list.firstElementChild); // most recent first
    recent.hidden = false;
    renderItem(item, s);
    return item;
  }

  /* Poll a queued or running clip every POLL_MS, so that the download button shows at
   * most POLL_MS (plus one request) after the cut ends; after a minute of waiting (a long
   * cut, a busy queue) the interval grows to 3 s. Network errors back off further. */
  var POLL_MS = 250;
  var POLL_PATIENT_MS = 60000;

  function nextDelay(started, delay) {
    if (Date.now() - started < POLL_PATIENT_MS) return POLL_MS;
    return Math.min(Math.max(delay, POLL_MS) * 1.3, 3000);
  }

  function announceProgress(item, s, was) {
    if (!item.dataset.announce) return;
    if (s.status !== was && (s.status === "running" || s.status === "queued")) {
      item.dataset.spoken = "0";
      say(msg(s.status));
      return;
    }
    if (s.status !== "running") return;
    // Every quarter of the cut, not every poll.
    var quarter = Math.floor(4 * (s.progress || 0));
    if (quarter > +(item.dataset.spoken || 0) && quarter < 4) {
      item.dataset.spoken = String(quarter);
      say(msg("running") + " " + percent(quarter / 4));
    }
  }

  function poll(item) {
    var url = item.dataset.statusUrl;
    if (!url || polling[url]) return;
    polling[url] = true;
    var started = Date.now();
    var delay = POLL_MS;
    var tick = function () {
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (s) {
          var was = item.dataset.status;
          renderItem(item, s);
          if (s.status === "done" || s.status === "failed") {
            delete polling[url];
            if (was !== s.status && item.dataset.announce) {
              say(s.status === "done" ? msg("ready") : (s.error || msg("failed")));
              var link = field(item, "download");
              if (s.status === "done" && link && item.dataset.announce === "focus") link.focus();
            }
            return;
          }
          announceProgress(item, s, was);
          delay = nextDelay(started, delay);
          setTimeout(tick, delay);
        })
        .catch(function () {
          delay = Math.min(Math.max(delay, 1000) * 2, 10000);
          setTimeout(tick, delay);
        });
    };
    setTimeout(tick, POLL_MS);
  }

  function say(text) {
    if (!message) return;
    message.textContent = "";
    // A fresh text node is announced even when the text repeats.
    window.setTimeout(function () { message.textContent = text; }, 30);
  }

  if (list) {
    $$("[data-clip-item]", list).forEach(function (item) {
      if (item.dataset.status !== "done" && item.dataset.status !== "failed") {
        item.dataset.announce = "say"; // still being cut after a reload: say when it is ready
        poll(item);
      }
    });
  }

  if (!form) return; // the video is not ready: only the list

  // ------------------------------------------------------------ the player

  var player = document.querySelector("[data-clip-player]") ||
    document.querySelector(".video-player video, video");
  var inField = $("[data-clip-in]");
  var outField = $("[data-clip-out]");
  var durationOut = $("[data-clip-duration]");
  var nowOut = $("[data-clip-now]");
  var timeline = $("[data-clip-timeline]");
  var strip = $("[data-clip-strip]");
  var rangeBar = $("[data-clip-range]");
  var playhead = $("[data-clip-playhead]");
  var handleIn = $('[data-clip-handle="in"]');
  var handleOut = $('[data-clip-handle="out"]');

  var state = { inFrame: 0, outFrame: total, current: 0, stopAt: null };

  function clamp(v, lo, hi) { return Math.max(lo, Math.min(hi, v)); }

  function currentFrame() {
    if (!player) return state.current;
    return clamp(tc.frameAt(player.currentTime || 0), 0, Math.max(0, total - 1));
  }

  function showFrame(frame) {
    frame = clamp(frame, 0, Math.max(0, total - 1));
    state.current = frame;
    if (player) {
      try { player.pause(); } catch (e) { /* not loaded yet */ }
      player.currentTime = tc.seekTime(frame);
    }
    renderPlayhead();
  }

  function renderPlayhead() {
    if (nowOut) nowOut.textContent = tc.format(state.current);
    if (playhead && total) playhead.style.left = (100 * state.current / total) + "%";
  }

  function render(options) {
    options = options || {};
    var a = state.inFrame, b = state.outFrame;
    if (!options.keepIn) { inField.value = tc.format(a); inField.removeAttribute("aria-invalid"); }
    if (!options.keepOut) { outField.value = tc.format(b - 1); outField.removeAttribute("aria-invalid"); }
    durationOut.textContent = tc.duration(b - a) + " · " + plural("frame", b - a);
    if (total) {
      handleIn.style.left = (100 * a / total) + "%";
      handleOut.style.left = (100 * b / total) + "%";
      rangeBar.style.left = (100 * a / total) + "%";
      rangeBar.style.width = (100 * (b - a) / total) + "%";
    }
    handleIn.setAttribute("aria-valuenow", a);
    handleIn.setAttribute("aria-valuemax", b - 1);
    handleIn.setAttribute("aria-valuetext", tc.format(a));
    // The out handle's value is the last frame of the clip, as the field shows it.
    handleOut.setAttribute("aria-valuenow", b - 1);
    handleOut.setAttribute("aria-valuemin", a);
    handleOut.setAttribute("aria-valuemax", total - 1);
    handleOut.setAttribute("aria-valuetext", tc.format(b - 1));
  }

  /* In point at `frame`: an in point at or after the out point moves the out to the end. */
  function setIn(frame, options) {
    state.inFrame = clamp(frame, 0, total - 1);
    if (state.outFrame <= state.inFrame) state.outFrame = total;
    render(options);
  }

  /* Out point marked at `frame`, the last frame of the clip (included): the selection
   * ends after it. One before the in point moves the in to the start. */
  function setOut(frame, options) {
    state.outFrame = clamp(frame, 0, total - 1) + 1;
    if (state.inFrame >= state.outFrame) state.inFrame = 0;
    render(options);
  }

  function step(delta) {
    showFrame(currentFrame() + delta);
  }

  function playRange() {
    if (!player) return;
    state.stopAt = state.outFrame - 1; // the last frame of the clip
    player.currentTime = tc.seekTime(state.inFrame);
    var p = player.play();
    if (p && p.catch) p.catch(function () { state.stopAt = null; });
  }

  function onFrame(frame) {
    state.current = clamp(frame, 0, Math.max(0, total - 1));
    renderPlayhead();
    if (state.stopAt !== null && !player.paused && frame >= state.stopAt) {
      var last = state.stopAt;
      state.stopAt = null;
      player.pause();
      player.currentTime = tc.seekTime(last);
    }
  }

  if (player) {
    if ("requestVideoFrameCallback" in HTMLVideoElement.prototype) {
      var watch = function (now, meta) {
        onFrame(tc.frameAt(meta.mediaTime));
        player.requestVideoFrameCallback(watch);
      };
      player.requestVideoFrameCallback(watch);
    }
    ["timeupdate", "seeked", "loadedmetadata"].forEach(function (name) {
      player.addEventListener(name, function () { onFrame(currentFrame()); });
    });
    player.addEventListener("pause", function () { state.stopAt = null; });
  }

  // ------------------------------------------------------------ fields

  /* A typed timecode: a frame of the master (the out point is its last frame, included). */
  function readField(input, setter) {
    var frame = tc.parse(input.value);
    if (frame === null || frame < 0 || frame >= total) {
      input.setAttribute("aria-invalid", "true");
      say(msg("badTc"));
      return false;
    }
    input.removeAttribute("aria-invalid");
    setter(frame, {});
    return true;
  }

  [[inField, setIn, "inFrame"], [outField, setOut, "outFrame"]].forEach(function (pair) {
    var input = pair[0], setter = pair[1], key = pair[2];
    input.addEventListener("change", function () {
      if (readField(input, setter)) showFrame(key === "outFrame" ? state.outFrame - 1 : state.inFrame);
    });
    input.addEventListener("keydown", function (e) {
      if (e.key === "Enter") {
        e.preventDefault();
        if (readField(input, setter)) showFrame(key === "outFrame" ? state.outFrame - 1 : state.inFrame);
      }
    });
    input.addEventListener("input", function () {
      var frame = tc.parse(input.value);
      if (frame !== null && frame >= 0 && frame < total) {
        input.removeAttribute("aria-invalid");
        setter(frame, key === "inFrame" ? { keepIn: true } : { keepOut: true });
      }
    });
  });

  // ------------------------------------------------------------ timeline: pointer + keyboard

  function frameAtPointer(event) {
    var box = timeline.getBoundingClientRect();
    var x = clamp((event.clientX - box.left) / Math.max(1, box.width), 0, 1);
    return Math.round(x * total);
  }

  [handleIn, handleOut].forEach(function (handle) {
    var isIn = handle === handleIn;
    handle.addEventListener("pointerdown", function (e) {
      e.preventDefault();
      e.stopPropagation();
      handle.setPointerCapture(e.pointerId);
      handle.classList.add("dragging");
      handle.focus();
    });
    handle.addEventListener("pointermove", function (e) {
      if (!handle.hasPointerCapture(e.pointerId)) return;
      var f = frameAtPointer(e);
      if (isIn) {
        state.inFrame = clamp(f, 0, state.outFrame - 1);
        render();
        showFrame(state.inFrame);
      } else {
        state.outFrame = clamp(f, state.inFrame + 1, total);
        render();
        showFrame(state.outFrame - 1);
      }
    });
    var release = function (e) {
      if (handle.hasPointerCapture(e.pointerId)) handle.releasePointerCapture(e.pointerId);
      handle.classList.remove("dragging");
    };
    handle.addEventListener("pointerup", release);
    handle.addEventListener("pointercancel", release);
    handle.addEventListener("keydown", function (e) {
      var big = Math.max(1, tc.framesPerSecond);
      var delta = { ArrowLeft: -1, ArrowDown: -1, ArrowRight: 1, ArrowUp: 1, PageDown: -10 * big, PageUp: 10 * big }[e.key];
      if (delta !== undefined && e.shiftKey && Math.abs(delta) === 1) delta *= big;
      // The out handle moves the last frame of the clip (outFrame - 1).
      var value = isIn ? state.inFrame : state.outFrame - 1;
      if (delta !== undefined) value += delta;
      else if (e.key === "Home") value = isIn ? 0 : state.inFrame;
      else if (e.key === "End") value = isIn ? state.outFrame - 1 : total - 1;
      else return;
      e.preventDefault();
      e.stopPropagation();
      if (isIn) {
        state.inFrame = clamp(value, 0, state.outFrame - 1);
        render();
        showFrame(state.inFrame);
      } else {
        state.outFrame = clamp(value, state.inFrame, total - 1) + 1;
        render();
        showFrame(state.outFrame - 1);
      }
    });
  });

  timeline.addEventListener("pointerdown", function (e) {
    if (e.target.closest("[data-clip-handle]")) return;
    showFrame(Math.min(frameAtPointer(e), total - 1));
  });

  // ------------------------------------------------------------ buttons and keys

  var actions = {
    "set-in": function () { setIn(currentFrame()); },
    "set-out": function () { setOut(currentFrame()); },
    "step-back": function (e) { step(e && e.shiftKey ? -tc.framesPerSecond : -1); },
    "step-forward": function (e) { step(e && e.shiftKey ? tc.framesPerSecond : 1); },
    "go-in": function () { showFrame(state.inFrame); },
    "go-out": function () { showFrame(state.outFrame - 1); }, // the last frame of the clip
    "play-range": playRange,
    clear: function () { state.inFrame = 0; state.outFrame = total; render(); say(""); },
    "copy-link": copyLink,
  };

  editor.addEventListener("click", function (e) {
    var button = e.target.closest("button[data-action]");
    if (!button || !actions[button.dataset.action]) return;
    e.preventDefault();
    actions[button.dataset.action](e);
  });

  function typing(target) {
    if (!target || !target.closest) return false;
    return !!target.closest("input, textarea, select, [contenteditable], [role=slider]");
  }

  document.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey || typing(e.target)) return;
    var key = e.key;
    if (key === "i" || key === "I") actions["set-in"]();
    else if (key === "o" || key === "O") actions["set-out"]();
    else if (key === "ArrowLeft") step(e.shiftKey ? -tc.framesPerSecond : -1);
    else if (key === "ArrowRight") step(e.shiftKey ? tc.framesPerSecond : 1);
    else return;
    e.preventDefault();
    e.stopPropagation(); // the native player would seek by seconds
  }, true);

  // ------------------------------------------------------------ shot list: « use this shot »

  /* Shot lines carry their timecode in data-tc (library/video.html); a line without it
   * is read from its .shot-tc text. */
  function shotLines() {
    var lines = Array.prototype.slice.call(document.querySelectorAll("[data-tc]"));
    if (!lines.length) {
      lines = Array.prototype.slice.call(document.querySelectorAll("[data-shot-list] > li"));
    }
    return lines.filter(function (el) { return !editor.contains(el); });
  }

  function shotTimecode(el) {
    if (el.hasAttribute("data-tc")) return el.getAttribute("data-tc");
    var label = el.querySelector(".shot-tc");
    return label ? label.textContent : "";
  }

  /* A master timecode (10:00:05:00), else a time from the start (00:00:05:00). */
  function shotFrame(text) {
    text = String(text || "").trim();
    if (/^\d{1,2}:\d{1,2}:\d{1,2}$/.test(text)) text += ":00";
    var f = tc.parse(text);
    if (f !== null && f >= 0 && f < total) return f;
    f = tc.parseOffset(text);
    if (f !== null && f >= 0 && f < total) return f;
    return null;
  }

  function addShotButtons() {
    var lines = shotLines();
    var frames = lines.map(function (el) { return shotFrame(shotTimecode(el)); });
    lines.forEach(function (el, i) {
      var start = frames[i];
      if (start === null || el.querySelector("[data-use-shot]")) return;
      var end = total;
      for (var j = i + 1; j < frames.length; j++) {
        if (frames[j] !== null && frames[j] > start) { end = frames[j]; break; }
      }
      var b = document.createElement("button");
      b.type = "button";
      b.className = "button button-small button-secondary use-shot";
      b.setAttribute("data-use-shot", "");
      b.textContent = msg("useShot");
      var range = tc.format(start) + " → " + tc.format(end - 1); // out: the shot's last frame
      b.setAttribute("aria-label", msg("useShotLabel").replace("{tc}", range));
      b.addEventListener("click", function () {
        state.inFrame = start;
        state.outFrame = end;
        render();
        showFrame(start);
        say(msg("shotSet") + " " + range);
      });
      el.appendChild(document.createTextNode(" "));
      el.appendChild(b);
    });
  }

  // ------------------------------------------------------------ copy link

  /* The link keeps the API's convention: out is the first frame after the clip. */
  function selectionUrl() {
    var url = new URL(window.location.href);
    url.hash = "";
    url.searchParams.set("in", tc.format(state.inFrame));
    url.searchParams.set("out", tc.format(state.outFrame));
    return url.toString();
  }

  function copyLink() {
    var url = selectionUrl();
    var box = $("[data-clip-link-box]");
    var input = $("[data-clip-link]");
    input.value = url;
    var fallback = function () {
      box.hidden = false;
      input.focus();
      input.select();
      say(msg("copyFailed"));
    };
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(url).then(function () {
        box.hidden = false;
        say(msg("copied"));
      }, fallback);
    } else {
      fallback();
    }
  }

  function readUrl() {
    var params = new URLSearchParams(window.location.search);
    var a = params.get("in"), b = params.get("out");
    var fa = a ? tc.parse(a) : null, fb = b ? tc.parse(b) : null;
    if (fa !== null && fa >= 0 && fa < total) state.inFrame = fa;
    if (fb !== null && fb > state.inFrame && fb <= total) state.outFrame = fb;
    if (state.outFrame <= state.inFrame) state.outFrame = total;
    return fa !== null;
  }

  // ------------------------------------------------------------ download this clip

  // The audio tracks checked (templates/clips/_editor.html lists them when the master
  // has more than one); null when there is no choice to make.
  function audioKeys() {
    var boxes = $$('[data-clip-audio] input[name="audio"]');
    if (!boxes.length) return null;
    return boxes.filter(function (b) { return b.checked; }).map(function (b) { return b.value; });
  }

  var submitting = false;
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    if (submitting) return;
    // What is typed counts, even without a change event.
    if (!readField(inField, setIn) || !readField(outField, setOut)) return;
    var audio = audioKeys();
    if (audio && !audio.length) {
      say(msg("noAudio"));
      return;
    }
    var body = { in_frame: state.inFrame, out_frame: state.outFrame };
    if (audio) body.audio = audio;
    submitting = true;
    var button = $('[data-action="download"]');
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    fetch(data.createUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": data.csrf,
      },
      body: JSON.stringify(body),
    })
      .then(function (r) {
        return r.json().then(function (body) { return { ok: r.ok, body: body }; },
          function () { return { ok: false, body: {} }; });
      })
      .then(function (res) {
        if (!res.ok) {
          say(res.body.error || msg("network"));
          return;
        }
        var s = res.body;
        var item = addItem(s);
        item.dataset.announce = "focus";
        if (s.status === "done") {
          say(msg("ready"));
          var link = field(item, "download");
          if (link) link.focus();
        } else {
          say(msg("started"));
          poll(item);
        }
      })
      .catch(function () { say(msg("network")); })
      .then(function () {
        submitting = false;
        button.disabled = false;
        button.removeAttribute("aria-busy");
      });
  });

  // ------------------------------------------------------------ add to basket

  // The basket form (templates/basket/_add.html) posts the selection as the clip API
  // takes it: in_frame, and out_frame exclusive.
  var basketForm = $("form[data-basket-clip]");
  if (basketForm) {
    basketForm.addEventListener("submit", function (e) {
      if (!readField(inField, setIn) || !readField(outField, setOut)) {
        e.preventDefault();
        return;
      }
      var audio = audioKeys();
      if (audio && !audio.length) {
        e.preventDefault();
        say(msg("noAudio"));
        return;
      }
      basketForm.querySelector('[name="in_frame"]').value = String(state.inFrame);
      basketForm.querySelector('[name="out_frame"]').value = String(state.outFrame);
      $$('input[name="audio"]', basketForm).forEach(function (old) { old.remove(); });
      (audio || []).forEach(function (key) {
        var input = document.createElement("input");
        input.type = "hidden";
        input.name = "audio";
        input.value = key;
        basketForm.appendChild(input);
      });
    });
  }

  // ------------------------------------------------------------ thumbnail strip

  function vttUrl() {
    if (data.thumbsVtt) return data.thumbsVtt;
    var holder = document.querySelector("[data-thumbs-vtt]");
    if (holder && holder.getAttribute("data-thumbs-vtt")) return holder.getAttribute("data-thumbs-vtt");
    var track = player && player.querySelector('track[kind="metadata"][src]');
    return track ? track.src : null;
  }

  function vttTime(text) {
    var parts = text.trim().split(":").map(parseFloat);
    var s = 0;
    parts.forEach(function (p) { s = s * 60 + p; });
    return s;
  }

  function loadStrip() {
    var url = vttUrl();
    if (!url || !strip) return;
    fetch(url, { credentials: "same-origin" })
      .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
      .then(function (text) {
        var cues = [];
        var blocks = text.replace(/\r/g, "").split(/\n\n+/);
        blocks.forEach(function (block) {
          var lines = block.split("\n");
          for (var i = 0; i < lines.length; i++) {
            var m = /([\d:.]+)\s+-->\s+([\d:.]+)/.exec(lines[i]);
            if (m && lines[i + 1]) {
              var ref = new URL(lines[i + 1].trim(), new URL(url, window.location.href));
              var xywh = /#xywh=(\d+),(\d+),(\d+),(\d+)/.exec(ref.hash);
              ref.hash = "";
              cues.push({
                start: vttTime(m[1]), end: vttTime(m[2]), src: ref.toString(),
                x: xywh ? +xywh[1] : 0, y: xywh ? +xywh[2] : 0,
                w: xywh ? +xywh[3] : 0, h: xywh ? +xywh[4] : 0,
              });
              break;
            }
          }
        });
        drawStrip(cues);
      })
      .catch(function () { /* no strip: the plain timeline still works */ });
  }

  function drawStrip(cues) {
    if (!cues.length) return;
    var duration = tc.seconds(total);
    var height = strip.clientHeight || 48;
    var first = cues[0];
    var tileWidth = first.w && first.h ? Math.round((first.w * height) / first.h) : 80;
    var count = Math.max(1, Math.floor((strip.clientWidth || 600) / tileWidth));
    strip.textContent = "";
    for (var i = 0; i < count; i++) {
      var t = ((i + 0.5) / count) * duration;
      var cue = cues[cues.length - 1];
      for (var j = 0; j < cues.length; j++) {
        if (t >= cues[j].start && t < cues[j].end) { cue = cues[j]; break; }
      }
      var tile = document.createElement("span");
      tile.className = "clip-tile";
      tile.style.backgroundImage = 'url("' + cue.src.replace(/"/g, "%22") + '")';
      tile.cue = cue;
      strip.appendChild(tile);
    }
    // Scale each sprite cell to its tile: the sprite's full size is needed for that.
    var img = new Image();
    img.onload = function () {
      $$(".clip-tile", strip).forEach(function (tile) {
        var cue = tile.cue;
        if (!cue || !cue.w || !cue.h) return;
        var sx = tile.clientWidth / cue.w;
        var sy = tile.clientHeight / cue.h;
        tile.style.backgroundSize = (img.naturalWidth * sx) + "px " + (img.naturalHeight * sy) + "px";
        tile.style.backgroundPosition = (-cue.x * sx) + "px " + (-cue.y * sy) + "px";
      });
    };
    img.src = first.src;
  }

  // ------------------------------------------------------------ start

  var fromUrl = readUrl();
  render();
  addShotButtons();
  loadStrip();
  if (fromUrl) {
    var seekIn = function () { showFrame(state.inFrame); };
    if (player && player.readyState < 1) player.addEventListener("loadedmetadata", seekIn, { once: true });
    else seekIn();
  }
  editor.classList.add("clip-editor-ready");
})();
