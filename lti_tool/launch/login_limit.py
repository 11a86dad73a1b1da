"""The per-address login rate limit, without a shared-cache write on every login.

``lti_tool.throttle`` keeps its counters in the shared cache (the instance folder's file
cache by default, Redis when set) so every worker and host counts together. Writing
that counter on each login cost more than the rest of the login (a file written and
renamed per request on the embedded default; issue 20, launch speed). Here each
process counts its own logins and adds them to the shared counter at most every
``SYNC_SECONDS`` (or every ``SYNC_EVENTS`` logins), reading the others' count back at
the same time. Within one process the count is exact; across processes it lags by at
most that interval, which the limit tolerates (it bounds a flood's pace; the
housekeeping job bounds its total). State is per app, so a new app starts clean.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from flask import Flask, current_app

from lti_tool import throttle

SYNC_SECONDS = 0.5
SYNC_EVENTS = 20
MAX_ADDRESSES = 4096  # per process; the least recently seen are dropped (after a sync)
_EXTENSION = "branchwise_login_limit"


@dataclass
class _Address:
    shared: int = 0  # the shared counter's value at the last sync (ours included)
    synced_at: float = 0.0
    pending: list[float] = field(default_factory=list)


@dataclass
class _State:
    lock: threading.Lock = field(default_factory=threading.Lock)
    addresses: OrderedDict[str, _Address] = field(default_factory=OrderedDict)


def _state(app: Flask) -> _State:
    state = app.extensions.get(_EXTENSION)
    if state is None:
        state = app.extensions.setdefault(_EXTENSION, _State())
    return state


def _sync(name: str, entry: _Address, window: int, now: float) -> None:
    # One cache read and write for the whole batch (not one per login).
    if entry.pending:
        entry.shared = throttle.record_all(name, window, entry.pending)
        entry.pending.clear()
    else:
        entry.shared = throttle.count(name, window)
    entry.synced_at = now


def admit(name: str, limit: int, window: int) -> bool:
    """Count one login for ``name``; False (and nothing counted) when over ``limit``."""
    state = _state(current_app._get_current_object())  # type: ignore[attr-defined]
    now = time.time()
    with state.lock:
        entry = state.addresses.get(name)
        if entry is None:
            entry = state.addresses[name] = _Address()
        state.addresses.move_to_end(name)
        if (now - entry.synced_at >= SYNC_SECONDS or len(entry.pending) >= SYNC_EVENTS):
            _sync(name, entry, window, now)
        if entry.shared + len(entry.pending) >= limit:
            return False
        entry.pending.append(now)
        while len(state.addresses) > MAX_ADDRESSES:
            old_name, old = state.addresses.popitem(last=False)
            if old.pending:
                _sync(old_name, old, window, now)
        return True


def retry_after(name: str, window: int) -> int:
    """Seconds until the address may log in again (this process's logins flushed first)."""
    state = _state(current_app._get_current_object())  # type: ignore[attr-defined]
    with state.lock:
        entry = state.addresses.get(name)
        if entry is not None and entry.pending:
            _sync(name, entry, window, time.time())
    return max(1, throttle.retry_after(name, window))
