"""Where one day's raw counters live: Redis when the site's cache is Redis, else files.

Redis (django-redis) keeps every key until its timeout and makes `add` atomic (SET NX).
Without Redis, a small file cache of its own (`FileStore`) keeps each day in a directory
under BLOGSITE_STATS_DIR. Its `add` (is this visitor new today?) looks the key's 16-byte
digest up in a hash table in one shared, memory-mapped file (`MarkTable`) under an
exclusive `flock`: atomic across processes, and no file made per visitor (a file creation
cost 60 µs to 2 ms here, as busy as the disk's journal was). `append` is one O_APPEND
write to a log only one process writes; `set` writes a new
file and renames it over the old one, so a reader sees the old or the new value, never half.
It never culls (Django's file cache lists its whole directory on every write to decide, and
deletes at random past MAX_ENTRIES); a past day goes whole.
Imports only Django.
"""

import contextlib
import datetime
import fcntl
import hashlib
import mmap
import os
import pickle
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.cache import caches

PREFIX = "stats"


def uses_redis() -> bool:
    """Return True if the site's cache is django-redis, shared by every app server."""
    return settings.CACHES["default"]["BACKEND"].startswith("django_redis")


def stats_dir() -> Path:
    return Path(settings.BLOGSITE_STATS_DIR)


# This process's open logs, by file: appending then costs one write, not open-write-close.
_open_logs: dict[str, int] = {}
_open_logs_pid = [0]


def _log_handle(path: Path) -> int:
    if _open_logs_pid[0] != os.getpid():  # a forked worker must not share its parent's
        _open_logs.clear()
        _open_logs_pid[0] = os.getpid()
    handle = _open_logs.get(str(path))
    if handle is None:
        for stale in list(_open_logs):  # a past day's log: its day is over for this process
            os.close(_open_logs.pop(stale))
        handle = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        _open_logs[str(path)] = handle
    return handle


def close_logs() -> None:
    """Close this process's open logs and mark tables (before their directory is deleted)."""
    for path in list(_open_logs):
        os.close(_open_logs.pop(path))
    for path in list(_tables):
        _tables.pop(path).close()


class MarkTable:
    """A set of 16-byte digests in a memory-mapped file, shared by every process.

    Open addressing with linear probing over SLOTS slots (a sparse file: only the pages
    touched take disk). Past MAX_PROBES full slots in a row the table counts as full
    there, and the key counts as seen: an undercount, never a double count.
    """

    SLOTS = 1 << 20  # 16 MB at most per day; a million marks before it fills
    MAX_PROBES = 64
    EMPTY = bytes(16)

    def __init__(self, path: Path):
        self.path = path
        self.handle = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        if os.fstat(self.handle).st_size < self.SLOTS * 16:
            os.ftruncate(self.handle, self.SLOTS * 16)
        self.map = mmap.mmap(self.handle, self.SLOTS * 16)

    def add(self, digest: bytes) -> bool:
        """Add the digest; return True if it was not there before."""
        if digest == self.EMPTY:
            digest = b"\x01" + digest[1:]
        slot = int.from_bytes(digest[:8], "big") & (self.SLOTS - 1)
        fcntl.flock(self.handle, fcntl.LOCK_EX)
        try:
            for _ in range(self.MAX_PROBES):
                start = slot * 16
                held = self.map[start : start + 16]
                if held == digest:
                    return False
                if held == self.EMPTY:
                    self.map[start : start + 16] = digest
                    return True
                slot = (slot + 1) & (self.SLOTS - 1)
            return False
        finally:
            fcntl.flock(self.handle, fcntl.LOCK_UN)

    def close(self) -> None:
        self.map.close()
        os.close(self.handle)


# This process's open mark tables, by file (closed when their day's directory goes).
_tables: dict[str, MarkTable] = {}
_tables_pid = [0]


