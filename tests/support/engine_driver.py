"""Driving the engine through a whole activity in tests: one loop for every test that plays
a learner (pages are read, items answered by a callable), instead of a copy per file."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from adaptive.engine import (
    ActivitySettings,
    AskItem,
    Finish,
    ItemAnswer,
    PageSeen,
    ShowPage,
    StepResult,
    item_for_step,
    next_step,
    start,
)
from adaptive.modules.format import Item, Module


def play(module: Module, answer: Callable[[Item], object],
         settings: ActivitySettings | None = None, *, seed: int = 0,
         stop: Callable[[Any], bool] | None = None,
         max_steps: int = 5000) -> tuple[StepResult, list[Any]]:
    """Play to the end (or until ``stop(step)``); the last result and the steps shown.

    ``answer`` gets the item as the learner sees it (variants drawn); a run that does not end
    within ``max_steps`` fails the test."""
    result = start(module, settings, seed=seed)
    steps: list[Any] = []
    for _ in range(max_steps):
        step = result.step
        if isinstance(step, Finish) or (stop is not None and stop(step)):
            return result, steps
        steps.append(step)
        if isinstance(step, ShowPage):
            response: PageSeen | ItemAnswer = PageSeen(step.page_id)
        else:
            assert isinstance(step, AskItem)
            response = ItemAnswer(step.item_id,
                                  answer(item_for_step(module, result.state, step)))
        result = next_step(module, result.state, response)
    raise AssertionError(f"the engine did not finish in {max_steps} steps")
