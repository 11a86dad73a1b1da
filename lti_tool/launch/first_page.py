"""The page a confirmed launch answers with directly, without a redirect (two hops).

A launch used to answer its id_token POST with 303 → ``/lti/landing`` → 303 → the
page: two extra round trips through the LMS iframe on every launch (issue 20). A
feature that owns the first page of a role registers a renderer here (the runner
for learners); the launch view calls it with a fresh launch token and the launch as
just recorded (``launch.record.RecordedLaunch``: the renderer need not read it back)
and returns its response. Roles without one keep the redirect through ``/lti/landing``.

This registry keeps the dependency one way: features import ``launch``, never the
reverse.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lti_tool.launch.record import RecordedLaunch

FirstPage = Callable[[str, RecordedLaunch], Any]  # (launch token, launch) -> Flask response

_RENDERERS: dict[str, FirstPage] = {}


def register(role: str, render: FirstPage) -> None:
    """Answer resource-link launches of ``role`` ("learner", ...) with ``render(token, launch)``."""
    _RENDERERS[role] = render


def renderer_for(role: str) -> FirstPage | None:
    """The registered first page of ``role``, or None (redirect through the landing)."""
    return _RENDERERS.get(role)
