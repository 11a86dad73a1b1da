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
from dataclasses import dataclass, replace
from typing import Any

from adaptive.forgetting import (
    NEW_SITTING_SECONDS,
    forget,
    is_refresh_answer,
    observe_refresh,
    refresh_step,
    start_sitting,
)
from adaptive.goals import find_goal, relevant_skills
from adaptive.grading.answers import AnswerResult, evaluate_answer
from adaptive.mastery.bkt import BKTModel
from adaptive.modules.format import BKTParams, Item, Module
from adaptive.modules.variants import variant_item
from adaptive.policy import get_policy
from adaptive.policy.base import (
    BLOCKED,
    DIAGNOSTIC,
    FLAGGED,
    KNOWN,
    LESSON,
    MASTERED,
    NOT_STARTED,
    PASSED_STATUSES,
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
    is_blocked,
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
    "NEW_SITTING_SECONDS",
    "current_step",
    "item_for_step",
    "make_model",
    "next_step",
    "resume",
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
    state: dict[str, Any]
    evaluation: AnswerResult | None = None
    mastery_before: dict[str, float] | None = None
    mastery_after: dict[str, float] | None = None


@dataclass(frozen=True)
class SkillProgress:
    """One row of the learner's (and teacher's) progress view."""

    skill_id: str
    title: str
    status: str  # "not_started" | "practising" | "mastered" | "known" | "flagged" | "blocked"
    p_mastery: float
    attempts: int
    correct: int
    #: "blocked" only: the prerequisites it waits for ("not reached (needs X first)").
    blocked_by: tuple[str, ...] = ()
    #: "flagged" only: why ("practice cap", "no items").
    flag_reason: str | None = None


def _new_skill_state(model: BKTModel, skill_id: str) -> dict[str, Any]:
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


def _context(
    module: Module, settings: ActivitySettings, model: BKTModel, seed: int, seq: int
) -> Context:
    return Context(module, settings, model, random.Random(seed + seq))


def _numbered(module: Module, state: Mapping[str, Any], step: Step) -> Step:
    """An item with variants is asked with its showing number: how often this learner was
    asked it before (so each showing draws new numbers, the same ones on every resume)."""
    if isinstance(step, AskItem) and module.item(step.item_id).variants is not None:
        return replace(step, variant=list(state["history"]).count(step.item_id))
    return step


def item_for_step(module: Module, state: Mapping[str, Any], step: AskItem) -> Item:
    """The item as this step shows it: for an item with variants, with the numbers drawn for
    this learner and showing (``adaptive.modules.variants``), written the way of the
    module's language (``7,4`` in a Spanish module, as its answers are read); otherwise
    ``module.item``."""
    item = module.item(step.item_id)
    if item.variants is None or step.variant <= 0:
        return item
    return variant_item(item, int(state.get("seed", 0)), step.variant, module.language)


def start(
    module: Module,
    settings: ActivitySettings | None = None,
    *,
    seed: int = 0,
    bkt_params: Mapping[str, BKTParams] | None = None,
    now: float | None = None,
) -> StepResult:
    """A fresh state for one learner and the first step. ``now`` (seconds, from the caller's
    clock) starts the state's clock for time-based forgetting (``adaptive.forgetting``)."""
    settings = settings or ActivitySettings.from_module(module)
    policy = get_policy(settings.policy)  # fail early on an unknown name
    if settings.goal is not None and find_goal(module, settings.goal) is None:
        raise ValueError(f"module {module.id!r} has no goal {settings.goal!r}")
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
        "clock": None if now is None else float(now),  # the last moment seen (forgetting)
        "sitting": 0,
        "refresh": [],  # the review of decayed skills that opens a later sitting
    }
    ctx = _context(module, settings, model, state["seed"], 0)
    step = _choose(module, policy, ctx, state)
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
    now: float | None = None,
) -> StepResult:
    """Record ``response`` to the current step and choose the next one.

    ``now`` (seconds, from the caller's clock; the engine reads none) lets estimates decay
    since the last step and dates the practice (``adaptive.forgetting``).

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
    ctx = _context(module, settings, model, new["seed"], new["seq"] + 1)
    forget(ctx, new, now)

    evaluation: AnswerResult | None = None
    before: dict[str, float] | None = None
    after: dict[str, float] | None = None
    correct: bool | None = None
    if isinstance(response, ItemAnswer):
        assert isinstance(current, AskItem)
        item = item_for_step(module, state, current)
        # In the module's language: a localised module (``translations.localise``) reads
        # numbers its way ("1.000,5" in es) and has that language's accepted answers.
        evaluation = evaluate_answer(item, response.answer, module.language)
        if not evaluation.valid:
            return StepResult(step=current, state=new, evaluation=evaluation)
        correct = bool(evaluation.correct) and response.hints_used <= 0
        new["history"].append(item.id)
        tagged = [s for s in item.skills if s in skills]
        before = {s: model.p_mastery(skills[s]["est"]) for s in tagged}
        for sid in tagged:
            skills[sid]["est"] = model.update(sid, skills[sid]["est"], correct, item_id=item.id)
            if now is not None:
                skills[sid]["practised_at"] = float(now)
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

    if correct is not None and is_refresh_answer(new, current):
        assert isinstance(current, AskItem)
        observe_refresh(ctx, new, current, correct)
    else:
        policy.observe(ctx, new, current, response, correct, evaluation)
    if isinstance(response, ItemAnswer):
        after = {s: model.p_mastery(skills[s]["est"]) for s in before or {}}
        for sid, p in after.items():  # what the grade may use: the estimate at an answer
            skills[sid]["p_answered"] = p
    new["seq"] += 1
    step = _choose(module, policy, ctx, new)
    new["current"] = step_to_dict(step)
    return StepResult(
        step=step, state=new, evaluation=evaluation, mastery_before=before, mastery_after=after
    )


def _choose(module: Module, policy: Any, ctx: Context, state: dict[str, Any]) -> Step:
    """The sitting's review of decayed skills first (any policy), then the policy's step."""
    step = refresh_step(ctx, state) if state.get("refresh") else None
    if step is None:
        step = policy.choose(ctx, state)
    return _numbered(module, state, step)


def resume(
    module: Module,
    state: Mapping[str, Any],
    now: float,
    *,
    bkt_params: Mapping[str, BKTParams] | None = None,
) -> StepResult:
    """Open the activity again at ``now`` (a launch). Pure, like ``next_step``.

    Within a sitting (less than ``NEW_SITTING_SECONDS`` since the last step) nothing
    changes: the same state and step come back (``result.state is state``: nothing to save).
    After a longer break the estimates decay for the time away, the per-sitting limits
    start again, and when a mastered or known skill fell below the threshold the activity
    (even a finished one) opens with a short review of it; ``seq`` then moves on, so a form
    from before the break is stale. Grades are not touched (see ``adaptive.forgetting``).
    """
    last = state.get("clock")
    if last is not None and float(now) - float(last) < NEW_SITTING_SECONDS:
        return StepResult(step=current_step(module, state), state=state)  # type: ignore[arg-type]
    if state.get("version") != STATE_VERSION:
        raise ValueError(f"unsupported state version {state.get('version')!r}")
    settings = settings_of(state)
    policy = get_policy(settings.policy)
    model = make_model(module, bkt_params)
    new = _copy_state(state)
    new.setdefault("refresh", [])
    ctx = _context(module, settings, model, new["seed"], new["seq"] + 1)
    forget(ctx, new, now)
    if last is None:  # a state from before the clock: start it, nothing else is known
        return StepResult(step=current_step(module, new), state=new)
    if start_sitting(ctx, new):
        new["seq"] += 1
        new["finished"] = False
        step = _choose(module, policy, ctx, new)
        new["current"] = step_to_dict(step)
        return StepResult(step=step, state=new)
    return StepResult(step=current_step(module, new), state=new)


_PROGRESS_STATUS = {
    NOT_STARTED: "not_started",
    DIAGNOSTIC: "practising",
    LESSON: "practising",
    PRACTISING: "practising",
    MASTERED: "mastered",
    KNOWN: "known",
    FLAGGED: "flagged",
    BLOCKED: "blocked",
}


def _blocked_by(
    module: Module, ss: Mapping[str, Any], skills: Mapping[str, Any]
) -> tuple[str, ...]:
    """The prerequisites a blocked skill waits for; for states saved before BLOCKED existed
    (no ``blocked_by``), the prerequisites that are not passed."""
    if "blocked_by" in ss:
        return tuple(ss["blocked_by"])
    return tuple(
        p
        for p in module.skill(ss["_id"]).prerequisites
        if p in skills and skills[p]["status"] not in PASSED_STATUSES
    )


def skill_progress(
    module: Module,
    state: Mapping[str, Any],
    *,
    bkt_params: Mapping[str, BKTParams] | None = None,
) -> list[SkillProgress]:
    """Per-skill progress in prerequisite order: every skill of the module, or with a goal
    the skills planned for it (``adaptive.goals``)."""
    model = make_model(module, bkt_params)
    goal = state.get("settings", {}).get("goal")
    planned = relevant_skills(module, goal) if find_goal(module, goal) is not None else None
    rows = []
    for sid in ModuleIndex.of(module).order:
        ss = state["skills"].get(sid)
        if ss is None or (planned is not None and sid not in planned):
            continue
        blocked = is_blocked(ss)
        status = "blocked" if blocked else _PROGRESS_STATUS.get(ss["status"], "practising")
        rows.append(
            SkillProgress(
                skill_id=sid,
                title=module.skill(sid).title,
                status=status,
                p_mastery=float(model.p_mastery(ss["est"])),
                attempts=int(ss["attempts"]),
                correct=int(ss["correct"]),
                blocked_by=(
                    _blocked_by(module, {**ss, "_id": sid}, state["skills"]) if blocked else ()
                ),
                flag_reason=ss.get("flag_reason") if status == "flagged" else None,
            )
        )
    return rows
