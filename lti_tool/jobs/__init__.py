"""Background jobs: a durable huey queue (SQLite by default, Redis when configured)."""
