"""The page cache: anonymous public pages served whole from the shared cache, exactly.

Every cached page is keyed by the content version, a token in the shared cache that every
change to entries, pictures or tags replaces once its transaction commits: the next request
in any worker, on any app server, renders afresh. A page is never kept past the next
scheduled publication, so a scheduled entry appears on time with no cron job. Responses
carry ETag and Last-Modified, and conditional requests get a 304.
"""

import hashlib
import logging
import secrets
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
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


def _versions(path: str) -> tuple[str, float]:
    """Return the site's content version and the page's own, as one token and change time."""
    page_key = _page_version_key(path)
    found = cache.get_many([VERSION_KEY, page_key])
    token, changed_at = found.get(VERSION_KEY) or content_version()
    page = found.get(page_key)
    if page is None:
        return token, changed_at
    return f"{token}.{page[0]}", max(changed_at, page[1])


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

    def response(self, request: HttpRequest) -> HttpResponse:
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


def _may_use_cache(request: HttpRequest) -> bool:
    return (
        settings.BLOGSITE_PAGE_CACHE
        and request.method in ("GET", "HEAD")
        and not any(name in request.COOKIES for name in PERSONAL_COOKIES)
        # /?p=12 is an old WordPress address for the redirects, not the front page; but on
        # a sitemap, ?p=2 is its page, as cacheable as any other.
        and (
            not any(key in request.GET for key in LEGACY_QUERY_KEYS) or is_sitemap_request(request)
        )
    )


def _key(request: HttpRequest, token: str) -> str:
    # Only ?page= (and a sitemap's ?p=) changes what these views show: other parameters
    # share the page's entry.
    page, sitemap_page = request.GET.get("page", ""), request.GET.get("p", "")
    raw = f"{request.scheme}://{request.get_host()}{request.path}?page={page}&p={sitemap_page}"
    return f"blogsite:page:{token}:{hashlib.blake2b(raw.encode(), digest_size=16).hexdigest()}"


class PageCacheMiddleware:
    """First in MIDDLEWARE: a hit answers before sessions, auth or templates are touched."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not _may_use_cache(request):
            return self.get_response(request)
        token, changed_at = _versions(request.path)
        key = _key(request, token)
        page = cache.get(key)
        if page is not None and page.expires > time.time():
            response = page.response(request)
            response.headers["X-Cache"] = "hit"
            return response
        response = self.get_response(request)
        page = self._store(request, response, key, changed_at)
        if page is None:
            return response
        response = page.response(request)
        response.headers["X-Cache"] = "miss"
        return response

    def _store(self, request, response, key, changed_at) -> CachedPage | None:
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
            ],
            content=content,
            etag=quote_etag(hashlib.blake2b(content, digest_size=16).hexdigest()),
            last_modified=changed_at,
            expires=time.time() + ttl,
        )
        cache.set(key, page, timeout=int(ttl) + 1)
        return page
