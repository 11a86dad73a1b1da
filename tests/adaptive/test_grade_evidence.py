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
from adaptive.simulation.quizzes import imported_quiz
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


def _quiz(choices: int) -> Module:
    """A quiz as a teacher imports it from Moodle (GIFT): three skills of eight
    single-choice questions with ``choices`` answers each; 2 is true/false."""
    return imported_quiz(choices)


def test_partial_credit_weighs_each_answer_at_its_items_chance_rate():
    """The skill's guess (0.2 here) is below a true/false item's chance rate (0.5; the
    engine raises the guess to 0.45 for it): four right of six on such items is what a
    guesser does a third of the time. The evidence read the answers with the skill's guess
    and gave that record about 0.86; read at the items' rate it is below 0.5."""
    from adaptive.grading.score import evidence
    from adaptive.mastery.chance import with_guess_floor
    from adaptive.policy.base import make_model

    module = _quiz(2)
    sid = module.skills[0].id
    params = module.bkt_for(sid)
    item_guess = make_model(module).params_for(sid, module.items_for(sid)[0].id).guess
    record = [True, True, False, True, False, True]
    assert params.guess < item_guess
    floored = evidence(with_guess_floor(params, item_guess), record)
    assert evidence(params, record, [item_guess] * 6) == pytest.approx(floored)
    assert floored < 0.5 < 0.8 < evidence(params, record)


@pytest.mark.parametrize("choices", [2, 3])
def test_a_guessers_partial_credit_on_an_imported_quiz_is_next_to_nothing(choices):
    """On an imported true/false (three-choice) quiz a guesser's skills in progress got
    0.32 (0.11) of credit on average: the evidence weighed every answer with the skill's
    guess of 0.2, and five right of six true/false answers, which one guesser in nine
    gets, still counts 0.79 at the items' chance rate. Read at the items' rate, and with
    no credit for a record a guesser matches more than 1 time in 20: below 0.01."""
    module = _quiz(choices)
    partial = []
    for seed in range(150):
        rng = random.Random(seed)
        final = play(module, lambda item, rng=rng: random_guess(item, rng), seed=seed)
        partial += [r.credit for r in grade(module, final.state).per_skill if not r.mastered]
    assert partial
    assert sum(partial) / len(partial) <= 0.01


def test_partial_credit_needs_a_record_a_guesser_rarely_matches():
    """Four right of six four-choice answers: a guesser does that 1 time in 27, and the
    record earns its evidence. Three of six, 1 time in 6: nothing (it earned 0.1)."""
    from adaptive.grading.score import PARTIAL_GUESS_CHANCE, guessing_tail

    assert guessing_tail([0.25] * 6, 4) == pytest.approx(0.0376, abs=1e-4)
    assert guessing_tail([0.25] * 6, 4) <= PARTIAL_GUESS_CHANCE < guessing_tail([0.25] * 6, 3)
    assert guessing_tail([0.5] * 6, 5) == pytest.approx(7 / 64)
    assert guessing_tail([0.3, 0.5], 0) == 1.0 and guessing_tail([0.3, 0.5], 3) == 0.0
    module = _quiz(4)
    sid = module.skills[0].id
    state = play(module, lambda item: random_guess(item, random.Random(0)), seed=0).state
    ss = state["skills"][sid]
    ss.update(status="practising", est={"k": 0.9, "u": 0.1, "n": 6}, attempts=6,
              p_answered=0.9)
    state["history"] = [i.id for i in module.items_for(sid)[:6]]
    ss["recent"] = [False, False, True, True, True, True]
    four = grade(module, state).per_skill[0].credit
    ss["recent"] = [False, True, False, True, True, False]
    three = grade(module, state).per_skill[0].credit
    assert four > 0.5 and three == 0.0


def test_a_state_without_its_history_gets_no_more_partial_credit():
    """A state from before the history was kept: every answer is read at the skill's highest
    chance rate, so the credit is never more than the answers show."""
    module = _quiz(2)
    rng = random.Random(3)
    final = play(module, lambda item: random_guess(item, rng), seed=3)
    with_history = grade(module, final.state)
    state = {**final.state}
    state.pop("history")
    without = grade(module, state)
    for a, b in zip(with_history.per_skill, without.per_skill, strict=True):
        assert b.credit <= a.credit + 1e-12
