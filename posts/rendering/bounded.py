"""Rendering that a request waits on, bounded in time: a body too costly to render is refused.

markdown-it's cost per byte depends on the text: ordinary prose renders at about a microsecond
a byte, a run of "![" at fifty (100 KB of it took five seconds). A body small enough that even
the worst cost measured (BLOGSITE_RENDER_INLINE_BYTES, from bench/markdown_cost.py) stays
under the bound renders in this process; a larger one renders in a forked child process that
is killed at the deadline (BLOGSITE_RENDER_SECONDS), and TooCostly names the line to simplify.
A body over BLOGSITE_BODY_MAX_KB is not rendered at all (validate_body_size, the body's
validator and the preview's first check).

The child is forked, so the function and its arguments are not pickled, only its result is.
It must not touch the database: the caller looks up what the body needs first (known=...).
Imports nothing above posts.rendering.
"""

import multiprocessing
import threading
import time
from collections.abc import Callable
from typing import TypeVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

T = TypeVar("T")

# The characters whose long runs make Markdown costly, in the words a writer is told.
MARKUP_NAMES = {
    "[": "brackets",
    "]": "brackets",
    "!": "exclamation marks",
    "*": "asterisks",
    "_": "underscores",
    "<": "angle brackets",
    ">": "quote markers",
    "`": "backticks",
    "|": "table bars",
}


def validate_body_size(value: str) -> None:
    """Refuse a body larger than BLOGSITE_BODY_MAX_KB (KB of 1,024 bytes of UTF-8)."""
    limit = settings.BLOGSITE_BODY_MAX_KB
    if len(value) <= limit * 1024 // 4:  # four bytes a character at most: no need to count
        return
    size = len(value.encode("utf-8", "surrogatepass"))
    if size > limit * 1024:
        raise ValidationError(
            _(
                "This text is %(size)s KB; an entry holds at most %(limit)s KB. "
                "Split it into several entries."
            ),
            code="body_too_large",
            params={"size": f"{-(-size // 1024):,}", "limit": f"{limit:,}"},
        )


class TooCostly(Exception):
    """The body could not be rendered within the time allowed."""

    def __init__(self, seconds: float, line: int, what: str) -> None:
        self.seconds, self.line, self.what = seconds, line, what
        super().__init__(self.describe("render"))

    def describe(self, action: str) -> str:
        """Return what to tell the writer: "This text is too complex to <action>…"."""
        return (
            f"This text is too complex to {action} within {self.seconds:g} seconds: "
            f"simplify the run of {self.what} near line {self.line}."
        )


def costliest_line(text: str) -> tuple[int, str]:
    """Return the line (from 1) with the most Markdown punctuation, and that punctuation's name."""
    best, best_count, best_char = 1, -1, "["
    for number, line in enumerate(text.split("\n"), start=1):
        counts = {char: line.count(char) for char in MARKUP_NAMES}
        total = sum(counts.values())
        if total > best_count:
            best, best_count, best_char = number, total, max(counts, key=counts.__getitem__)
    return best, MARKUP_NAMES[best_char]


def _child(conn, func, args, kwargs) -> None:
    try:
        result = ("ok", func(*args, **kwargs))
    except Exception as err:  # sent back and raised again in the parent
        result = ("error", err)
    conn.send(result)
    conn.close()


def run_bounded(func: Callable[..., T], text: str, *args, **kwargs) -> T:
    """Return func(text, *args, **kwargs), or raise TooCostly once it has run too long.

    A text of at most BLOGSITE_RENDER_INLINE_BYTES characters runs here: at the worst cost
    per byte measured it finishes within the bound. A longer one runs in a forked process,
    killed when BLOGSITE_RENDER_SECONDS have passed.
    """
    seconds = settings.BLOGSITE_RENDER_SECONDS
    if len(text) <= settings.BLOGSITE_RENDER_INLINE_BYTES:
        return func(text, *args, **kwargs)
    deadline = time.monotonic() + seconds
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(send, func, (text, *args), kwargs))
    process.daemon = True
    process.start()
    send.close()  # the child's end: with it closed here, a dead child reads as EOF
    try:
        if not receive.poll(max(0.0, deadline - time.monotonic())):
            process.kill()
            raise TooCostly(seconds, *costliest_line(text))
        try:
            status, value = receive.recv()
        except EOFError as err:  # the child died without answering (killed, out of memory)
            raise TooCostly(seconds, *costliest_line(text)) from err
    finally:
        receive.close()
        # Reaped aside: a child that built a large tree takes a while to give its memory back
        # (half a second, measured under load), and the request need not wait for that.
        threading.Thread(target=process.join, daemon=True).start()
    if status == "error":
        raise value
    return value
