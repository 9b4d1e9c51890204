/* Autocomplete fields (tickets/autocomplete.py): as the agent types, htmx asks the server for a
 * few suggestions and swaps them into the field's listbox; this script opens that listbox, moves
 * through it with the arrow keys, picks with Enter or a click, and sends the picked id while the
 * field shows the name. Without this script the field is a plain text box and the server reads
 * the typed name, email or number instead. */
(function () {
  "use strict";
  var FIELD = "input[data-autocomplete]";

  function isField(element) { return element && element.matches && element.matches(FIELD); }
  function listboxOf(input) { return document.getElementById(input.getAttribute("aria-controls")); }
  function optionsOf(listbox) { return Array.prototype.slice.call(listbox.querySelectorAll("[role=option]")); }
  function activeIndex(listbox) {
    return optionsOf(listbox).findIndex(function (option) { return option.getAttribute("aria-selected") === "true"; });
  }
  // The field still shows the suggestion that was picked (or the server's chosen value).
  function showsChoice(input) { return !!input.dataset.chosenValue && input.value === input.dataset.chosenLabel; }

  function setOpen(input, listbox, open) {
    listbox.hidden = !open;
    input.setAttribute("aria-expanded", open ? "true" : "false");
    if (!open) input.removeAttribute("aria-activedescendant");
  }
  function activate(input, listbox, index) {
    optionsOf(listbox).forEach(function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
      if (i === index) {
        input.setAttribute("aria-activedescendant", option.id);
        option.scrollIntoView({ block: "nearest" });
      }
    });
  }
  function pick(input, option) {
    input.value = option.dataset.label;
    input.dataset.chosenValue = option.dataset.value;
    input.dataset.chosenLabel = option.dataset.label;
    setOpen(input, listboxOf(input), false);
    // A picked value is a change the form may react to (the queue reloads its results).
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }

  // Half-typed text is not a filter yet: wait for a pick, Enter or Apply. A cleared field or a
  // picked name goes through.
  document.addEventListener("change", function (event) {
    var input = event.target;
    if (!isField(input) || input.value.trim() === "" || showsChoice(input)) return;
    event.stopPropagation();
  }, true);

  document.addEventListener("htmx:configRequest", function (event) {
    var data = event.detail.formData;
    var source = event.detail.elt;
    if (!data) return;
    if (isField(source)) {
      // The suggestions endpoint reads the text as ?q=.
      data.delete(source.name);
      data.set("q", source.value);
    }
    document.querySelectorAll(FIELD).forEach(function (input) {
      if (input !== source && data.has(input.name) && showsChoice(input)) {
        data.set(input.name, input.dataset.chosenValue);
      }
    });
  });

  // Focus asks for suggestions only while the field is empty (what is typed asks on input).
  document.addEventListener("htmx:confirm", function (event) {
    var trigger = event.detail.triggeringEvent;
    if (isField(event.detail.elt) && trigger && trigger.type === "focus" && event.detail.elt.value !== "") {
      event.preventDefault();
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var listbox = event.detail.target;
    if (!listbox.classList || !listbox.classList.contains("autocomplete-options")) return;
    var input = document.querySelector('[aria-controls="' + listbox.id + '"]');
    if (!input) return;
    optionsOf(listbox).forEach(function (option, i) { option.id = listbox.id + "-" + i; });
    setOpen(input, listbox, document.activeElement === input && listbox.children.length > 0);
  });

  document.addEventListener("keydown", function (event) {
    var input = event.target;
    if (!isField(input)) return;
    var listbox = listboxOf(input);
    var options = optionsOf(listbox);
    var index = activeIndex(listbox);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!options.length) return;
      event.preventDefault();
      setOpen(input, listbox, true);
      var step = event.key === "ArrowDown" ? 1 : -1;
      activate(input, listbox, Math.max(0, Math.min(options.length - 1, index + step)));
    } else if (event.key === "Enter" && !listbox.hidden) {
      var option = options[index] || (options.length === 1 ? options[0] : null);
      if (option) {
        event.preventDefault();
        pick(input, option);
      }
    } else if (event.key === "Escape" && !listbox.hidden) {
      event.stopPropagation();
      setOpen(input, listbox, false);
    }
  }, true);

  // mousedown, not click: the field keeps the focus, so its blur does not close the list first.
  document.addEventListener("mousedown", function (event) {
    var option = event.target.closest && event.target.closest(".autocomplete-options [role=option]");
    if (!option) return;
    event.preventDefault();
    var input = document.querySelector('[aria-controls="' + option.parentElement.id + '"]');
    if (input) pick(input, option);
  });

  document.addEventListener("focusout", function (event) {
    if (isField(event.target)) setOpen(event.target, listboxOf(event.target), false);
  });

  // A plain form post (the new-ticket form) sends the picked id under the field's name.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || form.hasAttribute("hx-get") || form.hasAttribute("hx-post")) return;
    form.querySelectorAll(FIELD).forEach(function (input) {
      if (!showsChoice(input)) return;
      var hidden = document.createElement("input");
      hidden.type = "hidden";
      hidden.name = input.name;
      hidden.value = input.dataset.chosenValue;
      hidden.setAttribute("data-autocomplete-id", "");
      input.dataset.name = input.name;
      input.removeAttribute("name");
      form.appendChild(hidden);
    });
  });
  // Back to a page kept in the browser's cache: undo that, so the field is editable again.
  window.addEventListener("pageshow", function () {
    document.querySelectorAll("input[data-autocomplete-id]").forEach(function (hidden) { hidden.remove(); });
    document.querySelectorAll(FIELD + "[data-name]").forEach(function (input) {
      input.name = input.dataset.name;
      delete input.dataset.name;
    });
  });
})();
