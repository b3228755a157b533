// Live password checklist: ticks each rule as the user types.
// Progressive enhancement: without JavaScript the list is a plain list of the rules,
// and the server checks every one of them (app/security/passwords.py).
(function () {
  "use strict";

  var RULES = {
    length: function (v) { return Array.from(v).length >= 12; },
    spaces: function (v) { return v.length > 0 && !/\s/.test(v); },
    upper: function (v) { return /\p{Lu}/u.test(v); },
    lower: function (v) { return /\p{Ll}/u.test(v); },
    digit: function (v) { return /\p{Nd}/u.test(v); },
    symbol: function (v) { return /[^\p{L}\p{N}\s]/u.test(v); }
  };

  function update(input, list) {
    var value = input.value || "";
    var items = list.querySelectorAll("li[data-rule]");
    var met = 0;
    items.forEach(function (item) {
      var test = RULES[item.getAttribute("data-rule")];
      if (!test) { return; }
      var ok = test(value);
      if (ok) { met += 1; }
      item.classList.toggle("ok", ok);
      var state = item.querySelector(".rule-state");
      if (state) {
        state.textContent = " " + (ok ? state.getAttribute("data-met") : state.getAttribute("data-unmet"));
      }
    });
    list.setAttribute("data-met", String(met));
  }

  function init() {
    document.querySelectorAll("input[data-password-checklist]").forEach(function (input) {
      var list = document.getElementById(input.getAttribute("data-password-checklist"));
      if (!list) { return; }
      list.classList.add("is-live");
      input.addEventListener("input", function () { update(input, list); });
      update(input, list);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
