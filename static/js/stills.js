/* Still buttons (templates/stills/_buttons.html): point the PNG and JPEG links at the
 * frame on the player. The frame on screen is floor(time * fps + 1e-6), as the clip
 * editor counts it (static/js/clip-editor.js, static/js/timecode.js frameAt); the
 * rate comes from the section's data attributes. The link is set when the player moves
 * and again just before it is followed, so a click always gets the frame on screen.
 */
(function () {
  "use strict";

  function init() {
  var box = document.querySelector("[data-stills]");
  if (!box) return;
  var data = box.dataset;
  var num = parseInt(data.fpsNum, 10) || 25;
  var den = parseInt(data.fpsDen, 10) || 1;
  var total = parseInt(data.frames, 10) || 0;
  var links = Array.prototype.slice.call(box.querySelectorAll("[data-still]"));
  var now = box.querySelector("[data-stills-now]");
  var player = document.querySelector("[data-clip-player]") ||
    document.querySelector(".player video, video");
  var tc = window.RushesTimecode ?
    window.RushesTimecode.create({ fpsNum: num, fpsDen: den, start: data.startTc, frames: total }) :
    null;
  if (!player || !links.length) return;

  function currentFrame() {
    var seconds = player.currentTime || 0;
    var frame = tc ? tc.frameAt(seconds) : Math.floor((seconds * num) / den + 1e-6);
    return Math.max(0, Math.min(frame, Math.max(0, total - 1)));
  }

  function update() {
    var frame = currentFrame();
    links.forEach(function (link) {
      var pattern = link.dataset.still === "jpg" ? data.jpgUrl : data.pngUrl;
      link.href = pattern.replace("{frame}", String(frame));
    });
    // The "add to basket" forms take the same frame.
    Array.prototype.forEach.call(document.querySelectorAll("form[data-basket-still] [name=frame]"),
      function (input) { input.value = String(frame); });
    if (now && tc) now.textContent = tc.format(frame);
    box.dataset.frame = String(frame);
  }

  ["timeupdate", "seeked", "loadedmetadata", "pause"].forEach(function (name) {
    player.addEventListener(name, update);
  });
  links.forEach(function (link) {
    link.addEventListener("click", update);
  });
  Array.prototype.forEach.call(document.querySelectorAll("form[data-basket-still]"),
    function (form) { form.addEventListener("submit", update); });
  update();
  }

  // timecode.js may be deferred after this file: start once every deferred script ran
  // (DOMContentLoaded comes after them; "load" in case this file came later still).
  var started = false;
  function start() {
    if (started) return;
    started = true;
    init();
  }
  if (document.readyState === "complete") start();
  else {
    document.addEventListener("DOMContentLoaded", start);
    window.addEventListener("load", start);
  }
})();
