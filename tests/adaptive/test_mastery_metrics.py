"""Prediction metrics against brute-force definitions."""

from __future__ import annotations

import math

import numpy as np
import pytest

from adaptive.mastery import accuracy, auc, log_loss, rmse


def brute_auc(y: np.ndarray, p: np.ndarray) -> float:
    pos, neg = p[y == 1], p[y == 0]
    wins = sum(1.0 if a > b else 0.5 if a == b else 0.0 for a in pos for b in neg)
    return wins / (len(pos) * len(neg))


@pytest.mark.parametrize("seed", range(5))
def test_auc_matches_pairwise_count_with_ties(seed: int) -> None:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, 150)
    p = np.round(rng.random(150) * 0.5 + 0.3 * y, 1)  # coarse scores: many ties
    assert auc(y, p) == pytest.approx(brute_auc(y, p), abs=1e-12)


def test_auc_edge_cases() -> None:
    assert auc([0, 0, 1, 1], [0.1, 0.2, 0.3, 0.4]) == 1.0
    assert auc([1, 1, 0, 0], [0.1, 0.2, 0.3, 0.4]) == 0.0
    assert auc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == 0.5
    with pytest.raises(ValueError):
        auc([1, 1], [0.2, 0.3])


def test_rmse_accuracy_log_loss() -> None:
    y = np.array([1, 0, 1, 1])
    p = np.array([0.9, 0.2, 0.4, 0.5])
    assert rmse(y, p) == pytest.approx(math.sqrt((0.01 + 0.04 + 0.36 + 0.25) / 4))
    assert accuracy(y, p) == pytest.approx(0.75)  # 0.5 counts as predicting "correct"
    expected = -(math.log(0.9) + math.log(0.8) + math.log(0.4) + math.log(0.5)) / 4
    assert log_loss(y, p) == pytest.approx(expected)
    assert math.isfinite(log_loss([1, 0], [0.0, 1.0]))
