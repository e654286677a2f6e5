"""A WordPress export (WXR 1.0 to 1.2) as Posts: every status, tags, authors, attachments.

The file is untrusted XML: defusedxml refuses entity declarations (an expansion bomb) and
external references. Namespaces are matched by what they end with, so every WXR version reads.
"""

import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree
from django.utils.text import slugify

from posts.importers.fields import summary_before_more
from posts.importers.pictures import check_picture
from posts.importers.records import Author, ImageRef, ImportFailed, Post, Problem, Report
from posts.importers.wpcomments import read_comment
from posts.importers.wpcontent import Converter

# WordPress's categories stay apart from its tags as tags in a namespace: "News" the category
# is the tag "Category: News", beside a tag "news". A tag's name is what the export writes, so
# the namespace survives an export and import unchanged.
CATEGORY_PREFIX = "Category: "
STATUSES = {"publish": False, "future": False, "draft": True, "pending": True, "private": True}
_SIZED = re.compile(r"-\d+x\d+(?=\.\w+$)")


@dataclass
class Attachment:
    id: str
    url: str
    parent: str
    order: int
    alt: str = ""
    caption: str = ""


@dataclass
class Item:
    """One <item>: its children by (namespace kind, local name)."""

    fields: dict = field(default_factory=dict)
    categories: list[tuple[str, str]] = field(default_factory=list)  # (domain, name)
    meta: dict = field(default_factory=dict)
    comments: list[dict] = field(default_factory=list)  # each <wp:comment>'s values by name

    def get(self, kind: str, name: str) -> str:
        return (self.fields.get((kind, name)) or "").strip()


def _kind(namespace: str) -> str:
    if "wordpress.org/export" in namespace:
        return "excerpt" if namespace.rstrip("/").endswith("excerpt") else "wp"
    if "purl.org/rss/1.0/modules/content" in namespace:
        return "content"
    if "purl.org/dc/elements" in namespace:
        return "dc"
    return ""


