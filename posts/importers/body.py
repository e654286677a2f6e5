"""A Markdown file's body and cover: template tags converted, its local pictures marked.

Each picture address that names a file inside the imported folders (or the site's) becomes a
mark for an ImageRef; any other address stays as it is written, and the report says why.
"""

import re
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlsplit

from posts.importers import templates
from posts.importers.fields import as_text
from posts.importers.pictures import check_picture
from posts.importers.records import MISSING_PICTURE, ImageRef, Post, Report
from posts.importers.sites import Site
from posts.rendering.addresses import readable, reading_of
from posts.rendering.textscan import sub_tag_matches, tag_matches

MISSING = Path("/nonexistent/picture")  # what _resolve says of a picture it may not read
PICTURE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp"}
# No "[" in the alt text, no "(" in the address (with one, it never named a picture file):
# from each "![" the pattern looks no further than the next, or a line of "![a](" took minutes.
# Around the address, spaces and at most one line break, as CommonMark allows.
_MD_IMAGE = re.compile(
    r'!\[([^\[\]]*+)\]\([ \t]*+\n?[ \t]*+<?([^()\s>]++)>?(\s+"[^"]*")?[ \t]*+\n?[ \t]*+\)'
)
_HTML_IMAGE = re.compile(r"""(<img\b[^>]*?\bsrc\s*=\s*)(["']?)([^"'\s>]+)\2""", re.IGNORECASE)
_IMG_TAG = re.compile(r"<img\b", re.IGNORECASE)  # where _HTML_IMAGE is tried: see tag_matches
_TAG_EDGE = re.compile(r"[<>]")
_HTML_ALT = re.compile(r"""\balt\s*=\s*(["'])(.*?)\1""", re.IGNORECASE | re.DOTALL)
# A definition's label holds no bracket; its address may follow on the next line.
_REFERENCE = re.compile(
    r"^( {0,3}\[[^\[\]]++\]:[ \t]*+\n?[ \t]*+<?)(\S+?)(>?(?:[ \t].*)?)$", re.MULTILINE
)
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
# Where a body gives a link's address: after "](", a reference's "]:", "<" or href=.
_ADDRESS = re.compile(
    r"""(?:\]\([ \t]*+<?|\]:[ \t]*+<?|<|\bhref\s*=\s*["']?)([a-zA-Z][\w+.-]*+://[^\s)>"']*+)"""
)
# A host holding what no host can (a bracket, a brace, "%"...): the addresses readable() may
# refuse. Where an address ends (a space, a quote, ")" or ">") it is not looked at further.
_SUSPECT_HOST = re.compile(r"://[^/\s)>\"'?#\[\]{}|\\^`%]*+[\[\]{}|\\^`%]")
_EXPORTED = re.compile(r"\.\./media/[^\s\"'<>()\[\]]+")
EXPORTED_MEDIA = "../media/"


def picture_notes(meta: dict) -> dict[str, dict]:
    """Return what our export wrote about each picture: alt text, caption, credit."""
    notes = {}
    items = meta.get("pictures")
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("file"):
            notes[str(item["file"])] = item
    return notes


def _resolve(src: str, path: Path, site: Site, roots: tuple[Path, ...]) -> Path | None:
    """Return the local file a picture address points to, or None if it is not one of ours."""
    address = src.strip()
    for url in site.urls:
        base = url.rstrip("/")
        if base and address.lower().startswith(base.lower() + "/"):
            address = address[len(base) :]
            break
    try:
        parts = urlsplit(address)
    except ValueError:  # "http://example.eu]": no picture of ours; check_links names it
        return None
    if parts.scheme or parts.netloc or not parts.path:
        return None
    relative = unquote(parts.path)
    if Path(relative).suffix.lower() not in PICTURE_SUFFIXES:
        return None
    if relative.startswith("/"):
        candidates = [base / relative.lstrip("/") for base in site.picture_dirs()]
    else:
        candidates = [path.parent / relative]
    allowed = (*roots, *([site.root.resolve()] if site.root else []))
    for candidate in candidates:
        # ../../etc/x.png, /../.. or a link to elsewhere: only pictures inside the site go in.
        real = candidate.resolve()
        if candidate.is_file() and any(real.is_relative_to(root) for root in allowed):
            return real
    return MISSING  # ours by its address, but not here (or not inside the site)


def _picture(src: str, alt: str, path: Path, site: Site, notes: dict, report: Report, roots):
    """Return an ImageRef for a picture that can be imported, or None (and note why)."""
    found = _resolve(src, path, site, roots)
    if found is None:
        return None
    if found is MISSING:
        report.notes[f"{MISSING_PICTURE}{src}\t{path.name}"] += 1
        return None
    problem = check_picture(found)
    if problem:
        report.notes[f"picture not imported, address kept: {problem}"] += 1
        return None
    # A body holds the address as the site wrote it, non-ASCII names percent-encoded.
    note = notes.get(src) or notes.get(unquote(src)) or {}
    # Where our export put it: only the same bytes under that name make it that Image.
    exported = src.startswith(EXPORTED_MEDIA)
    return ImageRef(
        found,
        alt=as_text(note.get("alt")) or alt,
        caption=as_text(note.get("caption")),
        credit=as_text(note.get("credit")),
        decorative=bool(note.get("decorative")),
        stored_name=unquote(src.removeprefix(EXPORTED_MEDIA)) if exported else "",
    )


