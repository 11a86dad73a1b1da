"""Database schema management: Alembic migrations through Flask-Migrate."""

from __future__ import annotations

from flask import Flask


def upgrade_database(app: Flask) -> None:
    """Bring the schema to the newest migration (idempotent; safe to call at start-up)."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()
