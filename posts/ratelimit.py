"""How often someone may do something: a fixed-window count kept in the shared cache.

Knows only Django's cache: the preview, the autosave and the password reset all count here.
"""

import time

from django.core.cache import cache


def take_turn(action: str, who, limit: int, window: int, now: float | None = None) -> int:
    """Count one request of who for action; return 0 if within limit, else seconds to wait.

    A limit of 0 or less means no limit. A cache that lost the count (evicted, or down)
    lets the request through: a limit is a brake, not a lock.
    """
    if limit <= 0:
        return 0
    now = time.time() if now is None else now
    key = f"{action}:{who}:{int(now // window)}"
    cache.add(key, 0, timeout=2 * window)
    try:
        count = cache.incr(key)
    except ValueError:  # gone between add and incr
        return 0
    # Caches without an atomic incr (file, database) rewrite the key with their default
    # timeout: give it back the window's.
    cache.touch(key, timeout=2 * window)
    if count is None or count <= limit:
        return 0
    return window - int(now % window)
