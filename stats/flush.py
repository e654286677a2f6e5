"""Moving the cache's logs into daily rows, exactly once, and forgetting the rest.

For each web worker's log, one transaction adds the whole lines past the mark of what was
moved before, then moves the mark. Killed at any point, the
transaction rolls back whole: the next flush finds the same difference, so every counted
view is stored once. Past days' salts are deleted at the first flush after midnight; raw
counters (and their marks) go after BLOGSITE_STATS_RAW_DAYS days, daily rows never.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.urls import Resolver404, resolve
from django.utils import timezone

from posts.delivery.visibility import public_tags
from posts.models import AuthorProfile, Entry, Page, Series
from stats.counters import FEED, VIEW, WORKERS, log_key, read_log, worker_tokens
from stats.models import DaySummary, FeedReaders, FlushMark, PageDay, ReferrerDay
from stats.store import DayStore, stats_dir, uses_redis
from stats.visitors import forget_salt_memo, salt_key

log = logging.getLogger(__name__)


@dataclass
class FlushReport:
    workers: int = 0
    views: int = 0
    purged_days: list[datetime.date] = field(default_factory=list)


def raw_days(today: datetime.date) -> list[datetime.date]:
    """Return the days whose raw counters are kept: today and the N-1 before it."""
    keep = max(1, settings.BLOGSITE_STATS_RAW_DAYS)
    return [today - datetime.timedelta(days=back) for back in range(keep - 1, -1, -1)]


def flush(today: datetime.date | None = None) -> FlushReport:
    """Move every kept day's new counts into daily rows; delete past salts and old counters."""
    today = today or timezone.localdate()
    report = FlushReport()
    for day in raw_days(today):
        for token in worker_tokens(day):
            report.views += _flush_worker(day, token)
            report.workers += 1
        if day < today:
            forget_salt(day)
    report.purged_days = purge(today)
    return report


def forget_salt(day: datetime.date) -> None:
    """Delete a past day's salt: from now on its visitor hashes tie to no one."""
    store = DayStore(day)
    store.cache.delete(salt_key(store))
    forget_salt_memo()


def _tally(lines: list[list[str]]) -> dict:
    """Sum a batch of log lines into the changes they make to the daily rows."""
    change = {"views": 0, "visitors": 0, "pages": {}, "referrers": {}, "feeds": {}}
    for fields in lines:
        if fields[0] == VIEW and len(fields) == 5:
            _kind, path, referrer, new_today, new_on_page = fields
            change["views"] += 1
            change["visitors"] += new_today == "1"
            page = change["pages"].setdefault(path, [0, 0])
            page[0] += 1
            page[1] += new_on_page == "1"
            if referrer:
                change["referrers"][referrer] = change["referrers"].get(referrer, 0) + 1
        elif fields[0] == FEED and len(fields) == 4 and fields[3].isdigit():
            key = (fields[1], fields[2])
            change["feeds"][key] = max(change["feeds"].get(key, 0), int(fields[3]))
    return change


def _flush_worker(day: datetime.date, token: str) -> int:
    with transaction.atomic():
        # The day's summary row is locked first: flushes of one day take turns (PostgreSQL;
        # SQLite's IMMEDIATE transactions take turns anyway).
        DaySummary.objects.get_or_create(day=day)
        summary = DaySummary.objects.select_for_update().get(day=day)
        mark, _ = FlushMark.objects.get_or_create(day=day, worker=token)
        lines, length = read_log(day, token, mark.offset)
        if not length:
            return 0
        change = _tally(_without_unknown_pages(lines))
        summary.views += change["views"]
        summary.visitors += change["visitors"]
        summary.save(update_fields=["views", "visitors"])
        _add_pages(day, change["pages"])
        _add_referrers(day, change["referrers"])
        _keep_feeds(day, change["feeds"])
        mark.offset += length
        mark.save(update_fields=["offset"])
    return change["views"]


def _without_unknown_pages(lines: list[list[str]]) -> list[list[str]]:
    """Drop views of addresses where nothing public is, in one query per kind of page.

    Any address can look like a page's, an entry's, a tag's, an author's, a series' or an
    archive's (/nowhere/at/all/, /2024/01/made-up/, /tags/anything/, /1999/): counting
    cannot ask the database, so the flush does, and such a forged view counts nowhere.
    """
    by_view: dict[str, dict[str, dict]] = {}
    for fields in lines:
        if fields[0] == VIEW and len(fields) == 5:
            try:
                match = resolve(fields[1])
            except Resolver404:
                continue
            by_view.setdefault(match.view_name, {})[fields[1]] = match.kwargs
    checked, known = set(), set()
    for view_name, paths in by_view.items():
        check = KNOWN_CHECKS.get(view_name)
        if check is not None:
            checked |= paths.keys()
            known |= check(paths)
    unknown = checked - known
    if not unknown:
        return lines
    return [f for f in lines if not (f[0] == VIEW and len(f) == 5 and f[1] in unknown)]


