"""Database schema management: Alembic migrations through Flask-Migrate.

Every process (``serve``, its gunicorn workers' parent, ``worker``, any CLI command)
brings the schema up to date at start. Started together on an empty database they
would all run the first migration at once and all but one fail ("table login_states
already exists"), so the upgrade runs under a lock that every host can see: a
PostgreSQL advisory lock, or an exclusive ``flock`` on a file beside the SQLite
database. The first process migrates; the others wait, find the schema current and
go on.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from sqlalchemy import text
from sqlalchemy.engine import Engine

# pg_advisory_lock key: any fixed 64-bit number no other code uses ("branchwi").
ADVISORY_KEY = 0x6272616E63687769
LOCK_TIMEOUT = 300.0


class MigrationLockTimeout(RuntimeError):
    """Another process held the migration lock longer than we waited."""


def upgrade_database(app: Flask, *, timeout: float = LOCK_TIMEOUT) -> None:
    """Bring the schema to the newest migration (idempotent; safe to call at start-up,
    by several processes at once)."""
    from flask_migrate import upgrade

    from lti_tool.extensions import db

    with app.app_context():
        with migration_lock(db.engine, timeout=timeout):
            if not schema_is_current(app):
                upgrade()
        db.engine.dispose()  # forked gunicorn workers must not share these connections


def schema_is_current(app: Flask) -> bool:
    """True when the database is at every head revision of the migrations."""
    current, heads = migration_heads(app)
    return current == heads


def migration_heads(app: Flask) -> tuple[set[str], set[str]]:
    """(revisions the database is at, head revisions of the code), for ``doctor``."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from lti_tool.extensions import db

    with app.app_context():
        config = app.extensions["migrate"].migrate.get_config()
        heads = set(ScriptDirectory.from_config(config).get_heads())
        with db.engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    return current, heads


@contextmanager
def migration_lock(engine: Engine, *, timeout: float = LOCK_TIMEOUT) -> Iterator[None]:
    """Hold the deployment-wide migration lock (PostgreSQL advisory lock or file lock)."""
    if engine.dialect.name == "postgresql":
        with _advisory_lock(engine, timeout):
            yield
        return
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:" or database.startswith("file:"):
        yield  # one process only (in-memory), or a database we cannot put a file beside
        return
    with _file_lock(Path(database + ".migrate-lock"), timeout):
        yield


@contextmanager
def _advisory_lock(engine: Engine, timeout: float) -> Iterator[None]:
    deadline = time.monotonic() + timeout
    with engine.connect() as conn:
        conn = conn.execution_options(isolation_level="AUTOCOMMIT")
        while not conn.scalar(text("SELECT pg_try_advisory_lock(:k)"), {"k": ADVISORY_KEY}):
            if time.monotonic() > deadline:
                raise MigrationLockTimeout(
                    f"another process has been migrating the database for {timeout:.0f}s")
            time.sleep(0.1)
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_KEY})


@contextmanager
def _file_lock(path: Path, timeout: float) -> Iterator[None]:
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout
    with path.open("a") as fh:
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise MigrationLockTimeout(
                        f"{path} has been locked by another process for {timeout:.0f}s"
                    ) from None
                time.sleep(0.1)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
