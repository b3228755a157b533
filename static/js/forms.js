// A field's error message holds for what was sent: once the user changes the field, the
// message is hidden and the field no longer marked invalid (the server checks again on
// the next submit). Loaded by every page (templates/base.html).
(function () {
  function clear(event) {
    var input = event.target;
    if (!input || !input.getAttribute || input.getAttribute("aria-invalid") !== "true") return;
    input.removeAttribute("aria-invalid");
    var box = input.closest(".field");
    if (!box) return;
    box.classList.remove("has-errors");
    Array.prototype.forEach.call(box.querySelectorAll("ul.errors, p.errors"), function (el) {
      el.hidden = true;
    });
  }
  document.addEventListener("input", clear, true);
  document.addEventListener("change", clear, true);
})();
