"""The flush: exact once, killed or not; past salts and old raw counters go."""

import datetime
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db.models import Sum
from django.utils import timezone
from taggit.models import Tag

from stats import counters
from stats.counters import WORKERS, log_key, worker_tokens
from stats.flush import flush, raw_days
from stats.models import DaySummary, FlushMark, PageDay, ReferrerDay
from stats.store import DayStore
from stats.tasks import flush_stats, schedule_flush
from tests.factories import EntryFactory
from tests.stats.conftest import beacon

ROOT = Path(__file__).resolve().parents[2]


def write_worker(day: datetime.date, token: str, pages: int, views_each: int) -> int:
    """Put one web worker's log for a day in the store, as counters.py appends it."""
    store = DayStore(day)
    lines = []
    for number in range(pages):
        for view in range(views_each):
            new = "1" if view == 0 else "0"
            domain = f"r{number % 7}.example.org"
            lines.append(f"v\t/tags/t-{number}/\t{domain}\t{new}\t{new}\n")
    with store.lock():
        tokens = store.cache.get(store.key(WORKERS)) or set()
        store.cache.set(store.key(WORKERS), tokens | {token}, timeout=None)
    store.append(log_key(store, token), "".join(lines).encode())
    return pages * views_each


def public_tags(count: int) -> None:
    """Make the tags /tags/t-0/ to /tags/t-{count - 1}/ public: the flush counts only real
    pages."""
    tags = Tag.objects.bulk_create([Tag(name=f"t-{n}", slug=f"t-{n}") for n in range(count)])
    EntryFactory().tags.add(*tags)


def stored_views() -> tuple[int, int, int]:
    return (
        DaySummary.objects.aggregate(total=Sum("views"))["total"] or 0,
        PageDay.objects.aggregate(total=Sum("views"))["total"] or 0,
        ReferrerDay.objects.aggregate(total=Sum("views"))["total"] or 0,
    )


@pytest.mark.django_db
def test_a_flush_moves_only_what_is_new_and_a_second_flush_moves_nothing(client):
    entry = EntryFactory()
    for _ in range(3):
        beacon(client, entry.get_absolute_url(), referrer="https://a.example.org/")
    assert flush().views == 3
    assert flush().views == 0
    beacon(client, entry.get_absolute_url())
    assert flush().views == 1
    assert stored_views() == (4, 4, 3)
    assert PageDay.objects.get().visitors == 1


@pytest.mark.django_db
def test_a_line_still_being_written_waits_for_the_next_flush(client):
    entry = EntryFactory()
    beacon(client, entry.get_absolute_url())
    store = DayStore(timezone.localdate())
    key = log_key(store, counters._worker.token)
    store.append(key, f"v\t{entry.get_absolute_url()}\t\t0".encode())  # no end of line yet
    assert flush().views == 1
    store.append(key, b"\t0\n")
    assert flush().views == 1
    assert stored_views()[:2] == (2, 2)


@pytest.mark.django_db
def test_a_garbled_line_is_skipped_and_the_rest_moved(client):
    entry = EntryFactory()
    beacon(client, entry.get_absolute_url())
    store = DayStore(timezone.localdate())
    store.append(log_key(store, counters._worker.token), b"nonsense\n\xff\xfe\nv\tonly\n")
    beacon(client, entry.get_absolute_url())
    assert flush().views == 2


@pytest.mark.django_db
def test_raw_counters_and_marks_go_after_the_kept_days_and_daily_rows_stay(client, settings):
    settings.BLOGSITE_STATS_RAW_DAYS = 3
    today = timezone.localdate()
    old = today - datetime.timedelta(days=5)
    write_worker(old, "old", pages=2, views_each=1)
    FlushMark.objects.create(day=old, worker="old", offset=0)
    DaySummary.objects.create(day=old, views=2, visitors=2)
    assert raw_days(today) == [today - datetime.timedelta(days=n) for n in (2, 1, 0)]
    report = flush(today)
    assert report.purged_days == [old]
    assert not (settings.BLOGSITE_STATS_DIR / old.isoformat()).exists()
    assert worker_tokens(old) == []
    assert not FlushMark.objects.filter(day=old).exists()
    assert DaySummary.objects.get(day=old).views == 2


