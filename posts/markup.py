"""The one Markdown pipeline: the admin preview and every saved entry go through render_markdown."""

import html
import re
from functools import cache

import nh3
from django.utils.text import Truncator
from markdown_it import MarkdownIt
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.tasklists import tasklists_plugin
from pygments import highlight as pygments_highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import get_lexer_by_name
from pygments.util import ClassNotFound

# Tokens only: markdown-it wraps them in <pre><code class="language-…">, and the site's
# stylesheet colours Pygments' short class names for light and dark themes.
_FORMATTER = HtmlFormatter(nowrap=True)

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "input",
    "ins", "kbd", "li", "mark", "ol", "p", "picture", "pre", "q", "s", "samp", "section",
    "small", "source", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul", "var",
}  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "*": {"class", "title", "lang", "dir"},
    "a": {"href", "id"},
    "abbr": {"title"},
    "img": {"src", "alt", "width", "height", "loading", "decoding", "srcset", "sizes"},
    "source": {"srcset", "sizes", "type", "media"},
    "li": {"id"},
    "ol": {"start", "reversed"},
    "td": {"style", "colspan", "rowspan"},
    "th": {"style", "colspan", "rowspan", "scope"},
    "details": {"open"},
}

# Task-list checkboxes are the only inputs: forced to a disabled checkbox.
INPUT_ATTRIBUTE_VALUES = {"input": {"checked": {"checked", ""}}}
INPUT_FORCED_ATTRIBUTES = {"input": {"type": "checkbox", "disabled": "disabled"}}

URL_SCHEMES = {"http", "https", "mailto"}


def _highlight(code: str, lang: str, _attrs: str) -> str:
    """Return Pygments token spans for a fenced block, or "" to let markdown-it escape it."""
    if not lang:
        return ""
    try:
        lexer = get_lexer_by_name(lang)
    except ClassNotFound:
        return ""
    return pygments_highlight(code, lexer, _FORMATTER)


@cache
def build_parser(highlight: bool = True) -> MarkdownIt:
    """Return our CommonMark parser: tables, strikethrough, footnotes, task lists, highlighting."""
    options = {"highlight": _highlight} if highlight else {}
    return (
        MarkdownIt("commonmark", options)
        .enable(["table", "strikethrough"])
        .use(footnote_plugin)
        .use(tasklists_plugin)
    )


@cache
def _cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        clean_content_tags={"script", "style"},
        attributes=ALLOWED_ATTRIBUTES,
        tag_attribute_values=INPUT_ATTRIBUTE_VALUES,
        set_tag_attribute_values=INPUT_FORCED_ATTRIBUTES,
        url_schemes=URL_SCHEMES,
        filter_style_properties={"text-align"},
        link_rel=None,
        strip_comments=True,
    )


def sanitize_html(fragment: str) -> str:
    """Return fragment with everything off the allowlist removed."""
    return _cleaner().clean(fragment)


def render_markdown(text: str) -> str:
    """Render Markdown to sanitised HTML, safe to put into a page as it is."""
    return sanitize_html(build_parser().render(text or ""))


_FIRST_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.DOTALL)
_BLOCK_TAG = re.compile(
    r"</?(?:blockquote|br|dd|div|dt|figcaption|figure|h[1-6]|hr|li|ol|p|pre|section|table|td|th|tr|ul)\b[^>]*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^>]+>")


def plain_text(fragment: str) -> str:
    """Return the text of an HTML fragment: block tags become spaces, inline tags vanish."""
    text = _TAG.sub("", _BLOCK_TAG.sub(" ", fragment))
    return " ".join(html.unescape(text).split())


def excerpt_from_html(body_html: str, words: int = 40) -> str:
    """Return the first paragraph's text, cut to a number of words."""
    match = _FIRST_PARAGRAPH.search(body_html)
    text = plain_text(match.group(1) if match else body_html)
    return Truncator(text).words(words, truncate="…")
