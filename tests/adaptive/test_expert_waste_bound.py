"""The oracle bound on experts' waste (bench/expert_waste_bound.py, issue 12 item 4): its
posterior and its stopping rule on a two-item toy case whose numbers are computed by hand."""

from __future__ import annotations

import numpy as np
import pytest

from adaptive.simulation.learners import SimLearner
from adaptive.simulation.runner import summarise
from adaptive.simulation.synthetic import synthetic_module
from bench.expert_waste_bound import (
    OracleModel,
    Rules,
    beta_grid,
    item_order,
    learn,
    observe,
    p_known,
    run_oracle,
    start_skill,
)

#: One population, half the learners know the skill, nobody learns, pages teach nothing.
TOY = OracleModel(shares=np.array([1.0]), levels=np.array([0.5]), t_grid=np.array([0.0]),
                  t_weights=np.array([1.0]), page_learn=0.0)


def _belief(n: int = 1) -> np.ndarray:
    return start_skill(np.ones((n, 1, 1)), TOY, None)


def test_posterior_after_two_answers_matches_the_hand_computation() -> None:
    # prior 0.5, guess 0.25, slip 0.1: right, right -> 0.405 / (0.405 + 0.03125);
    # right, wrong -> 0.045 / (0.045 + 0.09375).
    w = observe(_belief(2), np.array([True, True]), 0.25, 0.1)
    w = observe(w, np.array([True, False]), 0.25, 0.1)
    assert p_known(w) == pytest.approx([0.405 / 0.43625, 0.045 / 0.13875])


def test_learning_moves_unknown_mass_per_grid_point() -> None:
    model = OracleModel(np.array([1.0]), np.array([0.0]), np.array([0.1, 0.5]),
                        np.array([0.5, 0.5]), 0.0)
    w = learn(start_skill(np.full((1, 1, 2), 0.5), model, None), model.t_grid)
    assert p_known(w) == pytest.approx([0.5 * 0.1 + 0.5 * 0.5])


def test_carried_prior_is_capped() -> None:
    model = OracleModel(np.array([1.0]), np.array([0.95]), np.array([0.0]), np.array([1.0]),
                        0.0)
    assert p_known(start_skill(np.ones((1, 1, 1)), model, 0.75)) == pytest.approx([0.75])
    assert p_known(start_skill(np.ones((1, 1, 1)), model, None)) == pytest.approx([0.95])


def test_beta_grid_keeps_the_mean() -> None:
    grid, weights = beta_grid(2.0, 6.0)
    assert float(grid @ weights) == pytest.approx(0.25, abs=0.002)


def _toy_run(threshold: float, rules: Rules, n: int = 20_000):
    module, _ = synthetic_module(np.random.default_rng(0), skills=1, items_per_skill=2,
                                 diagnostic_per_skill=2)
    truth = {i.id: (0.25, 0.0) for i in module.items}  # a knower never slips
    learners = [SimLearner(i, "expert", 0.0, {"s1": i % 2 == 0}, page_learn=0.0)
                for i in range(n)]
    out = run_oracle(module, truth, learners, TOY, np.random.default_rng(1),
                     threshold=threshold, rules=rules, max_answers=2)
    return summarise(out, set())


def test_two_right_answers_award_with_the_hand_computed_false_mastery() -> None:
    # Two right: posterior 0.5 / (0.5 + 0.5/16) = 0.941 >= 0.9, so a knower is awarded after
    # exactly two items and a non-knower when both guesses land (1/16):
    # false mastery = (0.5/16) / (0.5 + 0.5/16) = 1/17.
    m = _toy_run(0.9, Rules(guess_floor=True, min_correct=2, prior_cap=None))
    assert m["expert_wasted"] == pytest.approx(2.0)
    assert m["false_mastery"] == pytest.approx(1 / 17, abs=0.006)


def test_one_right_answer_awards_only_without_the_two_answer_rule() -> None:
    # One right: 0.5 / (0.5 + 0.125) = 0.8 >= 0.75; a non-knower is awarded at the first
    # item with 1/4, and never after a wrong answer (a knower never slips): 0.125 / 0.625.
    free = _toy_run(0.75, Rules(guess_floor=False, min_correct=1, prior_cap=None))
    assert free["expert_wasted"] == pytest.approx(1.0)
    assert free["false_mastery"] == pytest.approx(0.2, abs=0.01)
    issue = _toy_run(0.75, Rules(guess_floor=True, min_correct=2, prior_cap=None))
    assert issue["expert_wasted"] == pytest.approx(2.0)


def test_a_threshold_out_of_reach_flags_everyone() -> None:
    m = _toy_run(0.95, Rules(min_correct=2, prior_cap=None), n=200)  # 0.941 < 0.95
    assert m["false_mastery"] == 0.0
    assert m["flagged_share"] == 1.0
    assert m["expert_wasted"] == pytest.approx(2.0)


def test_kl_order_asks_the_least_slipped_item_first() -> None:
    module, _ = synthetic_module(np.random.default_rng(0), skills=1, items_per_skill=3,
                                 diagnostic_per_skill=1)
    ids = [i.id for i in module.items]
    truth = {ids[0]: (0.3, 0.2), ids[1]: (0.3, 0.02), ids[2]: (0.3, 0.1)}
    assert [r[0] for r in item_order(module, truth, "s1", "kl", True)] == [
        ids[1], ids[2], ids[0]]
    # The engine's order: the diagnostic item (the hardest) first.
    assert item_order(module, truth, "s1", "engine", True)[0][0] == ids[2]


def test_oracle_on_a_scenario_honours_the_two_answer_rule() -> None:
    from adaptive.simulation.scenarios import SCENARIOS
    from bench.expert_waste_bound import RULES, model_for

    module, truth, learners = SCENARIOS["default"].build(np.random.default_rng(3), 120)
    out = run_oracle(module, truth, learners, model_for(SCENARIOS["default"]),
                     np.random.default_rng(4), threshold=0.95, rules=RULES["issue"])
    cells = [so for o in out for so in o.skills.values()]
    awarded = [so for so in cells if so.awarded]
    assert awarded and all(so.items >= 2 for so in awarded)
    assert all(so.flagged == (not so.awarded) for so in cells)
    assert all(so.items <= 18 for so in cells)
    # Nobody's learning was undone, and no learner is mutated by the oracle.
    assert all(not so.known_at_start or so.known_at_end for so in cells)
    assert [lr.known for lr in learners] == [lr.known_at_start for lr in learners]
