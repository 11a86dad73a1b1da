"""Learner models for the robustness benchmark (issue 12, item 4): the policy is tuned on
``default`` (sim-branch-v1, whose generating parameters equal the engine's defaults) and
reported on the others, which it was not tuned on.

``SCENARIOS`` are the issue's held-out models. They have been looked at while the policy
changed (docs/benchmarks.md says which rule was chosen after which run), so they are no longer
unseen. ``FRESH_SCENARIOS`` were written down on 2026-12-02, before any policy ran on them, to
judge a change once on models nobody tuned against; after that run they are seen too.
``FRESH3_SCENARIOS`` were written down on 2026-12-06 (thirteenth session), before any
candidate policy ran on them, for the same use.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from adaptive.modules.format import Module
from adaptive.simulation.learners import SimLearner, make_learners
from adaptive.simulation.synthetic import ItemTruth, synthetic_module


@dataclass(frozen=True)
class Scenario:
    """Hidden truth of one learner model; the module the engine sees never changes."""

    name: str
    description: str
    guess: float = 0.2
    slip: float = 0.1
    difficulty_effect: float = 0.0
    learn_beta: tuple[float, float] = (2.0, 6.0)
    page_learn: float = 0.3
    independent: bool = False
    #: the share of learners whose skills are independent (the others' go together).
    independent_share: float = 0.0
    tuned_on: bool = False
    #: name -> (share of learners, P(each skill known at start)); None: the protocol's mix.
    populations: tuple[tuple[str, float, float], ...] | None = None

    def build(self, rng: np.random.Generator, n: int) -> tuple[Module, ItemTruth, list[SimLearner]]:
        module, truth = synthetic_module(rng, guess=self.guess, slip=self.slip,
                                         difficulty_effect=self.difficulty_effect)
        populations = None if self.populations is None else {
            name: (share, known) for name, share, known in self.populations}
        learners = make_learners(n, [s.id for s in module.skills], rng, populations,
                                 learn_beta=self.learn_beta, page_learn=self.page_learn,
                                 independent=self.independent,
                                 independent_share=self.independent_share)
        return module, truth, learners


SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("default", "sim-branch-v1: guess 0.2, slip 0.1, T ~ Beta(2, 6), page 0.3 "
                 "(the engine's defaults; tuned on this)", tuned_on=True),
        Scenario("guess-slip", "guess 0.3, slip 0.15 per item (± 0.05)", guess=0.3, slip=0.15),
        Scenario("slow", "slower learning: T ~ Beta(2, 14) (mean 0.125), a page teaches 0.15",
                 learn_beta=(2.0, 14.0), page_learn=0.15),
        Scenario("independent", "skills independent: each skill's start drawn on its own "
                 "(no learner-level correlation to exploit)", independent=True),
        Scenario("difficulty", "guess and slip follow item difficulty (± 0.1 over the pool; "
                 "the diagnostic items are the hardest)", difficulty_effect=1.0),
        Scenario("all", "guess 0.3 / slip 0.15, slower learning, independent skills and "
                 "difficulty together", guess=0.3, slip=0.15, difficulty_effect=1.0,
                 learn_beta=(2.0, 14.0), page_learn=0.15, independent=True),
    )
}


FRESH_SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("slip-high", "guess 0.25, slip 0.2 per item (± 0.05): experts slip twice as "
                 "often as the module says", guess=0.25, slip=0.2),
        Scenario("slower", "much slower learning: T ~ Beta(2, 22) (mean 0.083), a page "
                 "teaches 0.1", learn_beta=(2.0, 22.0), page_learn=0.1),
        Scenario("weak-experts", "the population's 'experts' know each skill with 0.8, "
                 "intermediates 0.4, novices 0.05",
                 populations=(("expert", 0.3, 0.8), ("intermediate", 0.5, 0.4),
                              ("novice", 0.2, 0.05))),
        Scenario("many-experts", "60 % experts (0.95), 30 % intermediates (0.5), 10 % "
                 "novices (0.05)",
                 populations=(("expert", 0.6, 0.95), ("intermediate", 0.3, 0.5),
                              ("novice", 0.1, 0.05))),
        Scenario("indep-difficulty", "skills independent and guess/slip following item "
                 "difficulty 1.5 times as strongly as in 'difficulty'", independent=True,
                 difficulty_effect=1.5),
    )
}

FRESH3_SCENARIOS: dict[str, Scenario] = {
    s.name: s
    for s in (
        Scenario("mixed-correlation", "the skills go together for half of the learners and "
                 "are independent for the other half (each learner decides by one draw)",
                 independent_share=0.5),
        Scenario("difficulty-reversed", "guess and slip follow item difficulty with the other "
                 "sign, 0.7 times as strongly as in 'difficulty' (the diagnostic's hardest items "
                 "are slipped on least, guessed most)", difficulty_effect=-0.7),
        Scenario("three-choice-careful", "guess 0.33 (a three-choice-like chance rate, above "
                 "the engine's 0.25 floor), slip 0.05 per item (± 0.05)", guess=0.33, slip=0.05),
        Scenario("five-choice-sloppy", "guess 0.15 (a five-choice-like chance rate, below the "
                 "module's 0.2), slip 0.12 per item (± 0.05)", guess=0.15, slip=0.12),
        Scenario("few-experts", "15 % experts (0.9), 35 % intermediates (0.5), 50 % novices "
                 "(0.1), and guess/slip following difficulty half as strongly as in "
                 "'difficulty'", difficulty_effect=0.5,
                 populations=(("expert", 0.15, 0.9), ("intermediate", 0.35, 0.5),
                              ("novice", 0.5, 0.1))),
        Scenario("fast-mixed", "faster learning: T ~ Beta(4, 6) (mean 0.4), a page teaches "
                 "0.4; a third of the learners with independent skills",
                 learn_beta=(4.0, 6.0), page_learn=0.4, independent_share=1 / 3),
    )
}

#: Every learner model by name (the issue's and the fresh ones of both sets).
ALL_SCENARIOS: dict[str, Scenario] = {**SCENARIOS, **FRESH_SCENARIOS, **FRESH3_SCENARIOS}
