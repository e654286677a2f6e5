"""Receiving: is the target ours, does the source link to it, and what does its h-entry say.

verify() is what the verify_mention task (comments.webmention.tasks) runs: it fetches the
source through outbound.fetch, follows updates (the same source again) and deletions (410,
or the link gone), and keeps one Comment per source and entry, moderated like any comment.
"""

import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.http.request import split_domain_port, validate_host
from django.urls import Resolver404, resolve

from comments import spam
from comments.models import Comment
from comments.moderation import pages_changed, received
from comments.webmention.html import links_to, same_url, soup
from comments.webmention.photos import copy_photo
from outbound.fetch import FetchRefused, FetchTimedOut, fetch
from posts.models import Entry

log = logging.getLogger(__name__)


def entry_for_target(target: str) -> Entry | None:
    """Return the published entry a URL of this site names, or None."""
    parts = urlsplit(target)
    host, _port = split_domain_port(parts.netloc)
    own = urlsplit(settings.BLOGSITE_SITE_URL).hostname or ""
    if not host or not (host == own or validate_host(host, settings.ALLOWED_HOSTS)):
        return None
    try:
        match = resolve(parts.path or "/")
    except Resolver404:
        return None
    if match.view_name != "posts:entry":
        return None
    return Entry.objects.published().filter(slug=match.kwargs.get("slug")).first()


def _first(values, default=""):
    return values[0] if values else default


def _text(value) -> str:
    if isinstance(value, dict):
        return str(value.get("value") or _first(value.get("properties", {}).get("name", [])))
    return str(value)


def _urls(values) -> list[str]:
    return [
        value.get("value") or _first(value.get("properties", {}).get("url", []))
        if isinstance(value, dict)
        else str(value)
        for value in values
    ]


def find_h_entry(items: list[dict]) -> dict | None:
    for item in items:
        if "h-entry" in item.get("type", []):
            return item
        found = find_h_entry(item.get("children", []))
        if found:
            return found
    return None


def read_mention(html: str, source: str, target: str) -> dict:
    """Return what the source's h-entry says about target: kind, author, photo, url, text."""
    import mf2py

    parsed = mf2py.parse(doc=html, url=source)
    entry = find_h_entry(parsed.get("items", [])) or {"properties": {}}
    props = entry.get("properties", {})
    kind = Comment.Kind.MENTION
    for name, value in (("like-of", Comment.Kind.LIKE), ("repost-of", Comment.Kind.REPOST),
                        ("in-reply-to", Comment.Kind.REPLY)):  # fmt: skip
        if any(same_url(url, target) for url in _urls(props.get(name, []))):
            kind = value
            break
    author = _first(props.get("author", []), {})
    if isinstance(author, dict):
        author_props = author.get("properties", {})
        name = _text(_first(author_props.get("name", []), ""))
        photo = _first(author_props.get("photo", []), "")
        website = _first(author_props.get("url", []), "")
    else:
        name, photo, website = str(author), "", ""
    if isinstance(photo, dict):
        photo = photo.get("value", "")
    content = _first(props.get("content", []), "") or _first(props.get("summary", []), "")
    text = _text(content) if content else _text(_first(props.get("name", []), ""))
    host = urlsplit(source).hostname or source
    return {
        "kind": kind,
        "name": (name or host)[:100],
        "photo": photo if urlsplit(str(photo)).scheme in ("http", "https") else "",
        "website": _web_address(website or _first(_urls(props.get("url", [])), source))[:500],
        "body": text.strip()[: settings.COMMENTS_MAX_LENGTH],
    }


def verify(source: str, target: str) -> str:
    """Check one received mention and store, update or delete it; return what was done."""
    entry = entry_for_target(target)
    if entry is None:
        return "not ours"
    existing = Comment.objects.filter(entry=entry, source=source).first()
    try:
        fetched = fetch(source, headers={"Accept": "text/html"})
    except FetchTimedOut:
        log.info("Webmention source %s timed out", source)
        return "timed out"
    except FetchRefused as err:
        log.info("Webmention source %s refused: %s", source, err)
        return "refused"
    if fetched.status == 410 or (fetched.status < 400 and not _links(fetched, target)):
        if existing:
            pages_changed([entry.pk])
            existing.delete()
            return "deleted"
        return "gone" if fetched.status == 410 else "no link"
    if fetched.status >= 400:
        return f"source answered {fetched.status}"
    found = read_mention(fetched.text(), fetched.url, target)
    doubtful = spam.bad_patterns(found["body"], found["name"], found["website"])
    if existing is None:
        comment = Comment(entry=entry, source=source)
        comment.status = Comment.Status.SPAM if doubtful else Comment.Status.PENDING
    else:
        comment = existing
    photo_changed = found["photo"] != comment.photo or not comment.avatar
    for name, value in found.items():
        setattr(comment, name, value)
    if photo_changed:
        comment.avatar = copy_photo(found["photo"])
    comment.save()
    if existing is None:
        received(comment)
        return "received (cut at the size limit)" if fetched.truncated else "received"
    if comment.status == Comment.Status.APPROVED:
        pages_changed([entry.pk])
    return "updated"


def _links(fetched, target: str) -> bool:
    return links_to(soup(fetched.text()), fetched.url, target)


def _web_address(url) -> str:
    """Return url if it is an http(s) address a reader may follow, else an empty string."""
    try:
        return str(url) if urlsplit(str(url)).scheme in ("http", "https") else ""
    except ValueError:
        return ""
