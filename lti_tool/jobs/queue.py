"""The huey instance of an app, chosen from its settings.

SQLite (a file in the instance folder) needs no service and survives restarts,
so the embedded default never loses a queued job; Redis is used when
``redis_url`` is set so several hosts share one queue. ``queue_immediate``
runs jobs inline in an in-memory huey, for tests only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flask import Flask, current_app
from huey import Huey, MemoryHuey, RedisHuey, SqliteHuey
from huey.storage import SqliteStorage

from lti_tool.settings import Settings

EXTENSION_KEY = "branchwise_queue"
START_HOOKS_KEY = "branchwise_worker_start_hooks"
QUEUE_NAME = "branchwise"


class _NormalSyncSqliteStorage(SqliteStorage):
    """SqliteStorage with ``synchronous=NORMAL``: no fsync per enqueue.

    huey offers only FULL (an fsync on every commit, ~3 ms here, paid inside the
    learner's answer request) or OFF. NORMAL in WAL mode survives a crash of any
    process; only a power loss can drop the last enqueues, and those are not
    lost grades: the ScoreSubmission row is committed in the main database
    first, and the worker's start-up sweep re-enqueues every pending row.
    """

    def _create_connection(self):
        conn = super()._create_connection()
        conn.execute("pragma synchronous=1")
        return conn


def queue_file(settings: Settings) -> Path:
    """Where the SQLite queue lives (``queue_path`` or the instance folder)."""
    return Path(settings.queue_path or Path(settings.instance_path) / "queue.sqlite3")


def make_huey(settings: Settings) -> Huey:
    """A huey for these settings. Results are not stored: the database row is the result."""
    if settings.queue_immediate:
        return MemoryHuey(QUEUE_NAME, results=False, immediate=True)
    if settings.redis_url:
        return RedisHuey(QUEUE_NAME, results=False, url=settings.redis_url)
    path = queue_file(settings)
    path.parent.mkdir(parents=True, exist_ok=True)
    # WAL + a long busy timeout: the web workers enqueue while the consumer dequeues.
    return SqliteHuey(QUEUE_NAME, results=False, filename=str(path), timeout=30,
                      journal_mode="wal", storage_class=_NormalSyncSqliteStorage)


def init_app(app: Flask) -> Huey:
    """Create the app's huey once and keep it in ``app.extensions``."""
    huey = app.extensions.get(EXTENSION_KEY)
    if huey is None:
        huey = make_huey(app.config["BRANCHWISE"])
        app.extensions[EXTENSION_KEY] = huey
    return huey


def get_queue(app: Flask | None = None) -> Huey:
    """The huey of ``app`` (default: the current app)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    return app.extensions[EXTENSION_KEY]


def add_start_hook(app: Flask, hook: Callable[[], int]) -> None:
    """Run ``hook`` when a worker for ``app`` starts (in an app context); it returns how
    many jobs it queued. Features register theirs (the grade sweep): the worker imports none."""
    app.extensions.setdefault(START_HOOKS_KEY, []).append(hook)


def start_hooks(app: Flask) -> list[Callable[[], int]]:
    """The hooks registered with ``add_start_hook``, in order."""
    return list(app.extensions.get(START_HOOKS_KEY, ()))
