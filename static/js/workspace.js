/* The staff workspace: live countdowns, composer tabs, keyboard shortcuts, htmx settings.
 * Everything here is an enhancement: every link and form works without it. */
(function () {
  "use strict";

  if (window.htmx) {
    // Field errors (400) and edit conflicts (409) come back as HTML to show in place.
    htmx.config.responseHandling = [
      { code: "204", swap: false },
      { code: "[23]..", swap: true },
      { code: "40[09]", swap: true, error: false },
      { code: "[45]..", swap: false, error: true },
    ];
  }

  // Filters left empty stay out of the URL, so a shared queue link says only what was chosen.
  document.addEventListener("htmx:configRequest", function (event) {
    var data = event.detail.formData;
    if (event.detail.verb !== "get" || !data) return;
    Array.from(new Set(data.keys())).forEach(function (name) {
      if (data.getAll(name).every(function (value) { return value === ""; })) data.delete(name);
    });
  });

  // A refreshing panel waits while a form inside it is open (the dashboard's reassign), so the
  // refresh never wipes what the manager is choosing.
  document.addEventListener("htmx:confirm", function (event) {
    var element = event.detail.elt;
    var pauseWhile = element.dataset && element.dataset.pauseWhileOpen;
    if (pauseWhile && element.querySelector(pauseWhile + "[open]")) event.preventDefault();
  });

  // ---- countdowns to the next promised update ---------------------------------------------
  function span(minutes) {
    if (minutes < 60) return minutes + " min";
    var hours = Math.floor(minutes / 60), rest = minutes % 60;
    if (hours < 48) return rest ? hours + " h " + rest + " min" : hours + " h";
    return Math.floor(hours / 24) + " days";
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("time.countdown[data-due]").forEach(function (el) {
      var seconds = (Date.parse(el.dataset.due) - now) / 1000;
      var late = seconds < 0;
      el.textContent = late ? span(Math.floor(-seconds / 60)) + " late" : "in " + span(Math.floor(seconds / 60));
      var turnedLate = late && !el.classList.contains("late");
      el.classList.toggle("late", late);
      // What screen readers read instead of the ticking text; one polite word when it turns late.
      var said = el.nextElementSibling;
      if (turnedLate && said && said.classList.contains("visually-hidden")) {
        said.textContent = said.textContent.replace(/^due /, "late, was due ");
      }
      var news = document.getElementById("countdown-news");
      if (turnedLate && el.dataset.announce && news) {
        news.textContent = el.dataset.announce + " is late: it was due " + el.title + ".";
      }
      var row = el.closest("tr");
      if (row) row.classList.toggle("row-late", late);
    });
  }
  setInterval(tick, 15000);

  // ---- composer tabs and the custom promise time --------------------------------------------
  function selectTab(composer, name, focus) {
    composer.querySelectorAll("[data-tab]").forEach(function (tab) {
      var on = tab.dataset.tab === name;
      tab.setAttribute("aria-selected", on ? "true" : "false");
      tab.tabIndex = on ? 0 : -1;
    });
    composer.querySelectorAll("[data-panel]").forEach(function (panel) {
      panel.hidden = panel.dataset.panel !== name;
      if (!panel.hidden && focus) {
        var field = panel.querySelector("textarea");
        if (field) field.focus();
      }
    });
  }
  function syncCustomDue(form) {
    var picked = form.querySelector("input[name=promise]:checked");
    var custom = form.querySelector(".custom-due");
    if (custom) custom.hidden = !(picked && picked.value === "custom");
  }
  // The elements matching `selector` in `root`, root itself included: an htmx swap hands over
  // the swapped element, and the composer is swapped whole after an error.
  function within(root, selector) {
    var found = Array.prototype.slice.call(root.querySelectorAll(selector));
    if (root.matches && root.matches(selector)) found.unshift(root);
    return found;
  }
  function focusFirstError(composer) {
    var field = composer.querySelector('[data-panel]:not([hidden]) [aria-invalid="true"]');
    if (field) field.focus();
  }
  function init(root) {
    within(root, "[data-composer]").forEach(function (composer) {
      var active = composer.querySelector("[data-tab][aria-selected=true]");
      selectTab(composer, active ? active.dataset.tab : "public", false);
      composer.querySelectorAll("[data-tab]").forEach(function (tab) {
        tab.addEventListener("click", function (event) {
          event.preventDefault();
          selectTab(composer, tab.dataset.tab, true);
        });
      });
      composer.querySelectorAll(".public-panel").forEach(function (form) {
        syncCustomDue(form);
        form.addEventListener("change", function () { syncCustomDue(form); });
      });
      focusFirstError(composer);
    });
    tick();
  }
  if (window.htmx) {
    htmx.onLoad(init);
  } else {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  }

  // ---- keyboard shortcuts ------------------------------------------------------------------
  var pendingG = false;
  var selected = -1;
  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable=true]") !== null;
  }
  function listRows() {
    var list = document.querySelector("[data-keyboard-list]");
    return list ? Array.prototype.slice.call(list.querySelectorAll("[data-href]")) : [];
  }
  function moveSelection(step) {
    var rows = listRows();
    if (!rows.length) return;
    selected = Math.max(0, Math.min(rows.length - 1, selected + step));
    rows.forEach(function (row, index) { row.classList.toggle("selected", index === selected); });
    var link = rows[selected].querySelector("a");
    (link || rows[selected]).focus();
  }
  function clickShortcut(key) {
    var element = document.querySelector('[data-shortcut="' + key + '"]');
    if (!element) return false;
    element.click();
    return true;
  }
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey) && typing(event.target)) {
      var form = event.target.closest("form");
      if (form) {
        event.preventDefault();
        var primary = form.querySelector("button.primary[type=submit], button.primary:not([type])");
        form.requestSubmit(primary || undefined);
      }
      return;
    }
    if (event.key === "Escape" && typing(event.target)) {
      // Leave the field so the single-key shortcuts work again.
      event.target.blur();
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (pendingG) {
      pendingG = false;
      var target = { q: "/", t: "/triage/", n: "/notifications/" }[event.key];
      if (target) { event.preventDefault(); window.location.href = target; }
      return;
    }
    switch (event.key) {
      case "g": pendingG = true; setTimeout(function () { pendingG = false; }, 1500); break;
      case "/": {
        var search = document.getElementById("id_q");
        if (search) { event.preventDefault(); search.focus(); search.select(); }
        break;
      }
      case "j": moveSelection(1); break;
      case "k": moveSelection(-1); break;
      case "Enter": {
        var rows = listRows();
        if (selected >= 0 && rows[selected] && document.activeElement.tagName !== "A") {
          window.location.href = rows[selected].dataset.href;
        }
        break;
      }
      case "o": case "r": case "i":
        if (clickShortcut(event.key)) event.preventDefault();
        break;
      case "?": {
        var dialog = document.getElementById("shortcuts");
        if (dialog && dialog.showModal) { event.preventDefault(); dialog.showModal(); }
        break;
      }
    }
  });
  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-show-shortcuts]")) {
      var dialog = document.getElementById("shortcuts");
      if (dialog && dialog.showModal) dialog.showModal();
    }
  });
})();
