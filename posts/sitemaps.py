"""sitemap.xml: entries with their last change, tag pages, archives and the front page."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.db.models.functions import TruncMonth, TruncYear
from django.urls import reverse
from taggit.models import Tag

from posts.models import Entry


class EntrySitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        return (
            Entry.objects.published()
            .order_by("-published_at")
            .only("slug", "published_at", "created_at", "updated_at")
        )

    def lastmod(self, entry: Entry):
        return max(entry.updated_at, entry.published_at)


class TagSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        return (
            Tag.objects.filter(entry__in=Entry.objects.published())
            .annotate(latest=Max("entry__published_at"))
            .order_by("name")
        )

    def location(self, tag: Tag) -> str:
        return reverse("posts:tag", kwargs={"slug": tag.slug})

    def lastmod(self, tag: Tag):
        return tag.latest


class ArchiveSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        published = Entry.objects.published()
        years = published.annotate(period=TruncYear("published_at")).values("period")
        months = published.annotate(period=TruncMonth("published_at")).values("period")
        return [
            ("year", row["period"], row["latest"])
            for row in years.annotate(latest=Max("updated_at")).order_by("-period")
        ] + [
            ("month", row["period"], row["latest"])
            for row in months.annotate(latest=Max("updated_at")).order_by("-period")
        ]

    def location(self, item) -> str:
        kind, period, _latest = item
        if kind == "year":
            return reverse("posts:archive-year", kwargs={"year": period.year})
        return reverse("posts:archive-month", kwargs={"year": period.year, "month": period.month})

    def lastmod(self, item):
        return item[2]


class IndexSitemap(Sitemap):
    changefreq = "daily"
    priority = 1.0

    def items(self):
        return ["posts:index"]

    def location(self, name: str) -> str:
        return reverse(name)

    def lastmod(self, name: str):
        return Entry.objects.published().aggregate(latest=Max("updated_at"))["latest"]


SITEMAPS = {
    "index": IndexSitemap,
    "entries": EntrySitemap,
    "tags": TagSitemap,
    "archives": ArchiveSitemap,
}
