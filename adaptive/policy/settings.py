"""Per-activity settings (``ActivitySettings``) and reading them back from a learner's state.

Split out of ``adaptive.policy.base``, which re-exports every name here.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any

from adaptive.defaults import MASTERY_THRESHOLD, PRACTICE_CAP
from adaptive.modules.format import Module


@dataclass(frozen=True)
class ActivitySettings:
    """Per-activity settings: module defaults, overridden by the teacher at deep-linking time.

    ``graded_skills`` None means every skill with ``graded=True``. ``policy`` names a policy
    registered in ``adaptive.policy`` ("adaptive", "linear", "streak").
    """

    mastery_threshold: float = MASTERY_THRESHOLD
    practice_cap: int = PRACTICE_CAP
    graded_skills: tuple[str, ...] | None = None
    max_score: float = 1.0
    policy: str = "adaptive"
    diagnostic_items: int = 2
    #: The learner's goal (``Module.goals``): only its skills' prerequisite closure is planned
    #: and graded. None: the whole module (``adaptive.goals``).
    goal: str | None = None

    def __post_init__(self) -> None:
        if not 0.0 < self.mastery_threshold < 1.0:
            raise ValueError("mastery_threshold must be within (0, 1)")
        if self.practice_cap < 1:
            raise ValueError("practice_cap must be at least 1")
        if self.max_score < 0:
            raise ValueError("max_score must not be negative")
        if self.diagnostic_items < 0:
            raise ValueError("diagnostic_items must not be negative")

    @classmethod
    def from_module(cls, module: Module, **overrides: Any) -> ActivitySettings:
        """Settings from ``module.settings``, then ``overrides`` (None values are ignored)."""
        base: dict[str, Any] = {
            "mastery_threshold": module.settings.mastery_threshold,
            "practice_cap": module.settings.practice_cap,
            "diagnostic_items": module.settings.diagnostic_items,
        }
        base.update({k: v for k, v in overrides.items() if v is not None})
        return cls.from_dict(base)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        if self.goal is None:  # states stay as they were before goals existed
            del data["goal"]
        if self.graded_skills is not None:
            data["graded_skills"] = list(self.graded_skills)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ActivitySettings:
        """Inverse of ``to_dict``; unknown keys are ignored (forward compatibility)."""
        names = {f.name for f in fields(cls)}
        kwargs = {k: v for k, v in data.items() if k in names}
        if kwargs.get("graded_skills") is not None:
            kwargs["graded_skills"] = tuple(kwargs["graded_skills"])
        return cls(**kwargs)


def settings_of(state: Mapping[str, Any]) -> ActivitySettings:
    """The ActivitySettings stored in a state."""
    return ActivitySettings.from_dict(state["settings"])
