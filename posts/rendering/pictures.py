"""HTML for our pictures: <picture> with WebP and original-format srcsets, sized to avoid shifts."""

import re

from django.core.files.storage import FileSystemStorage
from django.utils.encoding import filepath_to_uri

from posts.rendering.escaping import format_html, format_html_join

# The text column is 42rem (672 CSS px) wide at most, with 1.1rem margins on a phone.
BODY_SIZES = "(min-width: 45rem) 42rem, calc(100vw - 2.2rem)"
CARD_SIZES = "(min-width: 40rem) 11rem, calc(100vw - 2.2rem)"


def media_url(storage, name: str) -> str:
    """Return a stored file's address; on disk storage, the way FileSystemStorage.url does.

    Without its urljoin: 5 us a call, and a list page asks for 70 addresses. (A cache of
    them instead grew with the site, to 22 MB a worker when full at 65,536 addresses.)
    """
    if isinstance(storage, FileSystemStorage):
        return storage.base_url + filepath_to_uri(name).lstrip("/")
    return storage.url(name)


def _srcset(storage, renditions: list[dict]) -> str:
    return ", ".join(f"{media_url(storage, r['name'])} {r['width']}w" for r in renditions)


def picture_html(image, *, alt: str | None = None, sizes: str = BODY_SIZES, eager: bool = False,
                 css_class: str = "") -> str:  # fmt: skip
    """Return a <picture> for an Image: WebP first, then its own format, lazy unless eager."""
    alt = image.alt if alt is None else alt
    loading = "eager" if eager else "lazy"
    storage = image.file.storage
    webp = [r for r in image.renditions if r["format"] == "WEBP"]
    own = [r for r in image.renditions if r["format"] != "WEBP"] or webp
    if not own:  # an animated GIF, served as it is
        return format_html(
            '<img src="{}" alt="{}" width="{}" height="{}" loading="{}" decoding="async"{}>',
            image.file.url, alt, image.width, image.height, loading, _class(css_class),
        )  # fmt: skip
    largest = own[-1]
    sources = format_html_join(
        "",
        '<source type="image/webp" srcset="{}" sizes="{}">',
        [(_srcset(storage, webp), sizes)] if webp and own is not webp else [],
    )
    return format_html(
        '<picture>{}<img src="{}" srcset="{}" sizes="{}" alt="{}" width="{}" height="{}" '
        'loading="{}" decoding="async"{}></picture>',
        sources, media_url(storage, largest["name"]), _srcset(storage, own), sizes, alt,
        largest["width"], largest["height"], loading, _class(css_class),
    )  # fmt: skip


def _class(css_class: str) -> str:
    return format_html(' class="{}"', css_class) if css_class else ""


def figure_html(image, picture: str, title: str = "") -> str:
    """Wrap a picture in a <figure>, its caption (or the Markdown title) and credit below."""
    caption = image.caption or title
    if not caption and not image.credit:
        return format_html("<figure>{}</figure>", picture)
    credit = format_html('<small class="credit">{}</small>', image.credit) if image.credit else ""
    text = format_html("{} {}", caption, credit) if caption and credit else caption or credit
    return format_html("<figure>{}<figcaption>{}</figcaption></figure>", picture, text)


def sized_url(image, width: int) -> str:
    """Return the URL of the narrowest copy at least width wide (the file if none is)."""
    wide = [r for r in image.renditions if r["format"] != "WEBP" and r["width"] >= width]
    if not wide:
        return image.file.url
    return image.file.storage.url(min(wide, key=lambda r: r["width"])["name"])


# Inside ![...], these would start emphasis, code, a link, HTML or an entity: escaped, the
# alt text reads as the writer typed it.
_ALT_SPECIALS = re.compile(r"([\\`*_\[\]<>&!])")


def picture_markdown(alt: str, url: str) -> str:
    """Return the Markdown that shows a picture, ![alt](url), with the alt text escaped."""
    text = _ALT_SPECIALS.sub(r"\\\1", " ".join(alt.split()))
    if any(char in url for char in " ()<>"):
        url = "<" + url.replace("<", "%3C").replace(">", "%3E") + ">"
    return f"![{text}]({url})"


def share_image(image) -> tuple[str, int, int]:
    """Return (url, width, height) of the version to show in link previews: JPEG or PNG, large."""
    own = [r for r in image.renditions if r["format"] != "WEBP"]
    if not own:
        return image.file.url, image.width, image.height
    largest = own[-1]
    return image.file.storage.url(largest["name"]), largest["width"], largest["height"]
