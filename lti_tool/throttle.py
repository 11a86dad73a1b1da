"""A sliding-window counter shared by every worker: login failures, registration attempts.

It lives in the app's cache, which is a file cache in the instance folder by
default (shared by all gunicorn workers on the host) and Redis when
``BRANCHWISE_REDIS_URL`` is set (shared by every host). A per-process store
(flask-limiter's ``memory://``) would multiply the limit by the worker count.
Read-modify-write is not atomic, so a burst of parallel requests may slip a
few attempts past the limit; a counter is recorded *before* the expensive
check so such a burst still counts every attempt it makes afterwards.
"""

from __future__ import annotations

import hashlib
import time

from lti_tool.extensions import cache


def _key(name: str) -> str:
    # Usernames and IPs are user input: hash them so any value is a safe cache key.
    return "throttle:" + hashlib.sha256(name.encode()).hexdigest()


def _recent(name: str, window: int, now: float) -> list[float]:
    stamps = cache.get(_key(name)) or []
    return [t for t in stamps if isinstance(t, int | float) and t > now - window]


def count(name: str, window: int) -> int:
    """Events recorded for ``name`` during the last ``window`` seconds."""
    return len(_recent(name, window, time.time()))


def record(name: str, window: int) -> int:
    """Record one event now; returns the number in the window including it."""
    return record_all(name, window, [time.time()])


def record_all(name: str, window: int, stamps: list[float]) -> int:
    """Record events that happened at ``stamps`` (a batch flushed late) in one cache
    read and write; returns the number in the window afterwards."""
    now = time.time()
    kept = [*_recent(name, window, now), *stamps]
    cache.set(_key(name), kept, timeout=window)
    return sum(1 for t in kept if t > now - window)


def over_limit(name: str, limit: int, window: int) -> bool:
    """True when ``limit`` events already happened in the window."""
    return count(name, window) >= limit


def clear(name: str) -> None:
    """Forget every event of ``name`` (a successful login clears its failures)."""
    cache.delete(_key(name))


def retry_after(name: str, window: int) -> int:
    """Seconds until the oldest event in the window expires (for Retry-After)."""
    stamps = _recent(name, window, time.time())
    if not stamps:
        return 0
    return max(1, int(min(stamps) + window - time.time()) + 1)
