"""The one Markdown pipeline: the admin preview and every saved entry go through render().

markdown-it, nh3 and Pygments are imported when the first entry is rendered, not with this
module: workers that only serve pages (stored HTML) never render, and the three are 5.7 MB
of each worker's memory.
"""

import html
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING
from urllib.parse import unquote

from django.conf import settings
from django.utils.text import Truncator

from posts.rendering import embeds
from posts.rendering.addresses import reading_of
from posts.rendering.escaping import format_html
from posts.rendering.pictures import BODY_SIZES, figure_html, picture_html
from posts.rendering.sanitize import sanitize_html
from posts.rendering.textscan import tag_matches
from posts.rendering.unmatched import unmatched_plugin

if TYPE_CHECKING:
    from markdown_it import MarkdownIt

# Given the stored file names a body points to, returns the pictures among them by name.
Lookup = Callable[[Iterable[str]], Mapping]


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
def build_parser(highlight: bool = True, guard: bool = True) -> "MarkdownIt":
    """Return our CommonMark parser: tables, strikethrough, footnotes, task lists, highlighting.

    guard=False leaves out the rule that takes brackets nothing closes as text at once (the
    same HTML, found slowly): bench/markdown_cost.py compares the two.
    """
    from markdown_it import MarkdownIt
    from mdit_py_plugins.footnote import footnote_plugin

    options = {"highlight": _highlight} if highlight else {}
    parser = MarkdownIt("commonmark", options).enable(["table", "strikethrough"])
    parser.use(footnote_plugin)
    if guard:
        parser.use(unmatched_plugin)
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


@dataclass
class Rendered:
    html: str
    images: list = field(default_factory=list)  # our Image records the body shows


def render(
    text: str,
    *,
    eager_first_image: bool = False,
    known: Mapping | None = None,
    lookup: Lookup | None = None,
    guard: bool = True,
) -> Rendered:
    """Render Markdown to sanitised HTML, with our pictures, embeds and highlighted code.

    Our pictures are the uploads the body's media addresses name: known maps stored file
    names to them, or lookup is asked once for the names found (the caller reads them from
    the database; this module never does). With neither, media addresses stay plain images.
    guard: see build_parser.
    """
    parser = build_parser(guard=guard)
    env = {"images": {}, "eager": eager_first_image}
    tokens = parser.parse(text or "", env)
    env["images"] = _our_images(tokens, known, lookup)
    _mark_figures_and_embeds(tokens, env)
    _read_slipped_links(tokens)
    html = parser.renderer.render(tokens, parser.options, env)
    html = sanitize_html(html)
    return Rendered(html, list(dict.fromkeys(env["images"].values())))


def render_entry(
    body: str,
    excerpt: str,
    *,
    has_cover: bool,
    known: Mapping | None = None,
    lookup: Lookup | None = None,
):
    """Return (html, text, summary, images) of an entry: what Entry.render stores."""
    # With no cover above it, the body's first picture is the first on the page.
    rendered = render(body, eager_first_image=not has_cover, known=known, lookup=lookup)
    text = plain_text(rendered.html)
    summary = excerpt.strip() or excerpt_from_html(rendered.html)
    return rendered.html, text, summary, rendered.images


def render_markdown(text: str, lookup: Lookup | None = None) -> str:
    """Render Markdown to sanitised HTML, safe to put into a page as it is."""
    return render(text, lookup=lookup).html


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


def _our_images(tokens, known: Mapping | None, lookup: Lookup | None) -> dict:
    """Map each image address that is one of our uploads to its picture."""
    media_url = settings.MEDIA_URL
    names = {}
    sources = [token.attrGet("src") or "" for token in _image_tokens(tokens)]
    for src in [*sources, *_html_image_sources(tokens)]:
        if src.startswith(media_url):
            names[src] = unquote(src.removeprefix(media_url))
    if not names:
        return {}
    if known is None:
        known = lookup(set(names.values())) if lookup else {}
    return {src: known[name] for src, name in names.items() if name in known}


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
        if (
            len(children) == 3
            and [child.type for child in children] == ["link_open", "image", "link_close"]
            and children[1].attrGet("src") in env["images"]
        ):
            # A picture linked to its full size (WordPress's [caption]): a figure whose
            # picture is the link, its caption below it.
            children[1].meta["href"] = children[0].attrGet("href")
            inline.children = children = [children[1]]
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


def _read_slipped_links(tokens) -> None:
    """Give a link whose address cannot be read as written the reading its author meant.

    The sanitiser would drop "http://example.eu]" from the href and leave a link to nowhere;
    kramdown, which many imported posts were written for, keeps it. Here the stray bracket goes.
    """
    for token in tokens:
        for child in token.children or ():
            if child.type == "link_open":
                href = child.attrGet("href") or ""
                if "%" in href or " " in href or "[" in href:  # all an unreadable one can hold
                    reading = reading_of(href)
                    if reading:
                        child.attrSet("href", reading)


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
    if token.meta.get("href"):
        picture = format_html('<a href="{}">{}</a>', token.meta["href"], picture)
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
