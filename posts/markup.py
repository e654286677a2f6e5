"""The one Markdown pipeline: the admin preview and every saved entry go through render_markdown.

markdown-it, nh3 and Pygments are imported when the first entry is rendered, not with this
module: workers that only serve pages (stored HTML) never render, and the three are 5.7 MB
of each worker's memory.
"""

import html
import re
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING
from urllib.parse import unquote

from django.conf import settings
from django.utils.text import Truncator

from posts import embeds
from posts.pictures import BODY_SIZES, figure_html, picture_html
from posts.textscan import tag_matches

if TYPE_CHECKING:
    import nh3
    from markdown_it import MarkdownIt

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


@lru_cache(maxsize=256)
def _lexer(lang: str):
    """Return the lexer for a language name, or None: finding one costs more than using it."""
    from pygments.lexers import get_lexer_by_name
    from pygments.util import ClassNotFound

    try:
        return get_lexer_by_name(lang)
    except ClassNotFound:
        return None


@cache
def _formatter():
    # Tokens only: markdown-it wraps them in <pre><code class="language-…">, and the site's
    # stylesheet colours Pygments' short class names for light and dark themes.
    from pygments.formatters import HtmlFormatter

    return HtmlFormatter(nowrap=True)


def _highlight(code: str, lang: str, _attrs: str) -> str:
    """Return Pygments token spans for a fenced block, or "" to let markdown-it escape it."""
    from pygments import highlight

    lexer = _lexer(lang) if lang else None
    if lexer is None:
        return ""
    return highlight(code, lexer, _formatter())


@cache
def build_parser(highlight: bool = True) -> "MarkdownIt":
    """Return our CommonMark parser: tables, strikethrough, footnotes, task lists, highlighting."""
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    options = {"highlight": _highlight} if highlight else {}
    parser = MarkdownIt("commonmark", options).enable(["table", "strikethrough"])
    parser.use(footnote_plugin)
    parser.core.ruler.after("inline", "task_lists", _task_lists)
    if highlight:  # the site's parser; without highlighting, the plain CommonMark one for tests
        parser.add_render_rule("image", _render_image)
    return parser


_TASK = re.compile(r"\[([ xX])\][ \t\n\v\f\r]")


def _task_lists(state) -> None:
    """Make a list item that starts with "[ ]" or "[x]" a disabled checkbox its text labels.

    Ours, not mdit-py-plugins' tasklists: that one found each item's list by walking back
    over every token before it, and a list of 8,000 tasks took 4.4 s to render. The lists
    open at each point are kept on a stack here.
    """
    from markdown_it.token import Token

    tokens, lists = state.tokens, []
    for index, token in enumerate(tokens):
        if token.type in ("bullet_list_open", "ordered_list_open"):
            lists.append(token)
        elif token.type in ("bullet_list_close", "ordered_list_close"):
            lists.pop()
        elif (
            token.type == "inline"
            and index >= 2
            and tokens[index - 1].type == "paragraph_open"
            and tokens[index - 2].type == "list_item_open"
            and (task := _TASK.match(token.content))
            and token.children
            and token.children[0].type == "text"
            and token.children[0].content.startswith(task.group(0)[:3])
        ):
            checked = "" if task.group(1) == " " else ' checked="checked"'
            box = (
                f'<input class="task-list-item-checkbox"{checked} disabled="disabled"'
                ' type="checkbox">'
            )
            token.content = token.content[3:]
            token.children[0].content = token.children[0].content[3:]
            token.children[:0] = [
                Token("html_inline", "", 0, content="<label>"),
                Token("html_inline", "", 0, content=box),
            ]
            token.children.append(Token("html_inline", "", 0, content="</label>"))
            tokens[index - 2].attrSet("class", "task-list-item")
            lists[-1].attrSet("class", "contains-task-list")


# Only the iframes that posts.embeds writes get through, attribute for attribute.
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


@dataclass
class Rendered:
    html: str
    images: list = field(default_factory=list)  # our Image records the body shows


def render(text: str, *, eager_first_image: bool = False, known: dict | None = None) -> Rendered:
    """Render Markdown to sanitised HTML, with our pictures, embeds and highlighted code.

    known maps stored file names to their Images; without it they are looked up (one query).
    """
    parser = build_parser()
    env = {"images": {}, "eager": eager_first_image}
    tokens = parser.parse(text or "", env)
    env["images"] = _our_images(tokens, known)
    _mark_figures_and_embeds(tokens, env)
    html = parser.renderer.render(tokens, parser.options, env)
    html = sanitize_html(html)
    return Rendered(html, list(dict.fromkeys(env["images"].values())))


