"""The chance of answering an item correctly by guessing, and the guess floor it implies.

A learner who knows nothing still gets a single-choice item with n choices right 1/n of the
time. A module whose BKT ``guess`` is below that rate treats every lucky click as stronger
evidence than it is, which is how a guessing learner used to be awarded skills (issue 12). The
engine therefore uses ``max(guess, chance_rate(item))`` for every answer
(``BKTModel.params_for(skill, item)``), and the validator warns when a module sets less.
"""

from __future__ import annotations

import math

from adaptive.modules.format import BKTParams, Item, ItemType, Module

#: The largest guess the floor may raise a parameter to: BKTParams needs guess < 0.5, and a
#: two-choice item (chance 0.5) must still leave a correct answer some weight as evidence.
MAX_GUESS_FLOOR = 0.45


def chance_rate(item: Item) -> float:
    """P(correct) for an answer chosen uniformly at random among the item's possible answers.

    single choice: 1/n; multiple choice (the exact set, at least one box): 1/(2^n - 1);
    ordering: 1/n!; numeric and short text: 0 (no finite answer set to guess from).
    """
    n = len(item.choices)
    if n == 0:
        return 0.0
    if item.type == ItemType.SINGLE_CHOICE:
        return 1.0 / n
    if item.type == ItemType.MULTIPLE_CHOICE:
        return 1.0 / ((1 << n) - 1)  # 2**n - 1 non-empty subsets; an int shift types as int
    if item.type == ItemType.ORDERING:
        return 1.0 / math.factorial(n)
    return 0.0


def guess_floor(item: Item) -> float:
    """The smallest guess parameter the engine uses for this item (0: no floor)."""
    return min(MAX_GUESS_FLOOR, chance_rate(item))


def item_guess_floors(module: Module) -> dict[str, float]:
    """Item id -> guess floor, for the items whose floor is positive."""
    return {i.id: f for i in module.items if (f := guess_floor(i)) > 0.0}


def with_guess_floor(params: BKTParams, floor: float) -> BKTParams:
    """``params`` with guess raised to ``floor`` (the same object when it is already enough)."""
    if params.guess >= floor:
        return params
    return BKTParams(prior=params.prior, learn=params.learn, guess=floor, slip=params.slip,
                     forget=params.forget)
