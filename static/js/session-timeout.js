// Warns about two minutes before an idle session ends (iop/session_timeout.py) and lets the
// person go on working; when the session has ended, the browser goes to the logged-out page,
// which says why. The server's word counts: before warning, and before leaving, the script
// asks the keep-alive how long the session really has left (another tab may have been used).
// That question is sent as a poll (X-IOP-Poll), so asking does not extend the session.
(function () {
  "use strict";

  var dialog, modal, timer, warnBefore, idle, absoluteDeadline, returnFocus;

  function seconds(name) {
    return parseInt(dialog.dataset[name], 10) || 0;
  }

  function schedule(secondsLeft) {
    clearTimeout(timer);
    var warnIn = Math.max(0, secondsLeft - warnBefore);
    timer = window.setTimeout(check, warnIn * 1000);
  }

  function leave(url) {
    window.location.assign(url || dialog.dataset.loggedOutUrl + "?reason=idle");
  }

  // The keep-alive answers with JSON while the session lives; an ended session is
  // redirected to the logged-out page (fetch follows it).
  function answer(response) {
    if (response.redirected || !response.ok) {
      leave(response.redirected ? response.url : "");
      return null;
    }
    return response.json();
  }

  function ask(method) {
    var headers = { Accept: "application/json" };
    if (method === "POST") {
      headers["X-CSRFToken"] = dialog.querySelector("[name=csrfmiddlewaretoken]").value;
    } else {
      headers["X-IOP-Poll"] = "1";
    }
    return window
      .fetch(dialog.dataset.keepAliveUrl, { method: method, headers: headers, credentials: "same-origin" })
      .then(answer);
  }

  function check() {
    ask("GET").then(
      function (data) {
        if (!data) return;
        if (data.remaining > warnBefore + 5) {
          hide();
          schedule(data.remaining);
        } else {
          warn(data.ends_absolutely, data.remaining);
        }
      },
      // No answer (the network is down): warn on what the page knew.
      function () {
        warn(false, warnBefore);
      }
    );
  }

  function warn(endsAbsolutely, secondsLeft) {
    dialog.querySelector("[data-session-idle-text]").hidden = endsAbsolutely;
    dialog.querySelector("[data-session-absolute-text]").hidden = !endsAbsolutely;
    // Going on cannot postpone the fixed end: then the dialog only closes.
    dialog.querySelector("[data-session-continue]").hidden = endsAbsolutely;
    dialog.querySelector("[data-session-close]").hidden = !endsAbsolutely;
    if (!dialog.classList.contains("show")) {
      returnFocus = document.activeElement;
      modal.show();
    }
    clearTimeout(timer);
    // Past the end, ask once more: the server logs the session out and says why.
    timer = window.setTimeout(check, (Math.max(0, secondsLeft) + 1) * 1000);
  }

  function hide() {
    if (dialog.classList.contains("show")) modal.hide();
  }

  function carryOn() {
    ask("POST").then(function (data) {
      if (!data) return;
      hide();
      schedule(data.remaining);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    dialog = document.getElementById("session-timeout");
    if (!dialog || !window.bootstrap || !window.fetch) return;
    modal = window.bootstrap.Modal.getOrCreateInstance(dialog);
    warnBefore = seconds("warnBefore");
    idle = seconds("idle");
    absoluteDeadline = Date.now() + seconds("absoluteRemaining") * 1000;
    dialog.addEventListener("shown.bs.modal", function () {
      dialog.querySelector(".modal-footer button:not([hidden])").focus();
    });
    dialog.addEventListener("hidden.bs.modal", function () {
      if (returnFocus && returnFocus.focus) returnFocus.focus();
    });
    dialog.querySelector("[data-session-continue]").addEventListener("click", carryOn);
    // What the person does through htmx on this page is activity too (polls are not).
    document.body.addEventListener("htmx:afterRequest", function (event) {
      var config = event.detail && event.detail.requestConfig;
      if (config && config.headers && config.headers["X-IOP-Poll"]) return;
      var absoluteLeft = Math.floor((absoluteDeadline - Date.now()) / 1000);
      schedule(Math.min(idle - 60, absoluteLeft));
    });
    schedule(seconds("remaining"));
  });
})();
