"""A learner who knows nothing and guesses, run through a real module (issue 12, item 3).

The learner never learns: every choice item is answered with a uniformly random answer from
the item's answer space (one choice; a non-empty set of choices; an order), and every typed
item (numeric, short text) is answered wrong — a guesser has no finite list to pick from. The
answers go through the real engine and the real answer evaluation, so a lucky click counts
exactly as it would in the activity.

Goal: such a learner is awarded no skill (no skill "known" or "mastered") in at least 97 % of
runs of each sample module.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from adaptive.engine import (
    ActivitySettings,
    AskItem,
    Finish,
    ItemAnswer,
    PageSeen,
    ShowPage,
    next_step,
    start,
)
from adaptive.grading.score import grade
from adaptive.modules.format import Item, ItemType, Module
from adaptive.policy.base import PASSED_STATUSES

_WRONG_TEXT = "\u2205 a guess \u2205"
MAX_STEPS = 2000


def guess_answer(item: Item, rng: random.Random) -> object:
    """A uniformly random answer from the item's answer space (typed items: a non-answer)."""
    ids = [c.id for c in item.choices]
    if item.type == ItemType.SINGLE_CHOICE and ids:
        return rng.choice(ids)
    if item.type == ItemType.MULTIPLE_CHOICE and ids:
        while True:  # uniform over the non-empty subsets
            chosen = [cid for cid in ids if rng.random() < 0.5]
            if chosen:
                return chosen
    if item.type == ItemType.ORDERING and ids:
        order = list(ids)
        rng.shuffle(order)
        return order
    if item.type == ItemType.NUMERIC:
        return 1e12
    return _WRONG_TEXT


@dataclass(frozen=True)
class GuessRun:
    awarded: tuple[str, ...]  # skills known or mastered at the end
    answers: int
    correct: int
    score: float = 0.0  # the LMS grade of the final state (``adaptive.grading.score``)


def run_guesser(
    module: Module, seed: int, settings: ActivitySettings | None = None
) -> GuessRun:
    """One guessing learner through ``module`` with its (or the given) settings."""
    rng = random.Random(seed)
    settings = settings or ActivitySettings.from_module(module)
    result = start(module, settings, seed=seed)
    answers = correct = 0
    for _ in range(MAX_STEPS):
        step = result.step
        if isinstance(step, Finish):
            break
        if isinstance(step, ShowPage):
            response: PageSeen | ItemAnswer = PageSeen(step.page_id)
        else:
            assert isinstance(step, AskItem)
            item = module.item(step.item_id)
            response = ItemAnswer(step.item_id, guess_answer(item, rng))
        result = next_step(module, result.state, response)
        if isinstance(response, ItemAnswer) and result.evaluation is not None:
            answers += 1
            correct += int(bool(result.evaluation.correct))
    else:
        raise RuntimeError(f"{module.id}: the guesser did not finish in {MAX_STEPS} steps")
    awarded = tuple(
        sid for sid, ss in result.state["skills"].items() if ss["status"] in PASSED_STATUSES
    )
    return GuessRun(awarded, answers, correct, grade(module, result.state).score)


@dataclass(frozen=True)
class GuesserSummary:
    no_skill: float  # share of runs awarded no skill
    per_skill: dict[str, int]  # skill -> runs it was awarded in
    mean_score: float  # the mean LMS grade, in [0, 1]


def guesser_summary(module: Module, runs: int, base_seed: int = 0) -> GuesserSummary:
    """``runs`` guessing learners through ``module``: how often no skill was awarded, how
    often each skill was, and their mean grade."""
    clean = 0
    total = 0.0
    per_skill: dict[str, int] = {s.id: 0 for s in module.skills}
    for n in range(runs):
        run = run_guesser(module, base_seed + n)
        clean += not run.awarded
        total += run.score
        for sid in run.awarded:
            per_skill[sid] += 1
    return GuesserSummary(clean / runs if runs else 1.0, per_skill,
                          total / runs if runs else 0.0)


def no_skill_share(module: Module, runs: int, base_seed: int = 0) -> tuple[float, dict[str, int]]:
    """Share of ``runs`` guessing learners awarded no skill, and how often each skill was."""
    summary = guesser_summary(module, runs, base_seed)
    return summary.no_skill, summary.per_skill
