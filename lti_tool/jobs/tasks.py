"""The jobs of the job machinery itself, registered on the app's huey.

Features register their own tasks (``ags/tasks.py``, ``xapi/tasks.py``): this module
imports none of them. Here: the pruning of logins and launches and the heartbeat.
"""

from __future__ import annotations

from flask import Flask

from lti_tool.jobs import heartbeat, housekeeping
from lti_tool.jobs.queue import get_queue

EXTENSION_KEY = "branchwise_job_tasks"


def init_app(app: Flask) -> None:
    """Register the jobs on the app's huey once."""
    if app.extensions.get(EXTENSION_KEY):
        return
    huey = get_queue(app)
    housekeeping.register(huey, app)  # pruning of logins and launches (every 10 min)
    heartbeat.register(huey, app)
    app.extensions[EXTENSION_KEY] = True
