"""The handles of the grade-delivery jobs (a leaf, so ``delivery`` can enqueue without
importing the module that registers the jobs, ``ags/tasks.py``, which imports it)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app
from huey.api import TaskWrapper

EXTENSION_KEY = "branchwise_tasks"


@dataclass(frozen=True)
class Tasks:
    """Handles to enqueue the app's jobs: ``deliver_score(id)`` or ``.schedule(...)``."""

    deliver_score: TaskWrapper
    sweep_scores: TaskWrapper
    read_line_item: TaskWrapper | None = None


def get_tasks(app: Flask | None = None) -> Tasks:
    """The job handles of ``app`` (default: the current app)."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    return app.extensions[EXTENSION_KEY]
