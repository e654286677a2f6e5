"""The page cache: anonymous public pages served whole from the shared cache, exactly.

Every cached page holds the content version it was rendered under, a token in the shared
cache that every change to entries, pictures or tags replaces once its transaction
commits; a page whose token is not the current one is not served, so the next request in
any worker, on any app server, renders afresh (staleness bound: none, beyond the commit
itself). The token, the page's own version and the page are read in one call
(get_many: one MGET round trip with Redis). A page is never kept past the next scheduled
publication, so a scheduled entry appears on time with no cron job. Responses carry ETag
and Last-Modified, and conditional requests get a 304.

Hits are answered twice over: by PageCacheApp around Django's WSGI handler (blogsite/wsgi.py),
before URL resolution and every middleware, and by PageCacheMiddleware, first in
MIDDLEWARE, for servers that run Django's handler alone (runserver, the test client). The
middleware stores what it renders; both read the same entries.
"""

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.core.handlers.wsgi import WSGIRequest
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified
from django.utils import timezone
from django.utils.http import http_date, parse_http_date_safe, quote_etag

from posts.delivery.sitemaps import is_sitemap_request
from posts.models import Entry, Page
from posts.models.redirect import LEGACY_QUERY_KEYS

log = logging.getLogger(__name__)

VERSION_KEY = "blogsite:content-version"
# The views whose anonymous GETs are the same for every reader.
CACHEABLE_VIEWS = {
    "posts:index", "posts:entry", "posts:tag", "posts:tags", "posts:archive-year",
    "posts:archive-month", "posts:feed", "posts:feed-rss", "posts:tag-feed",
    "posts:tag-feed-rss", "sitemap", "sitemap-section", "sitemap-page", "robots",
    "posts:page", "posts:archive",
}  # fmt: skip
# Readers with any of these cookies may see something personal: they always get a fresh page.
PERSONAL_COOKIES = (settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME)
HOP_HEADERS = {"set-cookie", "vary", "x-cache"}


def content_version() -> tuple[str, float]:
    """Return (token, time of the last change): made on first use, kept in the shared cache."""
    version = cache.get(VERSION_KEY)
    if version is None:
        version = (secrets.token_hex(8), time.time())
        # add(): if another worker made one meanwhile, theirs wins and we read it back.
        if not cache.add(VERSION_KEY, version, timeout=None):
            version = cache.get(VERSION_KEY) or version
    return version


def bump_content_version() -> None:
    """Make every cached page stale, everywhere, once the current transaction commits."""
    connection = transaction.get_connection()
    if connection.in_atomic_block:
        # One bump at commit is enough for the whole transaction: an import that added 200
        # tags rewrote the key 201 times (0.3-0.7 s). A bump already waiting counts if only
        # rolling back a savepoint that is still open could drop it, since that rollback
        # would drop this one as well.
        open_savepoints = set(connection.savepoint_ids)
        for savepoints, func, _robust in connection.run_on_commit:
            if func is _bump and savepoints <= open_savepoints:
                return
    transaction.on_commit(_bump)


def _bump() -> None:
    cache.set(VERSION_KEY, (secrets.token_hex(8), time.time()), timeout=None)


PAGE_VERSION_PREFIX = "blogsite:page-version:"


def bump_page_version(path: str) -> None:
    """Make the cached copies of one page stale, and no other, once the transaction commits.

    For what changes a single page only, such as a comment approved on an entry.
    """
    key = _page_version_key(path)
    transaction.on_commit(lambda: cache.set(key, (secrets.token_hex(8), time.time()), timeout=None))


def _page_version_key(path: str) -> str:
    # Hashed: a path may be long or hold characters no cache key may.
    return PAGE_VERSION_PREFIX + hashlib.blake2b(path.encode(), digest_size=16).hexdigest()


