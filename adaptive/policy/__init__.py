"""Branching policies behind one ``Policy`` interface, selected by ``ActivitySettings.policy``.

- "adaptive" (default): diagnostic, lesson, BKT practice, remediation, review (adaptive.py)
- "linear": lesson then a 5-item quiz per skill, pass at 4/5 (linear.py)
- "streak": lesson then 3 correct in a row (streak.py)
"""

from __future__ import annotations

from collections.abc import Callable

from adaptive.policy.adaptive import AdaptivePolicy
from adaptive.policy.base import Context, Policy
from adaptive.policy.linear import LinearPolicy
from adaptive.policy.streak import StreakPolicy

__all__ = [
    "POLICIES",
    "AdaptivePolicy",
    "Context",
    "LinearPolicy",
    "Policy",
    "StreakPolicy",
    "get_policy",
    "register_policy",
]

POLICIES: dict[str, Callable[[], Policy]] = {
    "adaptive": AdaptivePolicy,
    "linear": LinearPolicy,
    "fixed": LinearPolicy,  # alias used by the sim-branch-v1 protocol
    "streak": StreakPolicy,
}
_INSTANCES: dict[str, Policy] = {}


def register_policy(name: str, factory: Callable[[], Policy]) -> None:
    """Make a policy available to ``ActivitySettings(policy=name)``."""
    POLICIES[name] = factory
    _INSTANCES.pop(name, None)


def get_policy(name: str) -> Policy:
    """The (shared, stateless) policy registered under ``name``; KeyError-like ValueError if not."""
    policy = _INSTANCES.get(name)
    if policy is None:
        try:
            factory = POLICIES[name]
        except KeyError:
            raise ValueError(f"unknown policy {name!r}; known: {sorted(POLICIES)}") from None
        policy = _INSTANCES[name] = factory()
    return policy
