// The body's text area grows with its text. CSS does it (field-sizing: content) where the
// browser knows it; elsewhere this sets the height to the text's on every change.
"use strict";
(function () {
  if (window.CSS && CSS.supports("field-sizing", "content")) {
    return;
  }
  function grow(editor) {
    var style = getComputedStyle(editor);
    if (style.maxHeight !== "none" && editor.scrollHeight > parseFloat(style.maxHeight)) {
      editor.style.height = style.maxHeight;
      return;
    }
    editor.style.height = "auto";
    var borders = parseFloat(style.borderTopWidth) + parseFloat(style.borderBottomWidth);
    editor.style.height = editor.scrollHeight + borders + "px";
  }
  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches(".markdownx-editor")) {
      grow(event.target);
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll(".markdownx-editor").forEach(grow);
  });
})();
