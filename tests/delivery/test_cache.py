"""The page cache: hits without SQL, exact invalidation across processes, 304s, schedules."""

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from posts.models import Entry
from tests.factories import EntryFactory

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.BLOGSITE_PAGE_CACHE = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run on-commit callbacks (the cache version bump) as a real commit would."""

    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


def test_a_second_request_is_a_hit_with_no_sql(client, django_assert_num_queries):
    entry = EntryFactory(tags=["x"])
    for url in ("/", entry.get_absolute_url(), "/tags/x/", "/feed/", "/sitemap.xml", "/robots.txt"):
        first = client.get(url)
        assert first["X-Cache"] == "miss", url
        with django_assert_num_queries(0):
            second = client.get(url)
        assert second["X-Cache"] == "hit", url
        assert second.content == first.content
        assert second["Content-Type"] == first["Content-Type"]
        assert "script-src 'self'" in second["Content-Security-Policy"]  # headers kept


def test_a_change_shows_at_once_after_its_commit(client, committed):
    committed(lambda: EntryFactory(title="First"))
    assert b"First" in client.get("/").content
    assert client.get("/")["X-Cache"] == "hit"
    committed(lambda: EntryFactory(title="Second"))
    response = client.get("/")
    assert response["X-Cache"] == "miss" and b"Second" in response.content


def test_tag_and_picture_changes_also_invalidate(client, committed):
    entry = committed(lambda: EntryFactory(title="Tagged"))
    client.get("/")
    committed(lambda: entry.tags.add("fresh-tag"))
    assert b"fresh-tag" in client.get("/").content


def test_conditional_requests_get_304s(client):
    EntryFactory()
    first = client.get("/")
    etag, modified = first["ETag"], first["Last-Modified"]
    assert etag.startswith('"') and modified
    not_modified = client.get("/", headers={"if-none-match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified["ETag"] == etag
    assert client.get("/", headers={"if-modified-since": modified}).status_code == 304
    assert client.get("/", headers={"if-none-match": '"other"'}).status_code == 200
    earlier = http_date(timezone.now().timestamp() - 86400 * 400)
    assert client.get("/", headers={"if-modified-since": earlier}).status_code == 200
    head = client.head("/")
    assert head.status_code == 200 and head["ETag"] == etag


def test_cache_control_comes_from_settings(client, settings):
    settings.BLOGSITE_CACHE_MAX_AGE, settings.BLOGSITE_CACHE_S_MAXAGE = 30, 120
    EntryFactory()
    assert client.get("/")["Cache-Control"] == (
        "public, max-age=30, s-maxage=120, stale-while-revalidate=600"
    )


def test_a_scheduled_entry_appears_at_its_time_with_no_cron(client, committed):
    committed(lambda: EntryFactory(title="Already out"))
    publish_at = timezone.now() + timedelta(minutes=10)
    committed(lambda: EntryFactory(title="Scheduled one", published_at=publish_at))
    before = client.get("/")
    assert b"Scheduled one" not in before.content
    # Nobody keeps the page past the publication: not us, not browsers, not CDNs.
    assert "s-maxage=300" in before["Cache-Control"]
    assert client.get("/")["X-Cache"] == "hit"
    with time_machine.travel(publish_at - timedelta(seconds=5), tick=False):
        assert b"Scheduled one" not in client.get("/").content
    with time_machine.travel(publish_at + timedelta(seconds=1), tick=False):
        after = client.get("/")
        assert after["X-Cache"] == "miss" and b"Scheduled one" in after.content


def test_max_age_never_outlives_the_next_publication(client, committed):
    committed(lambda: EntryFactory(published_at=timezone.now() + timedelta(seconds=45)))
    committed(lambda: EntryFactory())
    control = client.get("/")["Cache-Control"]
    max_age = int(control.split("max-age=")[1].split(",")[0])
    assert 30 <= max_age <= 45


def test_staff_and_anyone_with_a_session_get_fresh_pages(client, staff_client):
    EntryFactory()
    client.get("/")
    response = staff_client.get("/")
    assert "X-Cache" not in response
    client.cookies["sessionid"] = "anything"
    assert "X-Cache" not in client.get("/")


def test_what_is_never_cached(client, staff_client):
    draft = EntryFactory(status=Entry.Status.DRAFT)
    EntryFactory(title="Findable")
    for _ in range(2):
        assert "X-Cache" not in client.get(reverse("posts:search"), {"q": "findable"})
        assert "X-Cache" not in client.get("/no/such/page/")
        assert "X-Cache" not in client.get("/healthz")
        assert "X-Cache" not in staff_client.get(draft.get_absolute_url())
    posted = client.post("/", {})
    assert posted.status_code == 405 and "X-Cache" not in posted


def test_stray_query_parameters_share_the_pages_entry(client):
    EntryFactory()
    client.get("/")
    assert client.get("/?utm_source=newsletter")["X-Cache"] == "hit"
    assert client.get("/?page=1")["X-Cache"] == "miss"  # a different page key


def run_client(code: str, env: dict) -> str:
    script = "import django; django.setup(); from django.test import Client; c = Client(); " + code
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.django_db(transaction=True)
def test_a_publish_in_one_process_shows_in_another_at_once(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "blogsite.settings",
        "DATABASE_URL": os.environ.get("DATABASE_URL", f"sqlite:///{tmp_path / 'shared.sqlite3'}"),
        "ALLOWED_HOSTS": "testserver",
        "BLOGSITE_PAGE_CACHE": "1",
    }
    if "REDIS_URL" not in os.environ:
        env["CACHE_URL"] = f"filecache://{tmp_path / 'cache'}"
    if env["DATABASE_URL"].startswith("postgres"):
        pytest.skip("the PostgreSQL pass's test database belongs to this process")
    subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True)
    publish = (
        "from django.contrib.auth.models import User; from posts.models import Entry; "
        "u, _ = User.objects.get_or_create(username='w'); "
        "Entry.objects.create(title={title!r}, author=u, status='published')"
    )
    read = "r = c.get('/'); print(r['X-Cache'], {title!r} in r.content.decode())"
    run_client(publish.format(title="From process one"), env)
    assert run_client(read.format(title="From process one"), env).split() == ["miss", "True"]
    assert run_client(read.format(title="From process one"), env).split() == ["hit", "True"]
    run_client(publish.format(title="From process two"), env)
    assert run_client(read.format(title="From process two"), env).split() == ["miss", "True"]


def test_a_transaction_bumps_the_content_version_once(django_capture_on_commit_callbacks):
    from posts.delivery.cache import _bump, bump_content_version

    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        for _ in range(3):
            bump_content_version()
    assert callbacks == [_bump]


def test_a_bump_dropped_with_its_savepoint_does_not_stand_for_a_later_change(
    django_capture_on_commit_callbacks,
):
    from posts.delivery.cache import _bump, bump_content_version

    with django_capture_on_commit_callbacks() as callbacks, transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            bump_content_version()
            raise RuntimeError("rolled back")
        bump_content_version()  # the change that stays needs its own bump
        with pytest.raises(RuntimeError), transaction.atomic():
            bump_content_version()  # covered by the one above, which survives this
            raise RuntimeError("rolled back")
    assert callbacks == [_bump]
