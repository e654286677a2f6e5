"""An entry's stored HTML made fit for mail. Knows bs4 and Django's settings, no database.

Mail clients run no script, load no frame and read few stylesheets: every address becomes
absolute, a <picture> becomes one <img> (a rendition about twice the mail's width) with its
width, height and alt, a video or slides frame becomes a linked thumbnail or link, and the
few styles that matter are written on the elements themselves.
"""

import re
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup

MAIL_WIDTH = 600  # pixels: the column mail clients show comfortably
STYLES = {
    "img": "max-width:100%;height:auto;border:0;display:block;",
    "figure": "margin:1.5em 0;",
    "figcaption": "font-size:14px;color:#555555;margin-top:6px;",
    "pre": (
        "background:#f4f4f4;color:#1a1a1a;padding:12px;overflow-x:auto;font-size:14px;"
        "line-height:1.4;white-space:pre-wrap;word-wrap:break-word;"
    ),
    "code": "font-family:Menlo,Consolas,monospace;font-size:0.92em;",
    "blockquote": "margin:1em 0;padding:0 0 0 14px;border-left:3px solid #cccccc;color:#444444;",
    "a": "color:#1a56b0;",
    "table": "border-collapse:collapse;",
    "th": "border:1px solid #cccccc;padding:4px 8px;",
    "td": "border:1px solid #cccccc;padding:4px 8px;",
    "h2": "font-size:22px;line-height:1.3;",
    "h3": "font-size:19px;line-height:1.3;",
}
DROP = ("script", "style", "noscript", "object", "embed", "form", "input", "button", "source")
YOUTUBE_ID = re.compile(r"/embed/([A-Za-z0-9_-]{6,20})")
SRCSET_ITEM = re.compile(r"\s*(\S+)\s+(\d+)w\s*")


def _pick_rendition(srcset: str) -> tuple[str, int] | None:
    """Return the smallest rendition at least twice the mail's width, else the largest."""
    items = []
    for part in srcset.split(","):
        found = SRCSET_ITEM.fullmatch(part)
        if found:
            items.append((int(found.group(2)), found.group(1)))
    if not items:
        return None
    items.sort()
    for width, url in items:
        if width >= 2 * MAIL_WIDTH:
            return url, width
    return items[-1][1], items[-1][0]


def _fix_image(img, base: str) -> None:
    chosen = _pick_rendition(img.get("srcset", ""))
    if chosen:
        img["src"] = chosen[0]
    img["src"] = urljoin(base, img.get("src", ""))
    for name in ("srcset", "sizes", "loading", "decoding", "class"):
        img.attrs.pop(name, None)
    img["alt"] = img.get("alt", "")
    try:
        width, height = int(img.get("width", 0)), int(img.get("height", 0))
    except ValueError:
        width = height = 0
    if width > 0 and height > 0:
        shown = min(width, MAIL_WIDTH)
        img["width"], img["height"] = str(shown), str(round(height * shown / width))


def _frame_to_link(soup, frame) -> None:
    src = frame.get("src", "")
    title = frame.get("title") or "the embedded content"
    link = soup.new_tag("a", href=src)
    found = YOUTUBE_ID.search(src)
    if found and "youtube" in (urlsplit(src).hostname or ""):
        video = found.group(1)
        link["href"] = f"https://www.youtube.com/watch?v={video}"
        thumbnail = soup.new_tag(
            "img",
            src=f"https://i.ytimg.com/vi/{video}/hqdefault.jpg",
            width="480",
            height="360",
            alt=f"Play: {title}",
        )
        link.append(thumbnail)
    else:
        link.string = f"Open {title}"
    paragraph = soup.new_tag("p")
    paragraph.append(link)
    container = frame.parent if frame.parent and "embed" in frame.parent.get("class", []) else frame
    container.replace_with(paragraph)


def mail_html(body_html: str, base_url: str) -> str:
    """Return body_html for mail: absolute addresses, no scripts or frames, inline styles."""
    base = base_url.rstrip("/") + "/"
    soup = BeautifulSoup(body_html, "html.parser")
    for frame in soup.find_all("iframe"):
        _frame_to_link(soup, frame)
    for picture in soup.find_all("picture"):
        img = picture.find("img")
        if img is None:
            picture.decompose()
        else:
            picture.replace_with(img)
    for tag in soup.find_all(DROP):
        tag.decompose()
    for img in soup.find_all("img"):
        _fix_image(img, base)
    for tag in soup.find_all(True):
        for name in list(tag.attrs):
            if name.lower().startswith("on"):
                del tag[name]
        if tag.name == "a" and tag.get("href"):
            tag["href"] = urljoin(base, tag["href"])
            if urlsplit(tag["href"]).scheme.lower() not in {"http", "https", "mailto"}:
                del tag["href"]
        if tag.name in STYLES:
            tag["style"] = STYLES[tag.name] + tag.get("style", "")
        tag.attrs.pop("class", None)  # no stylesheet travels with the mail
    return str(soup)


def mail_text(body_text: str) -> str:
    """Return the plain-text part's body: the entry's text, wrapped at paragraphs."""
    return body_text.strip()
