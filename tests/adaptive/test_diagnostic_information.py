"""Issue 12, item 4 (session 3): the diagnostic asks its least guessable items first, and one
wrong answer is weighed as a possible slip instead of ending the test."""

from __future__ import annotations

import numpy as np
import pytest

from adaptive.engine import AskItem, ItemAnswer, PageSeen, ShowPage, next_step, start
from adaptive.modules.format import (
    AnswerGroup,
    Choice,
    Item,
    ItemType,
    Match,
    Module,
    ModuleSettings,
    Skill,
)
from adaptive.policy.adaptive import DIAGNOSTIC_LOW, diagnostic_posterior
from adaptive.simulation.synthetic import synthetic_module


def _choice(iid: str, difficulty: float, diagnostic: bool = True, choices: int = 4) -> Item:
    return Item(
        id=iid,
        type=ItemType.SINGLE_CHOICE,
        skills=("k",),
        prompt="?",
        choices=tuple(Choice(c, c.upper()) for c in "abcd"[:choices]),
        answer_groups=(AnswerGroup(Match(choice="a"), True), AnswerGroup(Match(choice="b"), False)),
        difficulty=difficulty,
        diagnostic=diagnostic,
    )


def _numeric(iid: str, difficulty: float, diagnostic: bool = True) -> Item:
    return Item(
        id=iid,
        type=ItemType.NUMERIC,
        skills=("k",),
        prompt="?",
        answer_groups=(AnswerGroup(Match(value=42.0), True),),
        difficulty=difficulty,
        diagnostic=diagnostic,
    )


def _module(items: list[Item], diagnostic_items: int = 3) -> Module:
    return Module(
        id="m",
        title="M",
        skills=(Skill("k", "K", lesson="k-lesson"),),
        pages=(),
        items=tuple(items),
        settings=ModuleSettings(diagnostic_items=diagnostic_items),
    )


def _right(module: Module, item_id: str) -> object:
    item = module.item(item_id)
    return 42.0 if item.type == ItemType.NUMERIC else "a"


def _wrong(module: Module, item_id: str) -> object:
    item = module.item(item_id)
    return 7.0 if item.type == ItemType.NUMERIC else "b"


def test_the_diagnostic_asks_a_typed_item_before_harder_choice_items() -> None:
    # hardest first would ask the two choice items (difficulty 1.0, 0.8) before the typed one
    module = _module([_choice("tf", 1.2, choices=2), _choice("c4", 1.0),
                      _numeric("num", 0.2), _choice("c3", 0.8, choices=3)],
                     diagnostic_items=4)
    result = start(module, seed=0)
    asked = []
    while isinstance(result.step, AskItem) and result.step.phase == "diagnostic":
        asked.append(result.step.item_id)
        result = next_step(module, result.state,
                           ItemAnswer(result.step.item_id, _right(module, result.step.item_id)))
    # numeric (guess 0.2) before four choices (0.25), three (0.34), true/false (0.5)
    assert asked == ["num", "c4", "c3", "tf"][: len(asked)]
    assert asked[:2] == ["num", "c4"]


def test_typed_items_first_make_a_skip_shorter_for_an_expert() -> None:
    """Three right answers on typed items (guess 0.2) skip the skill; three-choice items
    (chance 1/3) would need four: the order changes how much evidence each answer brings."""
    module = _module([_choice("c1", 1.5, choices=3), _choice("c2", 1.4, choices=3),
                      _choice("c3", 1.3, choices=3),
                      _numeric("n1", 0.1), _numeric("n2", 0.0), _numeric("n3", -0.1)],
                     diagnostic_items=6)
    result = start(module, seed=0)
    asked = []
    while isinstance(result.step, AskItem) and result.step.phase == "diagnostic":
        asked.append(result.step.item_id)
        result = next_step(module, result.state,
                           ItemAnswer(result.step.item_id, _right(module, result.step.item_id)))
    assert asked == ["n1", "n2", "n3"]
    assert result.state["skills"]["k"]["status"] == "known"


def test_an_undecided_diagnostic_goes_on_with_the_least_guessable_item() -> None:
    # one flagged item; the continuation may pick any other item of the skill: the typed one,
    # although a choice item is closer to the continuation's target difficulty (0.0)
    module = _module([_choice("d1", 1.5), _choice("mid", 0.0, diagnostic=False),
                      _numeric("far", -1.4, diagnostic=False),
                      _choice("mid2", 0.1, diagnostic=False)], diagnostic_items=1)
    result = start(module, seed=0)
    assert result.step.item_id == "d1"
    result = next_step(module, result.state, ItemAnswer("d1", "a"))
    assert isinstance(result.step, AskItem) and result.step.phase == "diagnostic"
    assert result.step.item_id == "far"


@pytest.fixture(scope="module")
def synthetic():
    return synthetic_module(np.random.default_rng(0), skills=2)[0]


def _answer(module: Module, result, pattern: str):
    seen = []
    for ch in pattern:
        while isinstance(result.step, ShowPage):
            seen.append("P")
            result = next_step(module, result.state, PageSeen(result.step.page_id))
        seen.append(result.step.phase[0] + ch)
        iid = result.step.item_id
        answer = _right(module, iid) if ch == "C" else _wrong(module, iid)
        result = next_step(module, result.state, ItemAnswer(iid, answer))
    return result, seen


def test_one_slip_of_a_new_learner_does_not_end_the_diagnostic(synthetic) -> None:
    # W C C C C: four right of five on four-choice items skip the skill; before, the first
    # wrong answer (posterior 0.12 with slip 0.1) sent the learner to the lesson
    result, seen = _answer(synthetic, start(synthetic, seed=0), "WCCCC")
    assert seen == ["dW", "dC", "dC", "dC", "dC"]
    assert result.state["skills"]["s1"]["status"] == "known"


def test_two_wrong_answers_end_the_diagnostic(synthetic) -> None:
    result, seen = _answer(synthetic, start(synthetic, seed=0), "WW")
    assert seen == ["dW", "dW"]
    assert result.state["skills"]["s1"]["diag_post"] < DIAGNOSTIC_LOW
    assert isinstance(result.step, ShowPage) and result.step.reason == "lesson"


def test_a_learner_with_a_carried_prior_recovers_from_a_slip_in_four_answers(synthetic) -> None:
    # s1 known (C C C), then on s2 (carried prior 0.75): W C C C is known
    result, _ = _answer(synthetic, start(synthetic, seed=0), "CCC")
    assert result.state["skills"]["s1"]["status"] == "known"
    result, seen = _answer(synthetic, result, "WCCC")
    assert seen == ["dW", "dC", "dC", "dC"]
    assert result.state["skills"]["s2"]["status"] == "known"


def test_the_diagnostic_slip_is_what_the_posterior_uses(synthetic) -> None:
    from adaptive.modules.format import BKTParams

    result, _ = _answer(synthetic, start(synthetic, seed=0), "W")
    post = result.state["skills"]["s1"]["diag_post"]
    assert post == pytest.approx(diagnostic_posterior(BKTParams(slip=0.2), 0.5, [False], [0.25]))
    assert post > DIAGNOSTIC_LOW
