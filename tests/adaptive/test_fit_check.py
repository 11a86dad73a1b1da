"""Fitting that cannot mislead (issue 12, item 5): MAP/shrinkage EM, no NaN on one-way
histories, and degenerate fits rejected with a readable reason."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest

from adaptive.mastery.em import fit_bkt, fit_skill_arrays, log_likelihood, simulate_bkt
from adaptive.mastery.fit_check import judge_fit
from adaptive.modules.format import BKTParams

MODULE = BKTParams(prior=0.3, learn=0.2, guess=0.25, slip=0.1)


def _finite(p: BKTParams) -> bool:
    return all(math.isfinite(v) for v in p.to_dict().values())


@pytest.mark.parametrize("kw", [
    {}, {"forgets": True}, {"anchor": MODULE, "strength": 10.0, "forgets": True},
])
def test_500_right_then_500_wrong_gives_numbers_not_nan(kw) -> None:
    seq = [np.r_[np.ones(500), np.zeros(500)].astype(np.int8)]
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a 0/0 would raise "invalid value encountered"
        fit = fit_bkt(seq, **kw)
        ll = log_likelihood(fit.params, seq)
    assert _finite(fit.params) and math.isfinite(fit.log_likelihood) and math.isfinite(ll)
    verdict = judge_fit(fit.params, n_learners=1, n_answers=1000)
    assert not verdict.accepted and verdict.reasons[0].startswith("Not enough data yet")


def test_all_right_and_all_wrong_learners_do_not_divide_by_zero() -> None:
    seqs = [np.ones(30, dtype=np.int8)] * 30 + [np.zeros(30, dtype=np.int8)] * 30
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        plain = fit_bkt(seqs)
        shrunk = fit_bkt(seqs, anchor=MODULE, strength=10.0)
    assert _finite(plain.params) and _finite(shrunk.params)
    # the plain fit is degenerate (learn ~ 0, mastery after one answer) and rejected
    reasons = " ".join(judge_fit(plain.params, n_learners=60, n_answers=1800).reasons)
    assert "almost no learning" in reasons and "One correct answer" in reasons


def test_shrinkage_pulls_a_small_skill_toward_the_module_and_leaves_a_big_one() -> None:
    true = BKTParams(prior=0.35, learn=0.15, guess=0.2, slip=0.12)
    rng = np.random.default_rng(0)
    big = simulate_bkt(true, 2000, 20, rng)
    small = simulate_bkt(true, 8, 4, rng)
    far = BKTParams(prior=0.8, learn=0.4, guess=0.3, slip=0.05)
    plain_small = fit_bkt(small).params
    shrunk_small = fit_bkt(small, anchor=far, strength=10.0).params
    for name in ("prior", "learn"):
        assert abs(getattr(shrunk_small, name) - getattr(far, name)) < abs(
            getattr(plain_small, name) - getattr(far, name))
    shrunk_big = fit_bkt(big, anchor=far, strength=10.0).params
    for name in ("prior", "learn", "guess", "slip"):
        assert getattr(shrunk_big, name) == pytest.approx(getattr(true, name), abs=0.03)


def test_anchors_per_skill_in_one_vectorised_fit() -> None:
    rng = np.random.default_rng(1)
    seqs = simulate_bkt(BKTParams(prior=0.4, learn=0.2, guess=0.2, slip=0.1), 6, 3, rng)
    learner = np.concatenate([np.full(s.size, i) for i, s in enumerate(seqs)] * 2)
    skill = np.array(["a"] * sum(s.size for s in seqs) + ["b"] * sum(s.size for s in seqs))
    correct = np.concatenate(seqs * 2)
    anchors = {"a": BKTParams(prior=0.1), "b": BKTParams(prior=0.9)}
    fits = fit_skill_arrays(learner, skill, correct, anchors=anchors, strength=20.0)
    assert fits["a"].params.prior < fits["b"].params.prior


@pytest.mark.parametrize(("params", "phrase"), [
    (BKTParams(prior=0.3, learn=0.2, guess=0.45, slip=0.1), "Guess 0.45"),
    (BKTParams(prior=0.3, learn=0.2, guess=0.2, slip=0.45), "Slip 0.45"),
    (BKTParams(prior=0.3, learn=0.005, guess=0.2, slip=0.1), "almost no learning"),
    (BKTParams(prior=0.9, learn=0.2, guess=0.05, slip=0.1), "One correct answer"),
])
def test_degenerate_fits_are_rejected_with_a_reason(params, phrase) -> None:
    verdict = judge_fit(params, n_learners=100, n_answers=1000)
    assert not verdict.accepted
    assert any(phrase in r for r in verdict.reasons), verdict.reasons


def test_guess_plus_slip_at_least_one_is_rejected() -> None:
    # BKTParams keeps each below 0.5, so the sum can only be checked on a bypassed object
    p = object.__new__(BKTParams)
    for name, value in dict(prior=0.3, learn=0.2, guess=0.6, slip=0.5, forget=0.0).items():
        object.__setattr__(p, name, value)
    reasons = " ".join(judge_fit(p, n_learners=100, n_answers=1000).reasons)
    assert "Guess + slip is 1 or more" in reasons


def test_a_plausible_fit_with_enough_data_is_accepted() -> None:
    verdict = judge_fit(BKTParams(prior=0.3, learn=0.15, guess=0.2, slip=0.1),
                        n_learners=40, n_answers=300)
    assert verdict.accepted and verdict.reasons == ()
