"""Who is a unique visitor today, without knowing who anyone is.

A visitor is a keyed hash of (today's salt, site, IP address, User-Agent): the same reader
on the same day gives the same hash, and nothing else can be learnt from it. The salt is
random, made by whichever worker needs it first, kept only in the day's store until
midnight (its timeout) and deleted by the flush after its day, after which no hash can be
tied to an address again. The address and User-Agent are never stored.
"""

import datetime
import hashlib
import secrets
import threading

from django.utils import timezone

from stats.store import DayStore

# This process's copy of today's salt: saves a cache read per view; replaced at midnight.
_memo: dict[str, object] = {"day": None, "salt": None}
_memo_lock = threading.Lock()


def seconds_left(day: datetime.date) -> float:
    """Return the seconds from now until the end of `day` in the site's time zone."""
    end = datetime.datetime.combine(
        day + datetime.timedelta(days=1), datetime.time(), tzinfo=timezone.get_current_timezone()
    )
    return max(1.0, (end - timezone.now()).total_seconds())


def salt_key(store: DayStore) -> str:
    return store.key("salt")


def daily_salt(day: datetime.date) -> bytes:
    """Return the day's secret salt, making it once for every worker and app server."""
    with _memo_lock:
        if _memo["day"] == day:
            return _memo["salt"]
    store = DayStore(day)
    salt = store.cache.get(salt_key(store))
    if salt is None:
        with store.lock():  # two workers' first views of the day must agree on one salt
            salt = store.cache.get(salt_key(store))
            if salt is None:
                salt = secrets.token_bytes(32)
                store.cache.set(salt_key(store), salt, timeout=seconds_left(day))
    with _memo_lock:
        _memo.update(day=day, salt=salt)
    return salt


def forget_salt_memo() -> None:
    """Drop this process's copy of the salt (tests move the clock; the flush deletes salts)."""
    with _memo_lock:
        _memo.update(day=None, salt=None)


def visitor_hash(day: datetime.date, site: str, address: str, user_agent: str) -> str:
    """Return the day's anonymous token for one reader of one site."""
    digest = hashlib.blake2b(key=daily_salt(day), digest_size=16)
    for part in (site, address, user_agent):
        digest.update(part.encode("utf-8", "replace"))
        digest.update(b"\x00")
    return digest.hexdigest()
