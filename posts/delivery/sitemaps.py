"""Sitemaps: an index at /sitemap.xml, then one sitemap per section and page.

Sections are entries and pages (with their last change; the archive page is with the
pages), tag, author and series pages, archives and the front page. A
page holds at most BLOGSITE_SITEMAP_LIMIT addresses (the protocol's 50,000), and costs a
fixed number of queries and time for its own addresses only: the entries' page picks its
rows by offset in the listing index, never counting the rest; the archives probe each month
between the oldest and newest entry. Only the index counts each section, once.

Page 1 of a section is /sitemap-<section>.xml, page N /sitemap-<section>-N.xml, which a
static host can serve as files; ?p=N on a section's first address is Django's page
parameter, and only there is `p` not WordPress's ?p=ID (see is_sitemap_request).
Everything is served from the page cache.
"""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import x_robots_tag
from django.contrib.sites.requests import RequestSite
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db import connections, router
from django.db.models import Max
from django.db.models.functions import Greatest
from django.http import Http404, HttpRequest
from django.template.response import TemplateResponse
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone

from posts.delivery.pagination import WindowPaginator
from posts.delivery.visibility import public_tags
from posts.models import AuthorProfile, Entry, Page, Series

# Fifty years of months, each an EXISTS column of one query (SQLite allows 2,000 columns).
MAX_MONTH_PROBES = 600
# The URL names of the index and the sections' pages (blogsite/urls.py).
SITEMAP_URL_NAMES = {"sitemap", "sitemap-section", "sitemap-page"}


class PagedSitemap(Sitemap):
    """A section whose pages hold BLOGSITE_SITEMAP_LIMIT addresses, picked without a count."""

    @property
    def limit(self) -> int:
        return settings.BLOGSITE_SITEMAP_LIMIT

    @property
    def paginator(self) -> Paginator:
        items = self._items()
        if isinstance(items, list):
            return Paginator(items, self.limit)
        return WindowPaginator(items, self.limit)

    def page_count(self) -> int:
        """Return how many pages the section has (one query for a queryset): for the index."""
        return max(1, Paginator(self._items(), self.limit).num_pages)


class EntrySitemap(PagedSitemap):
    changefreq = "monthly"

    def items(self):
        return (
            Entry.objects.published()
            .order_by("-published_at", "-pk")  # as the listing index lies: no sort
            .only("slug", "published_at", "created_at", "updated_at")
        )

    def lastmod(self, entry: Entry):
        return max(entry.updated_at, entry.published_at)


class PageSitemap(PagedSitemap):
    """The archive page, then every published page by address (pages are few: one list)."""

    changefreq = "monthly"

    def items(self) -> list[tuple[str, datetime.datetime | None]]:
        pages = Page.objects.published().order_by("path").only("path", "updated_at")
        return [(reverse("posts:archive"), None)] + [
            (page.get_absolute_url(), page.updated_at) for page in pages
        ]

    def location(self, item) -> str:
        return item[0]

    def lastmod(self, item):
        return item[1]


class TagSitemap(PagedSitemap):
    """Every tag with a published entry. No lastmod: it would read all of a tag's entries."""

    changefreq = "weekly"

    def items(self):
        return public_tags().order_by("name", "pk")

    def location(self, tag) -> str:
        return reverse("posts:tag", kwargs={"slug": tag.slug})


class AuthorSitemap(PagedSitemap):
    """Every author with a published entry. No lastmod, as for tags."""

    changefreq = "weekly"

    def items(self):
        return AuthorProfile.objects.public().order_by("slug", "pk").only("slug")


class SeriesSitemap(PagedSitemap):
    """Every series with a published part."""

    changefreq = "weekly"

    def items(self):
        return Series.objects.public().order_by("slug", "pk").only("slug")


class ArchiveSitemap(PagedSitemap):
    """Every year and month with published entries, in the site's time zone, newest first.

    No lastmod: it would be the newest edit among all of a period's entries, which means
    reading them all. The months are found by one index probe each, in one query.
    """

    changefreq = "monthly"

    def items(self) -> list[tuple[str, datetime.datetime, None]]:
        published = Entry.objects.published()
        newest = published.order_by("-published_at").values_list("published_at", flat=True)
        oldest = published.order_by("published_at").values_list("published_at", flat=True)
        bounds = [newest.first(), oldest.first()]
        if bounds[0] is None:
            return []
        last, first = (timezone.localtime(when) for when in bounds)
        starts = []
        year, month = last.year, last.month
        while (year, month) >= (first.year, first.month):
            starts.append(timezone.make_aware(datetime.datetime(year, month, 1)))
            year, month = (year, month - 1) if month > 1 else (year - 1, 12)
        if len(starts) > MAX_MONTH_PROBES:
            # Centuries apart (an import with a wrong year): one probe per month would not
            # fit in a query, so every entry's month is read instead.
            months = list(published.datetimes("published_at", "month", order="DESC"))
        else:
            months = _months_with_entries(starts)
        years = sorted({month.replace(month=1) for month in months}, reverse=True)
        return [("year", year, None) for year in years] + [
            ("month", month, None) for month in months
        ]

    def location(self, item) -> str:
        kind, period, _latest = item
        if kind == "year":
            return reverse("posts:archive-year", kwargs={"year": period.year})
        return reverse("posts:archive-month", kwargs={"year": period.year, "month": period.month})


