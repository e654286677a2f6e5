"""What the dashboard and the export read: daily rows summed over a span of days."""

import datetime
from dataclasses import dataclass

from django.db.models import Max, Sum
from django.utils import timezone

from stats.models import DaySummary, FeedReaders, PageDay, ReferrerDay

SPANS = (7, 30, 365)
TOP = 10


@dataclass
class Day:
    day: datetime.date
    views: int
    visitors: int


def span_start(days: int, today: datetime.date | None = None) -> datetime.date:
    return (today or timezone.localdate()) - datetime.timedelta(days=days - 1)


def _fill(start: datetime.date, days: int, found: dict) -> list[Day]:
    series = []
    for offset in range(days):
        day = start + datetime.timedelta(days=offset)
        views, visitors = found.get(day, (0, 0))
        series.append(Day(day, views, visitors))
    return series


def site_days(days: int, today: datetime.date | None = None) -> list[Day]:
    """Return views and visitors of the whole site for each of the last `days` days."""
    start = span_start(days, today)
    rows = DaySummary.objects.filter(day__gte=start).values_list("day", "views", "visitors")
    return _fill(start, days, {day: (views, visitors) for day, views, visitors in rows})


def entry_days(entry_id: int, days: int, today: datetime.date | None = None) -> list[Day]:
    """Return one entry's views and visitors for each of the last `days` days."""
    start = span_start(days, today)
    rows = (
        PageDay.objects.filter(entry_id=entry_id, day__gte=start)
        .values("day")
        .annotate(views=Sum("views"), visitors=Sum("visitors"))
        .values_list("day", "views", "visitors")
    )
    return _fill(start, days, {day: (views, visitors) for day, views, visitors in rows})


def top_entries(start: datetime.date) -> list[dict]:
    return list(
        PageDay.objects.filter(day__gte=start, entry__isnull=False)
        .values("entry_id", "entry__title")
        .annotate(views=Sum("views"), visitors=Sum("visitors"))
        .order_by("-views", "entry__title")[:TOP]
    )


def top_referrers(start: datetime.date) -> list[dict]:
    return list(
        ReferrerDay.objects.filter(day__gte=start)
        .values("domain")
        .annotate(views=Sum("views"))
        .order_by("-views", "domain")[:TOP]
    )


def views_by_tag(start: datetime.date) -> list[dict]:
    return list(
        PageDay.objects.filter(day__gte=start, entry__tags__isnull=False)
        .values("entry__tags__name")
        .annotate(views=Sum("views"))
        .order_by("-views", "entry__tags__name")[:TOP]
    )


def views_by_author(start: datetime.date) -> list[dict]:
    return list(
        PageDay.objects.filter(day__gte=start, entry__isnull=False)
        .values("entry__author__username")
        .annotate(views=Sum("views"))
        .order_by("-views", "entry__author__username")[:TOP]
    )


def feed_readers() -> tuple[datetime.date | None, list[dict]]:
    """Return the latest day any feed service reported, and its subscribers per service."""
    latest = FeedReaders.objects.aggregate(day=Max("day"))["day"]
    if latest is None:
        return None, []
    return latest, list(
        FeedReaders.objects.filter(day=latest)
        .values("service")
        .annotate(subscribers=Sum("subscribers"))
        .order_by("-subscribers", "service")
    )
