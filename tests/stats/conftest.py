import pytest
from django.core.cache import caches

from stats import counters
from stats.store import PREFIX, uses_redis
from stats.visitors import forget_salt_memo

BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


@pytest.fixture(autouse=True)
def stats_store(settings, tmp_path):
    """Each test counts into a store of its own, and starts as a fresh web worker."""
    settings.BLOGSITE_STATS_DIR = tmp_path / "stats"
    forget_salt_memo()
    counters._worker = None
    forget_redis_counters()
    yield settings.BLOGSITE_STATS_DIR
    forget_redis_counters()
    forget_salt_memo()
    counters._worker = None


def forget_redis_counters() -> None:
    """On a Redis pass, the counters of one test must not reach the next one's flush."""
    if uses_redis():
        caches["default"].delete_pattern(f"{PREFIX}:*")


def beacon(client, path: str, referrer: str = "", ip: str = "203.0.113.7", **headers):
    """Send what static/stats/beacon.js sends, as a browser at `ip` would."""
    headers.setdefault("HTTP_USER_AGENT", BROWSER)
    return client.post(
        "/stats/hit",
        {"p": path, "r": referrer, "h": "testserver"},
        REMOTE_ADDR=ip,
        **headers,
    )
