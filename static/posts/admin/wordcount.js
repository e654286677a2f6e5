// A live word count and reading time under the body, counted as the saved entry counts
// them (posts.rendering.markdown.plain_text, Entry.reading_minutes): the words of the
// rendered text, at 230 a minute, at least one minute. Each preview markdownx fetches
// updates it; while the preview is refused, the Markdown's own words stand in.
"use strict";
(function () {
  var WORDS_PER_MINUTE = 230;
  var BLOCK_TAG =
    /<\/?(?:blockquote|br|dd|div|dt|figcaption|figure|h[1-6]|hr|li|ol|p|pre|section|table|td|th|tr|ul)\b[^>]*>/gi;
  var TAG = /<[^>]+>/g;

  function plainText(html) {
    var text = html.replace(BLOCK_TAG, " ").replace(TAG, "");
    // Entities decoded by an inert document: nothing in it loads or runs.
    return new DOMParser().parseFromString(text, "text/html").documentElement.textContent;
  }

  function countWords(text) {
    var words = text.split(/\s+/).filter(Boolean);
    return words.length;
  }

  // Python's round(): halves go to the even neighbour.
  function roundHalfEven(value) {
    var floor = Math.floor(value);
    var rest = value - floor;
    if (rest !== 0.5) {
      return Math.round(value);
    }
    return floor % 2 === 0 ? floor : floor + 1;
  }

  function describe(words) {
    var minutes = Math.max(1, roundHalfEven(words / WORDS_PER_MINUTE));
    var count = words.toLocaleString();
    return (
      count +
      (words === 1 ? " word" : " words") +
      " · " +
      minutes +
      " min read"
    );
  }

  function statsFor(container) {
    var stats = container.parentNode.querySelector(".body-stats");
    if (!stats) {
      stats = document.createElement("p");
      stats.className = "body-stats";
      container.insertAdjacentElement("afterend", stats);
    }
    return stats;
  }

  document.addEventListener(
    "markdownx.update",
    function (event) {
      var container = event.target;
      var pane = container.querySelector(".markdownx-preview");
      var editor = container.querySelector("textarea");
      if (!pane || !editor) {
        return;
      }
      var refused = pane.querySelector(".preview-refused");
      var words = countWords(refused ? editor.value : plainText(pane.innerHTML));
      statsFor(container).textContent = describe(words);
    },
    true
  );
})();
