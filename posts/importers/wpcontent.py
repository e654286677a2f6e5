"""A WordPress post's content as a Markdown body: paragraphs, shortcodes, pictures.

WordPress stores paragraphs as blank lines and adds the <p> tags when it shows a post
(wpautop). Here the HTML stays HTML (raw HTML blocks, which our sanitiser then cleans), text
gets its paragraphs, and the shortcodes become what they meant: code fences, figures, embeds.
"""

import html
import re
from collections.abc import Callable
from functools import cache

from posts.importers.pictures import markdown_picture
from posts.rendering.addresses import readable, reading_of
from posts.rendering.embeds import URL_ALONE
from posts.rendering.escaping import format_html
from posts.rendering.textscan import sub_enclosed, sub_tags

BLOCK_TAGS = (
    "address|article|aside|blockquote|dd|details|div|dl|dt|fieldset|figcaption|figure|footer|"
    "form|h[1-6]|header|hgroup|hr|li|math|menu|nav|ol|p|pre|section|summary|table|tbody|td|"
    "tfoot|th|thead|tr|ul"
)
_OPEN_BLOCK = re.compile(rf"(<(?:{BLOCK_TAGS})[\s/>])", re.IGNORECASE)
_CLOSE_BLOCK = re.compile(rf"(</(?:{BLOCK_TAGS})>)", re.IGNORECASE)
_STARTS_BLOCK = re.compile(rf"^</?(?:{BLOCK_TAGS})[\s/>]", re.IGNORECASE)
# Openings; each stretch runs to its closing (sub_enclosed). No "[" inside a shortcode, as
# WordPress's own rules say: from each of "[code [code …" never closed, a scan stops at the next.
_BLOCK_COMMENT = re.compile(r"<!--\s*+/?wp:")
_COMMENT_END = re.compile(r"-->")
_PRE = re.compile(r"<pre\b", re.IGNORECASE)
_PRE_END = re.compile(r"</pre>", re.IGNORECASE)
_CODE = re.compile(r"\[(code|sourcecode)\b([^\[\]]*+)\]", re.IGNORECASE)
_CAPTION = re.compile(r"\[(caption|wp_caption)\b([^\[\]]*+)\]", re.IGNORECASE)
_EMBED = re.compile(r"\[(embed)\b[^\[\]]*+\]", re.IGNORECASE)
_GALLERY = re.compile(r"\[gallery\b([^\[\]]*+)\]", re.IGNORECASE)
_OTHER = re.compile(r"\[/?([a-z][\w-]*+)[^\[\]\n]*+\]", re.IGNORECASE)
_YOUTUBE = re.compile(r"\[youtube[= ]\s*+([^\s\[\]]++)[^\[\]]*+\]", re.IGNORECASE)
_MEDIA = re.compile(r"\[(audio|video)\b([^\[\]]*+)\](?:\s*+\[/\1\])?", re.IGNORECASE)
_MORE = re.compile(r"<!--more(?:(?!-->).)*+-->", re.DOTALL)
_LINK_START = re.compile(r"<a\b[^>]*+>", re.IGNORECASE)
# WordPress's smilies in their unambiguous :name: spelling, as the emoji it shows now.
SMILIES = {
    ":mrgreen:": "😁", ":roll:": "🙄", ":wink:": "😉", ":smile:": "🙂", ":sad:": "🙁",
    ":cry:": "😥", ":lol:": "😆", ":twisted:": "😈", ":evil:": "👿", ":oops:": "😳",
    ":razz:": "😛", ":shock:": "😯", ":eek:": "😮", ":idea:": "💡", ":arrow:": "➡",
    ":neutral:": "😐", ":mad:": "😡", ":cool:": "😎", ":grin:": "😀", ":???:": "😕",
    ":?:": "❓", ":!:": "❗", ":geek:": "🤓", ":ugeek:": "🤓",
}  # fmt: skip
_SMILEY = re.compile("|".join(re.escape(name) for name in sorted(SMILIES, key=len, reverse=True)))
# Shortcodes of WordPress itself and of its common plugins: named when found unrendered.
# Other bracketed words ("[via]", "[sic]", "[1]") are prose, unless they are closed
# ([/name]) or carry attributes, as a shortcode does.
WORDPRESS_SHORTCODES = {"playlist", "contact-form", "contact-form-7", "wpvideo", "googlemaps"}
_ATTRIBUTE = re.compile(r"""(?<![\w-])([\w-]++)\s*=\s*(?:"([^"]*)"|'([^']*)'|(\S+))""")
_IMG = re.compile(r"<img\b[^>]*+>", re.IGNORECASE)  # through sub_tags, or up to the last ">"
_ANY_TAG = re.compile(r"<[^>]++>")
_LONE_IMAGE = re.compile(
    r"^(?:<a\b[^>]*>\s*)?(<img\b[^>]*>)(?:\s*</a>)?$", re.IGNORECASE | re.DOTALL
)
_MARK = "\x00{}\x00"
_MARKED = re.compile(r"\x00(\d+)\x00")
# Shortcodes WordPress sites use that have no meaning here: kept visible, and reported.
KNOWN = {"code", "sourcecode", "caption", "wp_caption", "gallery", "embed"}


