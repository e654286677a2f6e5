"""A comment's body, Markdown to safe HTML: a small subset, through the entries' sanitiser.

Paragraphs, emphasis, code, quotes, lists and links; no pictures, headings, tables or raw
HTML (written HTML shows as text). The result goes through posts' allowlist, then a tighter
one for comments, which also gives every link rel="nofollow ugc".
Imports posts.rendering only.
"""

import re
from functools import cache

from posts.rendering.sanitize import sanitize_html

COMMENT_TAGS = {
    "a", "blockquote", "br", "code", "del", "em", "li", "ol", "p", "pre", "s", "strong", "ul",
}  # fmt: skip
# C0 and C1 control characters but tab and newline: nothing a person types.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def strip_controls(text: str) -> str:
    """Return text without control characters (tab and newline kept, CR LF made LF)."""
    return CONTROL_CHARACTERS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


@cache
def _parser():
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark", {"html": False, "linkify": False})
    parser.disable(["image", "heading", "lheading", "html_block", "html_inline"])
    parser.enable(["strikethrough"])
    return parser


def render_comment(body: str) -> str:
    """Return the safe HTML of a comment's Markdown body."""
    import nh3

    html = sanitize_html(_parser().render(strip_controls(body)))
    return nh3.clean(
        html,
        tags=COMMENT_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="nofollow ugc",
    )
