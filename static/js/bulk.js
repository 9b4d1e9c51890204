// The queue's bulk selection (tickets.bulk_forms): shift-click selects a range of rows, `x`
// toggles the row chosen with j/k, the count of selected rows is announced, and only the field
// of the chosen action shows. Without this file the form still works: every field shows.
(function () {
  "use strict";
  var lastIndex = null;

  function boxes() {
    var table = document.querySelector("[data-bulk-table]");
    return table ? Array.prototype.slice.call(table.querySelectorAll("input[name=tickets]")) : [];
  }
  function refresh() {
    var all = boxes();
    var count = 0;
    all.forEach(function (box) {
      var row = box.closest("tr");
      if (row) row.classList.toggle("checked", box.checked);
      if (box.checked) count += 1;
    });
    var label = document.getElementById("bulk-count");
    if (label) label.textContent = count ? count + " selected" : "";
  }
  function showFields() {
    var action = document.querySelector("#bulk-form select[name=action]");
    if (!action) return;
    document.querySelectorAll("#bulk-form [data-bulk-for]").forEach(function (field) {
      field.hidden = field.dataset.bulkFor !== action.value;
    });
  }
  function typing(target) {
    return target.closest("input, textarea, select, [contenteditable=true]") !== null;
  }

  document.addEventListener("click", function (event) {
    var box = event.target.closest("[data-bulk-table] input[name=tickets]");
    if (!box) return;
    var all = boxes();
    var index = all.indexOf(box);
    if (event.shiftKey && lastIndex !== null && lastIndex !== index) {
      var from = Math.min(lastIndex, index);
      var to = Math.max(lastIndex, index);
      for (var i = from; i <= to; i += 1) all[i].checked = box.checked;
    }
    lastIndex = index;
    refresh();
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches("#bulk-form select[name=action]")) showFields();
    if (event.target.matches("[data-bulk-table] input[name=tickets]")) refresh();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "x" || event.ctrlKey || event.metaKey || event.altKey) return;
    if (typing(event.target) && !event.target.matches("[data-bulk-table] input[name=tickets]")) return;
    // The row j/k chose (workspace.js marks it "selected"), else the row holding the focus.
    var row = document.querySelector("[data-bulk-table] tr.selected") ||
      (document.activeElement && document.activeElement.closest("[data-bulk-table] tr"));
    var box = row && row.querySelector("input[name=tickets]");
    if (!box) return;
    event.preventDefault();
    box.checked = !box.checked;
    lastIndex = boxes().indexOf(box);
    refresh();
  });
  function init() { lastIndex = null; showFields(); refresh(); }
  document.addEventListener("htmx:afterSettle", init);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
