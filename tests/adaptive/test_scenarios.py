"""The held-out learner models of the robustness benchmark change the hidden truth as named
(issue 12, item 4), and never the module the engine sees."""

from __future__ import annotations

import numpy as np
import pytest

from adaptive.simulation.scenarios import SCENARIOS


def _build(name: str, n: int = 600):
    return SCENARIOS[name].build(np.random.default_rng(0), n)


def test_the_module_is_the_same_in_every_scenario() -> None:
    base, _, _ = _build("default")
    for name in SCENARIOS:
        module, _, _ = _build(name)
        assert module == base, name


def test_guess_and_slip_above_the_defaults() -> None:
    _, truth, _ = _build("guess-slip")
    guess, slip = np.array(list(truth.values())).T
    assert guess.mean() == pytest.approx(0.3, abs=0.01)
    assert slip.mean() == pytest.approx(0.15, abs=0.01)


def test_slower_learning() -> None:
    _, _, default = _build("default")
    _, _, slow = _build("slow")
    assert np.mean([lr.learn_rate for lr in default]) == pytest.approx(0.25, abs=0.02)
    assert np.mean([lr.learn_rate for lr in slow]) == pytest.approx(0.125, abs=0.02)
    assert {lr.page_learn for lr in slow} == {0.15}


def _skill_correlation(learners) -> float:
    known = np.array([[lr.known[f"s{k}"] for k in range(1, 7)] for lr in learners], dtype=float)
    corr = np.corrcoef(known.T)
    return float(corr[np.triu_indices(6, 1)].mean())


def test_independent_skills_carry_no_learner_level_correlation() -> None:
    assert _skill_correlation(_build("default")[2]) > 0.3
    assert abs(_skill_correlation(_build("independent")[2])) < 0.05


def test_difficulty_moves_guess_and_slip_with_the_item() -> None:
    module, truth, _ = _build("difficulty")
    items = [i for i in module.items if i.primary_skill == "s1"]
    hard, easy = max(items, key=lambda i: i.difficulty), min(items, key=lambda i: i.difficulty)
    assert truth[hard.id][1] > truth[easy.id][1] + 0.1  # slip higher on the hard item
    assert truth[hard.id][0] < truth[easy.id][0] - 0.1  # guess lower
