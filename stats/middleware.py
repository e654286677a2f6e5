"""First in MIDDLEWARE: the beacon and pixel answered at once, and feed readers noted.

The beacon and the pixel are answered here, before the page cache and every other
middleware (sessions, CSRF, auth, redirects...), as cheaply as a cached page: nothing they
do needs those, and no cookie can be set. (Their URL patterns in stats/urls.py name the
addresses and answer the same way if this middleware is left out.)

Feed readers: the subscriber counts that feed services put in their User-Agent.

Services that fetch a feed once for all their users say how many they fetch it for:
"Feedly/1.0 (+http://www.feedly.com/fetcher.html; 123 subscribers; ...)", "NewsBlur Feed
Fetcher - 45 subscribers - ...", "Inoreader/1.0 (...; 6 subscribers; feed-id=...)". Read
here, ahead of the page cache, fetches answered from the cache are seen too; the request
goes on untouched. Only
the service's name, the feed's path (and the service's feed id) and the number are kept.
Imports Django and the stats app's own modules.
"""

import logging
import posixpath
import re
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core.exceptions import MiddlewareNotUsed
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, get_script_prefix, resolve, reverse
from django.utils import timezone

from stats import views
from stats.counters import note_feed_readers

log = logging.getLogger(__name__)

FEED_VIEWS = {
    "posts:feed", "posts:feed-rss", "posts:tag-feed", "posts:tag-feed-rss", "posts:author-feed",
    "posts:series-feed",
}  # fmt: skip
SUBSCRIBERS = re.compile(r"(\d[\d,]{0,12})\s+(?:subscribers?|readers?)\b", re.IGNORECASE)
SERVICE = re.compile(r"^\s*([A-Za-z][A-Za-z0-9 .]{0,39}?)\s*(?:/|\(|-|;|feed-id|$)")
FEED_ID = re.compile(r"feed-?id[=:]\s*([A-Za-z0-9_.:-]{1,80})", re.IGNORECASE)
MOST = 10_000_000  # a claim above this is someone's joke, not a reader count
# The names services put first, as readers know them.
KNOWN = {
    "feedly": "Feedly", "inoreader": "Inoreader", "newsblur": "NewsBlur", "feedbin": "Feedbin",
    "theoldreader": "The Old Reader", "feedspot": "Feedspot", "bazqux": "BazQux",
    "feedwrangler": "Feed Wrangler", "netnewswire": "NetNewsWire", "miniflux": "Miniflux",
    "freshrss": "FreshRSS", "tiny tiny rss": "Tiny Tiny RSS",
}  # fmt: skip


@lru_cache(maxsize=4)
def _endpoints(script_prefix: str) -> dict:
    prefix = script_prefix.rstrip("/")
    return {
        reverse("stats:beacon").removeprefix(prefix): views.beacon,
        reverse("stats:pixel").removeprefix(prefix): views.pixel,
    }


@dataclass(frozen=True)
class Report:
    service: str
    feed_id: str
    subscribers: int


def parse_user_agent(user_agent: str) -> Report | None:
    """Return the service, its feed id and subscriber count a fetcher reports, if it does."""
    user_agent = user_agent[:512]
    number = SUBSCRIBERS.search(user_agent)
    service = SERVICE.match(user_agent)
    if number is None or service is None:
        return None
    subscribers = int(number.group(1).replace(",", ""))
    if subscribers > MOST:
        return None
    # A known service named anywhere (some put "Mozilla/5.0 (compatible; ..." first);
    # otherwise the product named first, unless that is only a browser's "Mozilla".
    lowered = user_agent.lower().replace(" ", "")
    name = next((known for key, known in KNOWN.items() if key.replace(" ", "") in lowered), "")
    if not name:
        name = service.group(1).strip()
        if name.lower() == "mozilla":
            return None
    feed_id = FEED_ID.search(user_agent)
    return Report(name, feed_id.group(1) if feed_id else "", subscribers)


class StatsMiddleware:
    """Answer the beacon and the pixel at once; note what feed services report."""

    def __init__(self, get_response):
        if not settings.BLOGSITE_STATS:
            raise MiddlewareNotUsed
        self.get_response = get_response
        # The beacon and pixel share this start (stats/urls.py mounts them together).
        self.prefix = posixpath.commonpath(list(_endpoints("/")))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        # Cheap tests first: this runs on every request, cached pages included.
        if request.path_info.startswith(self.prefix):
            answer = _endpoints(get_script_prefix()).get(request.path_info)
            if answer is not None:
                return answer(request)
        user_agent = request.META.get("HTTP_USER_AGENT", "")
        if "ubscriber" in user_agent or "eaders" in user_agent:
            self.note(request, user_agent)
        return self.get_response(request)

    def note(self, request: HttpRequest, user_agent: str) -> None:
        report = parse_user_agent(user_agent)
        if report is None or request.method not in ("GET", "HEAD"):
            return
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return
        if match.view_name not in FEED_VIEWS:
            return
        feed = request.path if not report.feed_id else f"{request.path} {report.feed_id}"
        try:
            note_feed_readers(timezone.localdate(), report.service, feed, report.subscribers)
        except Exception:  # counting must never cost a reader their feed
            log.warning("Could not note feed readers", exc_info=True)
