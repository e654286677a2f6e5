// Pictures at hand in the admin: the entry editor's picture picker (a dialog that searches
// the uploaded pictures and inserts the chosen one's Markdown at the cursor), pasting a
// picture into the text, and the Copy button beside a picture's Markdown on its own page.
"use strict";
(function () {
  function text(name, values) {
    var texts = document.getElementById("picker-texts");
    var template = (texts && texts.getAttribute("data-" + name)) || "";
    Object.keys(values || {}).forEach(function (key) {
      template = template.split("{" + key + "}").join(String(values[key]));
    });
    return template;
  }

  function element(tag, className, content) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (content !== undefined) {
      node.textContent = content; // never innerHTML: alt texts and titles are writers' input
    }
    return node;
  }

  // Put text where the cursor was (replacing a selection), as typing would: undo takes it
  // back, and the input event it fires makes markdownx refresh the preview.
  function insertAt(textarea, start, end, markdown) {
    textarea.focus();
    textarea.setSelectionRange(start, end);
    var typed = false;
    try {
      typed = document.execCommand("insertText", false, markdown);
    } catch (err) {
      typed = false;
    }
    if (!typed || textarea.value.slice(start, start + markdown.length) !== markdown) {
      textarea.setRangeText(markdown, start, end, "end");
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    }
    var after = start + markdown.length;
    textarea.setSelectionRange(after, after);
  }

  function setUpPicker() {
    var dialog = document.getElementById("picture-picker");
    var opener = document.querySelector(".picker-open");
    var textarea = document.querySelector(".markdownx textarea");
    if (!dialog || !opener || !textarea || typeof dialog.showModal !== "function") {
      return; // a read-only entry, or no permission to browse pictures
    }
    var editor = textarea.closest(".markdownx");
    editor.insertBefore(opener, editor.firstChild); // a row of its own above text and preview
    opener.hidden = false;

    var form = dialog.querySelector(".picker-search");
    var search = dialog.querySelector("#picker-query");
    var status = dialog.querySelector(".picker-status");
    var list = dialog.querySelector(".picker-results");
    var pages = dialog.querySelector(".picker-pages");
    var previous = dialog.querySelector(".picker-previous");
    var next = dialog.querySelector(".picker-next");
    var pageLabel = dialog.querySelector(".picker-page");
    var state = { page: 1, pages: 1, query: null, request: 0, start: 0, end: 0, timer: null };

    function usage(image) {
      var line = element("span", "picker-used");
      var parts = image.used_in.map(function (use) {
        return use.cover ? use.title + " (" + text("cover") + ")" : use.title;
      });
      if (image.hidden_uses) {
        parts.push(
          image.hidden_uses === 1
            ? text("hidden-one")
            : text("hidden-many", { count: image.hidden_uses })
        );
      }
      line.textContent = parts.length ? text("used") + " " + parts.join(", ") : text("unused");
      return line;
    }

    function card(image) {
      var item = element("li");
      var button = element("button", "picker-item");
      button.type = "button";
      var thumbnail = element("img", "picker-thumbnail");
      thumbnail.src = image.thumbnail;
      thumbnail.alt = "";
      thumbnail.loading = "lazy";
      thumbnail.width = 160;
      thumbnail.height = Math.max(1, Math.round((160 * image.height) / (image.width || 1)));
      var alt = image.alt;
      var altClass = "picker-alt";
      if (image.decorative) {
        alt = text("decorative");
        altClass += " picker-quiet";
      } else if (!alt.trim()) {
        alt = text("no-alt");
        altClass += " picker-warning";
      }
      button.appendChild(thumbnail);
      button.appendChild(element("span", altClass, alt));
      if (image.caption) {
        button.appendChild(element("span", "picker-caption", image.caption));
      }
      var size = text("size", { width: image.width, height: image.height });
      button.appendChild(element("span", "picker-meta", size + " · " + image.name));
      button.appendChild(usage(image));
      button.addEventListener("click", function () {
        pick(image);
      });
      item.appendChild(button);
      return item;
    }

    function show(data) {
      list.replaceChildren.apply(list, data.images.map(card));
      state.page = data.page;
      state.pages = data.pages;
      if (!data.count) {
        status.textContent = data.query ? text("none") : text("empty");
      } else {
        status.textContent =
          data.count === 1 ? text("count-one") : text("count-many", { count: data.count });
      }
      pages.hidden = data.pages < 2;
      pageLabel.textContent = text("page", { page: data.page, pages: data.pages });
      previous.disabled = data.page <= 1;
      next.disabled = data.page >= data.pages;
      var focused = document.activeElement;
      if ((!focused || focused === document.body || focused.disabled) && list.firstChild) {
        // "Next" on the last page is disabled now and has lost the focus: keep it in reach.
        list.querySelector("button").focus();
      }
    }

    function load(page) {
      var query = search.value.trim();
      var ticket = ++state.request;
      state.query = query;
      status.textContent = text("loading");
      dialog.setAttribute("aria-busy", "true");
      var url = new URL(dialog.getAttribute("data-picker-url"), window.location.href);
      url.searchParams.set("q", query);
      url.searchParams.set("page", String(page));
      fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          var json = response.headers.get("Content-Type") || "";
          if (json.indexOf("application/json") === -1) {
            // Redirected to the login page: the session has ended.
            throw new Error(text(response.redirected ? "signed-out" : "failed"));
          }
          return response.json().then(function (data) {
            if (!response.ok) {
              throw new Error(data.error || text("failed"));
            }
            return data;
          });
        })
        .then(function (data) {
          if (ticket === state.request) {
            show(data);
          }
        })
        .catch(function (err) {
          if (ticket === state.request) {
            list.replaceChildren();
            pages.hidden = true;
            status.textContent = err && err.message ? err.message : text("failed");
          }
        })
        .finally(function () {
          if (ticket === state.request) {
            dialog.removeAttribute("aria-busy");
          }
        });
    }

    function pick(image) {
      dialog.close("picked");
      insertAt(textarea, state.start, state.end, image.markdown);
    }

    opener.addEventListener("click", function () {
      state.start = textarea.selectionStart;
      state.end = textarea.selectionEnd;
      dialog.returnValue = "";
      dialog.showModal();
      search.focus();
      load(state.query === search.value.trim() ? state.page : 1);
    });
    dialog.querySelector(".picker-close").addEventListener("click", function () {
      dialog.close();
    });
    // A click on the backdrop (the dialog box itself, outside its content) closes it too.
    dialog.addEventListener("click", function (event) {
      if (event.target === dialog) {
        var box = dialog.getBoundingClientRect();
        var inside =
          event.clientX >= box.left && event.clientX <= box.right &&
          event.clientY >= box.top && event.clientY <= box.bottom;
        if (!inside) {
          dialog.close();
        }
      }
    });
    dialog.addEventListener("close", function () {
      window.clearTimeout(state.timer);
      if (dialog.returnValue !== "picked") {
        opener.focus(); // Escape or Close: back where the writer was
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      window.clearTimeout(state.timer);
      load(1);
    });
    search.addEventListener("input", function () {
      window.clearTimeout(state.timer);
      state.timer = window.setTimeout(function () {
        load(1);
      }, 300);
    });
    previous.addEventListener("click", function () {
      load(Math.max(1, state.page - 1));
    });
    next.addEventListener("click", function () {
      load(Math.min(state.pages, state.page + 1));
    });
  }

  function csrfToken() {
    var cookie = document.cookie.split("; ").filter(function (part) {
      return part.indexOf("csrftoken=") === 0;
    })[0];
    if (cookie) {
      return decodeURIComponent(cookie.slice("csrftoken=".length));
    }
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function announce(container, name, detail) {
    container.dispatchEvent(new CustomEvent(name, { detail: [detail] }));
  }

  // A pasted picture goes to markdownx's upload address (the drop view: the same checks as
  // a dropped one) and its Markdown goes where the cursor was when the writer pasted.
  function uploadPasted(textarea, file) {
    var container = textarea.closest(".markdownx");
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    var before = textarea.value;
    var body = new FormData();
    body.append("image", file, file.name || "pasted.png");
    textarea.setAttribute("aria-busy", "true");
    fetch(textarea.getAttribute("data-markdownx-upload-urls-path"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), "X-Requested-With": "XMLHttpRequest" },
    })
      .then(function (response) {
        return response.text();
      })
      .then(function (text) {
        var data = null;
        try {
          data = JSON.parse(text);
        } catch (err) {
          data = text; // a proxy's error page, say: editor.js gives the general message
        }
        if (data && data.image_code) {
          if (textarea.value !== before) {
            // Typed on while it uploaded: the old position may be elsewhere now.
            start = textarea.selectionStart;
            end = textarea.selectionEnd;
          }
          insertAt(textarea, start, end, data.image_code);
          announce(container, "markdownx.fileUploadEnd", data);
        } else {
          announce(container, "markdownx.fileUploadError", data);
        }
      })
      .catch(function () {
        announce(container, "markdownx.fileUploadError", "");
      })
      .finally(function () {
        textarea.removeAttribute("aria-busy");
      });
  }

  function setUpPaste() {
    document.addEventListener(
      "paste",
      function (event) {
        var target = event.target;
        var data = event.clipboardData;
        var inEditor = target.matches && target.matches(".markdownx textarea");
        if (!inEditor || !data || !data.files.length) {
          return; // text: the browser pastes it
        }
        // markdownx listens on the text area, below document: it uploads nothing here, and
        // would insert the Markdown where the cursor is when the upload ends.
        event.stopPropagation();
        if (data.getData("text/plain").trim()) {
          // Text copied from a word processor or a spreadsheet comes with a picture of
          // itself: the text is what the writer meant. Let the browser paste it.
          return;
        }
        event.preventDefault();
        Array.prototype.forEach.call(data.files, function (file) {
          uploadPasted(target, file);
        });
      },
      true
    );
    // markdownx names its network-failure event for drops without its prefix: pass it on
    // under the name editor.js listens for, so a failed drop is explained the same way.
    document.addEventListener(
      "fileUploadError",
      function (event) {
        announce(event.target, "markdownx.fileUploadError", (event.detail || [""])[0]);
      },
      true
    );
  }

  function setUpCopy() {
    document.querySelectorAll(".copy-markdown").forEach(function (box) {
      var field = box.querySelector(".copy-markdown-text");
      var button = box.querySelector(".copy-markdown-button");
      var status = box.querySelector(".copy-markdown-status");
      button.addEventListener("click", function () {
        field.focus();
        field.select();
        var copied = navigator.clipboard
          ? navigator.clipboard.writeText(field.value)
          : Promise.reject(new Error("no clipboard"));
        copied
          .catch(function () {
            if (!document.execCommand("copy")) {
              throw new Error("copy refused");
            }
          })
          .then(
            function () {
              status.textContent = button.getAttribute("data-copied") || "Copied.";
            },
            function () {
              status.textContent =
                button.getAttribute("data-failed") || "Select the text and copy it yourself.";
            }
          );
      });
    });
  }

  function setUp() {
    setUpPicker();
    setUpPaste();
    setUpCopy();
  }

  // Deferred on the entry form; in the head of the Image page, as admin media are.
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
