"""Run any registered policy through the real engine with simulated learners.

``run_learner`` drives ``adaptive.engine`` step by step: pages teach, items are answered from
the learner's hidden state by building an answer that the item's own answer groups grade as
correct or wrong (so ``evaluate_answer`` runs for real). ``summarise`` turns outcomes into the
sim-branch-v1 metrics.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from statistics import median
from typing import Any

import numpy as np

from adaptive.engine import (
    ActivitySettings,
    AskItem,
    Finish,
    ItemAnswer,
    PageSeen,
    ShowPage,
    item_for_step,
    next_step,
    start,
)
from adaptive.grading.score import grade
from adaptive.modules.format import BKTParams, Item, ItemType, Match, Module
from adaptive.policy.base import PASSED_STATUSES
from adaptive.simulation.learners import SimLearner, slowest_quarter
from adaptive.simulation.synthetic import ItemTruth

#: A hard stop for a broken policy; sim-branch-v1 needs far fewer steps.
MAX_STEPS = 2000
_WRONG_TEXT = "\u2205 no such answer \u2205"


def correct_answer(item: Item) -> object:
    """An answer matched by the item's first correct answer group."""
    for group in item.answer_groups:
        if group.correct:
            return answer_matching(item, group.match)
    raise ValueError(f"item {item.id} has no correct answer group")


def wrong_answer(item: Item, rng: np.random.Generator) -> object:
    """An answer graded wrong: a wrong group's answer when there is one, else a non-match."""
    wrong = [g for g in item.answer_groups if not g.correct]
    if wrong:
        return answer_matching(item, wrong[int(rng.integers(len(wrong)))].match)
    correct_ids = {g.match.choice for g in item.answer_groups if g.correct}
    if item.type == ItemType.SINGLE_CHOICE:
        others = [c.id for c in item.choices if c.id not in correct_ids]
        if others:
            return others[int(rng.integers(len(others)))]
    if item.type == ItemType.NUMERIC:
        return 1e12
    if item.type in (ItemType.MULTIPLE_CHOICE, ItemType.ORDERING):
        return []
    return _WRONG_TEXT


def answer_matching(item: Item, match: Match) -> object:
    """An answer, in the shape ``evaluate_answer`` takes, that the rule ``match`` accepts: the
    choice(s) or order, the value or the middle of a range (its one bound when half-open), the
    text. A regex rule gets no generated example: its ``text``, else a non-answer."""
    if item.type == ItemType.SINGLE_CHOICE:
        return match.choice
    if item.type == ItemType.MULTIPLE_CHOICE:
        return list(match.choices)
    if item.type == ItemType.ORDERING:
        return list(match.order)
    if item.type == ItemType.NUMERIC:
        if match.value is not None:
            return match.value
        if match.low is not None and match.high is not None:
            return (match.low + match.high) / 2
        return match.low if match.low is not None else match.high
    return match.text if match.text is not None else _WRONG_TEXT


@dataclass
class SkillOutcome:
    items: int = 0
    pages: int = 0
    over_practice: int = 0  # items answered while the skill was already truly known
    awarded: bool = False
    known_at_award: bool | None = None
    awarded_by: str | None = None  # "known" (diagnostic) or "mastered" (practice)
    flagged: bool = False
    known_at_start: bool = False
    known_at_end: bool = False


@dataclass
class LearnerOutcome:
    learner_id: int
    population: str
    learn_rate: float
    skills: dict[str, SkillOutcome]
    grade: float
    steps: int
    decision_ns: list[int] = field(default_factory=list)
    #: (skill, correct) of every answer in order, one row per skill the item practises:
    #: what the tool logs, and what a course fit reads.
    answers: list[tuple[str, bool]] = field(default_factory=list)


