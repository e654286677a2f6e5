"""A cache hit answered around Django's WSGI handler: no request pipeline, one cache read.

blogsite.wsgi.application is called here as gunicorn calls it, with a WSGI environ.
"""

import io
import sys

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from blogsite.wsgi import application
from tests.factories import EntryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def page_cache_on(settings):
    settings.BLOGSITE_PAGE_CACHE = True
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    def run(action):
        with django_capture_on_commit_callbacks(execute=True):
            return action()

    return run


@pytest.fixture
def pipeline_runs():
    """Count the requests that went into Django's handler (it sends request_started)."""
    seen = []

    def receiver(**kwargs):
        seen.append(kwargs)

    request_started.connect(receiver)
    yield seen
    request_started.disconnect(receiver)


def call(path: str, method: str = "GET", **headers: str) -> tuple[str, dict, bytes]:
    """Call the WSGI application as a server would; return status, headers and body."""
    path, _, query = path.partition("?")
    environ = {
        "REQUEST_METHOD": method,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SCRIPT_NAME": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "HTTP_HOST": "testserver",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        **{f"HTTP_{name.upper()}": value for name, value in headers.items()},
    }
    answer = {}

    def start_response(status, response_headers, exc_info=None):
        answer["status"] = status
        answer["headers"] = dict(response_headers)

    # As Django's test client does: the test's transaction keeps its connection open.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        chunks = application(environ, start_response)
        try:
            body = b"".join(chunks)
        finally:
            if hasattr(chunks, "close"):
                chunks.close()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)
    return answer["status"], answer["headers"], body


def test_a_hit_skips_the_whole_request_pipeline(django_assert_num_queries, pipeline_runs):
    entry = EntryFactory(tags=["x"])
    for path in ("/", entry.get_absolute_url(), "/tags/x/", "/feed/", "/sitemap.xml"):
        status, first_headers, first = call(path)
        assert status == "200 OK" and first_headers["X-Cache"] == "miss", path
        runs = len(pipeline_runs)
        with django_assert_num_queries(0):
            status, headers, body = call(path)
        assert status == "200 OK" and headers["X-Cache"] == "hit", path
        assert len(pipeline_runs) == runs, f"{path}: the hit went into Django's handler"
        assert body == first
        # The headers the middleware set when the page was rendered come with the hit.
        for name in ("Content-Type", "Content-Security-Policy", "ETag", "Last-Modified"):
            assert headers[name] == first_headers[name], (path, name)


def test_a_hit_answers_conditional_requests(pipeline_runs):
    EntryFactory()
    _status, headers, _body = call("/")
    runs = len(pipeline_runs)
    status, again, body = call("/", if_none_match=headers["ETag"])
    assert status == "304 Not Modified" and body == b""
    assert again["ETag"] == headers["ETag"] and again["X-Cache"] == "hit"
    status, _headers, _body = call("/", if_modified_since=headers["Last-Modified"])
    assert status == "304 Not Modified"
    assert len(pipeline_runs) == runs


def test_a_change_is_never_served_stale(committed):
    committed(lambda: EntryFactory(title="First words"))
    call("/")
    assert call("/")[1]["X-Cache"] == "hit"
    committed(lambda: EntryFactory(title="Second words"))
    _status, headers, body = call("/")
    assert headers["X-Cache"] == "miss" and b"Second words" in body


def test_a_page_version_bump_is_seen_by_the_wsgi_hit(committed):
    from posts.delivery.cache import bump_page_version

    entry = committed(lambda: EntryFactory(title="Commented"))
    call(entry.get_absolute_url())
    assert call(entry.get_absolute_url())[1]["X-Cache"] == "hit"
    committed(lambda: bump_page_version(entry.get_absolute_url()))
    assert call(entry.get_absolute_url())[1]["X-Cache"] == "miss"
    assert call("/")[1]["X-Cache"] == "miss"  # first visit: only that page was made stale


@pytest.mark.parametrize(
    "headers",
    [
        {"cookie": f"{settings.SESSION_COOKIE_NAME}=abc"},
        {"cookie": f"{settings.CSRF_COOKIE_NAME}=abc"},
        {"user_agent": "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 123 subscribers)"},
    ],
    ids=["session", "csrf", "feed-fetcher"],
)
def test_readers_who_may_see_something_else_go_to_django(headers, pipeline_runs):
    EntryFactory()
    call("/feed/")
    call("/feed/")
    runs = len(pipeline_runs)
    _status, answer, _body = call("/feed/", **headers)
    assert len(pipeline_runs) == runs + 1
    if "cookie" in headers:  # a fresh page; the fetcher gets the middleware's hit
        assert answer.get("X-Cache") != "hit"


def test_feed_readers_are_still_counted_on_cached_feeds(pipeline_runs):
    from stats.flush import flush
    from stats.reports import feed_readers

    EntryFactory()
    call("/feed/")
    assert call("/feed/")[1]["X-Cache"] == "hit"
    fetcher = "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 123 subscribers)"
    assert call("/feed/", user_agent=fetcher)[1]["X-Cache"] == "hit"  # Django's middleware hit
    flush()
    _day, services = feed_readers()
    assert {row["service"]: row["subscribers"] for row in services} == {"Feedly": 123}


def test_a_bad_host_gets_djangos_400_not_a_hit():
    EntryFactory()
    call("/")
    status, _headers, _body = call("/", host="evil.example")
    assert status.startswith("400")


def test_posts_and_static_files_go_to_django(pipeline_runs):
    EntryFactory()
    call("/")
    runs = len(pipeline_runs)
    assert call("/", method="POST")[1].get("X-Cache") != "hit"
    call(settings.STATIC_URL + "css/site.css")
    assert len(pipeline_runs) == runs + 2


def test_with_the_page_cache_off_every_request_goes_to_django(settings, pipeline_runs):
    EntryFactory()
    call("/")
    settings.BLOGSITE_PAGE_CACHE = False
    runs = len(pipeline_runs)
    assert "X-Cache" not in call("/")[1]
    assert len(pipeline_runs) == runs + 1