def convert_body(
    body: str, path: Path, site: Site, post: Post, notes: dict, report: Report, ours: bool, roots
) -> str:
    """Return the body with its template tags converted and its pictures' addresses marked."""

    def picture(src: str, alt: str) -> ImageRef | None:
        return _picture(src, alt, path, site, notes, report, roots)

    if ours:
        # Our exporter wrote every address of an exported picture as ../media/<name>,
        # wherever it stood (a picture, a link, a code block): each one comes back.
        def exported(match: re.Match) -> str:
            ref = picture(match.group(0), "")
            return post.add_image(ref) if ref else match.group(0)

        return _EXPORTED.sub(exported, body)
    if site.kind == "jekyll" and "</" in body:
        body = templates.outside_fences(body, _end_html_blocks)
    body = templates.convert(
        body,
        path,
        report,
        "jekyll" if site.kind == "jekyll" else "hugo",
        site.param,
        lambda target: site.reference(target, path),
    )
    if "![" not in body and "]:" not in body and not any(tag_matches(_IMG_TAG, _HTML_IMAGE, body)):
        # No picture can be referenced: nothing to look up. (Half of the generated
        # benchmark posts hold a "<" in code, and went through outside_fences for nothing.)
        return body.strip("\n") + "\n"
    # Whole stretches between code fences: a picture's address or an <img>'s attributes
    # may go on over a line break ("![a](x.png\n)" is a picture in CommonMark).
    marked = templates.outside_fences(body, lambda prose: _mark_pictures(prose, post, picture))
    return marked.strip("\n") + "\n"


# Not indented code, not inside a quote: a line of the page's own HTML that closes a block.
_CLOSES_BLOCK = re.compile(
    r"^ {0,3}(?:[^\s>].*)?</(?:div|section|aside|figure|table|details|blockquote)>\s*$", re.I
)


def _end_html_blocks(prose: str) -> str:
    """Return prose with a blank line after each line that closes an HTML block.

    kramdown ends an HTML block at its closing tag: "</div>" then "### Subscribe" is a
    heading there; CommonMark reads on to the next blank line, and showed "### Subscribe".
    """
    lines = prose.split("\n")
    out = []
    for line, after in zip(lines, [*lines[1:], ""], strict=True):
        out.append(line)
        if after.strip() and _CLOSES_BLOCK.match(line):
            out.append("")
    return "\n".join(out)


def _mark_pictures(prose: str, post: Post, picture: Callable[[str, str], ImageRef | None]) -> str:
    """Return prose with the address of each picture that can be imported replaced by its mark."""

    def markdown_image(match: re.Match) -> str:
        alt, src, title = match.group(1), match.group(2), match.group(3) or ""
        ref = picture(src, alt)
        return f"![{alt}]({post.add_image(ref)}{title})" if ref else match.group(0)

    def html_image(match: re.Match) -> str:
        tag_start = match.string.rfind("<", 0, match.start(3))
        # The alt is looked for up to the next "<" or ">": in "<img src=a <img src=a …" with
        # no ">", each picture's look ran to the end of the line (320 kB: 68 s).
        tag_end = _TAG_EDGE.search(match.string, match.end())
        tag_end = tag_end.start() if tag_end else len(match.string)
        alt = _HTML_ALT.search(match.string, tag_start, tag_end)
        alt = alt.group(2) if alt else ""
        ref = picture(match.group(3), alt)
        if ref is None:
            return match.group(0)
        return f"{match.group(1)}{match.group(2)}{post.add_image(ref)}{match.group(2)}"

    def reference(match: re.Match) -> str:
        ref = picture(match.group(2), "")
        return f"{match.group(1)}{post.add_image(ref)}{match.group(3)}" if ref else match.group(0)

    if "![" in prose:
        prose = _MD_IMAGE.sub(markdown_image, prose)
    if "<" in prose:
        prose = sub_tag_matches(_IMG_TAG, _HTML_IMAGE, html_image, prose)
    if "]:" in prose:
        prose = _REFERENCE.sub(reference, prose)
    return prose


def check_links(body: str, origin: str, first_line: int, report: Report) -> None:
    """Name each link address outside code that cannot be read as written, with its line.

    The body keeps it as written; the renderer links it to the reading its author meant
    (posts.rendering.addresses), or shows the text unlinked when no reading is a safe URL.
    """
    if "://" not in body or not _SUSPECT_HOST.search(body):
        return  # the common case: one scan, no address read on its own

    fence = None
    for number, line in enumerate(body.split("\n"), start=first_line):
        opening = _FENCE.match(line)
        if fence:
            if opening and opening.group(1)[0] == fence[0] and len(opening.group(1)) >= len(fence):
                fence = None
            continue
        if opening:
            fence = opening.group(1)
            continue
        for found in _ADDRESS.finditer(line) if "://" in line else ():
            address = found.group(1)
            if readable(address):
                continue
            reading = reading_of(address)
            outcome = f"linked as {reading}" if reading else "no safe reading: shown as text"
            report.notes[
                f"{origin}:{number}: link address cannot be read as written, kept: "
                f"{line.strip()[:80]} ({outcome})"
            ] += 1


def find_cover(meta: dict, path: Path, site: Site, notes: dict, report: Report, roots):
    """Return the cover picture the front matter names, if it is one that can be imported."""
    value = None
    for key in ("cover", "image", "featured_image", "feature_image", "thumbnail", "images"):
        value = meta.get(key)
        if value:
            break
    alt = as_text(meta.get("cover_alt"))
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        alt = as_text(value.get("alt")) or alt
        value = value.get("image") or value.get("src") or value.get("file")
    if not isinstance(value, str) or not value.strip():
        return None
    return _picture(value.strip(), alt, path, site, notes, report, roots)
