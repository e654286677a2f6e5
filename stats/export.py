"""The daily rows as CSV: one table at a time, over a span of days."""

import csv
import datetime
from typing import TextIO

from stats.models import DaySummary, FeedReaders, PageDay, ReferrerDay

TABLES = {
    "days": (DaySummary, ["day", "views", "visitors"]),
    "pages": (PageDay, ["day", "path", "entry_id", "views", "visitors"]),
    "referrers": (ReferrerDay, ["day", "domain", "views"]),
    "feeds": (FeedReaders, ["day", "service", "feed", "subscribers"]),
}


def export_csv(
    table: str,
    out: TextIO,
    since: datetime.date | None = None,
    until: datetime.date | None = None,
) -> int:
    """Write one table's rows, oldest day first, as CSV with a header; return the rows."""
    model, fields = TABLES[table]
    rows = model.objects.order_by("day", *fields[1:2])
    if since:
        rows = rows.filter(day__gte=since)
    if until:
        rows = rows.filter(day__lte=until)
    writer = csv.writer(out)
    writer.writerow(fields)
    count = 0
    for values in rows.values_list(*fields).iterator(chunk_size=2000):
        writer.writerow(["" if value is None else value for value in values])
        count += 1
    return count
