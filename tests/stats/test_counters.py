"""Counting across real worker processes: gunicorn's two sync workers, on files and on Redis."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.utils import timezone

from stats.counters import read_log, worker_tokens
from stats.flush import flush
from stats.models import DaySummary, PageDay
from tests.stats.conftest import BROWSER

ROOT = Path(__file__).resolve().parents[2]
REDIS = "redis://127.0.0.1:6379/10"
FILE_CACHE = "django.core.cache.backends.filebased.FileBasedCache"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_available() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.fixture(params=["files", "redis"])
def shared_store(request, settings, stats_store, test_cache_dir):
    """The environment the web workers need to count where this test's flush looks."""
    env = {"BLOGSITE_STATS_DIR": str(stats_store)}
    if request.param == "redis":
        if not redis_available():
            pytest.skip("Redis is not running at 127.0.0.1:6379")
        settings.CACHES = {
            "default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS}
        }
        from django.core.cache import caches

        caches["default"].clear()
        env["REDIS_URL"] = REDIS
        yield env
        caches["default"].clear()
        return
    # The file store, even on a pass whose cache is Redis.
    settings.CACHES = {"default": {"BACKEND": FILE_CACHE, "LOCATION": str(test_cache_dir)}}
    env["CACHE_URL"] = f"filecache://{test_cache_dir}"
    yield env


@pytest.fixture
def gunicorn(shared_store):
    port = free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CACHE_URL")},
        **shared_store,
        "DEBUG": "0",
        "SECRET_KEY": "stats-test-only",
        "ALLOWED_HOSTS": "127.0.0.1",
        "BLOGSITE_PLAIN_HTTP": "1",
        "GUNICORN_BIND": f"127.0.0.1:{port}",
        "GUNICORN_WORKERS": "2",
        "GUNICORN_ACCESS_LOG": "/dev/null",
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "blogsite.wsgi"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield base
    os.killpg(process.pid, 15)
    process.wait(timeout=20)


def send(base: str, path: str, agent: str) -> int:
    data = urlencode({"p": path, "r": "https://search.example.net/q", "h": "x"}).encode()
    request = urllib.request.Request(base + "/stats/hit", data=data, headers={"User-Agent": agent})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


@pytest.mark.django_db
def test_a_visitor_counts_once_a_day_across_two_worker_processes(gunicorn):
    readers = [BROWSER, BROWSER.replace("Linux x86_64", "Windows NT 10.0; Win64; x64")]
    jobs = [(path, agent) for agent in readers for path in ["/", "/tags/"] * 50]
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(lambda job: send(gunicorn, *job), jobs))
    assert statuses == [204] * 200
    # Both worker processes counted, each under its own key.
    day = timezone.localdate()
    tokens = worker_tokens(day)
    assert len(tokens) == 2
    assert all(read_log(day, token, 0)[0] for token in tokens)
    flush()
    summary = DaySummary.objects.get()
    assert (summary.views, summary.visitors) == (200, 2)
    assert {(row.path, row.views, row.visitors) for row in PageDay.objects.all()} == {
        ("/", 100, 2),
        ("/tags/", 100, 2),
    }
