import pytest
from django.core.cache import caches

from stats.store import PREFIX, uses_redis
from stats.visitors import forget_salt_memo

BROWSER = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Safari/537.36"
)


@pytest.fixture(autouse=True)
def stats_store(stats_store):
    """On top of the store of its own every test has (tests/conftest.py), a statistics test
    starts with no salt remembered and, on a Redis pass, no counters left in Redis."""
    forget_salt_memo()
    forget_redis_counters()
    yield stats_store
    forget_redis_counters()
    forget_salt_memo()


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


@pytest.fixture
def redis_cache(settings):
    """Point this test's cache (and so the counters) at Redis's database 10, emptied."""
    from tests.stats.test_counters import REDIS, redis_available

    if not redis_available():
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS}}
    caches["default"].clear()
    yield caches["default"]
    caches["default"].clear()
