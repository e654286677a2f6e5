// Names select2's pickers (the admin's autocomplete fields, such as an entry's cover) by
// their field's label. select2 names its combobox by the chosen value alone, so with
// nothing chosen it has no name at all (axe: aria-input-field-name).
"use strict";
(function () {
  function label(container) {
    var select = container.previousElementSibling;
    if (!select || !select.matches("select.admin-autocomplete[id]")) {
      return;
    }
    var fieldLabel = document.querySelector('label[for="' + select.id + '"]');
    if (!fieldLabel) {
      return;
    }
    fieldLabel.id = fieldLabel.id || select.id + "_label";
    var combobox = container.querySelector('[role="combobox"]');
    var rendered = container.querySelector(".select2-selection__rendered");
    if (combobox && rendered && rendered.id) {
      combobox.setAttribute("aria-labelledby", fieldLabel.id + " " + rendered.id);
    }
    if (rendered) {
      rendered.setAttribute("aria-labelledby", fieldLabel.id);
    }
  }

  function labelAll(root) {
    root.querySelectorAll("span.select2").forEach(label);
  }

  // Django's autocomplete.js sets select2 up in a jQuery "ready" handler, which jQuery runs
  // from a timer: it may come before or after "load". Watching the document labels each
  // picker in the same task that creates it, whichever comes first, and the pickers of
  // inline rows added later too.
  new MutationObserver(function (records) {
    records.forEach(function (record) {
      record.addedNodes.forEach(function (node) {
        if (node.nodeType !== Node.ELEMENT_NODE) {
          return;
        }
        if (node.matches("span.select2")) {
          label(node);
        } else {
          labelAll(node);
        }
      });
    });
  }).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener("DOMContentLoaded", function () {
    labelAll(document);
  });
})();
