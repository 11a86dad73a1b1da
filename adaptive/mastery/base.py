"""The interface every mastery model implements.

An *estimate* is a small JSON-able dict (it is stored in the learner's state and
in every answer event), so models stay pure functions of (params, estimate,
observation). ``p_mastery`` is what the policy compares with the threshold.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class MasteryModel(Protocol):
    name: str

    def initial(self, skill_id: str) -> dict:
        """The estimate before any answer on this skill."""
        ...

    def update(self, skill_id: str, estimate: dict, correct: bool) -> dict:
        """A new estimate after one graded answer (the input is not mutated)."""
        ...

    def after_lesson(self, skill_id: str, estimate: dict) -> dict:
        """A new estimate after the learner read a teaching page of the skill."""
        ...

    def p_mastery(self, estimate: dict) -> float:
        """Probability (or score in [0, 1]) that the skill is mastered."""
        ...

    def p_correct(self, skill_id: str, estimate: dict) -> float:
        """Predicted probability that the next answer on the skill is correct."""
        ...
