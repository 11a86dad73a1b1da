"""Issue 12.1, "no credit without evidence", through the real engine on the shipped samples."""

from __future__ import annotations

import random

import numpy as np
import pytest

from adaptive.engine import (
    ActivitySettings,
    AskItem,
)
from adaptive.grading.score import grade
from adaptive.modules.format import Item, ItemType, Module
from adaptive.samples import load_sample, sample_ids
from adaptive.simulation.runner import answer_matching, wrong_answer
from tests.support.engine_driver import play as drive

SAMPLES = sample_ids()


def random_guess(item: Item, rng: random.Random) -> object:
    """A learner who knows nothing and guesses: a uniformly random choice, subset or order;
    for typed answers, one of the answers the item's own groups name (right or wrong) or a
    non-answer, which is far luckier than typing at random."""
    ids = [c.id for c in item.choices]
    if item.type == ItemType.SINGLE_CHOICE:
        return rng.choice(ids)
    if item.type == ItemType.MULTIPLE_CHOICE:
        return rng.sample(ids, rng.randint(1, len(ids)))
    if item.type == ItemType.ORDERING:
        rng.shuffle(ids)
        return ids
    named = [answer_matching(item, g.match) for g in item.answer_groups]
    return rng.choice(named + [wrong_answer(item, np.random.default_rng(0))])


def play(module: Module, answer, settings: ActivitySettings | None = None, seed: int = 0,
         stop=None):
    """Drive the engine to the end (or until ``stop(step)``); return the last result."""
    return drive(module, answer, settings, seed=seed, stop=stop)[0]


@pytest.mark.parametrize("sample", SAMPLES)
def test_all_wrong_learner_gets_zero(sample):
    module = load_sample(sample)
    rng = np.random.default_rng(0)
    final = play(module, lambda item: wrong_answer(item, rng))
    report = grade(module, final.state)
    assert report.score == 0.0
    assert report.score_given == 0.0
    # and no skill never practised is reported as stuck
    assert all(not g.flagged or final.state["skills"][g.skill_id]["practice"] > 0
               for g in report.per_skill)


@pytest.mark.parametrize("sample", SAMPLES)
@pytest.mark.parametrize("policy", ["linear", "streak"])
def test_lesson_only_learner_gets_zero(sample, policy):
    """Lessons first (the lesson-first policies), then the learner stops at the first item:
    the lesson raised the estimate, but reading earns nothing."""
    module = load_sample(sample)
    settings = ActivitySettings.from_module(module, policy=policy)
    final = play(module, lambda item: None, settings, stop=lambda s: isinstance(s, AskItem))
    assert final.state["pages_seen"], "the learner read a lesson"
    first = final.state["skills"][final.step.skill]
    assert first["est"]["k"] > module.bkt_for(final.step.skill).prior  # the lesson counted
    assert grade(module, final.state).score == 0.0


@pytest.mark.parametrize("sample", SAMPLES)
def test_random_guesser_expected_grade_at_most_ten_percent(sample):
    module = load_sample(sample)
    scores = []
    for seed in range(120):
        rng = random.Random(seed)
        final = play(module, lambda item, rng=rng: random_guess(item, rng), seed=seed)
        scores.append(grade(module, final.state).score)
    assert sum(scores) / len(scores) <= 0.10
