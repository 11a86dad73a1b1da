"""Simulated learners, answer synthesis and the runner's metrics."""

from __future__ import annotations

import numpy as np
import pytest

from adaptive.grading.answers import evaluate_answer
from adaptive.modules.format import AnswerGroup, Item, ItemType, Match
from adaptive.simulation.learners import SimLearner, make_learners, slowest_quarter
from adaptive.simulation.runner import (
    correct_answer,
    run_population,
    summarise,
    wrong_answer,
)
from adaptive.simulation.synthetic import synthetic_module


def test_synthetic_module_shape_and_hidden_params():
    module, truth = synthetic_module(np.random.default_rng(0), chain=True, remediation=True)
    assert [s.id for s in module.skills] == [f"s{k}" for k in range(1, 7)]
    assert module.skill("s3").prerequisites == ("s2",)
    assert len(module.items_for("s1")) == 20
    assert sum(i.diagnostic for i in module.items_for("s1")) == 4
    assert all(0.15 <= g <= 0.25 and 0.05 <= s <= 0.15 for g, s in truth.values())
    assert {p.id for p in module.pages} >= {"s1-lesson", "s1-fix"}


def test_population_mix_and_learning_rates():
    rng = np.random.default_rng(0)
    learners = make_learners(1000, ["a", "b"], rng)
    counts = {
        p: sum(lr.population == p for lr in learners) for p in ("expert", "intermediate", "novice")
    }
    assert counts == {"expert": 300, "intermediate": 500, "novice": 200}
    assert 0.2 < np.mean([lr.learn_rate for lr in learners]) < 0.3
    experts = [lr for lr in learners if lr.population == "expert"]
    assert np.mean([lr.known["a"] for lr in experts]) > 0.9
    slow = slowest_quarter(learners)
    assert 240 <= len(slow) <= 260


def test_learner_learns_from_items_and_pages():
    rng = np.random.default_rng(0)
    lr = SimLearner(0, "novice", 1.0, {"a": False})
    assert lr.answers_correctly("a", 0.0, 0.0, rng) is False
    lr.after_item("a", rng)
    assert lr.known["a"] and not lr.known_at_start["a"]
    lr2 = SimLearner(1, "novice", 0.0, {"a": False}, page_learn=1.0)
    lr2.after_page("a", rng)
    assert lr2.known["a"]


@pytest.mark.parametrize(
    "item_type,match,wrong_match",
    [
        (ItemType.NUMERIC, Match(value=0.5, tolerance=0.01), None),
        (ItemType.NUMERIC, Match(low=1, high=2), Match(low=3, high=4)),
        (ItemType.SHORT_TEXT, Match(text="three quarters"), None),
        (ItemType.MULTIPLE_CHOICE, Match(choices=("a", "c")), None),
    ],
)
def test_synthesised_answers_grade_as_intended(item_type, match, wrong_match):
    from adaptive.modules.format import Choice

    groups = [AnswerGroup(match, True)]
    if wrong_match is not None:
        groups.append(AnswerGroup(wrong_match, False))
    item = Item(
        "i",
        item_type,
        ("k",),
        "?",
        tuple(groups),
        choices=(Choice("a", "A"), Choice("b", "B"), Choice("c", "C")),
    )
    rng = np.random.default_rng(0)
    assert evaluate_answer(item, correct_answer(item)).correct is True
    wrong = evaluate_answer(item, wrong_answer(item, rng))
    assert wrong.correct is False


def test_runner_sanity_fixed_vs_adaptive():
    rng = np.random.default_rng(3)
    module, truth = synthetic_module(rng, skills=3)
    names = [s.id for s in module.skills]
    base = make_learners(200, names, np.random.default_rng(4))

    def fresh():
        return [
            SimLearner(lr.id, lr.population, lr.learn_rate, dict(lr.known_at_start)) for lr in base
        ]

    slow = slowest_quarter(base)
    fixed = summarise(
        run_population(module, truth, fresh(), np.random.default_rng(5), policy="linear"), slow
    )
    ours = summarise(
        run_population(
            module, truth, fresh(), np.random.default_rng(5), policy="adaptive", time_decisions=True
        ),
        slow,
    )
    assert fixed["items_per_skill"] == pytest.approx(5.0)
    assert fixed["pages_per_skill"] == pytest.approx(1.0)
    assert fixed["expert_wasted"] == pytest.approx(6.0)
    # a sanity bound only (3 skills, 200 learners); the goals are measured in bench/sim_branch.py
    assert ours["expert_wasted"] < 0.75 * fixed["expert_wasted"]
    assert ours["known_at_end"] >= fixed["known_at_end"] - 0.02
    for key in ("false_mastery", "missed_mastery", "known_at_end", "grade_mae"):
        assert 0.0 <= ours[key] <= 1.0
    assert ours["false_mastery"] < 0.08
    assert 0 < ours["decision_ms_median"] < 50


def test_the_bench_candidate_is_the_policy_with_its_options() -> None:
    """``bench/sim_branch.py --candidate`` compares a rule change with the shipped policy on
    the same learners: the candidate must really run with its options, and a misspelt option
    must stop the bench before any job starts."""
    from bench import sim_branch

    options = sim_branch.parse_candidate("diagnostic_learn=0.0, robust_learn=0.4")
    assert options == {"diagnostic_learn": 0.0, "robust_learn": 0.4}
    with pytest.raises(TypeError):
        sim_branch.parse_candidate("diagnostic_lern=0.5")
    sim_branch.register_candidate(options)
    from adaptive.policy import get_policy

    policy = get_policy("adaptive-candidate")
    assert policy.diagnostic_learn == 0.0 and policy.robust_learn == 0.4
    # The same seed and learners: the candidate with today's default options gives the
    # shipped policy's numbers exactly.
    sim_branch.register_candidate({})
    args = (20, 60, False, "independent", 0, {})
    _, _, shipped = sim_branch.run_one(("branchwise", *args))
    _, _, same = sim_branch.run_one(("candidate", *args))
    for key in ("false_mastery", "expert_wasted", "items_per_skill"):
        assert same[key] == shipped[key]
