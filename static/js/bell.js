// The bell's dropdown (templates/updates/bell_menu.html). Without JavaScript the bell is a link to
// /notifications/; here a click loads the latest ten into #bell-menu instead and opens it. Escape,
// a click outside or the bell again close it. htmx polls the bell itself for the unread count,
// swapping the link, so its aria-expanded is set again after each swap.
(function () {
  "use strict";
  if (window.bellMenuReady) return; // the nav may be drawn more than once per page load
  window.bellMenuReady = true;

  function parts() {
    return { bell: document.getElementById("bell"), menu: document.getElementById("bell-menu") };
  }

  function close(focusBell) {
    var p = parts();
    if (!p.menu || p.menu.hidden) return;
    p.menu.hidden = true;
    if (p.bell) {
      p.bell.setAttribute("aria-expanded", "false");
      if (focusBell) p.bell.focus();
    }
  }

  function open() {
    var p = parts();
    window.htmx.ajax("GET", p.menu.dataset.menuUrl, { target: "#bell-menu", swap: "innerHTML" }).then(function () {
      var now = parts();
      now.menu.hidden = false;
      if (now.bell) now.bell.setAttribute("aria-expanded", "true");
      var first = now.menu.querySelector("button, a");
      if (first) first.focus();
    });
  }

  document.addEventListener("click", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var p = parts();
    if (target.closest("#bell") && p.menu && window.htmx) {
      event.preventDefault();
      if (p.menu.hidden) open(); else close(false);
      return;
    }
    if (p.menu && !p.menu.hidden && !target.closest("#bell-menu")) close(false);
  });

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") close(true);
  });

  document.addEventListener("htmx:afterSwap", function () {
    var p = parts();
    if (p.bell && p.menu) p.bell.setAttribute("aria-expanded", p.menu.hidden ? "false" : "true");
  });
})();