def _lookup(request: HttpRequest) -> tuple[str, float, str, "CachedPage | None"]:
    """Return the current version (token and change time), the page's key, and the cached
    page if it is current: the site's version, the page's own and the page in one read."""
    key = _key(request)
    page_version_key = _page_version_key(request.path)
    found = cache.get_many([VERSION_KEY, page_version_key, key])
    token, changed_at = found.get(VERSION_KEY) or content_version()
    own = found.get(page_version_key)
    if own is not None:
        token, changed_at = f"{token}.{own[0]}", max(changed_at, own[1])
    page = found.get(key)
    if page is not None and (page.version != token or page.expires <= time.time()):
        page = None
    return token, changed_at, key, page


def seconds_until_next_publication() -> float | None:
    """Return the seconds until the next scheduled entry or page appears, or None if none is
    due: one query."""
    pages = Page.objects.filter(status=Page.Status.PUBLISHED, published_at__gt=timezone.now())
    upcoming = (
        Entry.objects.scheduled()
        .order_by()  # no ordering inside a UNION: only the whole is ordered
        .values_list("published_at", flat=True)
        .union(pages.order_by().values_list("published_at", flat=True))
        .order_by("published_at")[:1]
    )
    if not upcoming:
        return None
    return max(0.0, (upcoming[0] - timezone.now()).total_seconds())


@dataclass
class CachedPage:
    status: int
    headers: list[tuple[str, str]]
    content: bytes
    etag: str
    last_modified: float
    expires: float  # time.time() after which the page must be rendered again
    version: str  # the content version it was rendered under

    def response(self, request: HttpRequest, state: str = "hit") -> HttpResponse:
        """Return the page (or a 304) for this request, marked X-Cache: state."""
        max_age = max(0, int(self.expires - time.time()))
        if _not_modified(request, self.etag, self.last_modified):
            response = HttpResponseNotModified()
        else:
            response = HttpResponse(self.content, status=self.status)
            for name, value in self.headers:
                response.headers[name] = value
        response.headers["ETag"] = self.etag
        response.headers["Last-Modified"] = http_date(self.last_modified)
        response.headers["Cache-Control"] = cache_control(max_age)
        response.headers["X-Cache"] = state
        return response


def cache_control(max_age: int) -> str:
    """Cache-Control for a public page: browsers, then CDNs, may keep it, bounded by max_age."""
    browser = min(settings.BLOGSITE_CACHE_MAX_AGE, max_age)
    shared = min(settings.BLOGSITE_CACHE_S_MAXAGE, max_age)
    stale = settings.BLOGSITE_CACHE_STALE_WHILE_REVALIDATE
    return f"public, max-age={browser}, s-maxage={shared}, stale-while-revalidate={stale}"


def _not_modified(request: HttpRequest, etag: str, last_modified: float) -> bool:
    if_none_match = request.headers.get("If-None-Match")
    if if_none_match is not None:
        tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
        return etag in tags or "*" in tags
    since = parse_http_date_safe(request.headers.get("If-Modified-Since", ""))
    return since is not None and int(last_modified) <= since


ALTERNATE_TYPES = ("application/activity+json", "application/ld+json")


def wants_alternate(accept: str) -> bool:
    """Return True if an Accept header names a JSON representation the cache does not hold."""
    accept = accept.lower()
    return any(kind in accept for kind in ALTERNATE_TYPES)


def _varies_on_accept(response: HttpResponse) -> bool:
    return any(name.strip().lower() == "accept" for name in response.get("Vary", "").split(","))


def _may_use_cache(request: HttpRequest) -> bool:
    return (
        settings.BLOGSITE_PAGE_CACHE
        and request.method in ("GET", "HEAD")
        and not any(name in request.COOKIES for name in PERSONAL_COOKIES)
        # A fetcher asking for another representation (ActivityPub's JSON of an entry) is
        # answered by the application, and its answer never stored: pages are HTML only.
        and not wants_alternate(request.headers.get("Accept", ""))
        # /?p=12 is an old WordPress address for the redirects, not the front page; but on
        # a sitemap, ?p=2 is its page, as cacheable as any other.
        and (
            not any(key in request.GET for key in LEGACY_QUERY_KEYS) or is_sitemap_request(request)
        )
    )


