"""The shared rate limit: counts per window, tells how long to wait, forgets the last window."""

from django.core.cache import cache

from posts.ratelimit import take_turn


def test_a_limit_lets_that_many_through_a_window_then_says_how_long_to_wait():
    cache.clear()
    start = 60 * 16_667 + 20.0  # 20 s into a minute
    assert [take_turn("try", "ada", 3, 60, start) for _ in range(3)] == [0, 0, 0]
    assert take_turn("try", "ada", 3, 60, start) == 40
    assert take_turn("try", "grace", 3, 60, start) == 0  # another person counts apart
    assert take_turn("other", "ada", 3, 60, start) == 0  # and another action
    assert take_turn("try", "ada", 3, 60, start + 40) == 0  # the next window starts afresh


def test_a_limit_of_zero_is_no_limit():
    cache.clear()
    assert all(take_turn("try", "ada", 0, 60, 1_000_000.0) == 0 for _ in range(100))


def test_on_the_file_cache_a_count_lives_as_long_as_its_window(tmp_path, settings):
    # FileBasedCache's incr() writes the key again with the default timeout (300 s): an hour's
    # limit (the password reset's) started afresh every five minutes.
    import pickle
    import time

    from django.core.cache import caches

    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path),
        }
    }
    now = time.time()
    take_turn("try", "ada", 3, 3600, now)
    key = f"try:ada:{int(now // 3600)}"
    with open(caches["default"]._key_to_file(key), "rb") as stored:
        expires = pickle.load(stored)
    assert expires > time.time() + 3600
