// Names each field of a tabular inline (an entry's authors) by its column's heading, and
// gives the empty first heading words: Django's tabular inlines draw inputs without labels
// and a header cell without text (axe: label, select-name, empty-table-header).
"use strict";
(function () {
  function label(table) {
    var group = table.closest(".inline-group");
    var headings = Array.from(table.querySelectorAll("thead th"));
    headings.forEach(function (th, index) {
      th.id = th.id || group.id + "-heading-" + index;
      // The first column holds a saved row's name, the last (on new rows) the remove link.
      if (!th.textContent.trim()) {
        var words = document.createElement("span");
        words.className = "visually-hidden";
        words.textContent = th.classList.contains("original") ? "Saved" : "Remove";
        th.appendChild(words);
      }
    });
    // Each row's cells lie under the headings in the same order.
    table.querySelectorAll("tbody tr.form-row").forEach(function (row) {
      Array.from(row.children).forEach(function (cell, index) {
        var heading = headings[index];
        var input = cell.querySelector("input:not([type=hidden]), select, textarea");
        if (heading && input && !input.hasAttribute("aria-labelledby")) {
          input.setAttribute("aria-labelledby", heading.id);
        }
      });
    });
  }
  function labelAll() {
    document.querySelectorAll(".inline-group .tabular table").forEach(label);
  }
  document.addEventListener("DOMContentLoaded", labelAll);
  document.addEventListener("formset:added", labelAll);
})();
