// Newsletter compose page: filter the featured-video list as you type.
// Without JavaScript the "Search" button asks the server for the same filtering.
(function () {
  "use strict";
  var input = document.getElementById("nl-video-search");
  var list = document.getElementById("nl-video-list");
  var status = document.getElementById("nl-search-status");
  if (!input || !list) return;
  var items = Array.prototype.slice.call(list.querySelectorAll("li"));
  var template = status ? status.getAttribute("data-template") : null;

  function normalise(text) {
    return (text || "").toLowerCase().normalize("NFD").replace(/[\u0300-\u036f]/g, "");
  }

  function filter() {
    var words = normalise(input.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    items.forEach(function (item) {
      var box = item.querySelector("input[type=checkbox]");
      var hay = normalise(item.getAttribute("data-search"));
      var match = words.every(function (w) { return hay.indexOf(w) !== -1; });
      // A ticked video always stays visible, so it cannot be lost from sight.
      var visible = match || (box && box.checked);
      item.hidden = !visible;
      if (visible) shown += 1;
    });
    if (status && template) status.textContent = template.replace("%d", String(shown));
  }

  input.addEventListener("input", filter);
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault(); // filter here instead of submitting the whole form
      filter();
    }
  });
  var button = document.getElementById("nl-search-button");
  if (button) button.hidden = true;
  filter();
})();
