// Keeps the keyboard focus when htmx replaces the part of the page that holds it (the meeting
// package's panel, a wording hit's form): without this the focused element is removed and
// the focus falls back to <body>, so a keyboard user would start again from the top.
// After the swap the focus goes to the element with the same id in the new content, or else
// to the replaced region itself (made focusable with tabindex="-1").
(function () {
  "use strict";

  var pending = null;

  document.addEventListener("htmx:beforeSwap", function (event) {
    var active = document.activeElement;
    var target = event.detail && event.detail.target;
    if (!active || active === document.body || !target || !target.contains(active)) return;
    pending = { id: active.id, targetId: target.id };
  });

  function restore() {
    if (!pending) return;
    var active = document.activeElement;
    if (active && active !== document.body && active.isConnected) {
      pending = null;
      return;
    }
    var next = (pending.id && document.getElementById(pending.id)) ||
      (pending.targetId && document.getElementById(pending.targetId));
    pending = null;
    if (!next) return;
    if (next.tabIndex < 0 && !next.hasAttribute("tabindex")) next.setAttribute("tabindex", "-1");
    next.focus();
  }

  // afterSwap may be sent to an element the swap removed; htmx:load comes from the new content.
  document.addEventListener("htmx:afterSwap", restore);
  document.addEventListener("htmx:load", restore);
})();
