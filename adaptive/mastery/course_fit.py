"""Fit one course's answers into the BKT parameters its engine may use (issue 12, item 5).

The one recipe shared by the tool (``lti_tool.dashboard.fitting``, from logged answers) and
the simulated courses of ``bench/sim_branch.py --fit-after``: EM with forgetting
(``fit_skill_arrays``; BKT+forgets is what ``bench/kt_benchmark.py --resplit`` recommends),
MAP with ``strength`` pseudo-answers at the module's own parameters so a skill with little
data stays near them, and every fit judged (``judge_fit``) so only a plausible fit on enough
data reaches the engine.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from adaptive.mastery.em import FitResult, fit_skill_arrays
from adaptive.mastery.fit_check import (
    DEFAULT_STRENGTH,
    MIN_ANSWERS,
    MIN_LEARNERS,
    FitVerdict,
    judge_fit,
)
from adaptive.modules.format import BKTParams


@dataclass(frozen=True)
class SkillCourseFit:
    """One skill's fit and whether the engine may use it."""

    skill_id: str
    result: FitResult
    verdict: FitVerdict


def fit_course(
    learner: Sequence[object],
    skill: Sequence[str],
    correct: Sequence[int | bool],
    *,
    anchors: Mapping[str, BKTParams],
    threshold: float,
    strength: float = DEFAULT_STRENGTH,
    min_learners: int = MIN_LEARNERS,
    min_answers: int = MIN_ANSWERS,
    seed: int = 0,
) -> dict[str, SkillCourseFit]:
    """Per skill: the fit of these answers (parallel lists, each learner's in time order;
    an item practising several skills appears once per skill) and its verdict."""
    if not learner:
        return {}
    results = fit_skill_arrays(np.asarray(learner), np.asarray(skill),
                               np.asarray(correct, dtype=np.int8), anchors=anchors,
                               strength=strength, forgets=True, seed=seed)
    out = {}
    for sid in sorted(results):
        res = results[sid]
        verdict = judge_fit(res.params, n_learners=res.n_sequences, n_answers=res.n_answers,
                            threshold=threshold, min_learners=min_learners,
                            min_answers=min_answers)
        out[str(sid)] = SkillCourseFit(str(sid), res, verdict)
    return out


def accepted_params(fits: Mapping[str, SkillCourseFit]) -> dict[str, BKTParams]:
    """The parameters the engine uses: accepted fits only (the others keep the module's)."""
    return {sid: f.result.params for sid, f in fits.items() if f.verdict.accepted}
