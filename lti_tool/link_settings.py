"""Activity settings carried in a resource link's custom parameters.

The deep-linking response stores a teacher's choices in the link's ``custom`` claim (all
values strings, Core §5.4.6), so every later launch of that link brings them back and no
tool-side row has to exist before the first launch. ``settings_from_custom`` turns them
into the dict ``adaptive.engine.ActivitySettings.from_dict`` accepts; the launch service
stores it in ``ResourceLink.settings`` and the runner builds the engine settings from it.

Custom parameters are editable by LMS admins, so a bad value is dropped (module default
applies) rather than breaking the launch.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext

from lti_tool.i18n import decimal

log = logging.getLogger("branchwise.deep_linking")

# Bounds a teacher may choose in the picker (stricter than the engine's own checks: a
# threshold of 0.2 or a cap of 500 is technically valid but never what a teacher means).
THRESHOLD_MIN, THRESHOLD_MAX = 0.5, 0.99
PRACTICE_CAP_MIN, PRACTICE_CAP_MAX = 1, 100
MAX_SCORE_MAX = 10_000.0
DEFAULT_MAX_SCORE = 100.0

CUSTOM_KEYS = ("module", "mastery_threshold", "practice_cap", "graded_skills", "max_score",
               "assistant", "goal", "goal_choice", "goals")
# Goals (docs/module-format.md "Goals"): ``goal`` is read from each launch's own custom claim
# (an LMS may substitute it per learner), never stored on the link; ``goal_choice=learner``
# lets learners pick one of ``goals`` (all of the module's when empty) at the start.
GOAL_CHOICES = ("off", "learner")
# The learning assistant per activity (docs/assistant.md): off, hints only, or full.
ASSISTANT_MODES = ("off", "hints", "full")
DEFAULT_ASSISTANT = "full"


def _float(value: object) -> float | None:
    try:
        number = float(str(value).strip())
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None


def _int(value: object) -> int | None:
    number = _float(value)
    if number is None or number != int(number):
        return None
    return int(number)


def _skill_list(value: object) -> list[str]:
    parts = [str(v) for v in value] if isinstance(value, list | tuple) else str(value).split(",")
    return [p.strip() for p in parts if p.strip()]


def settings_from_custom(custom: Mapping[str, Any] | None) -> dict[str, Any]:
    """The activity settings in a launch's custom claim; ``{}`` when there are none.

    >>> settings_from_custom({"module": "fractions", "mastery_threshold": "0.9",
    ...                       "practice_cap": "8", "graded_skills": "a, b", "max_score": "100"})
    {'mastery_threshold': 0.9, 'practice_cap': 8, 'graded_skills': ['a', 'b'], 'max_score': 100.0}
    >>> settings_from_custom({"mastery_threshold": "1.5", "practice_cap": "x"})
    {}
    """
    custom = custom or {}
    out: dict[str, Any] = {}
    if "mastery_threshold" in custom:
        value = _float(custom["mastery_threshold"])
        if value is not None and 0.0 < value < 1.0:
            out["mastery_threshold"] = value
        else:
            log.warning("ignored custom mastery_threshold=%r", custom["mastery_threshold"])
    if "practice_cap" in custom:
        cap = _int(custom["practice_cap"])
        if cap is not None and cap >= 1:
            out["practice_cap"] = cap
        else:
            log.warning("ignored custom practice_cap=%r", custom["practice_cap"])
    if "graded_skills" in custom:
        skills = _skill_list(custom["graded_skills"])
        # Empty means "every graded skill of the module": leave it to the default (None).
        if skills:
            out["graded_skills"] = skills
    if "max_score" in custom:
        value = _float(custom["max_score"])
        if value is not None and 0.0 < value <= MAX_SCORE_MAX:
            out["max_score"] = value
        else:
            log.warning("ignored custom max_score=%r", custom["max_score"])
    if str(custom.get("goal_choice", "")).strip().lower() == "learner":
        out["goal_choice"] = "learner"
        allowed = _skill_list(custom.get("goals") or "")
        if allowed:
            out["goals"] = allowed
    if "assistant" in custom:
        mode = str(custom["assistant"]).strip().lower()
        if mode in ASSISTANT_MODES:
            out["assistant"] = mode
        else:
            log.warning("ignored custom assistant=%r", custom["assistant"])
    return out


def _number_text(value: float) -> str:
    """``100.0`` → ``"100"``, ``0.95`` → ``"0.95"``: what a teacher typed, not float noise."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


