"""Goals: named sets of target skills in one module (a role or path: "sales", "engineering").

A learner with a goal is planned only the goal's skills and their prerequisites
(transitively); the grade covers the goal's skills. No goal (``ActivitySettings.goal`` None,
also every state saved before goals existed) is the whole module: its ``target`` skills.
See docs/module-format.md ("Goals").
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: importing adaptive.modules here would be a cycle
    from adaptive.modules.format import Goal, Module

__all__ = ["closure", "find_goal", "goal_targets", "relevant_skills"]


def find_goal(module: Module, goal_id: str | None) -> Goal | None:
    """The module's goal ``goal_id``; None for no goal or an id the module does not declare."""
    if not goal_id:
        return None
    for goal in module.goals:
        if goal.id == goal_id:
            return goal
    return None


def closure(module: Module, targets: Iterable[str]) -> frozenset[str]:
    """``targets`` and all their prerequisites, transitively (unknown ids are skipped)."""
    by_id = {s.id: s for s in module.skills}
    seen: set[str] = set()
    stack = list(targets)
    while stack:
        sid = stack.pop()
        if sid in seen or sid not in by_id:
            continue
        seen.add(sid)
        stack.extend(by_id[sid].prerequisites)
    return frozenset(seen)


def goal_targets(module: Module, goal_id: str | None) -> tuple[str, ...]:
    """The target skills of a goal, or of the whole module when there is no such goal."""
    goal = find_goal(module, goal_id)
    if goal is not None:
        return tuple(s for s in goal.skills if any(k.id == s for k in module.skills))
    return tuple(s.id for s in module.skills if s.target)


def relevant_skills(module: Module, goal_id: str | None) -> frozenset[str]:
    """What the engine plans for this goal: its targets' prerequisite closure (cached)."""
    key = f"_goal_relevant:{goal_id or ''}"
    cached = module.engine_cache.get(key)
    if cached is None:
        cached = closure(module, goal_targets(module, goal_id))
        module.engine_cache[key] = cached
    return cached
