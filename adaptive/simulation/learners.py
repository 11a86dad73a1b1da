"""Simulated learners with hidden per-skill knowledge (protocol sim-branch-v1, see
shared guide §5 and docs/benchmarks.md).

A learner knows each skill or not. P(correct) = 1 − slip if known, guess if not (guess and
slip belong to the item). After every answered item (which gets feedback) an unknown skill
becomes known with the learner's own probability ``learn_rate`` (T ~ Beta(2, 6)); a page of the
skill teaches it with ``page_learn`` (0.3). v1 has no forgetting.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

#: name -> (share of learners, P(each skill known at start))
POPULATIONS: dict[str, tuple[float, float]] = {
    "expert": (0.3, 0.95),
    "intermediate": (0.5, 0.5),
    "novice": (0.2, 0.05),
}


@dataclass
class SimLearner:
    """One simulated learner; ``known`` is the hidden state, mutated as the learner learns."""

    id: int
    population: str
    learn_rate: float
    known: dict[str, bool]
    known_at_start: dict[str, bool] = field(default_factory=dict)
    page_learn: float = 0.3

    def __post_init__(self) -> None:
        if not self.known_at_start:
            self.known_at_start = dict(self.known)

    def answers_correctly(
        self, skill: str, guess: float, slip: float, rng: np.random.Generator
    ) -> bool:
        p = 1.0 - slip if self.known.get(skill, False) else guess
        return bool(rng.random() < p)

    def after_item(self, skill: str, rng: np.random.Generator) -> None:
        if not self.known.get(skill, False) and rng.random() < self.learn_rate:
            self.known[skill] = True

    def after_page(self, skill: str | None, rng: np.random.Generator) -> None:
        if (
            skill is not None
            and not self.known.get(skill, False)
            and rng.random() < self.page_learn
        ):
            self.known[skill] = True


def make_learners(
    n: int,
    skills: Sequence[str],
    rng: np.random.Generator,
    populations: dict[str, tuple[float, float]] | None = None,
    *,
    learn_beta: tuple[float, float] = (2.0, 6.0),
    page_learn: float = 0.3,
    independent: bool = False,
    independent_share: float = 0.0,
) -> list[SimLearner]:
    """``n`` learners drawn from the population mix (shares are exact up to rounding).

    Held-out learner models (issue 12): ``learn_beta`` is the Beta distribution of the
    learning rate (default mean 0.25), ``page_learn`` what a lesson page teaches, and
    ``independent`` draws each skill's starting knowledge from its own population draw, so
    that knowing one skill says nothing about the next (the learner keeps a label for the
    report: an "expert" is then an expert only by name). ``independent_share`` draws that way
    only for a share of the learners (each learner decides by one draw): the skills go
    together for the others (0: for everybody, unless ``independent``)."""
    populations = populations or POPULATIONS
    names = list(populations)
    shares = np.array([populations[name][0] for name in names], dtype=float)
    counts = np.floor(shares / shares.sum() * n).astype(int)
    counts[0] += n - counts.sum()
    labels: list[str] = []
    for name, count in zip(names, counts, strict=True):
        labels.extend([name] * int(count))
    order = rng.permutation(n)
    learners = []
    for idx in range(n):
        pop = labels[int(order[idx])]
        p_known = populations[pop][1]
        own = independent or (independent_share > 0 and bool(rng.random() < independent_share))
        if own:
            levels = [populations[name][1] for name in names]
            weights = shares / shares.sum()
            known = {s: bool(rng.random() < levels[int(rng.choice(len(names), p=weights))])
                     for s in skills}
        else:
            known = {s: bool(rng.random() < p_known) for s in skills}
        learners.append(
            SimLearner(id=idx, population=pop, learn_rate=float(rng.beta(*learn_beta)),
                       known=known, page_learn=page_learn)
        )
    return learners


def slowest_quarter(learners: Iterable[SimLearner]) -> set[int]:
    """Ids of the learners whose learning rate is in the lowest quartile."""
    learners = list(learners)
    if not learners:
        return set()
    cut = float(np.quantile([lr.learn_rate for lr in learners], 0.25))
    return {lr.id for lr in learners if lr.learn_rate <= cut}
