/* The basket page's download box (templates/basket/basket.html): while clips are being
 * cut, poll the basket's status every 250 ms (as the clip editor polls a clip) and move
 * one progress bar; show the ZIP link once every clip is ready. Without JavaScript the
 * page shows the state as of its loading: reloading it shows the link when ready.
 */
(function () {
  "use strict";

  function init() {
    var box = document.querySelector("[data-basket-download]");
    if (!box) return;
    var bar = box.querySelector("[data-basket-progress]");
    var message = box.querySelector("[data-basket-message]");
    var link = box.querySelector("[data-basket-zip]");
    var prepare = box.querySelector("[data-basket-prepare]");
    if (!link || !bar || bar.hidden) return;

    function say(text) {
      if (message && message.textContent !== text) message.textContent = text;
    }

    function show(s) {
      bar.value = s.progress;
      if (s.ready) {
        bar.hidden = true;
        link.hidden = false;
        if (prepare) prepare.hidden = true;
        say(box.dataset.msgReady);
        return true;
      }
      if (s.clips_failed) {
        say(box.dataset.msgFailed);
        return true;
      }
      say(box.dataset.msgCutting.replace("{done}", s.clips_done).replace("{total}", s.clips));
      return false;
    }

    function poll() {
      fetch(box.dataset.statusUrl, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (s) {
          if (s.missing) return;  // not prepared yet: the button asks for the cuts
          if (!show(s)) window.setTimeout(poll, 250);
        })
        .catch(function () { say(box.dataset.msgNetwork); });
    }
    poll();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
