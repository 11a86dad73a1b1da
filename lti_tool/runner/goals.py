"""Which goal (``Module.goals``, ``adaptive.goals``) a learner's new attempt plans.

In order:

1. the launch's own custom parameter ``goal`` — set by the teacher when adding the activity
   (deep linking) or filled by the LMS per learner through a substitution variable (a user
   field or group, e.g. ``goal=$Canvas.user.sisIntegrationId`` or a Moodle custom field). It
   is read from *this* launch's claims, not from the resource link: every learner's launch
   of one link carries their own value;
2. when the teacher allows it (link setting ``goal_choice=learner``), the learner picks one
   of the allowed goals (``goals``, else all of the module's) on a page before the first step;
3. otherwise the whole module.

The goal is fixed when the attempt starts (it is in the attempt's state): a later launch with
another value resumes the same attempt. A launch naming a goal the module does not have gets
an error page and creates nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from adaptive.modules.format import Goal, Module
from lti_tool.extensions import db
from lti_tool.models import LaunchSession
from lti_tool.protocol import claims

__all__ = ["GoalPlan", "allowed_goals", "launch_goal", "plan_goal"]


@dataclass(frozen=True)
class GoalPlan:
    """``kind``: "goal" (start with ``goal``), "choose" (show ``choices``), "unknown" (the
    launch named ``given``, which the module lacks), or "none" (the whole module)."""

    kind: str
    goal: str | None = None
    choices: tuple[Goal, ...] = ()
    given: str | None = None


def launch_goal(launch_id: str) -> str | None:
    """The ``goal`` custom parameter of this launch (None when absent or empty)."""
    body = db.session.execute(select(LaunchSession.claims)
                              .where(LaunchSession.id == launch_id)).scalar_one_or_none()
    custom = (body or {}).get(claims.CUSTOM) or {}
    value = str(custom.get("goal") or "").strip() if isinstance(custom, Mapping) else ""
    return value or None


def allowed_goals(module: Module, link_settings: Mapping[str, Any] | None) -> tuple[Goal, ...]:
    """The goals a learner may pick: the teacher's list (``goals``), else all the module's."""
    wanted = [g for g in (link_settings or {}).get("goals") or [] if isinstance(g, str)]
    chosen = tuple(g for g in module.goals if g.id in wanted)
    return chosen or module.goals


def plan_goal(module: Module, link_settings: Mapping[str, Any] | None,
              given: str | None) -> GoalPlan:
    """Where a new attempt's goal comes from (see the module docstring)."""
    if given is not None:
        if any(g.id == given for g in module.goals):
            return GoalPlan("goal", goal=given)
        return GoalPlan("unknown", given=given, choices=module.goals)
    if module.goals and (link_settings or {}).get("goal_choice") == "learner":
        return GoalPlan("choose", choices=allowed_goals(module, link_settings))
    return GoalPlan("none")
