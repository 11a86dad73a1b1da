"""Mastery models: BKT numerics, EMA, N-in-a-row, the factory and the protocol."""

from __future__ import annotations

import json

import pytest

from adaptive.mastery import (
    STATE_FLOOR,
    BKTModel,
    EMAModel,
    MasteryModel,
    StreakModel,
    bkt_update,
    make_model,
)
from adaptive.modules.format import BKTParams


def _run(model: MasteryModel, answers: list[bool], skill: str = "s") -> dict:
    est = model.initial(skill)
    for correct in answers:
        est = model.update(skill, est, correct)
    return est


@pytest.mark.parametrize(
    "params",
    [
        BKTParams(),  # defaults: forget = 0
        BKTParams(forget=0.0, slip=0.2, guess=0.25, learn=0.1),
        BKTParams(forget=0.03),
    ],
)
def test_bkt_recovers_after_500_right_then_50_wrong(params: BKTParams) -> None:
    model = BKTModel(default=params)
    est = _run(model, [True] * 500)
    assert model.p_mastery(est) > 0.95  # forgetting caps it below 1
    assert est["u"] > 0.0  # never underflows to exactly 0
    est = _run_from(model, est, [False] * 50)
    assert model.p_mastery(est) < 0.5
    assert est["n"] == 550


def _run_from(model: MasteryModel, est: dict, answers: list[bool]) -> dict:
    for correct in answers:
        est = model.update("s", est, correct)
    return est


def test_bkt_floor_is_what_makes_recovery_possible() -> None:
    # without the floor (exact arithmetic up to underflow) the known state is absorbing
    model = BKTModel(floor=0.0)
    est = _run(model, [True] * 500 + [False] * 50)
    assert model.p_mastery(est) > 0.99
    assert STATE_FLOOR > 0.0


def test_bkt_state_stays_normalised_and_floored() -> None:
    params = BKTParams(prior=0.5, learn=0.3, guess=0.1, slip=0.05)
    k, u = 0.5, 0.5
    for _ in range(2000):
        k, u = bkt_update(params, k, u, True)
        assert k + u == pytest.approx(1.0)
        assert u >= STATE_FLOOR * 0.999


def test_bkt_one_update_by_hand() -> None:
    p = BKTParams(prior=0.3, learn=0.2, guess=0.2, slip=0.1)
    model = BKTModel(default=p)
    est = model.update("s", model.initial("s"), True)
    posterior = 0.3 * 0.9 / (0.3 * 0.9 + 0.7 * 0.2)
    assert est["k"] == pytest.approx(posterior + (1 - posterior) * 0.2)
    assert model.p_correct("s", model.initial("s")) == pytest.approx(0.3 * 0.9 + 0.7 * 0.2)
    # a lesson moves lesson_learn of the unknown mass to known
    after = model.after_lesson("s", model.initial("s"))
    assert after["k"] == pytest.approx(0.3 + 0.7 * 0.3)


def test_ema_update_and_threshold() -> None:
    model = EMAModel(alpha=0.8, threshold=0.9, initial_score={"a": 0.6})
    est = model.initial("a")
    assert est["s"] == 0.6 and model.initial("other")["s"] == 0.5
    est = model.update("a", est, True)
    assert est["s"] == pytest.approx(0.8 * 0.6 + 0.2)
    est = model.update("a", est, False)
    assert est["s"] == pytest.approx(0.8 * (0.8 * 0.6 + 0.2))
    assert model.p_correct("a", est) == model.p_mastery(est) == est["s"]
    est = _run(model, [True] * 20, "a")
    assert model.mastered(est)
    est = _run_from(model, est, [False])
    assert not model.mastered(est)  # one error drops 0.99 below 0.9 with alpha 0.8
    assert EMAModel().alpha == 0.85
    with pytest.raises(ValueError):
        EMAModel(alpha=1.0)


def test_streak_needs_n_in_a_row() -> None:
    model = StreakModel()
    assert model.n == 3
    est = _run(model, [True, True, False, True, True])
    assert not model.mastered(est) and model.p_mastery(est) == pytest.approx(2 / 3)
    est = _run_from(model, est, [True])
    assert model.mastered(est) and model.p_mastery(est) == 1.0
    assert model.p_mastery(_run_from(model, est, [True, True])) == 1.0
    est = _run_from(model, est, [False])
    assert model.p_mastery(est) == 0.0 and est["n"] == 7
    # p_correct ranks longer streaks higher
    scores = [model.p_correct("s", {"streak": k, "n": k}) for k in range(5)]
    assert scores == sorted(scores) and scores[0] < scores[3] == scores[4]


@pytest.mark.parametrize("name", ["bkt", "ema", "streak"])
def test_factory_builds_protocol_models_with_json_estimates(name: str) -> None:
    model = make_model(name)
    assert isinstance(model, MasteryModel)
    assert model.name == name
    est = model.initial("s")
    new = model.update("s", est, True)
    assert new is not est and est == model.initial("s")  # input not mutated
    new = model.after_lesson("s", new)
    json.dumps(new)
    assert 0.0 <= model.p_mastery(new) <= 1.0
    assert 0.0 <= model.p_correct("s", new) <= 1.0


def test_factory_passes_options_and_rejects_unknown() -> None:
    assert make_model("streak", n=5).n == 5
    assert make_model("ema", alpha=0.7).alpha == 0.7
    with pytest.raises(ValueError, match="unknown"):
        make_model("dkt")
