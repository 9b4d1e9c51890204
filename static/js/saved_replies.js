// Saved replies in the composer (templates/saved_replies/_picker.html). Typing ";" at the start of
// a word in the update's text lists the saved replies whose title matches what follows; choosing
// one (click, or arrows and Enter) replaces ";word" by the reply's text filled in for this ticket
// (POST /api/v1/responses/{id}/render/), and sets its status and next-update pick. The select and
// Insert button do the same without JavaScript.
(function () {
  "use strict";
  if (window.savedRepliesReady) return;
  window.savedRepliesReady = true;
  var LIST_ID = "reply-suggestions";

  function picker() { return document.querySelector("[data-saved-replies]"); }
  function textarea() { return document.getElementById("public-body"); }
  function list() { return document.getElementById(LIST_ID); }

  function replies() {
    var p = picker();
    if (!p) return [];
    return Array.prototype.slice.call(p.querySelectorAll("option[value]"))
      .filter(function (o) { return o.value; })
      .map(function (o) {
        return { id: o.value, title: o.textContent, status: o.dataset.status, minutes: o.dataset.minutes };
      });
  }

  function query(area) {
    var before = area.value.slice(0, area.selectionStart);
    var match = /(^|\s);([^\s;]*)$/.exec(before);
    return match ? { text: match[2], start: before.length - match[2].length - 1 } : null;
  }

  function close() {
    var l = list();
    if (l) l.remove();
  }

  function show(area, found) {
    close();
    if (!found.length) return;
    var l = document.createElement("ul");
    l.id = LIST_ID;
    l.className = "reply-suggestions";
    l.setAttribute("role", "listbox");
    l.setAttribute("aria-label", "Saved replies");
    found.forEach(function (reply, index) {
      var item = document.createElement("li");
      item.setAttribute("role", "option");
      item.id = LIST_ID + "-" + reply.id;
      item.dataset.reply = reply.id;
      item.setAttribute("aria-selected", index === 0 ? "true" : "false");
      item.textContent = reply.title;
      l.appendChild(item);
    });
    area.insertAdjacentElement("afterend", l);
    area.setAttribute("aria-controls", LIST_ID);
  }

  function csrf(form) {
    var input = form.querySelector("[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function choose(id) {
    var area = textarea(), p = picker();
    var reply = replies().filter(function (r) { return r.id === id; })[0];
    var q = area && query(area);
    close();
    if (!reply || !p || !q) return;
    fetch(p.dataset.renderUrl + id + "/render/", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf(area.form) },
      body: JSON.stringify({ ticket: Number(p.dataset.ticket) }),
    }).then(function (response) {
      if (!response.ok) throw new Error("render " + response.status);
      return response.json();
    }).then(function (data) {
      var end = q.start + 1 + q.text.length;
      area.value = area.value.slice(0, q.start) + data.body + area.value.slice(end);
      var caret = q.start + data.body.length;
      area.setSelectionRange(caret, caret);
      area.focus();
      var form = area.form;
      var used = form.querySelector("[name=used_reply]");
      if (used) used.value = id;
      var select = form.querySelector("#public-saved-reply");
      if (select) select.value = id;
      if (reply.status) {
        var status = form.querySelector("[name=status]");
        if (status) status.value = reply.status;
      }
      if (reply.minutes) pickPromise(form, Number(reply.minutes));
    }).catch(function () {
      area.focus();
    });
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  function pickPromise(form, minutes) {
    var quick = { 30: "30m", 60: "1h", 120: "2h" }[minutes];
    var radio = quick && form.querySelector("input[name=promise][value='" + quick + "']");
    if (!radio) {
      radio = form.querySelector("input[name=promise][value=custom]");
      var custom = form.querySelector("[name=custom_due]");
      var at = new Date(Date.now() + minutes * 60000);
      if (custom) {
        custom.value = at.getFullYear() + "-" + pad(at.getMonth() + 1) + "-" + pad(at.getDate()) +
          "T" + pad(at.getHours()) + ":" + pad(at.getMinutes());
      }
    }
    if (radio) {
      radio.checked = true;
      radio.dispatchEvent(new Event("change", { bubbles: true }));
    }
  }

  document.addEventListener("input", function (event) {
    var area = event.target;
    if (!(area instanceof HTMLTextAreaElement) || area.id !== "public-body" || !picker()) return;
    var q = query(area);
    if (!q) { close(); return; }
    var needle = q.text.toLowerCase();
    show(area, replies().filter(function (r) { return r.title.toLowerCase().indexOf(needle) !== -1; }));
  });

  document.addEventListener("keydown", function (event) {
    var l = list();
    if (!l || event.target !== textarea()) return;
    var items = Array.prototype.slice.call(l.querySelectorAll("[role=option]"));
    var current = items.findIndex(function (i) { return i.getAttribute("aria-selected") === "true"; });
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var next = (current + (event.key === "ArrowDown" ? 1 : -1) + items.length) % items.length;
      items.forEach(function (item, index) { item.setAttribute("aria-selected", index === next ? "true" : "false"); });
      event.target.setAttribute("aria-activedescendant", items[next].id);
    } else if (event.key === "Enter" && !event.ctrlKey && !event.metaKey && current >= 0) {
      event.preventDefault();
      event.stopPropagation();
      choose(items[current].dataset.reply);
    } else if (event.key === "Escape") {
      close();
    }
  }, true);

  document.addEventListener("mousedown", function (event) {
    var target = event.target;
    if (!(target instanceof Element)) return;
    var option = target.closest("#" + LIST_ID + " [role=option]");
    if (option) {
      event.preventDefault(); // keep the caret in the text
      choose(option.dataset.reply);
    } else if (list() && !target.closest("#" + LIST_ID)) {
      close();
    }
  });
})();