def _months_with_entries(starts: list[datetime.datetime]) -> list[datetime.datetime]:
    """Return those of these months that have published entries: one index probe each.

    The ORM writes one month's probe; its SQL is repeated for every month, in one query,
    with each month's bounds in place of the first's. Building 120 Exists expressions (ten
    years) through the ORM took 90% of the sitemap index's time, about 25 ms a request;
    the SQL of each is the same but for its two bounds.
    """
    ends = [_next_month(start) for start in starts]
    db = router.db_for_read(Entry)
    adapt = connections[db].ops.adapt_datetimefield_value
    # The month's bounds first: SQLite bounds its index range by the first upper bound written
    # (published() adds "until now"). Unordered, as Exists() makes it: ORDER BY would pick
    # another index.
    probe = Entry.objects.using(db).filter(published_at__gte=starts[0], published_at__lt=ends[0])
    probe = probe.published()
    sql, params = probe.order_by().values("pk")[:1].query.sql_with_params()
    first_bounds = [adapt(starts[0]), adapt(ends[0])]
    at = [params.index(bound) for bound in first_bounds]
    columns, all_params = [], []
    for number, (start, end) in enumerate(zip(starts, ends, strict=True)):
        month_params = list(params)
        month_params[at[0]], month_params[at[1]] = adapt(start), adapt(end)
        columns.append(f"EXISTS({sql}) AS month_{number}")
        all_params.extend(month_params)
    with connections[db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(columns), all_params)
        row = cursor.fetchone()
    return [start for start, found in zip(starts, row, strict=True) if found]


def _next_month(start: datetime.datetime) -> datetime.datetime:
    year, month = (start.year, start.month + 1) if start.month < 12 else (start.year + 1, 1)
    return timezone.make_aware(datetime.datetime(year, month, 1))


class IndexSitemap(PagedSitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["posts:index"]

    def location(self, name: str) -> str:
        return reverse(name)

    def lastmod(self, name: str):
        """Return the latest change among the entries the front page shows."""
        shown = Entry.objects.published().order_by("-published_at", "-pk")
        shown = shown.values("pk")[: settings.BLOGSITE_PAGE_SIZE]
        changed = Entry.objects.filter(pk__in=shown).aggregate(
            latest=Max(Greatest("updated_at", "published_at"))
        )
        return changed["latest"]


SITEMAPS = {
    "index": IndexSitemap,
    "entries": EntrySitemap,
    "pages": PageSitemap,
    "tags": TagSitemap,
    "authors": AuthorSitemap,
    "series": SeriesSitemap,
    "archives": ArchiveSitemap,
}


@dataclass
class SitemapPage:
    location: str
    # Left out: a section's latest change would mean reading the whole section.
    last_mod: None = None


def sitemap_pages() -> list[str]:
    """Return the path of every section's every page: page 1, then -2, -3…"""
    pages = []
    for section, sitemap in SITEMAPS.items():
        pages.append(reverse("sitemap-section", kwargs={"section": section}))
        for number in range(2, sitemap().page_count() + 1):
            pages.append(reverse("sitemap-page", kwargs={"section": section, "page": number}))
    return pages


@x_robots_tag
def index(request: HttpRequest) -> TemplateResponse:
    """The sitemap index: what robots.txt names, and where crawlers start."""
    pages = [SitemapPage(request.build_absolute_uri(path)) for path in sitemap_pages()]
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": pages}, content_type="application/xml"
    )


@x_robots_tag
def section(request: HttpRequest, section: str, page: int | None = None) -> TemplateResponse:
    """One page of one section: /sitemap-entries.xml (or ?p=N), /sitemap-entries-N.xml."""
    if section not in SITEMAPS:
        raise Http404("No such sitemap.")
    if page is None:
        page = request.GET.get("p", 1)
    try:
        urls = SITEMAPS[section]().get_urls(
            page=page, site=RequestSite(request), protocol=request.scheme
        )
    except (EmptyPage, PageNotAnInteger) as err:
        raise Http404("No such sitemap page.") from err
    return TemplateResponse(
        request, "sitemap.xml", {"urlset": urls}, content_type="application/xml"
    )


def is_sitemap_request(request: HttpRequest) -> bool:
    """Return True if the request is for a sitemap, where `p` is the page, not a WordPress id."""
    try:
        return resolve(request.path_info).url_name in SITEMAP_URL_NAMES
    except Resolver404:
        return False
