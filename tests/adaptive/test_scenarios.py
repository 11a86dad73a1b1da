"""The held-out learner models of the robustness benchmark change the hidden truth as named
(issue 12, item 4), and never the module the engine sees."""

from __future__ import annotations

import numpy as np
import pytest

from adaptive.simulation.scenarios import (
    ALL_SCENARIOS,
    FRESH3_SCENARIOS,
    FRESH_SCENARIOS,
    SCENARIOS,
)


def _build(name: str, n: int = 600):
    return ALL_SCENARIOS[name].build(np.random.default_rng(0), n)


def test_the_fresh_models_are_new_names() -> None:
    assert not set(FRESH_SCENARIOS) & set(SCENARIOS)
    assert not set(FRESH3_SCENARIOS) & (set(SCENARIOS) | set(FRESH_SCENARIOS))


def test_the_module_is_the_same_in_every_scenario() -> None:
    base, _, _ = _build("default")
    for name in ALL_SCENARIOS:
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


def test_the_population_mix_of_the_fresh_models() -> None:
    def share_known(name: str, population: str) -> float:
        learners = [lr for lr in _build(name, 3000)[2] if lr.population == population]
        return float(np.mean([v for lr in learners for v in lr.known.values()]))

    assert share_known("weak-experts", "expert") == pytest.approx(0.8, abs=0.03)
    assert share_known("weak-experts", "intermediate") == pytest.approx(0.4, abs=0.03)
    experts = [lr for lr in _build("many-experts", 1000)[2] if lr.population == "expert"]
    assert len(experts) == pytest.approx(600, abs=2)


def test_slip_high_and_slower() -> None:
    _, truth, _ = _build("slip-high")
    guess, slip = np.array(list(truth.values())).T
    assert guess.mean() == pytest.approx(0.25, abs=0.01)
    assert slip.mean() == pytest.approx(0.2, abs=0.01)
    _, _, slower = _build("slower")
    assert np.mean([lr.learn_rate for lr in slower]) == pytest.approx(2 / 24, abs=0.01)


def test_mixed_correlation_lies_between_together_and_independent() -> None:
    together = _skill_correlation(_build("default", 3000)[2])
    mixed = _skill_correlation(_build("mixed-correlation", 3000)[2])
    assert 0.05 < mixed < together - 0.1
    # The learners whose skills are independent are a population the oracle can name: the
    # mixture's mean level, on every skill (bench/expert_waste_bound.py, ``model_for``).
    from bench.expert_waste_bound import model_for

    model = model_for(FRESH3_SCENARIOS["mixed-correlation"])
    assert model.shares.tolist() == pytest.approx([0.15, 0.25, 0.1, 0.5])
    assert model.levels[-1] == pytest.approx(0.3 * 0.95 + 0.5 * 0.5 + 0.2 * 0.05)


def test_difficulty_reversed_and_the_guess_levels_of_the_third_set() -> None:
    module, truth, _ = _build("difficulty-reversed")
    items = [i for i in module.items if i.primary_skill == "s1"]
    hard, easy = max(items, key=lambda i: i.difficulty), min(items, key=lambda i: i.difficulty)
    assert truth[hard.id][1] < truth[easy.id][1] - 0.05  # slip lower on the hard item
    assert truth[hard.id][0] > truth[easy.id][0] + 0.05  # guess higher
    for name, guess, slip in (("three-choice-careful", 0.33, 0.05),
                              ("five-choice-sloppy", 0.15, 0.12)):
        g, s = np.array(list(_build(name)[1].values())).T
        assert g.mean() == pytest.approx(guess, abs=0.01), name
        assert s.mean() == pytest.approx(slip, abs=0.01), name
    _, _, fast = _build("fast-mixed", 2000)
    assert np.mean([lr.learn_rate for lr in fast]) == pytest.approx(0.4, abs=0.02)
