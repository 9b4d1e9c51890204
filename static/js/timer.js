// The composer's "time spent" timer. Its start is kept in localStorage per ticket, so a page
// reload (or an htmx swap of the composer) finds it still running. Stopping it adds the elapsed
// minutes (rounded up, at least 1) to the time-spent field; sending the form while it runs
// stops it first, so the time goes with the update. Without this script the field is a plain
// number input. Delegated listeners on the document: swapped-in composers need nothing more.
(function () {
  "use strict";

  function read(key) {
    try {
      var value = JSON.parse(window.localStorage.getItem(key) || "null");
      return value && typeof value.start === "number" ? value : null;
    } catch (error) {
      return null;
    }
  }

  function elapsedMinutes(state) {
    return Math.max(1, Math.ceil((Date.now() - state.start) / 60000));
  }

  function clock(state) {
    var seconds = state ? Math.max(0, Math.floor((Date.now() - state.start) / 1000)) : 0;
    var hours = Math.floor(seconds / 3600);
    var minutes = Math.floor((seconds % 3600) / 60);
    var rest = seconds % 60;
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    return (hours ? hours + ":" + pad(minutes) : String(minutes)) + ":" + pad(rest);
  }

  function draw(widget) {
    var state = read(widget.dataset.timerKey);
    var button = widget.querySelector("[data-timer-toggle]");
    var face = widget.querySelector("[data-timer-clock]");
    if (face) face.textContent = clock(state);
    if (button) {
      button.textContent = state ? "Stop timer" : "Start timer";
      button.setAttribute("aria-pressed", state ? "true" : "false");
    }
    widget.classList.toggle("running", Boolean(state));
  }

  function drawAll() {
    document.querySelectorAll("[data-timer]").forEach(draw);
  }

  function stop(widget) {
    var key = widget.dataset.timerKey;
    var state = read(key);
    if (!state) return;
    var field = widget.querySelector("input[name$='time_spent']");
    if (field) {
      var before = parseInt(field.value, 10) || 0;
      field.value = String(Math.min(1440, before + elapsedMinutes(state)));
    }
    window.localStorage.removeItem(key);
    drawAll();
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-timer-toggle]");
    if (!button) return;
    var widget = button.closest("[data-timer]");
    if (read(widget.dataset.timerKey)) {
      stop(widget);
    } else {
      window.localStorage.setItem(widget.dataset.timerKey, JSON.stringify({ start: Date.now() }));
      drawAll();
    }
  });

  // Capture phase: runs before htmx's own submit listener on the form reads its fields.
  document.addEventListener("submit", function (event) {
    var widget = event.target.querySelector && event.target.querySelector("[data-timer]");
    if (widget) stop(widget);
  }, true);

  document.addEventListener("DOMContentLoaded", drawAll);
  document.addEventListener("htmx:afterSwap", drawAll);
  window.setInterval(drawAll, 1000);
})();
