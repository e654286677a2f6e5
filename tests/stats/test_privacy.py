"""Nothing the statistics write holds an address or a User-Agent: every row and every key."""

import pickle

import pytest
from django.apps import apps
from django.core.cache import caches

from stats.flush import flush
from tests.factories import EntryFactory
from tests.stats.conftest import beacon
from tests.stats.test_counters import FILE_CACHE, REDIS, redis_available

ADDRESS = "198.51.100.231"
AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0 Zyzzyva/7"
FEEDLY = "Feedly/1.0 (+http://www.feedly.com/fetcher.html; 42 subscribers; like FeedFetcher)"
SECRETS = [ADDRESS, "198.51.100", AGENT, "Zyzzyva", "Firefox/133", "fetcher.html"]


def write_everything(client) -> None:
    entry = EntryFactory(tags=["notes"])
    for path in [entry.get_absolute_url(), "/", "/tags/notes/"]:
        beacon(client, path, referrer="https://news.example.org/a", ip=ADDRESS,
               HTTP_USER_AGENT=AGENT)  # fmt: skip
    client.get("/stats/pixel.gif", {"p": "/"}, REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=AGENT)
    client.get("/feed/", REMOTE_ADDR=ADDRESS, HTTP_USER_AGENT=FEEDLY)
    flush()


def assert_clean(blob: str, where: str) -> None:
    for secret in SECRETS:
        assert secret not in blob, f"{secret!r} found in {where}"


def assert_rows_clean() -> int:
    rows = 0
    for model in apps.get_app_config("stats").get_models():
        for row in model.objects.values():
            assert_clean(repr(row), model.__name__)
            rows += 1
    return rows


@pytest.mark.django_db
def test_no_row_and_no_file_in_the_file_store_holds_an_address_or_user_agent(
    client, stats_store, settings, test_cache_dir
):
    settings.CACHES = {"default": {"BACKEND": FILE_CACHE, "LOCATION": str(test_cache_dir)}}
    write_everything(client)
    assert assert_rows_clean() >= 6  # summary, pages, referrer, feed readers, mark
    files = [path for path in stats_store.rglob("*") if path.is_file()]
    assert len(files) >= 5
    for path in files:
        raw = path.read_bytes()
        assert_clean(raw.decode("latin-1"), path.name)
        if raw.startswith(b"\x80"):  # a value: pickled (expiry, value); else a log or a mark
            assert_clean(repr(pickle.loads(raw)), path.name)


@pytest.mark.django_db
def test_no_redis_key_or_value_holds_an_address_or_user_agent(client, settings):
    if not redis_available():
        pytest.skip("Redis is not running at 127.0.0.1:6379")
    settings.CACHES = {"default": {"BACKEND": "django_redis.cache.RedisCache", "LOCATION": REDIS}}
    cache = caches["default"]
    cache.clear()
    try:
        write_everything(client)
        assert_rows_clean()
        client_ = cache.client.get_client()
        keys = client_.keys("*")
        assert any(b"stats:" in key for key in keys)
        for key in keys:
            assert_clean(key.decode("latin-1"), "a key name")
            kind = client_.type(key)
            if kind == b"string":
                raw = client_.get(key)
                assert_clean(raw.decode("latin-1"), key.decode())
                try:
                    value = cache.client.decode(raw)
                except Exception:  # not a pickled value (an integer, a lock token)
                    continue
                assert_clean(repr(value), key.decode())
    finally:
        cache.clear()
