"""Issue 12, item 3: a skip needs enough evidence (guess floor, no lucky certificate, capped
prior, and the guessing learner measured on every sample module)."""

from __future__ import annotations

import numpy as np
import pytest

from adaptive.engine import ActivitySettings, AskItem, ItemAnswer, ShowPage, start
from adaptive.engine import next_step as step
from adaptive.mastery.chance import MAX_GUESS_FLOOR, chance_rate, guess_floor
from adaptive.modules.format import (
    AnswerGroup,
    BKTParams,
    Choice,
    Item,
    ItemType,
    Match,
    Module,
    ModuleSettings,
    Skill,
)
from adaptive.modules.validate import validate_module
from adaptive.policy.adaptive import PRIOR_HIGH, diagnostic_prior
from adaptive.policy.base import make_model
from adaptive.samples import load_sample, sample_ids
from adaptive.simulation.guessing import guess_answer, no_skill_share
from adaptive.simulation.synthetic import synthetic_module


def _item(iid: str, kind: ItemType, n: int, skill: str = "k", diagnostic: bool = True) -> Item:
    choices = tuple(Choice(chr(97 + j), chr(65 + j)) for j in range(n))
    if kind == ItemType.SINGLE_CHOICE:
        match = Match(choice="a")
    elif kind == ItemType.MULTIPLE_CHOICE:
        match = Match(choices=("a",))
    elif kind == ItemType.ORDERING:
        match = Match(order=tuple(c.id for c in choices))
    else:
        match = Match(value=3.0)
    return Item(iid, kind, (skill,), "?", (AnswerGroup(match, True),), choices=choices,
                diagnostic=diagnostic)


def _module(guess: float, n_choices: int = 4, items: int = 6) -> Module:
    bkt = BKTParams(prior=0.3, learn=0.2, guess=guess, slip=0.1)
    return Module(
        "m", "M", (Skill("k", "K"),), (),
        tuple(_item(f"i{j}", ItemType.SINGLE_CHOICE, n_choices) for j in range(items)),
        settings=ModuleSettings(bkt=bkt),
    )


def test_chance_rates_of_the_item_types() -> None:
    assert chance_rate(_item("a", ItemType.SINGLE_CHOICE, 4)) == pytest.approx(1 / 4)
    assert chance_rate(_item("b", ItemType.MULTIPLE_CHOICE, 4)) == pytest.approx(1 / 15)
    assert chance_rate(_item("c", ItemType.ORDERING, 3)) == pytest.approx(1 / 6)
    assert chance_rate(_item("d", ItemType.NUMERIC, 0)) == 0.0
    # two choices: a coin flip; the floor stays below 0.5 so BKTParams stays valid
    assert guess_floor(_item("e", ItemType.SINGLE_CHOICE, 2)) == MAX_GUESS_FLOOR


def test_the_engine_uses_at_least_the_chance_rate_for_choice_items() -> None:
    module = _module(guess=0.1, n_choices=3)
    model = make_model(module)
    assert model.params_for("k").guess == pytest.approx(0.1)
    assert model.params_for("k", "i0").guess == pytest.approx(1 / 3)
    # a fitted guess below chance is raised too
    fitted = make_model(module, {"k": BKTParams(prior=0.3, learn=0.2, guess=0.05, slip=0.1)})
    assert fitted.params_for("k", "i0").guess == pytest.approx(1 / 3)
    # so one correct answer moves the estimate as a 1/3 guess would, not as a 0.1 one
    est = model.initial("k")
    low = model.update("k", est, True)
    floored = model.update("k", est, True, item_id="i0")
    assert floored["k"] < low["k"]


def test_validator_warns_when_guess_is_below_chance() -> None:
    problems = validate_module(_module(guess=0.1, n_choices=4), "m.yaml")
    warned = [p for p in problems if p.code == "bkt-guess-below-chance"]
    assert len(warned) == 1 and warned[0].severity == "warning"
    assert warned[0].path == "settings.bkt.guess" and "0.25" in warned[0].message
    ok = validate_module(_module(guess=0.25, n_choices=4), "m.yaml")
    assert not [p for p in ok if p.code == "bkt-guess-below-chance"]


def _answer_first(module: Module, settings: ActivitySettings, correct: bool, state_extra=None):
    result = start(module, settings, seed=1)
    state = result.state
    if state_extra:
        state = {**state, **state_extra}
    assert isinstance(result.step, AskItem) and result.step.phase == "diagnostic"
    return step(module, state, ItemAnswer(result.step.item_id, "a" if correct else "b"))


def test_one_lucky_diagnostic_answer_never_skips_a_skill() -> None:
    module = _module(guess=0.25)
    # even with a low threshold and a learner whose record would carry a high prior
    settings = ActivitySettings(mastery_threshold=0.6)
    record = {"diag_passed": 20, "diag_taken": 20}
    result = _answer_first(module, settings, True, record)
    assert result.state["skills"]["k"]["status"] == "diagnostic"
    assert result.state["skills"]["k"]["diag_prior"] <= PRIOR_HIGH
    result = step(module, result.state, ItemAnswer(result.step.item_id, "a"))
    assert result.state["skills"]["k"]["status"] == "known"


def test_the_carried_prior_is_capped() -> None:
    assert diagnostic_prior({"diag_passed": 50, "diag_taken": 50}) == pytest.approx(PRIOR_HIGH)
    assert PRIOR_HIGH <= 0.75


def test_one_lucky_practice_answer_never_masters_a_skill() -> None:
    module = _module(guess=0.25)
    settings = ActivitySettings(mastery_threshold=0.5, diagnostic_items=0)
    result = start(module, settings, seed=3)
    assert isinstance(result.step, AskItem) and result.step.phase == "practice"
    result = step(module, result.state, ItemAnswer(result.step.item_id, "a"))
    ss = result.state["skills"]["k"]
    assert ss["est"]["k"] >= 0.5 and ss["status"] == "practising"


def test_a_guessing_learner_answers_from_the_whole_answer_space() -> None:
    import random

    rng = random.Random(0)
    item = _item("x", ItemType.SINGLE_CHOICE, 4)
    picks = {guess_answer(item, rng) for _ in range(200)}
    assert picks == {"a", "b", "c", "d"}
    multi = _item("y", ItemType.MULTIPLE_CHOICE, 3)
    sets = {tuple(guess_answer(multi, rng)) for _ in range(400)}
    assert len(sets) == 7  # every non-empty subset


@pytest.mark.parametrize("sample_id", sample_ids())
def test_a_guessing_learner_is_awarded_no_skill(sample_id: str) -> None:
    """bench/guessing_learner.py runs 1,000 per module; 100 here keep the suite quick."""
    share, _ = no_skill_share(load_sample(sample_id), runs=100, base_seed=7)
    assert share >= 0.97


def test_a_knowing_learner_still_skips_with_enough_evidence() -> None:
    module, _ = synthetic_module(np.random.default_rng(0), skills=2)
    result = start(module, seed=0)
    while isinstance(result.step, AskItem) and result.step.phase == "diagnostic":
        result = step(module, result.state, ItemAnswer(result.step.item_id, "a"))
    assert result.state["skills"]["s1"]["status"] == "known"
    assert len(result.state["skills"]["s1"]["diag"]) == 3  # 0.5 prior, chance 1/4: three right
    assert not isinstance(result.step, ShowPage) or result.step.skill != "s1"
