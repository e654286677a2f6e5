import csv
import datetime
import io

import pytest
from django.core.management import CommandError, call_command

from stats.models import DaySummary, PageDay

pytestmark = pytest.mark.django_db


def test_export_writes_each_table_as_csv_within_the_span(tmp_path):
    for day in (1, 2, 3):
        DaySummary.objects.create(day=datetime.date(2026, 12, day), views=day * 10, visitors=day)
    PageDay.objects.create(day=datetime.date(2026, 12, 2), path="/a,b/", views=4, visitors=2)
    out = io.StringIO()
    call_command("export_stats", "days", "--since", "2026-12-02", stdout=out)
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["day", "views", "visitors"], ["2026-12-02", "20", "2"], ["2026-12-03", "30", "3"]
    ]  # fmt: skip
    target = tmp_path / "pages.csv"
    call_command("export_stats", "pages", "-o", str(target), stderr=io.StringIO())
    rows = list(csv.reader(target.open()))
    assert rows == [
        ["day", "path", "entry_id", "views", "visitors"], ["2026-12-02", "/a,b/", "", "4", "2"]
    ]  # fmt: skip


def test_export_refuses_bad_dates_tables_and_places_with_a_message(tmp_path):
    with pytest.raises(CommandError, match="Not a date"):
        call_command("export_stats", "days", "--since", "yesterday")
    with pytest.raises(CommandError, match="invalid choice"):
        call_command("export_stats", "visitors")
    with pytest.raises(CommandError, match="Cannot write"):
        call_command("export_stats", "days", "-o", str(tmp_path / "no" / "such" / "dir.csv"))


def test_flush_command_reports_what_it_moved():
    out = io.StringIO()
    call_command("flush_stats", stdout=out)
    assert "0 views moved" in out.getvalue()
