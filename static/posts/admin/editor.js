// Shows why a picture dropped into the Markdown editor was refused, in place of
// markdownx's bare "Invalid response" placeholder.
"use strict";
document.addEventListener(
  "markdownx.fileUploadError",
  function (event) {
    var container = event.target;
    var editor = container.querySelector("textarea");
    var message = "The picture could not be uploaded.";
    var body = event.detail && event.detail[0];
    if (typeof body === "string") {
      try {
        body = JSON.parse(body);
      } catch (err) {
        body = null; // Not JSON (a proxy's error page, say): keep the general message.
      }
    }
    if (body && body.error) {
      message = body.error;
    }
    var note = container.querySelector(".upload-error");
    if (!note) {
      note = document.createElement("p");
      note.className = "errornote upload-error";
      note.setAttribute("role", "alert");
      container.insertBefore(note, container.firstChild);
    }
    note.textContent = message;
    // markdownx inserts its placeholder right after this event: take it out again.
    window.setTimeout(function () {
      if (editor) {
        editor.value = editor.value.replace("Invalid response", "");
      }
    }, 0);
  },
  true
);
document.addEventListener(
  "markdownx.fileUploadEnd",
  function (event) {
    var note = event.target.querySelector(".upload-error");
    if (note) {
      note.remove();
    }
  },
  true
);