def _split(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _, name = tag[1:].partition("}")
        return _kind(namespace), name
    return "", tag


def _item(element: Element) -> Item:
    item = Item()
    for child in element:
        kind, name = _split(child.tag)
        if kind == "" and name == "category":
            item.categories.append((child.get("domain", ""), (child.text or "").strip()))
        elif kind == "wp" and name == "postmeta":
            values = {_split(c.tag)[1]: (c.text or "") for c in child}
            item.meta[values.get("meta_key", "")] = values.get("meta_value", "")
        elif kind == "wp" and name == "comment":
            item.comments.append({_split(c.tag)[1]: (c.text or "") for c in child})
        else:
            item.fields[(kind, name)] = child.text or ""
    return item


def parse(path: Path) -> Element:
    """Return the file's root element; raise ImportFailed saying why it cannot be read."""
    origin = str(path)
    try:
        return defusedxml.ElementTree.parse(path, forbid_dtd=False).getroot()
    except defusedxml.DefusedXmlException as err:
        raise ImportFailed(
            [
                Problem(
                    origin,
                    f"refused: the file declares entities or external references ({err}); "
                    "a WordPress export never does, an attack does",
                )
            ]
        ) from err
    except ParseError as err:
        line, column = err.position
        raise ImportFailed(
            [Problem(origin, f"is not well-formed XML (column {column}): {err.msg}", line)]
        ) from err
    except OSError as err:
        raise ImportFailed([Problem(origin, f"cannot be read: {err.strerror or err}")]) from err


def read_posts(path: Path, media_dir: Path | None, report: Report) -> list[Post]:
    """Return the posts of a WXR file; pages, menu items and comments are counted."""
    root = parse(path)
    channel = root.find("channel")
    if root.tag != "rss" or channel is None:
        raise ImportFailed(
            [Problem(str(path), "is XML but not a WordPress export (no rss/channel)")]
        )
    authors = {}
    for element in channel:
        if _split(element.tag) == ("wp", "author"):
            values = {_split(c.tag)[1]: (c.text or "").strip() for c in element}
            login = values.get("author_login", "")
            authors[login] = Author(
                login, values.get("author_display_name", ""), values.get("author_email", "")
            )
    items = [_item(element) for element in channel.iter("item")]
    attachments = _attachments(items)
    by_url = {_url_key(a.url): a for a in attachments.values()}
    children = defaultdict(list)
    for attachment in attachments.values():
        children[attachment.parent].append(attachment)
    site = WordPressSite(media_dir, by_url, children, attachments, report)
    site.base_url = (
        (channel.findtext("link") or "").strip()
        or next((e.text or "" for e in channel if _split(e.tag) == ("wp", "base_blog_url")), "")
    ).rstrip("/") + "/"
    posts = []
    for number, item in enumerate(items, start=1):
        kind = item.get("wp", "post_type") or "post"
        if kind != "post":
            if item.comments:
                report.counted["comments on pages and other items that are not posts"] += len(
                    item.comments
                )
            if kind != "attachment":
                report.counted[
                    {"page": "pages", "nav_menu_item": "menu items"}.get(kind, kind)
                ] += 1
            continue
        status = item.get("wp", "status")
        if status not in STATUSES:
            report.counted[f"posts with status {status or 'none'}"] += 1
            if item.comments:
                report.counted["comments on posts that are not imported"] += len(item.comments)
            continue
        post = site.post(item, status, authors, f"{path} (item {number})")
        for values in item.comments:
            comment, why = read_comment(values)
            if comment is None:
                report.counted[f"comments ({why})"] += 1
            else:
                post.comments.append(comment)
        posts.append(post)
    remote = sum(1 for a in attachments.values() if site.local(a) is None)
    if remote:
        report.counted["attachments not found locally (their addresses are kept)"] = remote
    return posts


def _attachments(items: list[Item]) -> dict[str, Attachment]:
    found = {}
    for item in items:
        if item.get("wp", "post_type") != "attachment":
            continue
        url = item.get("wp", "attachment_url") or item.get("", "guid")
        found[item.get("wp", "post_id")] = Attachment(
            id=item.get("wp", "post_id"),
            url=url,
            parent=item.get("wp", "post_parent"),
            order=_number(item.get("wp", "menu_order")),
            alt=item.meta.get("_wp_attachment_image_alt", "").strip(),
            caption=item.get("excerpt", "encoded"),
        )
    return found


def _url_key(url: str) -> str:
    """The same picture at any size and over http or https: one key."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:  # "http://example.eu]/a.jpg": no attachment has it; kept as written
        return url
    return parts.netloc.lower() + _SIZED.sub("", unquote(parts.path))


def _path(url: str) -> str:
    """Return an address's path; an address urlsplit cannot read ("http://a]/x") has none."""
    try:
        return urlsplit(url).path
    except ValueError:
        return ""


class WordPressSite:
    def __init__(self, media_dir, by_url, children, attachments, report: Report):
        self.media_dir = media_dir
        self.by_url = by_url
        self.children = children
        self.attachments = attachments
        self.report = report
        self._local: dict[str, ImageRef | None] = {}
        self.base_url = "/"

    def local(self, attachment: Attachment) -> ImageRef | None:
        """Return the uploads/ file of an attachment, if --media-dir holds a good one."""
        if attachment.id in self._local:
            return self._local[attachment.id]
        ref = None
        path = _path(attachment.url)
        relative = path.split("/uploads/", 1)[-1] if "/uploads/" in path else path.lstrip("/")
        candidate = self.media_dir / unquote(relative) if self.media_dir else None
        # uploads/../../x or a link to elsewhere: only files inside --media-dir go in.
        if candidate and not candidate.resolve().is_relative_to(self.media_dir.resolve()):
            self.report.notes[f"attachment outside --media-dir not imported: {relative}"] += 1
            candidate = None
        if candidate and candidate.is_file():
            problem = check_picture(candidate)
            if problem:
                self.report.notes[f"attachment not imported: {problem}"] += 1
            else:
                ref = ImageRef(candidate, alt=attachment.alt, caption=attachment.caption)
        self._local[attachment.id] = ref
        return ref

    def post(self, item: Item, status: str, authors: dict, origin: str) -> Post:
        title = " ".join(item.get("", "title").split()) or "(untitled)"
        name = unquote(item.get("wp", "post_name"))
        slug = slugify(name, allow_unicode=True)[:200] or slugify(title, allow_unicode=True)[:200]
        login = item.get("dc", "creator")
        if login not in authors and login.strip("<>\"' ") in authors:
            login = login.strip("<>\"' ")  # seen in the wild: <dc:creator>>name</dc:creator>
        post = Post(
            origin=origin,
            # The post's id on its site: guids are copied between posts in real exports.
            key=f"wordpress:{self.base_url}?p={item.get('wp', 'post_id')}"[:500],
            title=title,
            slug=slug or f"wordpress-{item.get('wp', 'post_id')}",
            body="",
            excerpt=item.get("excerpt", "encoded"),
            draft=STATUSES[status],
            published_at=_date(item, lambda note: self.report.notes.update([note])),
            author=authors.get(login) or (Author(login) if login else None),
            tags=tags_of(item.categories),
        )
        post_id = item.get("wp", "post_id")

        def picture(src: str) -> str:
            attachment = self.by_url.get(_url_key(src))
            ref = self.local(attachment) if attachment else None
            return post.add_image(ref) if ref else src

        def gallery(options: dict) -> list[tuple[str, str, str]]:
            ids = [i.strip() for i in options.get("ids", "").split(",") if i.strip()]
            chosen = (
                [self.attachments[i] for i in ids if i in self.attachments]
                if ids
                else sorted(self.children.get(post_id, []), key=lambda a: (a.order, _number(a.id)))
            )
            return [(a.url, a.alt, a.caption) for a in chosen]

        converter = Converter(picture, gallery, lambda note: self.report.notes.update([note]))
        content = item.get("content", "encoded")
        if not post.excerpt and "<!--more" in content:
            # What WordPress listed: the text before <!--more--> (its own pictures left out).
            before = Converter(str, lambda _options: [], lambda _note: None)
            post.excerpt = summary_before_more(before.convert(content) + "\n")
        post.body = converter.convert(content)
        thumbnail = self.attachments.get(item.meta.get("_thumbnail_id", "").strip())
        post.cover = self.local(thumbnail) if thumbnail else None
        post.old_paths = [f"/?p={post_id}"] if post_id else []
        link = item.get("", "link")
        if link and _path(link) not in ("", "/"):
            post.old_paths.append(link)
        return post


def tags_of(categories: list[tuple[str, str]]) -> list[str]:
    """Return a post's tags, then its categories in their namespace, each once."""
    # post_format ("Video", "Gallery") is WordPress's layout hint, not a subject.
    # WXR 1.0 names the tag domain "tag"; a category may come with no domain at all.
    tags = [name for domain, name in categories if name and domain in ("post_tag", "tag")]
    kept = [
        f"{CATEGORY_PREFIX}{name}"
        for domain, name in categories
        if name and domain not in ("post_tag", "tag", "post_format")
    ]
    return list(dict.fromkeys(tags + kept))


def _number(text: str) -> int:
    """An order or id as WordPress writes it; anything else sorts first."""
    return int(text) if text.strip().isdigit() else 0


def _date(item: Item, note) -> datetime | None:
    """Return the post's time: GMT where WordPress gives it, else in this site's time zone."""
    unread = None
    for key, zone in (("post_date_gmt", "+00:00"), ("post_date", "")):
        value = item.get("wp", key)
        if value and not value.startswith("0000"):
            try:
                return datetime.fromisoformat(value.replace(" ", "T") + zone)
            except ValueError:
                unread = unread or value
    if unread:
        # A published post with no date is dated now: an old post would come out on top.
        note(f"date cannot be read: post {item.get('wp', 'post_id')}, {unread[:40]!r}")
    return None