def test_the_task_schedules_its_successor_only_where_it_can_wait():
    # The tests' immediate backend cannot defer: nothing is scheduled, nothing recurses.
    assert schedule_flush() is False


def worker_environment(settings) -> dict:
    from tests.conftest import cache_url_env

    return {
        **os.environ,
        **cache_url_env(settings),
        "DEBUG": "0",
        "SECRET_KEY": "stats-test-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": f"sqlite:///{settings.DATABASES['default']['NAME']}",
        "BLOGSITE_STATS_DIR": str(settings.BLOGSITE_STATS_DIR),
        "LOG_LEVEL": "WARNING",
    }


@pytest.mark.django_db(transaction=True)
def test_killing_the_worker_mid_flush_loses_and_doubles_nothing(settings):
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":
        pytest.skip("the worker process is pointed at the SQLite test database file")
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    # The flush that migrate scheduled for the test database is not this test's.
    DBTaskResult.objects.filter(task_path=flush_stats.module_path).delete()
    today = timezone.localdate()
    workers = 30
    public_tags(1500)
    sent = sum(write_worker(today, f"w{n:02d}", pages=1500, views_each=2) for n in range(workers))
    flush_stats.enqueue()
    env = worker_environment(settings)
    command = [sys.executable, "manage.py", "db_worker", "--no-reload", "--no-startup-delay",
               "--interval", "0.1"]  # fmt: skip
    worker = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    try:
        deadline = time.monotonic() + 60
        while not FlushMark.objects.exists() and time.monotonic() < deadline:
            time.sleep(0.01)
        os.killpg(worker.pid, signal.SIGKILL)
    finally:
        worker.wait(timeout=20)
    done = FlushMark.objects.count()
    assert 0 < done < workers, f"the kill should land mid-flush ({done} of {workers} moved)"
    views, pages, _ = stored_views()
    assert views == pages < sent  # what was moved, was moved whole
    # The successor was queued before the flush began: the chain survives the kill.
    waiting = DBTaskResult.objects.filter(status="READY", task_path=flush_stats.module_path)
    assert waiting.get().run_after > timezone.now()
    # The next run (made due now) moves exactly what is left.
    waiting.update(run_after=timezone.now())
    subprocess.run([*command[:3], "--batch", "--no-reload", "--no-startup-delay"], cwd=ROOT,
                   env=env, check=True, timeout=120)  # fmt: skip
    assert FlushMark.objects.count() == workers
    assert stored_views()[:2] == (sent, sent)
    assert ReferrerDay.objects.aggregate(total=Sum("views"))["total"] == sent


@pytest.mark.django_db
def test_the_chain_is_started_once_where_tasks_can_wait(settings, editor_client):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    from django_tasks_db.models import DBTaskResult

    DBTaskResult.objects.all().delete()
    assert schedule_flush() is True
    assert schedule_flush() is False  # one waits already
    editor_client.get("/admin/stats/daysummary/")  # the dashboard repairs, never doubles
    waiting = DBTaskResult.objects.get(task_path=flush_stats.module_path)
    assert waiting.status == "READY"
    seconds = (waiting.run_after - timezone.now()).total_seconds()
    assert 0 < seconds <= settings.BLOGSITE_STATS_FLUSH_SECONDS


@pytest.mark.django_db
def test_counting_goes_on_after_redis_loses_the_days_logs(client, redis_cache):
    entry = EntryFactory()
    beacon(client, entry.get_absolute_url())
    assert flush().views == 1
    beacon(client, entry.get_absolute_url())
    redis_cache.clear()  # a restart without persistence, FLUSHALL, or eviction under maxmemory
    for _ in range(3):
        beacon(client, entry.get_absolute_url())
    # The view between the flush and the loss is gone; the three after it all count, none
    # cut short by the old log's flush mark.
    assert flush().views == 3
    assert stored_views()[0] == 4
