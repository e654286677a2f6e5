"""Sending: for each external link of a published entry, find its endpoint and notify it once
per change of the entry. Results are kept in SentMention and shown on the entry in the admin.
"""

import hashlib
import logging
from urllib.parse import urlsplit

from django.conf import settings
from django.utils import timezone

from comments.models import SentMention
from comments.webmention.html import endpoint_from_headers, endpoint_from_html, soup
from outbound.fetch import FetchRefused, fetch
from posts.models import Entry

log = logging.getLogger(__name__)


def entry_url(entry: Entry) -> str:
    return settings.BLOGSITE_SITE_URL.rstrip("/") + entry.get_absolute_url()


def external_links(entry: Entry) -> list[str]:
    """Return the absolute http(s) links of an entry's body to other sites, in order, once."""
    own = urlsplit(settings.BLOGSITE_SITE_URL).netloc.lower()
    found = []
    for element in soup(entry.body_html).find_all("a", href=True):
        href = element["href"].strip()
        parts = urlsplit(href)
        if parts.scheme in ("http", "https") and parts.netloc.lower() != own and href not in found:
            found.append(href)
    return found


def discover(target: str) -> str | None:
    """Return target's Webmention endpoint (Link header, then <link> or <a>), or None."""
    fetched = fetch(target, headers={"Accept": "text/html"})
    if fetched.status >= 400:
        return None
    endpoint = endpoint_from_headers(fetched.links, fetched.url)
    if endpoint is None and "html" in fetched.headers.get("content-type", "html"):
        endpoint = endpoint_from_html(soup(fetched.text()), fetched.url)
    return endpoint


def content_hash(entry: Entry) -> str:
    return hashlib.sha256(f"{entry.title}\n{entry.body_html}".encode()).hexdigest()


def send_for_entry(entry_id: int) -> list[SentMention]:
    """Notify every link of the entry (and links it dropped) that has not heard of this version."""
    entry = Entry.objects.published().filter(pk=entry_id).first()
    if entry is None:
        return []
    version = content_hash(entry)
    links = external_links(entry)
    dropped = list(
        SentMention.objects.filter(entry=entry)
        .exclude(target__in=links)
        .exclude(content_hash=version)
        .values_list("target", flat=True)
    )
    done = []
    for target in links + dropped:
        sent, _ = SentMention.objects.get_or_create(entry=entry, target=target)
        if sent.content_hash == version:
            continue  # this version was already sent: a retry repeats nothing
        _send_one(sent, entry_url(entry))
        sent.content_hash = version
        sent.sent_at = timezone.now()
        sent.save()
        done.append(sent)
    return done


def _send_one(sent: SentMention, source: str) -> None:
    try:
        endpoint = discover(sent.target)
        if endpoint is None:
            sent.endpoint, sent.status_code, sent.result = "", None, "no Webmention endpoint"
            return
        answer = fetch(endpoint, method="POST", fields={"source": source, "target": sent.target})
    except FetchRefused as err:
        sent.status_code, sent.result = None, f"not sent: {err}"[:300]
        return
    sent.endpoint, sent.status_code = endpoint, answer.status
    sent.result = "accepted" if 200 <= answer.status < 300 else f"refused ({answer.status})"
