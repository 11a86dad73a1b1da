"""Mastery models: BKT (default), and alternatives behind the same interface."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adaptive.mastery.base import MasteryModel
from adaptive.mastery.bkt import (
    STATE_FLOOR,
    BKTModel,
    bkt_observe,
    bkt_p_correct,
    bkt_transition,
    bkt_update,
)
from adaptive.mastery.em import (
    FitResult,
    FlatSequences,
    fit_bkt,
    fit_skill_arrays,
    fit_skills,
    group_arrays,
    group_responses,
    log_likelihood,
    predict_one_step,
    simulate_bkt,
)
from adaptive.mastery.ema import EMAModel
from adaptive.mastery.metrics import accuracy, auc, log_loss, rmse
from adaptive.mastery.streak import StreakModel

MODELS: dict[str, Callable[..., MasteryModel]] = {
    "bkt": BKTModel,
    "ema": EMAModel,
    "streak": StreakModel,
}


def make_model(name: str, **kw: Any) -> MasteryModel:
    """Build a mastery model by name ("bkt", "ema", "streak"); ``kw`` go to its constructor."""
    try:
        cls = MODELS[name]
    except KeyError:
        raise ValueError(f"unknown mastery model {name!r}; choose from {sorted(MODELS)}") from None
    return cls(**kw)


__all__ = [
    "MODELS",
    "STATE_FLOOR",
    "BKTModel",
    "EMAModel",
    "FitResult",
    "FlatSequences",
    "MasteryModel",
    "StreakModel",
    "accuracy",
    "auc",
    "bkt_observe",
    "bkt_p_correct",
    "bkt_transition",
    "bkt_update",
    "fit_bkt",
    "fit_skill_arrays",
    "fit_skills",
    "group_arrays",
    "group_responses",
    "log_likelihood",
    "log_loss",
    "make_model",
    "predict_one_step",
    "rmse",
    "simulate_bkt",
]
