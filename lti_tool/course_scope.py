"""Who may read a course's class data: one instructor launch's scope.

Shared by the dashboard and the assistant's teacher pages (both show class data of one
activity), so it sits beside them rather than inside either feature.
"""

from __future__ import annotations

from dataclasses import dataclass

from lti_tool.models import LaunchSession
from lti_tool.protocol.errors import NotAllowed

STAFF_ROLES = frozenset({"instructor", "admin"})


@dataclass(frozen=True)
class Scope:
    """What one instructor launch may read: one resource link of one course on one platform."""

    platform_id: int
    context_pk: int
    resource_link_pk: int
    module_id: str | None


def scope_for(session: LaunchSession) -> Scope:
    """The session's scope, or NotAllowed for learners and launches without a resource link."""
    if session.role not in STAFF_ROLES:
        raise NotAllowed("Only the course's instructors can see the dashboard.")
    link = session.resource_link
    if link is None or session.context_pk is None or link.context_pk != session.context_pk:
        raise NotAllowed("Open the dashboard from an activity in your course.")
    return Scope(platform_id=session.platform_id, context_pk=session.context_pk,
                 resource_link_pk=link.id, module_id=link.module_id)
