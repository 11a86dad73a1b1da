"""Prediction metrics for knowledge tracing (numpy only)."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def _pair(y_true: ArrayLike, y_score: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true, dtype=float).ravel()
    p = np.asarray(y_score, dtype=float).ravel()
    if y.shape != p.shape:
        raise ValueError("y_true and y_score must have the same length")
    if y.size == 0:
        raise ValueError("no observations")
    return y, p


def average_ranks(values: ArrayLike) -> np.ndarray:
    """1-based ranks; tied values get the mean of the ranks they span."""
    v = np.asarray(values, dtype=float).ravel()
    order = np.argsort(v, kind="mergesort")
    sorted_v = v[order]
    # start index of each run of equal values
    new_run = np.concatenate(([True], sorted_v[1:] != sorted_v[:-1]))
    run_id = np.cumsum(new_run) - 1
    run_start = np.flatnonzero(new_run)
    run_end = np.concatenate((run_start[1:], [v.size]))  # exclusive
    mean_rank = (run_start + 1 + run_end) / 2.0  # mean of ranks start+1 .. end
    ranks = np.empty(v.size)
    ranks[order] = mean_rank[run_id]
    return ranks


def auc(y_true: ArrayLike, y_score: ArrayLike) -> float:
    """Area under the ROC curve (Mann-Whitney U); a tied pair counts one half."""
    y, p = _pair(y_true, y_score)
    pos = y > 0.5
    n_pos = int(pos.sum())
    n_neg = y.size - n_pos
    if n_pos == 0 or n_neg == 0:
        raise ValueError("AUC needs both classes")
    ranks = average_ranks(p)
    return float((ranks[pos].sum() - n_pos * (n_pos + 1) / 2.0) / (n_pos * n_neg))


def rmse(y_true: ArrayLike, y_score: ArrayLike) -> float:
    """Root mean squared error of the predicted probabilities."""
    y, p = _pair(y_true, y_score)
    return float(np.sqrt(np.mean((y - p) ** 2)))


def accuracy(y_true: ArrayLike, y_score: ArrayLike, threshold: float = 0.5) -> float:
    """Share of answers whose prediction (score >= threshold) is right."""
    y, p = _pair(y_true, y_score)
    return float(np.mean((p >= threshold) == (y > 0.5)))


def log_loss(y_true: ArrayLike, y_score: ArrayLike, eps: float = 1e-12) -> float:
    """Mean negative log-likelihood (natural log); scores are clipped to [eps, 1 - eps]."""
    y, p = _pair(y_true, y_score)
    p = np.clip(p, eps, 1.0 - eps)
    return float(-np.mean(y * np.log(p) + (1.0 - y) * np.log1p(-p)))
