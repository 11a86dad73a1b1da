"""A worker's sign of life, for ``branchwise doctor``.

The consumer writes the time into the shared cache when it starts and every minute
(a periodic task, so it is written only while the consumer really runs its jobs).
The cache is the instance folder's file cache (same host) or Redis (every host).
"""

from __future__ import annotations

import time

from flask import Flask
from huey import Huey, crontab

HEARTBEAT_KEY = "branchwise-worker-heartbeat"
# Written every minute; older than this means no consumer is running periodic tasks.
STALE_AFTER = 180.0


def beat() -> None:
    """Record that a worker is alive now (needs an app context)."""
    from lti_tool.extensions import cache

    cache.set(HEARTBEAT_KEY, time.time(), timeout=int(STALE_AFTER * 10))


def last_beat() -> float | None:
    """Epoch seconds of the last heartbeat, or None (needs an app context)."""
    from lti_tool.extensions import cache

    value = cache.get(HEARTBEAT_KEY)
    return float(value) if value is not None else None


def register(huey: Huey, app: Flask):
    """The periodic heartbeat task on the app's huey."""

    @huey.periodic_task(crontab(minute="*"), name="worker_heartbeat")
    def worker_heartbeat() -> None:
        with app.app_context():
            beat()

    return worker_heartbeat
