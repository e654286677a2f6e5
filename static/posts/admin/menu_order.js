// The site settings page: menu rows can be dragged into order; their "order" numbers follow.
// Typing a number works as well; dragging only rewrites the numbers the form then sends.
// Also names each cell's field by its column's heading: Django's tabular inlines give
// their inputs no label (axe: label, select-name), and an empty first heading.
"use strict";

const nameCells = (table) => {
  const headings = Array.from(table.querySelectorAll("thead th"));
  headings.forEach((th, index) => {
    th.id = th.id || `${table.closest("fieldset").id || "inline"}-column-${index}`;
    if (!th.textContent.trim()) {
      const hidden = document.createElement("span");
      hidden.className = "inline-hidden-heading";
      hidden.textContent = "Item";
      th.appendChild(hidden);
    }
  });
  table.querySelectorAll("tbody tr").forEach((row) => {
    Array.from(row.children).forEach((cell) => {
      const heading = headings.find((th) => th.cellIndex === cell.cellIndex);
      if (!heading) return;
      cell.querySelectorAll("input:not([type=hidden]), select, textarea").forEach((field) => {
        field.setAttribute("aria-labelledby", heading.id);
      });
    });
  });
};

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".inline-group .tabular table").forEach(nameCells);
  document.addEventListener("formset:added", (event) => {
    const table = event.target.closest("table");
    if (table) nameCells(table);
  });

  const group = document.querySelector(".menu-items tbody");
  if (!group) return;
  let dragged = null;

  const rows = () => Array.from(group.querySelectorAll("tr.form-row:not(.empty-form)"));
  const renumber = () => {
    rows().forEach((row, index) => {
      const input = row.querySelector("input[name$='-order']");
      if (input) input.value = String((index + 1) * 10);
    });
  };
  const prepare = (row) => {
    if (row.dataset.draggable) return;
    row.dataset.draggable = "1";
    row.draggable = true;
    row.classList.add("menu-drag-row");
    row.addEventListener("dragstart", (event) => {
      dragged = row;
      row.classList.add("menu-dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", "");
    });
    row.addEventListener("dragend", () => {
      row.classList.remove("menu-dragging");
      dragged = null;
      renumber();
    });
    row.addEventListener("dragover", (event) => {
      if (!dragged || dragged === row) return;
      event.preventDefault();
      const box = row.getBoundingClientRect();
      const after = event.clientY > box.top + box.height / 2;
      group.insertBefore(dragged, after ? row.nextSibling : row);
    });
  };
  rows().forEach(prepare);
  // Rows added with "Add another" become draggable too.
  document.addEventListener("formset:added", (event) => prepare(event.target));
});
