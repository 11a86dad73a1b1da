"""The adaptive engine: a pure, deterministic state machine over a module.

    result = start(module, ActivitySettings.from_module(module), seed=42)
    # show result.step; store result.state (a JSON-able dict)
    result = next_step(module, result.state, ItemAnswer("eq-1", "a"))

Nothing here does I/O or mutates its inputs: ``next_step`` deep-copies the state, records the
response (history, mastery estimates, counters), lets the activity's policy update the skill
statuses, then asks the policy for the next step. All randomness comes from
``random.Random(seed + seq)``, so the same module, seed and responses give the same steps.
See docs/engine.md.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from adaptive.grading.answers import AnswerResult, evaluate_answer
from adaptive.mastery.bkt import BKTModel
from adaptive.modules.format import BKTParams, Module
from adaptive.policy import get_policy
from adaptive.policy.base import (
    DIAGNOSTIC,
    FLAGGED,
    KNOWN,
    LESSON,
    MASTERED,
    NOT_STARTED,
    PRACTISING,
    ActivitySettings,
    AskItem,
    Context,
    Finish,
    ItemAnswer,
    ModuleIndex,
    PageSeen,
    Response,
    ShowPage,
    Step,
    make_model,
    settings_of,
    step_from_dict,
    step_to_dict,
)

__all__ = [
    "STATE_VERSION",
    "ActivitySettings",
    "AskItem",
    "Finish",
    "ItemAnswer",
    "PageSeen",
    "ShowPage",
    "SkillProgress",
    "StaleResponse",
    "Step",
    "StepResult",
    "current_step",
    "make_model",
    "next_step",
    "settings_of",
    "skill_progress",
    "start",
    "step_from_dict",
    "step_to_dict",
]

STATE_VERSION = 1


class StaleResponse(Exception):
    """The response does not answer the state's current step (a second tab, a double submit,
    an old ``seq``, or the activity has already finished)."""


@dataclass(frozen=True)
class StepResult:
    """What ``start``/``next_step`` return. ``evaluation`` is set for item answers;
    ``mastery_before``/``mastery_after`` map the answered item's skills to P(mastery)."""

    step: Step
    state: dict
    evaluation: AnswerResult | None = None
    mastery_before: dict[str, float] | None = None
    mastery_after: dict[str, float] | None = None


@dataclass(frozen=True)
class SkillProgress:
    """One row of the learner's (and teacher's) progress view."""

    skill_id: str
    title: str
    status: str  # "not_started" | "practising" | "mastered" | "known" | "flagged"
    p_mastery: float
    attempts: int
    correct: int


def _new_skill_state(model: BKTModel, skill_id: str) -> dict:
    return {
        "status": NOT_STARTED,
        "est": model.initial(skill_id),
        "attempts": 0,  # all graded answers whose primary skill is this one
        "correct": 0,
        "practice": 0,  # practice items (counted against the cap)
        "diag": [],  # diagnostic answers (mastery-correct booleans)
        "recent": [],  # the last practice answers, newest last (at most 6)
        "streak": 0,  # consecutive mastery-correct practice answers
        "lesson_seen": False,
        "reviews": 0,  # times routed to a prerequisite review from this skill
        "flag_reason": None,
    }


def _context(module: Module, settings: ActivitySettings, model: BKTModel, seed: int, seq: int):
    return Context(module, settings, model, random.Random(seed + seq))


def start(
    module: Module,
    settings: ActivitySettings | None = None,
    *,
    seed: int = 0,
    bkt_params: Mapping[str, BKTParams] | None = None,
) -> StepResult:
    """A fresh state for one learner and the first step."""
    settings = settings or ActivitySettings.from_module(module)
    policy = get_policy(settings.policy)  # fail early on an unknown name
    model = make_model(module, bkt_params)
    state: dict[str, Any] = {
        "version": STATE_VERSION,
        "module_id": module.id,
        "seq": 0,
        "seed": int(seed),
        "settings": settings.to_dict(),
        "skills": {s.id: _new_skill_state(model, s.id) for s in module.skills},
        "current": None,
        "history": [],  # item ids in the order asked (answered)
        "pages_seen": [],
        "flagged": [],
        "queue": [],  # steps forced by answer-group destinations or reviews
        "review": None,  # {"skill", "for", "left"} while reviewing a prerequisite
        "diag_taken": 0,
        "diag_passed": 0,
        "finished": False,
    }
    ctx = _context(module, settings, model, state["seed"], 0)
    step = policy.choose(ctx, state)
    state["current"] = step_to_dict(step)
    return StepResult(step=step, state=state)


def current_step(module: Module, state: Mapping[str, Any]) -> Step:
    """The step to show on resume (the one the state is waiting for)."""
    if state.get("current") is None:
        raise ValueError("state has no current step")
    return step_from_dict(state["current"])