def _closing(opening: re.Match) -> re.Pattern:
    """Return the pattern of a shortcode's closing tag: [/code] for [code] or [CODE lang=x]."""
    return _closing_tag(opening.group(1).lower())


@cache
def _closing_tag(name: str) -> re.Pattern:
    return re.compile(re.escape(f"[/{name}]"), re.IGNORECASE)


def attributes(text: str) -> dict[str, str]:
    """Return a shortcode's or tag's attributes: [gallery ids="1,2" columns=3].

    Values in double, single or no quotes; the editor may have written the quotes as
    entities (&quot;, &#039;) or curled them, as WordPress's texturize does.
    """
    if "&" in text:
        text = html.unescape(text)
    text = text.translate(_STRAIGHT_QUOTES)
    found = {}
    for match in _ATTRIBUTE.finditer(text):
        value = next(v for v in match.groups()[1:] if v is not None)
        found[match.group(1).lower()] = html.unescape(value)
    return found


_STRAIGHT_QUOTES = str.maketrans({"“": '"', "”": '"', "″": '"', "‘": "'", "’": "'", "′": "'"})
# The editor escapes these in a code shortcode; any other entity is what the author typed
# (an "&#xA0;" in a string literal stays byte for byte).
_EDITOR_ENTITIES = re.compile(r"&(lt|gt|amp|quot|#0*39|#0*60|#0*62|#0*38|#0*34);")
_EDITOR_CHARS = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}


def _editor_unescape(code: str) -> str:
    def char(match: re.Match) -> str:
        name = match.group(1)
        return _EDITOR_CHARS.get(name) or chr(int(name[1:]))

    return _EDITOR_ENTITIES.sub(char, code)


