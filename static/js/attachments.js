// Files in the staff composer and the portal: drag and drop onto the form, and paste a
// screenshot. Both only fill the plain <input type=file multiple data-attachments>, which
// works without this script; the chosen files are listed under it with a way to remove one.
// Delegated listeners on the document, so forms swapped in by htmx need nothing more.
(function () {
  "use strict";

  function inputIn(form) {
    return form ? form.querySelector("input[type=file][data-attachments]") : null;
  }

  function formOf(target) {
    return target && target.closest ? target.closest("form") : null;
  }

  function humanSize(bytes) {
    if (bytes < 1024) return bytes + " bytes";
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + " KB";
    return (bytes / (1024 * 1024)).toFixed(1) + " MB";
  }

  function setFiles(input, files) {
    var transfer = new DataTransfer();
    files.forEach(function (file) { transfer.items.add(file); });
    input.files = transfer.files;
    showChosen(input);
  }

  function addFiles(input, added) {
    setFiles(input, Array.prototype.slice.call(input.files).concat(added));
  }

  function showChosen(input) {
    var zone = input.closest("[data-attachments-zone]");
    var list = zone && zone.querySelector("[data-attachments-list]");
    if (!list) return;
    list.textContent = "";
    Array.prototype.forEach.call(input.files, function (file, index) {
      var item = document.createElement("li");
      item.textContent = file.name + " (" + humanSize(file.size) + ") ";
      var remove = document.createElement("button");
      remove.type = "button";
      remove.className = "link-button";
      remove.textContent = "Remove";
      remove.setAttribute("aria-label", "Remove " + file.name);
      remove.addEventListener("click", function () {
        setFiles(input, Array.prototype.filter.call(input.files, function (_f, i) {
          return i !== index;
        }));
      });
      item.appendChild(remove);
      list.appendChild(item);
    });
  }

  function pastedName(file, index) {
    var stamp = new Date().toISOString().slice(0, 19).replace(/[:T]/g, "-");
    var extension = (file.type.split("/")[1] || "png").replace("jpeg", "jpg");
    return "screenshot-" + stamp + (index ? "-" + index : "") + "." + extension;
  }

  function showHints(root) {
    (root || document).querySelectorAll("[data-attachments-hint]").forEach(function (hint) {
      hint.hidden = false;
    });
  }

  document.addEventListener("change", function (event) {
    if (event.target.matches && event.target.matches("input[type=file][data-attachments]")) {
      showChosen(event.target);
    }
  });

  document.addEventListener("dragover", function (event) {
    var form = formOf(event.target);
    if (inputIn(form) && event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") !== -1) {
      event.preventDefault();
      form.classList.add("dragging-files");
    }
  });

  document.addEventListener("dragleave", function (event) {
    var form = formOf(event.target);
    if (form) form.classList.remove("dragging-files");
  });

  document.addEventListener("drop", function (event) {
    var form = formOf(event.target);
    var input = inputIn(form);
    if (!input || !event.dataTransfer || !event.dataTransfer.files.length) return;
    event.preventDefault();
    form.classList.remove("dragging-files");
    addFiles(input, Array.prototype.slice.call(event.dataTransfer.files));
  });

  document.addEventListener("paste", function (event) {
    var input = inputIn(formOf(event.target));
    var data = event.clipboardData;
    if (!input || !data || !data.files || !data.files.length) return;
    var images = Array.prototype.filter.call(data.files, function (file) {
      return file.type.indexOf("image/") === 0;
    });
    if (!images.length) return; // pasted text goes into the box as usual
    event.preventDefault();
    addFiles(input, images.map(function (file, index) {
      return new File([file], pastedName(file, index), { type: file.type });
    }));
  });

  document.addEventListener("DOMContentLoaded", function () { showHints(document); });
  document.addEventListener("htmx:load", function (event) { showHints(event.target); });
})();
