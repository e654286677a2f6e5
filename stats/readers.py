"""What counts as a reader's view: public pages, by people who have not asked not to be.

Not counted: requests with `DNT: 1` or `Sec-GPC: 1`; prefetches and link previews
(`Sec-Purpose`/`Purpose: prefetch`, `X-Moz: prefetch`); bots, crawlers and feed fetchers,
as the maintained CrawlerDetect patterns (the `crawlerdetect` package) name them, and
requests with no User-Agent at all. Counted pages are the views in BLOGSITE_STATS_VIEWS.
Imports only Django and crawlerdetect.
"""

import re
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from crawlerdetect import CrawlerDetect
from django.conf import settings
from django.http import HttpRequest
from django.urls import Resolver404, resolve
from django.utils.encoding import iri_to_uri

MAX_PATH = 512
HOST = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}\.)*[a-z0-9-]{1,63}$")
# One detector per process; it remembers its last 1,024 answers in memory only.
_detector = CrawlerDetect()


def opted_out(request: HttpRequest) -> bool:
    """Return True if the browser asks not to be tracked (DNT or Global Privacy Control)."""
    return request.headers.get("DNT") == "1" or request.headers.get("Sec-GPC") == "1"


def prefetch(request: HttpRequest) -> bool:
    """Return True for a speculative fetch that no reader may ever see."""
    purpose = (request.headers.get("Sec-Purpose") or request.headers.get("Purpose") or "").lower()
    return "prefetch" in purpose or request.headers.get("X-Moz", "").lower() == "prefetch"


def is_bot(user_agent: str) -> bool:
    """Return True if the User-Agent is a bot, crawler or fetcher, or missing."""
    return not user_agent.strip() or _detector.is_crawler(user_agent)


def counts(request: HttpRequest) -> bool:
    """Return True if a view by this request's sender may be counted at all."""
    return not (
        opted_out(request) or prefetch(request) or is_bot(request.headers.get("User-Agent", ""))
    )


@lru_cache(maxsize=4096)
def public_path(raw: str) -> str | None:
    """Return the page's path, as reverse() writes it, if it is a counted public page.

    Takes a path as a browser's `location.pathname` gives it (percent-encoded), or as
    Django's `request.path` does; a statically published `.../index.html` counts as its page.
    """
    path = unquote(raw.split("?", 1)[0].split("#", 1)[0])
    if not path.startswith("/") or len(path) > MAX_PATH or "\x00" in path:
        return None
    path = path.removesuffix("index.html")
    try:
        match = resolve(path)
    except Resolver404:
        return None
    # Stored as reverse() and get_absolute_url() write it, so rows match entries' addresses.
    return iri_to_uri(path) if match.view_name in settings.BLOGSITE_STATS_VIEWS else None


def referrer_domain(referrer: str, *own_hosts: str) -> str:
    """Return the referring site's host name, or "" for none, our own site, or nonsense."""
    try:
        host = (urlsplit(referrer[:2048]).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""
    own = {h.split(":", 1)[0].lower() for h in own_hosts if h}
    if not host or host in own or len(host) > 253 or not HOST.match(host):
        return ""
    return host