def run_learner(
    module: Module,
    truth: ItemTruth,
    learner: SimLearner,
    rng: np.random.Generator,
    *,
    settings: ActivitySettings,
    seed: int = 0,
    time_decisions: bool = False,
    bkt_params: Mapping[str, BKTParams] | None = None,
) -> LearnerOutcome:
    """One learner through one module with ``settings.policy``; mutates ``learner.known``.

    ``bkt_params``: the course's fitted parameters per skill, as the tool passes them."""
    outcome = {s.id: SkillOutcome(known_at_start=learner.known[s.id]) for s in module.skills}
    answers: list[tuple[str, bool]] = []
    result = start(module, settings, seed=seed, bkt_params=bkt_params)
    state = result.state
    step = result.step
    statuses = {sid: ss["status"] for sid, ss in state["skills"].items()}
    times: list[int] = []
    steps = 0
    while not isinstance(step, Finish):
        steps += 1
        if steps > MAX_STEPS:
            raise RuntimeError(f"policy {settings.policy!r} did not finish in {MAX_STEPS} steps")
        if isinstance(step, ShowPage):
            page_skill = module.page(step.page_id).skill
            if page_skill in outcome:
                outcome[page_skill].pages += 1
            learner.after_page(page_skill, rng)
            response: PageSeen | ItemAnswer = PageSeen(step.page_id)
        else:
            assert isinstance(step, AskItem)
            item = item_for_step(module, state, step)  # with this showing's numbers
            skill = item.primary_skill
            guess, slip = truth.get(item.id, (0.2, 0.1))
            so = outcome[skill]
            so.items += 1
            so.over_practice += int(learner.known[skill])
            ok = learner.answers_correctly(skill, guess, slip, rng)
            answers.extend((sid, ok) for sid in item.skills)
            answer = correct_answer(item) if ok else wrong_answer(item, rng)
            learner.after_item(skill, rng)
            response = ItemAnswer(step.item_id, answer)
        t0 = time.perf_counter_ns()
        result = next_step(module, state, response, bkt_params=bkt_params)
        if time_decisions:
            times.append(time.perf_counter_ns() - t0)
        state, step = result.state, result.step
        for sid, ss in state["skills"].items():
            if ss["status"] != statuses[sid]:
                statuses[sid] = ss["status"]
                if ss["status"] in PASSED_STATUSES and outcome[sid].known_at_award is None:
                    outcome[sid].known_at_award = learner.known[sid]
                    outcome[sid].awarded_by = ss["status"]
    for sid, so in outcome.items():
        st = state["skills"][sid]["status"]
        so.awarded = st in PASSED_STATUSES
        so.flagged = st == "flagged"
        so.known_at_end = learner.known[sid]
    return LearnerOutcome(
        learner_id=learner.id,
        population=learner.population,
        learn_rate=learner.learn_rate,
        skills=outcome,
        grade=grade(module, state, bkt_params=bkt_params).score,
        steps=steps,
        decision_ns=times,
        answers=answers,
    )


def run_population(
    module: Module,
    truth: ItemTruth,
    learners: Sequence[SimLearner],
    rng: np.random.Generator,
    *,
    policy: str,
    base_seed: int = 0,
    settings: ActivitySettings | None = None,
    time_decisions: bool = False,
    bkt_params: Mapping[str, BKTParams] | None = None,
) -> list[LearnerOutcome]:
    """Every learner through the module with one policy (learners are mutated)."""
    settings = settings or ActivitySettings.from_module(module)
    settings = replace(settings, policy=policy)
    return [
        run_learner(
            module,
            truth,
            lr,
            rng,
            settings=settings,
            seed=base_seed + n,
            time_decisions=time_decisions,
            bkt_params=bkt_params,
        )
        for n, lr in enumerate(learners)
    ]


def _ratio(num: float, den: float) -> float:
    return num / den if den else 0.0


def summarise(
    outcomes: Iterable[LearnerOutcome], slow_ids: set[int] | None = None
) -> dict[str, Any]:
    """sim-branch-v1 metrics over learner-skills (see docs/benchmarks.md)."""
    outcomes = list(outcomes)
    if slow_ids is None:
        fake = [SimLearner(o.learner_id, o.population, o.learn_rate, {}) for o in outcomes]
        slow_ids = slowest_quarter(fake)
    pairs = [(o, so) for o in outcomes for so in o.skills.values()]
    n = len(pairs)
    awarded = [so for _, so in pairs if so.awarded]
    false = [so for so in awarded if so.known_at_award is False]
    by_diag = [so for so in awarded if so.awarded_by == "known"]
    slow_awarded = [so for o, so in pairs if so.awarded and o.learner_id in slow_ids]
    slow_false = [so for so in slow_awarded if so.known_at_award is False]
    known_end = [so for _, so in pairs if so.known_at_end]
    missed = [so for so in known_end if not so.awarded]
    expert_known = [so for o, so in pairs if o.population == "expert" and so.known_at_start]
    times = [t for o in outcomes for t in o.decision_ns]
    grade_err = [
        abs(o.grade - sum(so.known_at_end for so in o.skills.values()) / len(o.skills))
        for o in outcomes
    ]
    return {
        "learners": len(outcomes),
        "items_per_skill": _ratio(sum(so.items for _, so in pairs), n),
        "pages_per_skill": _ratio(sum(so.pages for _, so in pairs), n),
        "over_practice_per_skill": _ratio(sum(so.over_practice for _, so in pairs), n),
        "false_mastery": _ratio(len(false), len(awarded)),
        "false_mastery_slowest_q": _ratio(len(slow_false), len(slow_awarded)),
        "awarded_by_diagnostic": _ratio(len(by_diag), len(awarded)),
        "false_mastery_diagnostic": _ratio(
            sum(so.known_at_award is False for so in by_diag), len(by_diag)
        ),
        "missed_mastery": _ratio(len(missed), len(known_end)),
        "flagged_share": _ratio(sum(so.flagged for _, so in pairs), n),
        "expert_wasted": _ratio(sum(so.items + so.pages for so in expert_known), len(expert_known)),
        "known_at_end": _ratio(len(known_end), n),
        "grade_mae": _ratio(sum(grade_err), len(grade_err)),
        "decision_ms_median": median(times) / 1e6 if times else 0.0,
        "decision_ms_p99": float(np.percentile(times, 99)) / 1e6 if times else 0.0,
    }
