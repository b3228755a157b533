/* Admin edit page: "Add a shot here" starts a shot-list line with the master's timecode
 * of the frame on the player (shot lists are kept in the master's timecode). */
(function () {
  "use strict";
  var video = document.getElementById("shot-player");
  if (!video || !window.RushesTimecode) return;
  var clock = window.RushesTimecode.create({
    fpsNum: video.dataset.fpsNum,
    fpsDen: video.dataset.fpsDen,
    start: video.dataset.start,
  });
  var frames = Number(video.dataset.frames) || 0;
  var output = document.getElementById("shot-timecode");

  function currentFrame() {
    var frame = clock.frameAt(video.currentTime || 0);
    return frames ? Math.min(frame, frames - 1) : frame;
  }

  function show() {
    output.textContent = clock.format(currentFrame());
  }
  video.addEventListener("timeupdate", show);
  video.addEventListener("seeked", show);

  document.querySelectorAll(".add-shot").forEach(function (button) {
    button.addEventListener("click", function () {
      var area = document.getElementById(button.dataset.target);
      var text = area.value.replace(/\s+$/, "");
      var line = clock.format(currentFrame()) + " ";
      area.value = (text ? text + "\n" : "") + line;
      area.focus();
      area.setSelectionRange(area.value.length, area.value.length);
      area.dispatchEvent(new Event("input", { bubbles: true }));
    });
  });
})();
