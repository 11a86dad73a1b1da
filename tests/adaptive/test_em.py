"""EM fitting of BKT: exact likelihood, parameter recovery, one-step predictions."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from adaptive.mastery import (
    BKTModel,
    FlatSequences,
    fit_bkt,
    fit_skill_arrays,
    fit_skills,
    log_likelihood,
    predict_one_step,
    simulate_bkt,
)
from adaptive.modules.format import BKTParams


def brute_force_log_likelihood(p: BKTParams, seq: list[int]) -> float:
    """Sum P(answers, path) over all 2^T hidden paths (1 = known)."""
    total = 0.0
    for path in itertools.product((0, 1), repeat=len(seq)):
        prob = p.prior if path[0] else 1.0 - p.prior
        for t, (known, correct) in enumerate(zip(path, seq, strict=True)):
            if known:
                prob *= (1.0 - p.slip) if correct else p.slip
            else:
                prob *= p.guess if correct else (1.0 - p.guess)
            if t + 1 < len(seq):
                nxt = path[t + 1]
                if known:
                    prob *= (1.0 - p.forget) if nxt else p.forget
                else:
                    prob *= p.learn if nxt else (1.0 - p.learn)
        total += prob
    return math.log(total)


@pytest.mark.parametrize("forget", [0.0, 0.08])
def test_log_likelihood_matches_brute_force(forget: float) -> None:
    rng = np.random.default_rng(7)
    params = BKTParams(prior=0.35, learn=0.2, guess=0.22, slip=0.13, forget=forget)
    seqs = [rng.integers(0, 2, size=int(rng.integers(1, 7))) for _ in range(30)]
    expected = sum(brute_force_log_likelihood(params, s.tolist()) for s in seqs)
    assert log_likelihood(params, seqs) == pytest.approx(expected, rel=1e-12, abs=1e-12)
    # and per sequence, so a compensating error between sequences cannot hide
    for s in seqs[:8]:
        assert log_likelihood(params, [s]) == pytest.approx(
            brute_force_log_likelihood(params, s.tolist()), rel=1e-12
        )


def test_fitted_log_likelihood_is_that_of_the_returned_params() -> None:
    sim = simulate_bkt(BKTParams(0.4, 0.2, 0.2, 0.1), 300, 8, np.random.default_rng(3))
    fit = fit_bkt(sim, restarts=2)
    assert fit.log_likelihood == pytest.approx(log_likelihood(fit.params, sim), rel=1e-9)
    # EM improves on the start values and on the true parameters' neighbourhood
    assert fit.log_likelihood >= log_likelihood(BKTParams(0.5, 0.1, 0.2, 0.1), sim)


def _check_recovery(true: BKTParams, fit: BKTParams, tol: float = 0.05) -> None:
    for name in ("prior", "learn", "guess", "slip", "forget"):
        assert abs(getattr(fit, name) - getattr(true, name)) <= tol, (name, fit, true)


def test_em_recovers_simulated_parameters() -> None:
    true = BKTParams(prior=0.35, learn=0.15, guess=0.2, slip=0.12, forget=0.0)
    sim = simulate_bkt(true, 2000, 15, np.random.default_rng(2024))
    fit = fit_bkt(sim, seed=1)
    assert fit.converged
    assert fit.params.forget == 0.0
    _check_recovery(true, fit.params)


def test_em_recovers_simulated_parameters_with_forgetting() -> None:
    true = BKTParams(prior=0.3, learn=0.2, guess=0.15, slip=0.1, forget=0.06)
    sim = simulate_bkt(true, 2000, 15, np.random.default_rng(99))
    fit = fit_bkt(sim, forgets=True, seed=2)
    _check_recovery(true, fit.params)
    assert fit.params.forget > 0.02


def test_guess_and_slip_are_bounded_in_fitting() -> None:
    # answers independent of practice and mostly wrong: an unbounded EM would
    # happily call the better-answering state "unknown"
    rng = np.random.default_rng(5)
    seqs = [(rng.random(10) < 0.3).astype(int) for _ in range(400)]
    fit = fit_bkt(seqs, forgets=True, restarts=4, max_guess_slip=0.3)
    assert fit.params.guess <= 0.3 and fit.params.slip <= 0.3
    for name in ("prior", "learn", "forget"):
        assert 0.0 < getattr(fit.params, name) < 1.0
    with pytest.raises(ValueError):
        fit_bkt(seqs, max_guess_slip=0.5)


@pytest.mark.parametrize("forget", [0.0, 0.05])
def test_predict_one_step_agrees_with_iterated_model(forget: float) -> None:
    params = BKTParams(prior=0.25, learn=0.18, guess=0.21, slip=0.09, forget=forget)
    rng = np.random.default_rng(11)
    seqs = [rng.integers(0, 2, size=int(rng.integers(1, 40))) for _ in range(50)]
    # a long run of correct answers then errors exercises the state floor
    seqs.append(np.array([1] * 400 + [0] * 30))
    model = BKTModel(default=params)
    predicted = predict_one_step(params, seqs)
    assert len(predicted) == len(seqs)
    for seq, pred in zip(seqs, predicted, strict=True):
        assert pred.shape == seq.shape
        est = model.initial("s")
        for correct, p in zip(seq.tolist(), pred.tolist(), strict=True):
            assert p == pytest.approx(model.p_correct("s", est), abs=1e-12)
            est = model.update("s", est, bool(correct))


def test_flat_representation_matches_list() -> None:
    rng = np.random.default_rng(4)
    student = rng.integers(0, 30, size=400)
    correct = rng.integers(0, 2, size=400)
    flat = FlatSequences(student, correct)
    seqs = [correct[student == s] for s in np.unique(student)]
    params = BKTParams(prior=0.4, learn=0.1, guess=0.2, slip=0.1, forget=0.02)
    assert log_likelihood(params, flat) == pytest.approx(log_likelihood(params, seqs), rel=1e-12)
    flat_pred = predict_one_step(params, flat)
    list_pred = predict_one_step(params, seqs)
    for s, pred in zip(np.unique(student), list_pred, strict=True):
        np.testing.assert_allclose(flat_pred[student == s], pred, rtol=0, atol=1e-15)
    a = fit_bkt(flat, restarts=2, seed=3)
    b = fit_bkt(seqs, restarts=2, seed=3)
    assert a.params.to_dict() == pytest.approx(b.params.to_dict(), abs=1e-9)


def test_fit_skills_fits_each_skill_separately() -> None:
    rng = np.random.default_rng(8)
    easy = simulate_bkt(BKTParams(0.7, 0.3, 0.25, 0.05), 600, 10, rng)
    hard = simulate_bkt(BKTParams(0.1, 0.05, 0.1, 0.2), 600, 10, rng)
    responses = []
    for learner in range(600):
        for t in range(10):  # interleaved in time
            responses.append((learner, "easy", int(easy[learner][t])))
            responses.append((learner, "hard", int(hard[learner][t])))
    fits = fit_skills(responses, restarts=3)
    assert set(fits) == {"easy", "hard"}
    assert fits["easy"].params.prior > 0.55 > 0.25 > fits["hard"].params.prior
    assert fits["easy"].n_answers == fits["hard"].n_answers == 6000
    # the batched fit equals fitting each skill on its own
    alone = fit_bkt(hard, restarts=3)
    assert fits["hard"].log_likelihood == pytest.approx(alone.log_likelihood, rel=1e-6)
    learner, skill, correct = (np.array(x) for x in zip(*responses, strict=True))
    arrays = fit_skill_arrays(learner, skill, correct, restarts=3)
    assert arrays["easy"].params == fits["easy"].params


def test_parallel_fit_equals_serial_fit():
    """jobs=2 splits skills across processes; random starts are drawn before the split."""
    from adaptive.mastery import fit_skill_arrays, simulate_bkt

    rng = np.random.default_rng(7)
    learner, skill, correct = [], [], []
    for k, params in enumerate([BKTParams(prior=0.2, learn=0.15, guess=0.2, slip=0.1),
                                BKTParams(prior=0.5, learn=0.3, guess=0.25, slip=0.05),
                                BKTParams(prior=0.1, learn=0.1, guess=0.15, slip=0.15)]):
        for i, seq in enumerate(simulate_bkt(params, 150 + 50 * k, 10, rng)):
            learner.extend([i] * len(seq))
            skill.extend([k] * len(seq))
            correct.extend(int(x) for x in seq)
    arrays = (np.array(learner), np.array(skill), np.array(correct))
    serial = fit_skill_arrays(*arrays, forgets=True, seed=3)
    parallel = fit_skill_arrays(*arrays, forgets=True, seed=3, jobs=2)
    assert serial.keys() == parallel.keys()
    for k in serial:
        assert parallel[k].params.to_dict() == pytest.approx(serial[k].params.to_dict())
        assert parallel[k].log_likelihood == pytest.approx(serial[k].log_likelihood)
