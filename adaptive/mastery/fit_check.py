"""Is a fitted BKT fit to steer the engine? Each rejection carries a reason a teacher can read.

EM finds *a* likelihood maximum, not a plausible one. On ASSISTments, fits without priors had
guess > 0.3 or slip > 0.1 for most skills and showed mastery after one correct answer for about
a third (shared guide §4, §7). Such a fit would skip skills for lucky learners or never let
anyone through, so it is kept out of the engine and shown to the teacher with the reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from adaptive.defaults import MASTERY_THRESHOLD
from adaptive.modules.format import BKTParams

#: Least learners and answers on a skill before a fit of it is used (pyBKT reports parameter
#: error levelling off at about 50-100 learners per skill; 20 is the least we accept).
MIN_LEARNERS = 20
MIN_ANSWERS = 100
#: Below this a fitted learn rate says "nobody learns from practice": the mastery estimate
#: could then never rise from practice, so every learner would hit the practice cap.
MIN_LEARN = 0.01
#: Guess and slip at or above this are implausible (and the EM bound is 0.45: a fit that hit
#: the bound wanted more).
MAX_GUESS_SLIP = 0.45
#: Pseudo-observations at the module's parameters in every M-step (MAP fitting).
DEFAULT_STRENGTH = 10.0


@dataclass(frozen=True)
class FitVerdict:
    accepted: bool
    reasons: tuple[str, ...] = ()


def _after_one_correct(p: BKTParams) -> float:
    k, u = p.prior * (1.0 - p.slip), (1.0 - p.prior) * p.guess
    total = k + u
    if total <= 0.0:
        return 0.0
    k, u = k / total, u / total
    return k * (1.0 - p.forget) + u * p.learn


def judge_fit(
    params: BKTParams | None,
    *,
    n_learners: int,
    n_answers: int,
    threshold: float = MASTERY_THRESHOLD,
    min_learners: int = MIN_LEARNERS,
    min_answers: int = MIN_ANSWERS,
) -> FitVerdict:
    """Accept the fit, or reject it with every reason that applies, in plain words."""
    reasons: list[str] = []
    if n_learners < min_learners or n_answers < min_answers:
        reasons.append(
            f"Not enough data yet: {n_learners} learners and {n_answers} answers "
            f"(a fit needs at least {min_learners} learners and {min_answers} answers)."
        )
    if params is None:
        return FitVerdict(False, tuple(reasons) or ("The fit produced no parameters.",))
    values = params.to_dict()
    if not all(math.isfinite(v) for v in values.values()):
        reasons.append("The fit did not produce numbers (a 0/0 in the data).")
        return FitVerdict(False, tuple(reasons))
    if params.guess >= MAX_GUESS_SLIP:
        reasons.append(
            f"Guess {params.guess:.2f}: learners who do not know the skill would answer "
            "correctly about half the time, so a right answer would say little."
        )
    if params.slip >= MAX_GUESS_SLIP:
        reasons.append(
            f"Slip {params.slip:.2f}: learners who know the skill would get it wrong about "
            "half the time, so a wrong answer would say little."
        )
    if params.guess + params.slip >= 1.0:
        reasons.append(
            "Guess + slip is 1 or more: a right answer would be evidence of *not* knowing it."
        )
    if params.learn < MIN_LEARN:
        reasons.append(
            f"Learn {params.learn:.3f}: the data show almost no learning from practice, so "
            "no learner could reach mastery by practising."
        )
    after = _after_one_correct(params)
    if after >= threshold:
        reasons.append(
            f"One correct answer would already show mastery (P = {after:.2f}, threshold "
            f"{threshold:.2f}): a lucky answer would skip the skill."
        )
    return FitVerdict(not reasons, tuple(reasons))
