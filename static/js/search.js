/* Listing and search page: on a small screen the filter panel starts closed, so that the
   results are in view after a search (templates/library/_library_body.html opens it when
   filters are in use). It stays open when a filter needs correcting. */
(function () {
  "use strict";

  var panel = document.querySelector("details.search-filters[open]");
  if (!panel || !window.matchMedia) return;
  if (panel.querySelector('[aria-invalid="true"]')) return;
  if (window.matchMedia("(max-width: 560px)").matches) panel.open = false;
})();
