// The body's live preview as the page: markdownx fetches the HTML into its own pane, and
// this script shows it in a frame that holds the site's stylesheets and the entry page's
// article (templates/admin/posts/entry/includes/preview_page.html). The admin's CSS cannot
// reach into the frame, nor the site's out of it. The frame runs no script (sandbox).
//
// Light or dark: the site's stylesheets follow prefers-color-scheme, which a frame takes
// from the system, not from the admin's theme toggle. So when the admin is set to light
// or dark, the site's own dark rules inside the frame are switched on or off to match.
"use strict";
(function () {
  var frames = new WeakMap(); // .markdownx container -> {frame, html, title}

  function pageSource(template) {
    var content = template.content;
    var links = Array.prototype.map
      .call(content.querySelectorAll("link"), function (link) {
        return link.outerHTML;
      })
      .join("");
    var main = content.querySelector("main").outerHTML;
    return (
      '<!DOCTYPE html><html lang="' +
      template.dataset.lang +
      '"><head><meta charset="utf-8">' +
      links +
      "</head><body>" +
      main +
      "</body></html>"
    );
  }

  function fill(state) {
    var doc = state.frame.contentDocument;
    var markup = doc && doc.querySelector(".markup");
    if (!markup) {
      return; // Not loaded yet: the frame's load event fills it.
    }
    markup.innerHTML = state.html;
    var heading = doc.querySelector(".entry-header h1");
    heading.textContent = state.title ? state.title.value : "";
    heading.hidden = !heading.textContent;
  }

  var DARK_MEDIA = /prefers-color-scheme:\s*dark/;
  var ruleMedia = new WeakMap(); // a site's dark @media rule -> its original media text

  function adminTheme() {
    var theme = document.documentElement.dataset.theme;
    return theme === "light" || theme === "dark" ? theme : "auto";
  }

  function matchTheme(doc) {
    var theme = adminTheme();
    doc.documentElement.style.colorScheme = theme === "auto" ? "" : theme;
    Array.prototype.forEach.call(doc.styleSheets, function (sheet) {
      Array.prototype.forEach.call(sheet.cssRules, function (rule) {
        if (!rule.media) {
          return;
        }
        if (!ruleMedia.has(rule)) {
          if (!DARK_MEDIA.test(rule.media.mediaText)) {
            return;
          }
          ruleMedia.set(rule, rule.media.mediaText);
        }
        var wanted = { dark: "all", light: "not all", auto: ruleMedia.get(rule) }[theme];
        if (rule.media.mediaText !== wanted) {
          rule.media.mediaText = wanted;
        }
      });
    });
  }

  // Links in the preview open in a new tab; footnote links move within the preview.
  function followLinks(frame) {
    frame.contentDocument.addEventListener("click", function (event) {
      var link = event.target.closest && event.target.closest("a[href]");
      if (!link || link.getAttribute("href").charAt(0) === "#") {
        return;
      }
      event.preventDefault();
      window.open(link.href, "_blank", "noopener");
    });
  }

  function mount(container, template) {
    var pane = container.querySelector(".markdownx-preview");
    var frame = document.createElement("iframe");
    frame.className = "preview-frame";
    frame.title = template.dataset.title;
    // Same origin so this script can fill it; no scripts, forms or top navigation inside.
    frame.setAttribute("sandbox", "allow-same-origin allow-popups allow-popups-to-escape-sandbox");
    var state = {
      frame: frame,
      html: pane.innerHTML,
      title: document.getElementById("id_title"),
    };
    frame.addEventListener("load", function () {
      followLinks(frame);
      matchTheme(frame.contentDocument);
      fill(state);
    });
    // The admin's theme toggle sets data-theme on <html>.
    new MutationObserver(function () {
      if (frame.contentDocument) {
        matchTheme(frame.contentDocument);
      }
    }).observe(document.documentElement, { attributes: true, attributeFilter: ["data-theme"] });
    frame.srcdoc = pageSource(template);
    pane.insertAdjacentElement("afterend", frame);
    frames.set(container, state);
    if (state.title) {
      state.title.addEventListener("input", function () {
        fill(state);
      });
    }
  }

  document.addEventListener(
    "markdownx.update",
    function (event) {
      var state = frames.get(event.target);
      if (state) {
        state.html = event.target.querySelector(".markdownx-preview").innerHTML;
        fill(state);
      }
    },
    true
  );

  document.addEventListener("DOMContentLoaded", function () {
    var template = document.getElementById("entry-preview-page");
    if (!template) {
      return;
    }
    Array.prototype.forEach.call(document.querySelectorAll(".markdownx"), function (container) {
      mount(container, template);
    });
  });
})();
