"""Run posts.imagefiles.work in a child process bounded in CPU time, memory and wall time.

Each thread of a process starts one zygote: a fresh Python with Pillow imported (not a fork
of the worker: it starts small, holds none of the worker's memory, and is safe to start from
the importer's threads). For each picture the zygote forks a child that sets its own limits
(resource.setrlimit: RLIMIT_CPU, RLIMIT_AS) before it decodes a byte, does the work and
exits; the worker waits at most a wall-clock timeout, then kills the zygote's process group
and starts another. What comes back is JSON and bytes, never a pickle: a child that
Pillow's decoders got wrong is not trusted. May import Django's settings; no models.
"""

import atexit
import contextlib
import importlib.util
import json
import logging
import os
import select
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)

# The project's root: the child imports posts.imagefiles.work from it, and nothing else of ours.
ROOT = Path(__file__).resolve().parents[2]
# Where Pillow is: the child starts without the site module (-S), a third of its start-up.
PILLOW_HOME = str(Path(importlib.util.find_spec("PIL").origin).parents[1])
CHILD_CODE = (
    f"import sys; sys.path[:0] = [{str(ROOT)!r}, {PILLOW_HOME!r}]; "
    "from posts.imagefiles.work import zygote; zygote()"
)
# Killed for its CPU time (SIGXCPU at the soft limit, SIGKILL at the hard one) or by us.
COST_SIGNALS = {-signal.SIGXCPU, -signal.SIGKILL}


class Refused(Exception):
    """The child refused the picture, or could not finish it within its limits."""

    def __init__(self, code: str, params: dict | None = None) -> None:
        super().__init__(code, params)
        self.code, self.params = code, params or {}


@dataclass
class Answer:
    """What the child said, and the files it made."""

    fields: dict
    files: list[bytes] = field(default_factory=list)


def limits() -> dict:
    """The limits every picture is processed within, from the settings."""
    return {
        "max_pixels": settings.BLOGSITE_MAX_IMAGE_PIXELS,
        "max_frames": settings.BLOGSITE_MAX_IMAGE_FRAMES,
        "cpu_seconds": settings.BLOGSITE_IMAGE_CPU_SECONDS,
        "memory_mb": settings.BLOGSITE_IMAGE_MEMORY_MB,
    }


def run(op: str, data: bytes) -> Answer:
    """Do op ("clean" or "renditions") on a picture's bytes in a bounded child; raise Refused."""
    request = {"op": op, **limits(), "length": len(data)}
    # Wall time: CPU time plus room for a machine busy with other work, well under the
    # 30 s after which gunicorn kills a worker.
    deadline = time.monotonic() + request["cpu_seconds"] * 4 + 5
    zygote = _take()
    try:
        zygote.stdin.write(json.dumps(request).encode() + b"\n" + data)
        zygote.stdin.flush()
        status = json.loads(_read_line(zygote.stdout, deadline))
        out = _read_exactly(zygote.stdout, status["length"], deadline)
    except (OSError, ValueError, TimeoutError) as err:
        # Out of time, or the zygote is gone: a new one serves the next picture.
        _stop(zygote)
        if isinstance(err, TimeoutError):
            raise Refused("too_costly", request) from None
        log.warning("The picture zygote failed: %r", err)
        raise Refused("damaged") from None
    _give_back(zygote)
    if status["exit"] in COST_SIGNALS:
        raise Refused("too_costly", request)
    header, _, body = out.partition(b"\n")
    if status["exit"] != 0 or not header:
        log.warning("A picture child failed with exit code %s", status["exit"])
        raise Refused("damaged")
    fields = json.loads(header)
    if "refused" in fields:
        if "reason" in fields["params"]:
            log.info("Picture refused (%s): %s", fields["refused"], fields["params"]["reason"])
        params = request if fields["refused"] == "too_costly" else fields["params"]
        raise Refused(fields["refused"], params)
    files, start = [], 0
    for length in fields["files"]:
        files.append(body[start : start + length])
        start += length
    return Answer(fields, files)


# Idle zygotes of this process, one taken per picture being worked on: as many as pictures
# worked on at once (the importer's threads), never one per thread, since the development
# server starts a thread per request. A forked process (the importer's readers) must not
# talk to its parent's zygotes: it starts its own.
_idle: list[subprocess.Popen] = []
_idle_lock = threading.Lock()
_idle_owner = os.getpid()
_started: list[tuple[int, subprocess.Popen]] = []


def _take() -> subprocess.Popen:
    """Return an idle zygote of this process, or start one."""
    global _idle_owner
    with _idle_lock:
        if _idle_owner != os.getpid():
            _idle.clear()
            _idle_owner = os.getpid()
        while _idle:
            zygote = _idle.pop()
            if zygote.poll() is None:
                return zygote
    zygote = subprocess.Popen(
        [sys.executable, "-I", "-S", "-c", CHILD_CODE],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        env={"MALLOC_ARENA_MAX": "1", "LC_ALL": "C.UTF-8"},
        start_new_session=True,  # a process group: stopped with the child it forked
    )
    _started.append((os.getpid(), zygote))
    return zygote


def _give_back(zygote: subprocess.Popen) -> None:
    with _idle_lock:
        if _idle_owner == os.getpid() and zygote.poll() is None:
            _idle.append(zygote)


def _stop(zygote: subprocess.Popen) -> None:
    _started[:] = [(owner, z) for owner, z in _started if z is not zygote]
    with contextlib.suppress(ProcessLookupError):
        os.killpg(zygote.pid, signal.SIGKILL)
    zygote.wait()
    zygote.stdin.close()
    zygote.stdout.close()


@atexit.register
def shutdown() -> None:
    """End this process's zygotes and wait for them (they end by themselves when it ends)."""
    for owner, zygote in _started:
        if owner == os.getpid() and zygote.poll() is None:
            with contextlib.suppress(OSError):
                zygote.stdin.close()
            try:
                zygote.wait(timeout=5)
            except subprocess.TimeoutExpired:
                _stop(zygote)
    _started[:] = [(owner, z) for owner, z in _started if owner != os.getpid()]


def _read_line(pipe, deadline: float) -> bytes:
    line = b""
    while not line.endswith(b"\n"):
        line += _read_some(pipe, 1, deadline)  # a short line: no byte of the next answer
    return line


def _read_exactly(pipe, length: int, deadline: float) -> bytes:
    chunks, remaining = [], length
    while remaining:
        chunk = _read_some(pipe, min(remaining, 1 << 20), deadline)
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _read_some(pipe, size: int, deadline: float) -> bytes:
    """Read up to size bytes from a pipe, waiting no later than deadline."""
    left = deadline - time.monotonic()
    if left <= 0 or not select.select([pipe], [], [], left)[0]:
        raise TimeoutError
    chunk = os.read(pipe.fileno(), size)
    if not chunk:
        raise OSError("the picture zygote closed its output")
    return chunk