@dataclass(frozen=True)
class PickedSettings:
    """One module's settings as chosen in the picker (already validated)."""

    mastery_threshold: float
    practice_cap: int
    graded_skills: tuple[str, ...]
    max_score: float
    assistant: str = DEFAULT_ASSISTANT
    goal: str = ""  # a fixed goal for everyone launching the link ("" = none)
    goal_choice: str = "off"  # "learner": learners pick one of ``goals`` at the start
    goals: tuple[str, ...] = ()  # the goals learners may pick (empty = all)

    def to_custom(self, module_id: str) -> dict[str, str]:
        """Custom parameters for the resource link (strings only, Core §5.4.6)."""
        return {
            "module": module_id,
            "mastery_threshold": _number_text(self.mastery_threshold),
            "practice_cap": str(self.practice_cap),
            "graded_skills": ",".join(self.graded_skills),
            "max_score": _number_text(self.max_score),
            # The default is left out: links made before the assistant existed mean "full".
            **({"assistant": self.assistant} if self.assistant != DEFAULT_ASSISTANT else {}),
            **({"goal": self.goal} if self.goal else {}),
            **({"goal_choice": "learner", "goals": ",".join(self.goals)}
               if self.goal_choice == "learner" else {}),
        }


def parse_picked(
    form: Mapping[str, Any], skill_ids: Sequence[str], goal_ids: Sequence[str] = ()
) -> tuple[PickedSettings | None, list[str]]:
    """Validate a teacher's settings for one module: (settings, []) or (None, problems).

    The problems are sentences for the teacher, in the request's language (English outside
    a request); numbers are written that language's way (``0,5``).

    ``form`` holds ``mastery_threshold``, ``practice_cap``, ``max_score`` (text) and
    ``graded_skills`` (a list of skill ids); ``skill_ids`` are the module's skills. For a
    module with goals (``goal_ids``) also ``goal`` (one id or ""), ``goal_choice`` ("off" |
    "learner") and ``goals`` (the ids learners may pick).
    """
    problems: list[str] = []
    threshold = _float(form.get("mastery_threshold", ""))
    if threshold is None or not THRESHOLD_MIN <= threshold <= THRESHOLD_MAX:
        problems.append(gettext("Mastery threshold must be a number from %(min)s to %(max)s.",
                                min=decimal(THRESHOLD_MIN), max=decimal(THRESHOLD_MAX)))
    cap = _int(form.get("practice_cap", ""))
    if cap is None or not PRACTICE_CAP_MIN <= cap <= PRACTICE_CAP_MAX:
        problems.append(gettext("Practice cap must be a whole number from %(min)s to %(max)s.",
                                min=PRACTICE_CAP_MIN, max=PRACTICE_CAP_MAX))
    max_score = _float(form.get("max_score", ""))
    if max_score is None or not 0.0 < max_score <= MAX_SCORE_MAX:
        # The LMS creates the gradebook column from it: scoreMaximum must be > 0 (AGS §3.2).
        problems.append(gettext("Maximum score must be a number above 0 and at most %(max)s.",
                                max=decimal(MAX_SCORE_MAX)))
    graded = _skill_list(form.get("graded_skills") or [])
    unknown = [s for s in graded if s not in skill_ids]
    if unknown:
        problems.append(gettext("Unknown skills: %(skills)s.", skills=", ".join(unknown)))
    if not graded:
        problems.append(gettext("Choose at least one graded skill."))
    assistant = str(form.get("assistant") or DEFAULT_ASSISTANT).strip().lower()
    if assistant not in ASSISTANT_MODES:
        problems.append(gettext("Learning assistant must be off, hints only or full."))
    goal = str(form.get("goal") or "").strip()
    if goal and goal not in goal_ids:
        problems.append(gettext("Unknown goal: %(goal)s.", goal=goal))
    goal_choice = str(form.get("goal_choice") or "off").strip().lower()
    if goal_choice not in GOAL_CHOICES or (goal_choice == "learner" and not goal_ids):
        problems.append(gettext("Letting learners choose needs a module with goals."))
    offered = _skill_list(form.get("goals") or [])
    unknown_goals = [g for g in offered if g not in goal_ids]
    if unknown_goals:
        problems.append(gettext("Unknown goals: %(goals)s.", goals=", ".join(unknown_goals)))
    if goal and goal_choice == "learner":
        problems.append(gettext("Either fix one goal or let learners choose, not both."))
    if problems:
        return None, problems
    # Keep the module's skill order, whatever order the browser sent.
    ordered = tuple(s for s in skill_ids if s in graded)
    assert threshold is not None and cap is not None and max_score is not None
    return PickedSettings(threshold, cap, ordered, max_score, assistant, goal, goal_choice,
                          tuple(g for g in goal_ids if g in offered)), []
