"""The HTML allowlist: what of a rendered body may reach a reader, and nothing else.

nh3 (ammonia) does the cleaning; this module says what it keeps, checks the addresses it
leaves alone (srcset) and lets through only the iframes posts.rendering.embeds writes.
"""

import re
from functools import cache
from typing import TYPE_CHECKING

from posts.rendering import embeds

if TYPE_CHECKING:
    import nh3

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "iframe", "img",
    "input", "ins", "kbd", "label", "li", "mark", "ol", "p", "picture", "pre", "q", "s", "samp",
    "section", "small", "source", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td",
    "tfoot", "th", "thead", "tr", "u", "ul", "var",
}  # fmt: skip

ALLOWED_ATTRIBUTES = {
    "*": {"class", "title", "lang", "dir"},
    "a": {"href", "id"},
    "abbr": {"title"},
    "img": {"src", "alt", "width", "height", "loading", "decoding", "srcset", "sizes"},
    "iframe": {"src", "title", "loading", "sandbox", "allow", "allowfullscreen", "referrerpolicy"},
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


# Only the iframes that posts.rendering.embeds writes get through, attribute for attribute.
IFRAME_VALUES = {
    "sandbox": {embeds.VIDEO_SANDBOX, embeds.SLIDES_SANDBOX},
    "allow": {embeds.ALLOW},
    "referrerpolicy": {embeds.REFERRER_POLICY},
    "loading": {"lazy"},
}


# A browser reads a URL's scheme after dropping tabs and newlines and trimming control
# characters and spaces at its ends (the WHATWG URL standard).
_URL_IGNORED = re.compile(r"[\t\n\r]")
_URL_EDGES = "".join(chr(code) for code in range(0x21))
_URL_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")


def _safe_url(url: str) -> bool:
    """Return True if a URL is relative or uses one of URL_SCHEMES."""
    scheme = _URL_SCHEME.match(_URL_IGNORED.sub("", url).strip(_URL_EDGES))
    return scheme is None or scheme.group(1).lower() in URL_SCHEMES


def _safe_srcset(value: str) -> bool:
    # nh3 checks the schemes of href and src, but srcset holds a list of URLs it leaves alone.
    return all(_safe_url(part.split()[0]) for part in value.split(",") if part.strip())


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    if name == "srcset":
        return value if _safe_srcset(value) else None
    if tag != "iframe":
        return value
    if name == "src":
        return value if embeds.is_allowed_frame_src(value) else None
    if name in IFRAME_VALUES:
        return value if value in IFRAME_VALUES[name] else None
    return value


@cache
def _cleaner() -> "nh3.Cleaner":
    import nh3

    return nh3.Cleaner(
        tags=ALLOWED_TAGS,
        attribute_filter=_filter_attribute,
        # A <noscript> is the fallback of a script never run here: its embed is shown as ours
        # (posts.rendering.embeds), and html5ever would show its markup as text.
        clean_content_tags={"script", "style", "noscript"},
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
    return _cleaner().clean(limit_depth(fragment))


# nh3's HTML parser (html5ever) spends time on each tag in proportion to how deeply it is
# nested: 128,000 "<div>" lines took 38 s to render (html5ever issue 788). No post nests a
# thousand elements; past that, start tags are written out as text.
MAX_DEPTH = 1000
_TAG_START = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*+)[^<>]*+(>?)")
# Never open (void), or closed by the next of their kind or their parent's end: html5ever
# lets none of them nest without a list, a table or a select, which are counted.
_NOT_COUNTED = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
    "source", "track", "wbr", "p", "li", "dt", "dd", "tr", "td", "th", "tbody", "thead",
    "tfoot", "caption", "colgroup", "option", "optgroup", "rb", "rt", "rp",
}  # fmt: skip


def limit_depth(fragment: str, limit: int = MAX_DEPTH) -> str:
    """Escape the start tags that would open an element deeper than limit.

    The depth is over-counted, never under: every start tag counts until an end tag of its
    name closes it as the innermost one, the only case where a parser surely closes it.
    (Counting an end tag as closing the nearest of its name deeper down would be fooled:
    html5ever leaves "<b><div></b>" or "<div><object></div></object>" one level deeper.)
    """
    if fragment.count("<") <= limit:
        return fragment
    opened, out, kept_from = [], [], 0
    for tag in _TAG_START.finditer(fragment):
        closing, name = tag.group(1), tag.group(2).lower()
        if name in _NOT_COUNTED or tag.group(0).endswith("/>"):
            continue
        if closing:
            if opened and opened[-1] == name:
                opened.pop()
        elif len(opened) < limit:
            opened.append(name)
        else:
            out += [fragment[kept_from : tag.start()], "&lt;"]
            kept_from = tag.start() + 1
    out.append(fragment[kept_from:])
    return "".join(out)
