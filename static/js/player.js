/* Video page: shot-list seeking. The player has one timeline, the browser's own (with
   its play, volume and full-screen controls); the clip editor has the thumbnail strip.
   No inline script (CSP): loaded with defer from templates/library/video.html. */
(function () {
  "use strict";

  var video = document.getElementById("player");
  if (!video) return;

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
