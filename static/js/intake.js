// Register an initiative: a filter box above the organisations' multi-select. Without
// JavaScript the plain multi-select works; chosen organisations are never hidden.
(function () {
  "use strict";

  function setUp(wrapper) {
    var input = wrapper.querySelector("input[type=search]");
    var select = document.getElementById(input.dataset.target);
    var count = wrapper.querySelector("[aria-live]");
    if (!select) return;
    wrapper.hidden = false;

    function apply() {
      var words = input.value.toLocaleLowerCase("sv").split(/\s+/).filter(Boolean);
      var shown = 0;
      Array.prototype.forEach.call(select.options, function (option) {
        var text = option.textContent.toLocaleLowerCase("sv");
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        option.hidden = !(match || option.selected);
        if (!option.hidden) shown += 1;
      });
      count.textContent = words.length
        ? (wrapper.dataset.countTemplate || "%s").replace("%s", shown)
        : "";
    }

    input.addEventListener("input", apply);
    input.addEventListener("keydown", function (event) {
      // Enter in the filter must not submit the whole form.
      if (event.key === "Enter") event.preventDefault();
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-org-filter]").forEach(setUp);
    // After a refused submit, start at the summary of what to correct.
    var summary = document.getElementById("form-errors");
    if (summary) summary.focus();
  });
})();