def _by_slug(queryset):
    def check(paths: dict[str, dict]) -> set[str]:
        slugs = {kwargs["slug"] for kwargs in paths.values()}
        found = set(queryset().filter(slug__in=slugs).values_list("slug", flat=True))
        return {path for path, kwargs in paths.items() if kwargs["slug"] in found}

    return check


def _known_pages(paths: dict[str, dict]) -> set[str]:
    return set(Page.objects.published().filter(path__in=paths).values_list("path", flat=True))


def _known_archives(paths: dict[str, dict]) -> set[str]:
    months = {(d.year, d.month) for d in Entry.objects.published().dates("published_at", "month")}
    years = {year for year, _month in months}
    return {
        path
        for path, kwargs in paths.items()
        if (
            (kwargs["year"], kwargs["month"]) in months
            if "month" in kwargs
            else kwargs["year"] in years
        )
    }


KNOWN_CHECKS = {
    "posts:page": _known_pages,
    "posts:entry": lambda paths: set(_entries_by_path(paths, Entry.objects.published())),
    "posts:tag": _by_slug(public_tags),
    "posts:author": _by_slug(AuthorProfile.objects.public),
    "posts:series": _by_slug(Series.objects.public),
    "posts:archive-year": _known_archives,
    "posts:archive-month": _known_archives,
}


def _entries_by_path(paths, entries=None) -> dict[str, int]:
    """Return {path: entry id} for the paths that address an entry, in one query."""
    slugs = {}
    for path in paths:
        try:
            match = resolve(path)
        except Resolver404:
            continue
        if match.view_name == "posts:entry":
            slugs[match.kwargs["slug"]] = path
    wanted = set(slugs.values())
    found = {}
    entries = Entry.objects.all() if entries is None else entries
    for entry in entries.filter(slug__in=slugs).only("id", "slug", "published_at"):
        path = entry.get_absolute_url()
        if path in wanted:
            found[path] = entry.id
    return found


def _add_pages(day: datetime.date, pages: dict) -> None:
    if not pages:
        return
    rows = {row.path: row for row in PageDay.objects.filter(day=day, path__in=list(pages))}
    entries = _entries_by_path(set(pages) - set(rows))
    for path, (views, visitors) in pages.items():
        row = rows.get(path) or PageDay(day=day, path=path, entry_id=entries.get(path))
        row.views += views
        row.visitors += visitors
        rows[path] = row
    PageDay.objects.bulk_create(
        [rows[path] for path in pages],
        update_conflicts=True,
        unique_fields=["day", "path"],
        update_fields=["views", "visitors"],
        batch_size=500,
    )


def _add_referrers(day: datetime.date, referrers: dict) -> None:
    if not referrers:
        return
    known = {
        row.domain: row.views
        for row in ReferrerDay.objects.filter(day=day, domain__in=list(referrers))
    }
    ReferrerDay.objects.bulk_create(
        [
            ReferrerDay(day=day, domain=domain, views=known.get(domain, 0) + views)
            for domain, views in referrers.items()
        ],
        update_conflicts=True,
        unique_fields=["day", "domain"],
        update_fields=["views"],
        batch_size=500,
    )


def _keep_feeds(day: datetime.date, feeds: dict) -> None:
    if not feeds:
        return
    known = {
        (row.service, row.feed): row.subscribers for row in FeedReaders.objects.filter(day=day)
    }
    rows = []
    for (service, feed), subscribers in feeds.items():
        most = max(subscribers, known.get((service, feed), 0))
        rows.append(FeedReaders(day=day, service=service, feed=feed, subscribers=most))
    FeedReaders.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["day", "service", "feed"],
        update_fields=["subscribers"],
    )


def purge(today: datetime.date) -> list[datetime.date]:
    """Delete raw counters and marks older than the kept days; return the days deleted."""
    oldest = raw_days(today)[0]
    days = set(FlushMark.objects.filter(day__lt=oldest).values_list("day", flat=True))
    if not uses_redis() and stats_dir().is_dir():
        for child in stats_dir().iterdir():
            try:
                day = datetime.date.fromisoformat(child.name)
            except ValueError:
                continue
            if day < oldest:
                days.add(day)
    for day in sorted(days):
        store = DayStore(day)
        keys = [log_key(store, token) for token in worker_tokens(day)]
        # The logs first: a mark must never go while the lines it covers remain.
        store.remove([*keys, store.key(WORKERS), salt_key(store)])
        FlushMark.objects.filter(day=day).delete()
    return sorted(days)
