"""The interface every mastery model implements.

An *estimate* is a small JSON-able dict (it is stored in the learner's state and
in every answer event), so models stay pure functions of (params, estimate,
observation). ``p_mastery`` is what the policy compares with the threshold.
"""

from __future__ import annotations

from typing import Any, Protocol, runtime_checkable


@runtime_checkable
class MasteryModel(Protocol):
    # Read-only: the models are frozen dataclasses.
    @property
    def name(self) -> str: ...

    def initial(self, skill_id: str) -> dict[str, Any]:
        """The estimate before any answer on this skill."""
        ...

    def update(self, skill_id: str, estimate: dict[str, Any], correct: bool) -> dict[str, Any]:
        """A new estimate after one graded answer (the input is not mutated)."""
        ...

    def after_lesson(self, skill_id: str, estimate: dict[str, Any]) -> dict[str, Any]:
        """A new estimate after the learner read a teaching page of the skill."""
        ...

    def p_mastery(self, estimate: dict[str, Any]) -> float:
        """Probability (or score in [0, 1]) that the skill is mastered."""
        ...

    def p_correct(self, skill_id: str, estimate: dict[str, Any]) -> float:
        """Predicted probability that the next answer on the skill is correct."""
        ...