def _table(directory: Path) -> MarkTable:
    if _tables_pid[0] != os.getpid():  # a forked worker opens its own
        _tables.clear()
        _tables_pid[0] = os.getpid()
    path = directory / "marks"
    table = _tables.get(str(path))
    if table is None:
        for stale in list(_tables):  # a past day's table: its day is over for this process
            _tables.pop(stale).close()
        directory.mkdir(parents=True, exist_ok=True)
        table = _tables[str(path)] = MarkTable(path)
    return table


class FileStore:
    """The few cache operations the counters use, on files in one directory."""

    def __init__(self, directory: Path):
        self.directory = directory

    def _path(self, key: str) -> Path:
        return self.directory / hashlib.blake2b(key.encode(), digest_size=16).hexdigest()

    def get(self, key: str, default=None):
        try:
            expires, value = pickle.loads(self._path(key).read_bytes())
        except (FileNotFoundError, EOFError, pickle.UnpicklingError):
            return default
        if expires is not None and expires <= time.time():
            self.delete(key)
            return default
        return value

    def set(self, key: str, value, timeout: float | None = None) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        expires = None if timeout is None else time.time() + timeout
        handle, temporary = tempfile.mkstemp(dir=self.directory, prefix=".tmp")
        with os.fdopen(handle, "wb") as out:
            pickle.dump((expires, value), out, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, self._path(key))

    def add(self, key: str, value=1, timeout: float | None = None) -> bool:
        """Mark the key; True if this call marked it first. Marks only: they never expire."""
        return _table(self.directory).add(hashlib.blake2b(key.encode(), digest_size=16).digest())

    def append(self, key: str, data: bytes) -> None:
        """Add bytes to the end of the key's value (one write; one writer per key)."""
        try:
            handle = _log_handle(self._path(key))
        except FileNotFoundError:
            self.directory.mkdir(parents=True, exist_ok=True)
            handle = _log_handle(self._path(key))
        os.write(handle, data)

    def read_from(self, key: str, offset: int) -> bytes:
        """Return the key's appended bytes from `offset` on (b"" if none)."""
        try:
            with open(self._path(key), "rb") as handle:
                handle.seek(offset)
                return handle.read()
        except FileNotFoundError:
            return b""

    def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            self._path(key).unlink()

    def delete_many(self, keys: list[str]) -> None:
        for key in keys:
            self.delete(key)


class DayStore:
    """The raw counters, visitor marks and salt of one day."""

    def __init__(self, day: datetime.date):
        self.day = day
        if uses_redis():
            self.cache = caches["default"]
            self.directory = None
        else:
            self.directory = stats_dir() / day.isoformat()
            self.cache = FileStore(self.directory)

    def key(self, *parts: str) -> str:
        return ":".join((PREFIX, self.day.isoformat(), *parts))

    @contextlib.contextmanager
    def lock(self) -> Iterator[None]:
        """Hold an exclusive lock on this day's store, across processes and app servers."""
        if self.directory is None:
            with self.cache.lock(self.key("lock"), timeout=10, blocking_timeout=10):
                yield
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        with open(self.directory / ".lock", "a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def add_once(self, keys: list[str], timeout: float) -> list[bool]:
        """Add each key if absent; return, per key, whether this call was the one to add it."""
        # Atomic by themselves: Redis's SET NX, or the file store's locked mark table.
        return [self.cache.add(key, 1, timeout=timeout) for key in keys]

    def append(self, key: str, data: bytes) -> int | None:
        """Add bytes to the end of a key's log: Redis's APPEND (which returns the log's new
        length), or the file store's (which does not: None)."""
        if self.directory is None:
            return self.cache.client.get_client(write=True).append(self.cache.make_key(key), data)
        self.cache.append(key, data)
        return None

    def read_from(self, key: str, offset: int) -> bytes:
        if self.directory is None:
            client = self.cache.client.get_client(write=False)
            return client.getrange(self.cache.make_key(key), offset, -1) or b""
        return self.cache.read_from(key, offset)

    def remove(self, keys: list[str]) -> None:
        """Delete the day's known keys; the file store goes whole, marks included."""
        if self.directory is None:
            self.cache.delete_many(keys)
        else:
            close_logs()
            shutil.rmtree(self.directory, ignore_errors=True)