def render_entry(body: str, excerpt: str, *, has_cover: bool, known: dict | None = None):
    """Return (html, text, summary, images) of an entry: what Entry.render stores."""
    # With no cover above it, the body's first picture is the first on the page.
    rendered = render(body, eager_first_image=not has_cover, known=known)
    text = plain_text(rendered.html)
    summary = excerpt.strip() or excerpt_from_html(rendered.html)
    return rendered.html, text, summary, rendered.images


def render_markdown(text: str) -> str:
    """Render Markdown to sanitised HTML, safe to put into a page as it is."""
    return render(text).html


def _image_tokens(tokens):
    for token in tokens:
        if token.type == "inline":
            for child in token.children or []:
                if child.type == "image":
                    yield child


_HTML_SRC = re.compile(r"""<img\b[^>]*?\bsrc\s*=\s*["']?([^"'\s>]+)""", re.IGNORECASE)
_IMG_TAG = re.compile(r"<img\b", re.IGNORECASE)


def _html_image_sources(tokens):
    """Yield the src of every <img> written as raw HTML (an imported post keeps its own)."""
    for token in tokens:
        if token.type == "html_block":
            yield from _img_sources(token.content)
        for child in token.children or []:
            if child.type == "html_inline":
                yield from _img_sources(child.content)


def _img_sources(fragment: str) -> list[str]:
    return [found.group(1) for found in tag_matches(_IMG_TAG, _HTML_SRC, fragment)]


LOOKUP_CHUNK = 500


def images_named(names) -> dict:
    """Map stored file names to their Images, in one query per LOOKUP_CHUNK names.

    A body can name more pictures than a query may hold values (250,000 in SQLite here,
    65,535 in PostgreSQL): in one query, saving or exporting it was a database error.
    """
    from posts.models import Image  # models import this module to render on save

    wanted, found = sorted(set(names)), {}
    for start in range(0, len(wanted), LOOKUP_CHUNK):
        chunk = Image.objects.filter(file__in=wanted[start : start + LOOKUP_CHUNK])
        found.update({image.file.name: image for image in chunk})
    return found


def _our_images(tokens, known: dict | None = None) -> dict:
    """Map each image address that is one of our uploads to its Image (see images_named)."""
    media_url = settings.MEDIA_URL
    names = {}
    sources = [token.attrGet("src") or "" for token in _image_tokens(tokens)]
    for src in [*sources, *_html_image_sources(tokens)]:
        if src.startswith(media_url):
            names[src] = unquote(src.removeprefix(media_url))
    if not names:
        return {}
    by_name = known if known is not None else images_named(names.values())
    return {src: by_name[name] for src, name in names.items() if name in by_name}


def media_names(text: str) -> set[str]:
    """Return the stored file names a body's addresses point to (a superset of its pictures)."""
    prefix = re.escape(settings.MEDIA_URL)
    return {unquote(name) for name in re.findall(prefix + r"([^\s\"'<>()]+)", text or "")}


def _mark_figures_and_embeds(tokens, env) -> None:
    """A picture alone in its paragraph becomes a figure; a URL alone, an embed.

    Raw iframes and embed scripts the author wrote are rewritten first, so that only the
    embeds made here reach the sanitiser, which then lets through only those.
    """
    for token in tokens:
        if token.type == "html_block":
            token.content = embeds.rewrite_raw_embeds(token.content)
        for child in token.children or []:
            if child.type == "html_inline":
                child.content = embeds.rewrite_raw_embeds(child.content)
    for index in range(len(tokens) - 2):
        opening, inline, closing = tokens[index : index + 3]
        if opening.type != "paragraph_open" or closing.type != "paragraph_close":
            continue
        children = [c for c in inline.children or [] if not (c.type == "text" and not c.content)]
        if len(children) == 1 and children[0].type == "image":
            if children[0].attrGet("src") in env["images"]:
                children[0].meta["figure"] = True
                opening.hidden = closing.hidden = True
            continue
        url = embeds.URL_ALONE.match(inline.content.strip())
        embed = url and embeds.embed_for_url(url.group(1))
        if embed:
            inline.type, inline.content, inline.children = "html_block", embed + "\n", None
            opening.hidden = closing.hidden = True


def _render_image(renderer, tokens, index, options, env) -> str:
    token = tokens[index]
    image = env["images"].get(token.attrGet("src"))
    eager = env["eager"] and not env.get("seen_image")
    env["seen_image"] = True
    if image is None:
        token.attrSet("loading", "eager" if eager else "lazy")
        token.attrSet("decoding", "async")
        return renderer.image(tokens, index, options, env)
    alt = renderer.renderInlineAsText(token.children or [], options, env) or image.alt
    picture = picture_html(image, alt=alt, sizes=BODY_SIZES, eager=eager)
    if token.meta.get("figure"):
        return figure_html(image, picture, title=token.attrGet("title") or "")
    return picture


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