def _check_response(state: Mapping[str, Any], current: Step, response: Response) -> None:
    if response.seq is not None and response.seq != state["seq"]:
        raise StaleResponse(f"response for seq {response.seq}, state is at {state['seq']}")
    if isinstance(current, Finish):
        raise StaleResponse("the activity is finished")
    if isinstance(response, PageSeen):
        if not isinstance(current, ShowPage) or current.page_id != response.page_id:
            raise StaleResponse(f"page {response.page_id!r} is not the current step")
    elif isinstance(response, ItemAnswer):
        if not isinstance(current, AskItem) or current.item_id != response.item_id:
            raise StaleResponse(f"item {response.item_id!r} is not the current step")
    else:
        raise TypeError(f"not a response: {response!r}")


_ATOMS = (str, int, float, bool, type(None))


def _copy_json(value: Any) -> Any:
    """A deep copy of JSON-shaped data (what a stored state is), much cheaper than deepcopy.

    ``copy.deepcopy``'s memo and dispatch cost ≈ 0.15–0.3 ms per answer on a typical state;
    exact dicts, lists and atoms are copied here directly (a loaded state has no shared
    sub-objects to preserve), anything else still goes through ``copy.deepcopy``.
    """
    kind = type(value)
    if kind is dict:
        return {k: _copy_json(v) for k, v in value.items()}
    if kind is list:
        return [_copy_json(v) for v in value]
    if kind in _ATOMS:
        return value
    return copy.deepcopy(value)


def _copy_state(state: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _copy_json(v) for k, v in state.items()}


def next_step(
    module: Module,
    state: Mapping[str, Any],
    response: PageSeen | ItemAnswer,
    *,
    bkt_params: Mapping[str, BKTParams] | None = None,
) -> StepResult:
    """Record ``response`` to the current step and choose the next one.

    Pure: ``state`` is not mutated; the new state is in the result. Raises ``StaleResponse``
    when the response does not answer the current step. An answer that cannot be read
    (``evaluation.valid`` False) changes nothing: the same step and an unchanged copy of the
    state come back with the evaluation, so the learner can try again.
    """
    if state.get("version") != STATE_VERSION:
        raise ValueError(f"unsupported state version {state.get('version')!r}")
    current = current_step(module, state)
    _check_response(state, current, response)
    settings = settings_of(state)
    policy = get_policy(settings.policy)
    model = make_model(module, bkt_params)
    new = _copy_state(state)
    skills = new["skills"]

    evaluation: AnswerResult | None = None
    before: dict[str, float] | None = None
    after: dict[str, float] | None = None
    correct: bool | None = None
    if isinstance(response, ItemAnswer):
        item = module.item(response.item_id)
        evaluation = evaluate_answer(item, response.answer)
        if not evaluation.valid:
            return StepResult(step=current, state=new, evaluation=evaluation)
        correct = bool(evaluation.correct) and response.hints_used <= 0
        new["history"].append(item.id)
        tagged = [s for s in item.skills if s in skills]
        before = {s: model.p_mastery(skills[s]["est"]) for s in tagged}
        for sid in tagged:
            skills[sid]["est"] = model.update(sid, skills[sid]["est"], correct, item_id=item.id)
        primary = skills.get(item.primary_skill)
        if primary is not None:
            primary["attempts"] += 1
            primary["correct"] += int(bool(evaluation.correct))
    else:
        new["pages_seen"].append(response.page_id)
        page = ModuleIndex.of(module).pages.get(response.page_id)
        if page is not None and page.skill in skills:
            ss = skills[page.skill]
            ss["est"] = model.after_lesson(page.skill, ss["est"])

    ctx = _context(module, settings, model, new["seed"], new["seq"] + 1)
    policy.observe(ctx, new, current, response, correct, evaluation)
    if isinstance(response, ItemAnswer):
        after = {s: model.p_mastery(skills[s]["est"]) for s in before or {}}
    new["seq"] += 1
    step = policy.choose(ctx, new)
    new["current"] = step_to_dict(step)
    return StepResult(
        step=step, state=new, evaluation=evaluation, mastery_before=before, mastery_after=after
    )


_PROGRESS_STATUS = {
    NOT_STARTED: "not_started",
    DIAGNOSTIC: "practising",
    LESSON: "practising",
    PRACTISING: "practising",
    MASTERED: "mastered",
    KNOWN: "known",
    FLAGGED: "flagged",
}


def skill_progress(
    module: Module,
    state: Mapping[str, Any],
    *,
    bkt_params: Mapping[str, BKTParams] | None = None,
) -> list[SkillProgress]:
    """Per-skill progress in prerequisite order (every skill of the module)."""
    model = make_model(module, bkt_params)
    rows = []
    for sid in ModuleIndex.of(module).order:
        ss = state["skills"].get(sid)
        if ss is None:
            continue
        rows.append(
            SkillProgress(
                skill_id=sid,
                title=module.skill(sid).title,
                status=_PROGRESS_STATUS.get(ss["status"], "practising"),
                p_mastery=float(model.p_mastery(ss["est"])),
                attempts=int(ss["attempts"]),
                correct=int(ss["correct"]),
            )
        )
    return rows
