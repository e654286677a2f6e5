"""The daily salt: one for every worker, gone at midnight, new the next day."""

import datetime
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from stats.flush import flush
from stats.models import DaySummary
from stats.store import DayStore, uses_redis
from stats.visitors import daily_salt, forget_salt_memo, salt_key, visitor_hash
from tests.factories import EntryFactory
from tests.stats.conftest import beacon

UTC = zoneinfo.ZoneInfo("UTC")


def test_the_hash_is_stable_within_a_day_and_hides_its_inputs():
    day = datetime.date(2026, 12, 5)
    first = visitor_hash(day, "blog.example.org", "203.0.113.7", "Browser/1")
    assert first == visitor_hash(day, "blog.example.org", "203.0.113.7", "Browser/1")
    assert first != visitor_hash(day, "blog.example.org", "203.0.113.8", "Browser/1")
    assert first != visitor_hash(day, "other.example.org", "203.0.113.7", "Browser/1")
    assert "203.0.113.7" not in first and len(first) == 32


def test_another_process_finds_the_same_salt():
    day = datetime.date(2026, 12, 5)
    salt = daily_salt(day)
    forget_salt_memo()  # as a second worker process, with no copy of its own
    assert daily_salt(day) == salt


@pytest.mark.django_db
def test_the_salt_rotates_at_midnight_and_yesterdays_is_deleted(client):
    entry = EntryFactory(published_at=datetime.datetime(2026, 1, 1, tzinfo=UTC))
    before = datetime.datetime(2026, 12, 5, 23, 59, 50, tzinfo=UTC)
    with time_machine.travel(before, tick=False) as clock:
        day = timezone.localdate()
        beacon(client, entry.get_absolute_url())
        beacon(client, entry.get_absolute_url())
        salt = daily_salt(day)
        hash_before = visitor_hash(day, "s", "203.0.113.7", "B")
        clock.move_to(before + datetime.timedelta(seconds=20))  # 00:00:10 the next day
        next_day = timezone.localdate()
        assert next_day == day + datetime.timedelta(days=1)
        # Expired by its own timeout at midnight, before any flush has run (Redis keeps
        # its own clock, which the test cannot move: there the flush below deletes it).
        if not uses_redis():
            assert DayStore(day).cache.get(salt_key(DayStore(day))) is None
        assert daily_salt(next_day) != salt
        assert visitor_hash(next_day, "s", "203.0.113.7", "B") != hash_before
        beacon(client, entry.get_absolute_url())  # the same reader: new on the new day
        flush()
        assert DayStore(day).cache.get(salt_key(DayStore(day))) is None
    summaries = {row.day: (row.views, row.visitors) for row in DaySummary.objects.all()}
    assert summaries == {day: (2, 1), next_day: (1, 1)}
