"""Fixtures for grade passback: the tool + demo LMS stack and a learner's attempt."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import Attempt, ResourceLink, User
from tests.support.lms_client import LmsBrowser

from .stack import ToolStack, start_tool_stack

# Fast retries so fault tests finish in seconds; huey's scheduler ticks once a second.
FAST = {"grade_retry_base_seconds": 0.2, "grade_retry_cap_seconds": 2.0, "grade_retry_max": 8,
        "http_timeout": 2}


@pytest.fixture
def make_stack(database_url: str, tmp_path: Path) -> Iterator:
    """Factory: ``make_stack(**tool_settings)`` starts a stack with a clean database."""
    started: list[ToolStack] = []

    def start(**overrides) -> ToolStack:
        stack = start_tool_stack(database_url, tmp_path / "instance", **{**FAST, **overrides})
        started.append(stack)
        return stack

    yield start
    for stack in started:
        stack.stop()
        with stack.tool_app.app_context():
            db.session.remove()
            db.engine.dispose()


def launch(stack: ToolStack, user: str = "alice", link: str = "rl-1") -> None:
    """A real launch through the browser-like client; the tool records the AGS endpoints."""
    with LmsBrowser(stack.platform_url) as browser:
        resp = browser.launch(user, link)
        assert resp.status_code < 400, resp.text[:500]


def attempt_for(user_sub: str, resource_link_id: str = "rl-1") -> Attempt:
    """The learner's attempt on a link (created directly: the runner is not needed here)."""
    user = db.session.scalars(select(User).where(User.sub == user_sub)).one()
    link = db.session.scalars(
        select(ResourceLink).where(ResourceLink.resource_link_id == resource_link_id)).one()
    attempt = db.session.scalars(select(Attempt).where(
        Attempt.user_pk == user.id, Attempt.resource_link_pk == link.id)).one_or_none()
    if attempt is None:
        attempt = Attempt(user_pk=user.id, resource_link_pk=link.id, module_id="intro", state={})
        db.session.add(attempt)
        db.session.commit()
    return attempt