def _key(request: HttpRequest) -> str:
    # Only ?page= with its cursor (?after= or ?before=), and a sitemap's ?p=, change what
    # these views show: other parameters share the page's entry. A cursor is part of the
    # key: one made up must not put its rows in the page everyone gets by number. The version
    # is not in the key but in the page: a new version overwrites the old copy instead of
    # leaving it behind until it expires.
    get = request.GET
    page, sitemap_page = get.get("page", ""), get.get("p", "")
    cursor = f"&after={get.get('after', '')}&before={get.get('before', '')}"
    raw = f"{request.scheme}://{request.get_host()}{request.path}?page={page}&p={sitemap_page}"
    raw += cursor
    return f"blogsite:hit:{hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()}"


class PageCacheMiddleware:
    """First in MIDDLEWARE: a hit answers before sessions, auth or templates are touched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _may_use_cache(request):
            return self.get_response(request)
        token, changed_at, key, page = _lookup(request)
        if page is not None:
            return page.response(request)
        response = self.get_response(request)
        page = self._store(request, response, key, token, changed_at)
        if page is None:
            return response
        return page.response(request, "miss")

    def _store(self, request, response, key, token, changed_at) -> CachedPage | None:
        match = getattr(request, "resolver_match", None)
        if (
            response.status_code != 200
            or response.streaming
            or match is None
            or match.view_name not in CACHEABLE_VIEWS
            or response.cookies
            or "no-store" in response.get("Cache-Control", "")
            or "private" in response.get("Cache-Control", "")
            or getattr(getattr(request, "user", None), "is_authenticated", False)
        ):
            return None
        ttl = float(settings.BLOGSITE_PAGE_CACHE_TIMEOUT)
        due = seconds_until_next_publication()
        if due is not None:
            ttl = min(ttl, due)
        if ttl < 1:
            return None
        content = response.content
        page = CachedPage(
            status=response.status_code,
            headers=[
                (name, value)
                for name, value in response.headers.items()
                if name.lower() not in HOP_HEADERS
            ]
            # Pages that negotiate (entries) say so to browsers' and CDNs' caches too.
            + ([("Vary", "Accept")] if _varies_on_accept(response) else []),
            content=content,
            etag=quote_etag(hashlib.blake2b(content, digest_size=16).hexdigest()),
            last_modified=changed_at,
            expires=time.time() + ttl,
            version=token,
        )
        cache.set(key, page, timeout=int(ttl) + 1)
        return page


class PageCacheApp:
    """WSGI middleware around Django's handler: a hit is answered before Django's request
    pipeline (the request_started signal, URL resolution, every middleware) runs at all.

    It answers exactly as PageCacheMiddleware would, from the same entries and with the same
    headers (stored with the page), and leaves everything else to Django: misses, other
    methods, readers with a session or CSRF cookie, static files and media, and feed
    fetchers that report their subscribers (the statistics middleware notes those).
    """

    def __init__(self, application):
        self.application = application
        self.elsewhere = tuple(
            "/" + prefix.lstrip("/")
            for prefix in (settings.STATIC_URL, settings.MEDIA_URL)
            if prefix and "://" not in prefix
        )

    def __call__(self, environ, start_response):
        response = self._hit(environ)
        if response is None:
            return self.application(environ, start_response)
        start_response(f"{response.status_code} {response.reason_phrase}", list(response.items()))
        return [response.content]

    def _hit(self, environ) -> HttpResponse | None:
        if not settings.BLOGSITE_PAGE_CACHE or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return None
        if environ.get("PATH_INFO", "").startswith(self.elsewhere):
            return None
        user_agent = environ.get("HTTP_USER_AGENT", "")
        if "ubscriber" in user_agent or "eaders" in user_agent:  # stats.middleware counts them
            return None
        request = WSGIRequest(environ)
        try:
            if not _may_use_cache(request):
                return None
            page = _lookup(request)[3]
        except (SuspiciousOperation, ValueError):  # a bad Host and the like: Django says why
            return None
        if page is None:
            return None
        return page.response(request)
