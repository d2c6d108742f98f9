// The checklist saves as you go (htmx posts each row on change). This script only tells
// the person what is happening: "Saving…", and, when a save fails (no connection, an
// error from the server), a message in the row — the typed text stays in the field, since
// htmx replaces only the row's status line. Leaving the page with unsaved changes asks first.
(function () {
  "use strict";

  var form;

  function statusOf(elt) {
    var row = elt.closest("[data-autosave]");
    return row ? row.querySelector(".autosave-status") : null;
  }

  function setStatus(elt, text, isError) {
    var status = statusOf(elt);
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("text-danger-emphasis", Boolean(isError));
    status.dataset.status = isError ? "error" : "saving";
  }

  function fromRow(event) {
    var elt = event.detail && event.detail.elt;
    return elt && elt.matches && elt.matches("[data-autosave]") ? elt : null;
  }

  document.addEventListener("DOMContentLoaded", function () {
    form = document.getElementById("checklist-form");
    if (!form) return;

    form.addEventListener("input", function (event) {
      var row = event.target.closest("[data-autosave]");
      if (row) row.dataset.dirty = "1";
    });
    form.addEventListener("change", function (event) {
      var row = event.target.closest("[data-autosave]");
      if (row) row.dataset.dirty = "1";
    });

    document.body.addEventListener("htmx:beforeRequest", function (event) {
      var row = fromRow(event);
      if (!row) return;
      row.dataset.dirty = "";
      setStatus(row, form.dataset.msgSaving, false);
    });

    ["htmx:responseError", "htmx:sendError", "htmx:timeout"].forEach(function (name) {
      document.body.addEventListener(name, function (event) {
        var row = fromRow(event);
        if (!row) return;
        row.dataset.dirty = "1";
        setStatus(row, form.dataset.msgError, true);
      });
    });

    // A plain submit saves everything: nothing is left unsaved.
    form.addEventListener("submit", function () {
      form.querySelectorAll("[data-autosave]").forEach(function (row) { row.dataset.dirty = ""; });
    });

    window.addEventListener("beforeunload", function (event) {
      if (form.querySelector("[data-autosave][data-dirty='1']")) {
        event.preventDefault();
        event.returnValue = form.dataset.msgUnsaved;
      }
    });
  });
})();