class Converter:
    """Turn one post's content into Markdown; picture(src) gives the address to write."""

    def __init__(
        self,
        picture: Callable[[str], str],
        gallery: Callable[[dict], list[tuple[str, str, str]]],
        note: Callable[[str], None],
    ):
        self.picture = picture  # an old picture address -> the address in the new body
        self.gallery = gallery  # the shortcode's attributes -> [(src, alt, caption)]
        self.note = note
        self.blocks: list[str] = []

    def convert(self, content: str) -> str:
        self.blocks = []
        text = content.replace("\r\n", "\n")
        text = sub_enclosed(text, _BLOCK_COMMENT, _COMMENT_END, lambda *_: "")
        text = sub_enclosed(text, _CODE, _closing, self._code)
        text = sub_enclosed(text, _PRE, _PRE_END, lambda _o, _i, whole: self._keep(whole))
        if "<!--more" in text:  # the excerpt's end, kept as a mark (see summary_before_more)
            text = _MORE.sub("\n\n<!--more-->\n\n", text)
        if ":" in text:
            text = _SMILEY.sub(lambda m: SMILIES[m.group(0)], text)
        if "[" in text:
            text = _YOUTUBE.sub(lambda m: self._keep(html.unescape(m.group(1))), text)
            text = _MEDIA.sub(self._media, text)
        text = sub_enclosed(text, _CAPTION, _closing, self._caption)
        text = _GALLERY.sub(self._gallery, text)
        text = sub_enclosed(
            text, _EMBED, _closing, lambda _o, inner, _w: self._keep(html.unescape(inner.strip()))
        )
        text = _OTHER.sub(self._other, text)
        if "<a" in text:
            text = sub_tags(_LINK_START, self._link, text)
        text = _OPEN_BLOCK.sub(r"\n\n\1", text)
        text = _CLOSE_BLOCK.sub(r"\1\n\n", text)
        chunks = [self._paragraph(chunk.strip()) for chunk in re.split(r"\n\s*\n", text)]
        body = "\n\n".join(chunk for chunk in chunks if chunk)
        return _MARKED.sub(lambda m: self.blocks[int(m.group(1))], body) + "\n"

    def _keep(self, markdown: str) -> str:
        """Set a finished block aside, alone in its paragraph, until the end."""
        self.blocks.append(markdown)
        return "\n\n" + _MARK.format(len(self.blocks) - 1) + "\n\n"

    def _code(self, opening: re.Match, inner: str, _whole: str) -> str:
        options = attributes(opening.group(2))
        language = options.get("lang") or options.get("language") or ""
        code = _editor_unescape(inner.strip("\n"))
        fence = "~~~~" if "```" in code else "```"
        return self._keep(f"{fence}{language}\n{code}\n{fence}")

    def _image_line(self, tag: str, caption: str = "") -> str:
        options = attributes(tag)
        return markdown_picture(
            self.picture(options.get("src", "")), options.get("alt", ""), caption
        )

    def _caption(self, opening: re.Match, inner: str, _whole: str) -> str:
        image = _IMG.search(inner, 0, inner.rfind(">") + 1)
        if image is None:
            return inner
        caption = attributes(opening.group(2)).get("caption") or sub_tags(
            _ANY_TAG, "", inner[image.end() :]
        )
        caption = " ".join(html.unescape(caption).split())
        link = _LINK_START.search(inner, 0, image.start())
        href = attributes(link.group(0)).get("href", "") if link else ""
        options = attributes(image.group(0))
        src = options.get("src", "")
        address = self.picture(src)
        if address == src and caption:
            # A picture not imported: the renderer makes figures of ours only, so the
            # caption is written out here, where readers see it.
            picture = format_html('<img src="{}" alt="{}">', src, options.get("alt", ""))
            if href:
                picture = format_html('<a href="{}">{}</a>', href, picture)
            return self._keep(
                format_html("<figure>{}<figcaption>{}</figcaption></figure>", picture, caption)
            )
        line = markdown_picture(address, options.get("alt", ""), caption)
        # Linked to the full-size file, as WordPress linked it.
        return self._keep(f"[{line}]({href})" if href else line)

    def _gallery(self, match: re.Match) -> str:
        pictures = self.gallery(attributes(match.group(1)))
        if not pictures:
            self.note("[gallery] with no pictures found: kept as text")
            return match.group(0)
        lines = [
            markdown_picture(self.picture(src), alt, caption) for src, alt, caption in pictures
        ]
        return self._keep("\n\n".join(lines))

    def _link(self, match: re.Match) -> str:
        """An <a> whose address cannot be read as written links to the reading meant."""
        tag = match.group(0)
        href = attributes(tag).get("href")
        if not href or readable(href):
            return tag
        reading = reading_of(href)
        outcome = f"linked as {reading}" if reading else "no safe reading: shown as text"
        self.note(f"link address cannot be read as written, kept: {tag[:80]} ({outcome})")
        return format_html('<a href="{}">', reading) if reading else "<a>"

    def _media(self, match: re.Match) -> str:
        options = attributes(match.group(2))
        url = options.get("src") or next(
            (v for k, v in options.items() if k in ("mp3", "m4a", "ogg", "wav", "mp4", "webm")), ""
        )
        if not url:
            return match.group(0)
        name = url.rstrip("/").rsplit("/", 1)[-1]
        return f"[{match.group(1).lower()}: {name}]({url})"

    def _other(self, match: re.Match) -> str:
        name = match.group(1).lower()
        if name in KNOWN:
            return match.group(0)
        text = match.string
        closed = f"[/{name}]" in text.lower()
        if "=" in match.group(0) or closed or name in WORDPRESS_SHORTCODES:
            # A shortcode of a plugin this site never had: its tags go, enclosed text stays.
            self.note(f"shortcode removed, nothing here renders it: [{name}]")
            return ""
        return match.group(0)  # bracketed prose, shown as WordPress showed it

    def _paragraph(self, chunk: str) -> str:
        if not chunk or _MARKED.fullmatch(chunk) or chunk == "<!--more-->":
            return chunk
        lone = _LONE_IMAGE.match(chunk)
        if lone:
            return self._image_line(lone.group(1))
        chunk = sub_tags(_IMG, self._rewrite_img, chunk)
        if URL_ALONE.match(chunk):
            return chunk  # WordPress embeds a URL alone on its line; so do we
        if _STARTS_BLOCK.match(chunk):
            return chunk
        return "<p>" + chunk.replace("\n", "<br>\n") + "</p>"

    def _rewrite_img(self, match: re.Match) -> str:
        tag = match.group(0)
        src = attributes(tag).get("src")
        if not src:
            return tag
        return tag.replace(src, self.picture(src), 1)
