"""Counting a view in the cache, never the database: a log per web worker, appended to.

Each web worker process appends one line per view (or feed report) to a log of its own for
the day: one write, which nobody else makes to that key, so nothing is lost between
processes whatever the cache (Redis's APPEND, or an O_APPEND file). Logs only grow: the
flush (stats.flush) remembers how many bytes of each it has moved, and moves whole lines
only, so it never has to reset a key a worker may be writing. Whether a visitor is new
today, and new on this page, is an atomic add of a key named by the visitor's hash
(stats.store.DayStore.add_once). A line holds a path, a referring domain or a feed
service's report, and two flags: no address, no User-Agent, no hash.
"""

import datetime
import hashlib
import os
import secrets
import threading
from dataclasses import dataclass

from stats.store import DayStore
from stats.visitors import seconds_left

WORKERS = "workers"
VIEW, FEED = "v", "f"


@dataclass
class _Worker:
    pid: int
    token: str
    day: datetime.date | None = None


_lock = threading.Lock()
_worker: _Worker | None = None


def _this_worker() -> _Worker:
    # A new token after a fork: gunicorn's workers must never share one log.
    global _worker
    if _worker is None or _worker.pid != os.getpid():
        _worker = _Worker(pid=os.getpid(), token=secrets.token_hex(8))
    return _worker


def log_key(store: DayStore, token: str) -> str:
    return store.key("log", token)


def _clean(text: str) -> str:
    return text.replace("\t", " ").replace("\n", " ").replace("\r", " ")


def _register(store: DayStore, worker: _Worker) -> None:
    """List the worker's log among the day's logs, where the flush looks."""
    with store.lock():
        tokens = store.cache.get(store.key(WORKERS)) or set()
        tokens.add(worker.token)
        store.cache.set(store.key(WORKERS), tokens, timeout=None)
    worker.day = store.day


def _append(store: DayStore, fields: list[str]) -> None:
    line = ("\t".join(_clean(field) for field in fields) + "\n").encode()
    with _lock:
        worker = _this_worker()
        first_today = worker.day != store.day
        if first_today:
            _register(store, worker)
        length = store.append(log_key(store, worker.token), line)
        if length == len(line) and not first_today:
            # The log was empty though this worker wrote to it today: Redis lost it (flushed,
            # restarted, or its keys evicted), and the list of logs with it. Go on in a log
            # under a new token, listed again, so that no flush mark points past its end.
            store.cache.delete(log_key(store, worker.token))
            worker.token = secrets.token_hex(8)
            _register(store, worker)
            store.append(log_key(store, worker.token), line)


def count_view(day: datetime.date, path: str, referrer: str, visitor: str) -> None:
    """Add one view of `path` (from `referrer`, a domain or "") by the visitor's hash."""
    store = DayStore(day)
    on_page = hashlib.blake2b(f"{visitor}\x00{path}".encode(), digest_size=16).hexdigest()
    new_today, new_on_page = store.add_once(
        [store.key("seen", visitor), store.key("seen", on_page)], timeout=seconds_left(day) + 60
    )
    _append(store, [VIEW, path, referrer, str(int(new_today)), str(int(new_on_page))])


def note_feed_readers(day: datetime.date, service: str, feed: str, subscribers: int) -> None:
    """Log the subscribers a reader service reported for one feed (the flush keeps the most)."""
    _append(DayStore(day), [FEED, service, feed, str(subscribers)])


def worker_tokens(day: datetime.date) -> list[str]:
    """Return the tokens of the web workers that logged anything on `day`."""
    store = DayStore(day)
    return sorted(store.cache.get(store.key(WORKERS)) or set())


def read_log(day: datetime.date, token: str, offset: int) -> tuple[list[list[str]], int]:
    """Return the whole lines of a worker's log after `offset`, and the bytes they take."""
    store = DayStore(day)
    data = store.read_from(log_key(store, token), offset)
    end = data.rfind(b"\n") + 1  # a line still being written waits for the next flush
    lines = data[:end].decode("utf-8", "replace").splitlines()
    return [line.split("\t") for line in lines], end
