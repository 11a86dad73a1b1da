"""The engine contract: determinism, JSON state, stale responses, the adaptive policy's branches."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path

import numpy as np
import pytest

from adaptive.engine import (
    ActivitySettings,
    AskItem,
    Finish,
    ItemAnswer,
    PageSeen,
    ShowPage,
    StaleResponse,
    current_step,
    next_step,
    skill_progress,
    start,
    step_from_dict,
    step_to_dict,
)
from adaptive.modules.format import (
    NEXT,
    AnswerGroup,
    BKTParams,
    Choice,
    Destination,
    Item,
    ItemType,
    Match,
    Module,
    Page,
    Skill,
)
from adaptive.simulation.runner import correct_answer, wrong_answer
from adaptive.simulation.synthetic import synthetic_module

RNG = np.random.default_rng(0)


def chain_module(**kw) -> Module:
    kw.setdefault("chain", True)
    module, _ = synthetic_module(np.random.default_rng(1), **kw)
    return module


def respond(module: Module, step, right: bool, **kw):
    if isinstance(step, ShowPage):
        return PageSeen(step.page_id, **kw)
    item = module.item(step.item_id)
    answer = correct_answer(item) if right else wrong_answer(item, RNG)
    return ItemAnswer(step.item_id, answer, **kw)


def run(module, answers, settings=None, seed=0, limit=3000):
    """Drive the engine; ``answers(step, n)`` returns True/False for items. Returns the trace."""
    result = start(module, settings, seed=seed)
    trace = [result]
    n = 0
    while not isinstance(result.step, Finish):
        right = answers(result.step, n) if isinstance(result.step, AskItem) else True
        result = next_step(module, result.state, respond(module, result.step, right))
        trace.append(result)
        n += 1
        assert n < limit, "engine did not finish"
    return trace


def steps_of(trace):
    return [r.step for r in trace]


def always(value):
    return lambda step, n: value


# --------------------------------------------------------------------------- contract


def test_same_seed_same_run_and_seed_changes_choice_order():
    module = chain_module(skills=3)
    rng_answers = [random.Random(5).random() < 0.6 for _ in range(3000)]
    a = steps_of(run(module, lambda s, n: rng_answers[n], seed=7))
    b = steps_of(run(module, lambda s, n: rng_answers[n], seed=7))
    assert a == b
    c = steps_of(run(module, lambda s, n: rng_answers[n], seed=8))
    orders_a = [s.choice_order for s in a if isinstance(s, AskItem)]
    orders_c = [s.choice_order for s in c if isinstance(s, AskItem)]
    assert orders_a != orders_c
    assert all(sorted(o) == ["a", "b", "c", "d"] for o in orders_a)


def test_state_round_trips_through_json_and_resumes_identically():
    module = chain_module(skills=2, remediation=True)
    result = start(module, seed=3)
    pattern = [True, False, False, True, True, False, True, True, True, True] * 20
    n = 0
    while not isinstance(result.step, Finish):
        state = result.state
        restored = json.loads(json.dumps(state))
        assert restored == state
        assert current_step(module, restored) == result.step
        response = respond(module, result.step, pattern[n % len(pattern)])
        direct = next_step(module, state, response)
        via_json = next_step(module, restored, response)
        assert direct.step == via_json.step and direct.state == via_json.state
        assert direct.state["seq"] == state["seq"] + 1
        result = direct
        n += 1
    assert result.state["finished"] is True
    assert result.state["version"] == 1 and "seed" in result.state and "settings" in result.state


def test_next_step_does_not_mutate_its_input():
    module = chain_module(skills=2)
    result = start(module, seed=1)
    before = copy.deepcopy(result.state)
    next_step(module, result.state, respond(module, result.step, False))
    assert result.state == before


def test_stale_responses_are_refused():
    module = chain_module(skills=2)
    first = start(module, seed=0)
    assert isinstance(first.step, AskItem)
    other = next(i.id for i in module.items if i.id != first.step.item_id)
    with pytest.raises(StaleResponse):
        next_step(module, first.state, ItemAnswer(other, "a"))
    with pytest.raises(StaleResponse):
        next_step(module, first.state, PageSeen("s1-lesson"))
    second = next_step(module, first.state, respond(module, first.step, True, seq=0))
    # replaying the first answer (double submit / second tab) on the new state
    with pytest.raises(StaleResponse):
        next_step(module, second.state, respond(module, first.step, True, seq=0))
    # the right item but an old seq
    with pytest.raises(StaleResponse):
        next_step(module, second.state, respond(module, second.step, True, seq=0))
    assert next_step(module, second.state, respond(module, second.step, True, seq=1))


def test_finished_state_refuses_responses():
    module = chain_module(skills=1)
    last = run(module, always(True))[-1]
    with pytest.raises(StaleResponse):
        next_step(module, last.state, ItemAnswer("s1-i01", "a"))


def test_invalid_answer_changes_nothing():
    module = chain_module(skills=1)
    first = start(module, seed=0)
    result = next_step(module, first.state, ItemAnswer(first.step.item_id, 42))
    assert result.evaluation is not None and result.evaluation.valid is False
    assert result.step == first.step
    assert result.state == first.state


def test_step_and_settings_dicts_round_trip():
    for step in (
        ShowPage("p", "s", "remediation"),
        ShowPage("p", None, "lesson"),
        AskItem("i", "s", "review", ("b", "a")),
        Finish(("a",), ("b",)),
    ):
        assert step_from_dict(json.loads(json.dumps(step_to_dict(step)))) == step
    with pytest.raises(ValueError):
        step_from_dict({"type": "nope"})
    settings = ActivitySettings(graded_skills=("s1",), policy="streak", max_score=10)
    assert ActivitySettings.from_dict(json.loads(json.dumps(settings.to_dict()))) == settings
    module = chain_module(skills=1)
    s = ActivitySettings.from_module(module, practice_cap=5, mastery_threshold=None)
    assert s.practice_cap == 5 and s.mastery_threshold == module.settings.mastery_threshold
    with pytest.raises(ValueError):
        ActivitySettings(mastery_threshold=1.5)
    with pytest.raises(ValueError):
        start(module, ActivitySettings(policy="nope"))


# --------------------------------------------------------------------------- adaptive policy


def test_expert_skips_every_skill_through_the_diagnostic():
    module = chain_module(skills=4)
    trace = run(module, always(True))
    steps = steps_of(trace)
    assert not any(isinstance(s, ShowPage) for s in steps)
    assert {s.phase for s in steps if isinstance(s, AskItem)} == {"diagnostic"}
    # a learner-level prior: later skills need no more diagnostic items than the first
    per_skill = [
        sum(1 for s in steps if isinstance(s, AskItem) and s.skill == k)
        for k in ("s1", "s2", "s3", "s4")
    ]
    assert per_skill[-1] < per_skill[0]
    final = trace[-1]
    assert final.step == Finish(("s1", "s2", "s3", "s4"), ())
    assert {p.status for p in skill_progress(module, final.state)} == {"known"}


def test_diagnostic_asks_hardest_flagged_items_first():
    module = chain_module(skills=1)
    trace = run(module, always(True))
    asked = [module.item(s.item_id) for s in steps_of(trace) if isinstance(s, AskItem)]
    assert all(i.diagnostic for i in asked)
    assert [i.difficulty for i in asked] == sorted((i.difficulty for i in asked), reverse=True)


def test_novice_gets_lesson_then_practice_then_remediation_page():
    module = chain_module(skills=2, remediation=True)
    result = start(module, seed=0)
    assert result.step.phase == "diagnostic"
    result = next_step(module, result.state, respond(module, result.step, False))
    assert result.step == ShowPage("s1-lesson", "s1", "lesson")
    result = next_step(module, result.state, PageSeen("s1-lesson"))
    assert isinstance(result.step, AskItem) and result.step.phase == "practice"
    # wrong choice "b" has a page destination
    result = next_step(module, result.state, ItemAnswer(result.step.item_id, "b"))
    assert result.evaluation.correct is False
    assert result.step == ShowPage("s1-fix", "s1", "remediation")
    assert result.mastery_after["s1"] < result.mastery_before["s1"] or (
        result.mastery_before["s1"] < 0.5
    )
    result = next_step(module, result.state, PageSeen("s1-fix"))
    assert isinstance(result.step, AskItem) and result.step.skill == "s1"
    # a wrong answer without a destination ("c": no group) gets an easier item instead
    last = module.item(result.step.item_id)
    result = next_step(module, result.state, ItemAnswer(last.id, "c"))
    assert isinstance(result.step, AskItem) and result.step.phase == "practice"
    assert module.item(result.step.item_id).difficulty < last.difficulty


def _one_skill_module(items: list[Item], pages=(), lesson=None, cap=12) -> Module:
    from adaptive.modules.format import ModuleSettings

    return Module(
        id="m",
        title="M",
        skills=(Skill("k", "K", lesson=lesson),),
        pages=tuple(pages),
        items=tuple(items),
        settings=ModuleSettings(practice_cap=cap),
    )


def _choice_item(iid, difficulty=0.0, wrong_dest=NEXT, skills=("k",), diagnostic=False):
    return Item(
        id=iid,
        type=ItemType.SINGLE_CHOICE,
        skills=skills,
        prompt="?",
        # four choices: a two-choice item (chance 1/2) is too weak to skip a skill on
        choices=(Choice("a", "A"), Choice("b", "B"), Choice("c", "C"), Choice("d", "D")),
        answer_groups=(
            AnswerGroup(Match(choice="a"), True),
            AnswerGroup(Match(choice="b"), False, destination=wrong_dest),
        ),
        difficulty=difficulty,
        diagnostic=diagnostic,
    )


def _to_item(module, item_id):
    result = start(module, seed=0)
    # no diagnostic items: straight to practice (no lesson page either)
    while result.step.item_id != item_id:
        result = next_step(module, result.state, ItemAnswer(result.step.item_id, "a"))
        assert not isinstance(result.step, Finish)
    return result


def test_item_destination_is_honoured():
    items = [
        _choice_item("hard", 1.0, Destination("item", "easy-2")),
        _choice_item("easy-2", -0.5),
    ]
    module = _one_skill_module(items)
    result = next_step(module, _to_item(module, "hard").state, ItemAnswer("hard", "b"))
    assert result.step.item_id == "easy-2"


def test_item_destination_already_seen_gives_way_to_an_unseen_item():
    """No item is shown again while the skill has items the learner has not seen."""
    items = [
        _choice_item("hard", 1.0, Destination("item", "easy-2")),
        _choice_item("easy-2", -0.5),
        _choice_item("easy-1", -1.0),
        _choice_item("mid", 0.5),
    ]
    module = _one_skill_module(items)
    result = _to_item(module, "hard")
    history = result.state["history"]
    assert "easy-2" in history  # asked first (closest to the starting difficulty)
    result = next_step(module, result.state, ItemAnswer("hard", "b"))
    assert result.step.item_id not in history + ["hard"]


def test_hint_makes_a_correct_answer_count_as_wrong_for_mastery():
    module = _one_skill_module([_choice_item("x"), _choice_item("y")])
    first = start(module, seed=0)
    plain = next_step(module, first.state, ItemAnswer(first.step.item_id, "a"))
    hinted = next_step(module, first.state, ItemAnswer(first.step.item_id, "a", hints_used=1))
    assert hinted.evaluation.correct is True
    assert hinted.mastery_after["k"] < plain.mastery_after["k"]
    assert hinted.state["skills"]["k"]["correct"] == 1  # still counted as a correct attempt


def test_small_pool_is_reused_and_practice_cap_flags_the_skill():
    module = _one_skill_module([_choice_item("x"), _choice_item("y")], cap=7)
    trace = run(module, always(False))
    asked = [s.item_id for s in steps_of(trace) if isinstance(s, AskItem)]
    assert len(asked) == 7
    assert all(a != b for a, b in zip(asked, asked[1:], strict=False))  # alternates
    assert trace[-1].step == Finish((), ("k",))
    assert trace[-1].state["skills"]["k"]["flag_reason"] == "practice cap"


def test_prerequisite_gating_blocks_dependents_after_their_diagnostic():
    """A flagged prerequisite does not flag its dependents: they still get their diagnostic
    (never a lesson or practice), then are "blocked" (not reached, needs s1 first)."""
    module = chain_module(skills=3)
    trace = run(module, always(False), settings=ActivitySettings(practice_cap=4))
    asked = [s for s in steps_of(trace) if isinstance(s, AskItem)]
    assert {s.phase for s in asked if s.skill != "s1"} == {"diagnostic"}
    assert {s.skill for s in asked} == {"s1", "s2", "s3"}
    pages = [s for s in steps_of(trace) if isinstance(s, ShowPage)]
    assert {p.skill for p in pages} == {"s1"}
    final = trace[-1]
    assert final.step == Finish((), ("s1",), ("s2", "s3"))
    assert final.step.unresolved
    assert final.state["skills"]["s2"]["blocked_by"] == ["s1"]
    assert final.state["skills"]["s3"]["blocked_by"] == ["s2"]
    rows = skill_progress(module, final.state)
    assert [p.status for p in rows] == ["flagged", "blocked", "blocked"]
    assert rows[0].flag_reason == "practice cap"
    assert rows[1].blocked_by == ("s1",)


def test_dependent_skill_known_from_its_diagnostic_despite_a_flagged_prerequisite():
    module = chain_module(skills=3)
    # wrong on all of s1, right on everything else
    trace = run(module, lambda step, n: step.skill != "s1",
                settings=ActivitySettings(practice_cap=4))
    final = trace[-1]
    assert final.state["skills"]["s2"]["status"] == "known"
    assert final.step.flagged == ("s1",)
    assert "s2" in final.step.mastered


def test_old_state_with_prerequisite_flag_reads_as_blocked():
    """States saved before "blocked" existed flagged dependents with "prerequisite flagged"."""
    module = chain_module(skills=2)
    state = start(module).state
    state["skills"]["s1"].update(status="flagged", flag_reason="practice cap")
    state["skills"]["s2"].update(status="flagged", flag_reason="prerequisite flagged")
    state["flagged"] = ["s1", "s2"]
    rows = skill_progress(module, state)
    assert [r.status for r in rows] == ["flagged", "blocked"]
    assert rows[1].blocked_by == ("s1",)


def test_gating_order_for_a_learner_who_masters():
    module = chain_module(skills=3)
    trace = run(module, lambda s, n: n % 7 != 0)  # mostly right
    first_seen = []
    for s in steps_of(trace):
        if isinstance(s, AskItem) and s.skill not in first_seen:
            first_seen.append(s.skill)
    assert first_seen == ["s1", "s2", "s3"]
    # each skill is done before the next one starts
    last_index = {
        k: max(i for i, s in enumerate(steps_of(trace)) if getattr(s, "skill", None) == k)
        for k in first_seen
    }
    first_index = {
        k: min(i for i, s in enumerate(steps_of(trace)) if getattr(s, "skill", None) == k)
        for k in first_seen
    }
    assert last_index["s1"] < first_index["s2"] and last_index["s2"] < first_index["s3"]


def _review_module() -> Module:
    from adaptive.modules.format import ModuleSettings

    skills = (
        Skill("a", "A", lesson="a-lesson"),
        Skill("b", "B", prerequisites=("a",), lesson="b-lesson"),
    )
    pages = (Page("a-lesson", "A", "…", skill="a"), Page("b-lesson", "B", "…", skill="b"))
    items = [_choice_item(f"a{i}", i / 4, skills=("a",), diagnostic=True) for i in range(4)]
    # b's items also exercise a: failing them is evidence against a
    items += [_choice_item(f"b{i}", i / 4, skills=("b", "a")) for i in range(6)]
    return Module("r", "R", skills, pages, tuple(items), settings=ModuleSettings(practice_cap=12))


def test_repeated_failure_routes_to_a_weak_prerequisite_review():
    module = _review_module()
    result = start(module, seed=0)
    while result.step.skill == "a":  # pass a's diagnostic
        assert result.step.phase == "diagnostic"
        result = next_step(module, result.state, ItemAnswer(result.step.item_id, "a"))
    assert result.state["skills"]["a"]["status"] == "known"
    assert result.step == ShowPage("b-lesson", "b", "lesson")
    result = next_step(module, result.state, PageSeen("b-lesson"))
    seen = []
    for _ in range(4):
        assert isinstance(result.step, AskItem) and result.step.skill == "b"
        result = next_step(module, result.state, ItemAnswer(result.step.item_id, "b"))
        seen.append(result.step)
    assert result.state["skills"]["a"]["est"]["k"] < 0.95
    assert result.step == ShowPage("a-lesson", "a", "review")
    result = next_step(module, result.state, PageSeen("a-lesson"))
    assert isinstance(result.step, AskItem) and result.step.phase == "review"
    assert result.step.skill == "a"
    # the review ends and practice of b resumes
    for _ in range(3):
        if isinstance(result.step, AskItem) and result.step.phase == "review":
            result = next_step(module, result.state, ItemAnswer(result.step.item_id, "a"))
    assert result.step.skill == "b" and result.step.phase == "practice"
    assert result.state["skills"]["a"]["status"] == "known"  # review does not revoke


def test_fitted_bkt_params_override_module_params():
    module = _one_skill_module([_choice_item("x"), _choice_item("y")])
    fitted = {"k": BKTParams(prior=0.9, learn=0.3, guess=0.1, slip=0.05)}
    plain = start(module, seed=0)
    fit = start(module, seed=0, bkt_params=fitted)
    assert plain.state["skills"]["k"]["est"]["k"] == pytest.approx(0.3)
    assert fit.state["skills"]["k"]["est"]["k"] == pytest.approx(0.9)
    r = next_step(module, fit.state, ItemAnswer(fit.step.item_id, "a"), bkt_params=fitted)
    assert r.mastery_before["k"] == pytest.approx(0.9)


@pytest.mark.parametrize("policy", ["adaptive", "linear", "streak"])
def test_every_run_terminates_with_random_answers(policy):
    module = chain_module(skills=3, remediation=True, items_per_skill=5, diagnostic_per_skill=2)
    settings = ActivitySettings(policy=policy, practice_cap=6)
    bound = (
        3 * (4 + 2 * 6 + 2 * (1 + 2)) + 1
    )  # per skill: diag + lesson + (item + page)*cap + reviews
    for seed in range(60):
        rnd = random.Random(seed)
        p = rnd.random()

        def answers(step, n, rnd=rnd, p=p):
            return rnd.random() < p

        trace = run(module, answers, settings=settings, seed=seed, limit=bound)
        final = trace[-1].step
        done = set(final.mastered) | set(final.flagged) | set(final.blocked)
        assert done == {"s1", "s2", "s3"}


# Module files only: "fractions.es.yaml" is a translation (tested in test_translations.py).
_SAMPLE_DIR = Path(__file__).resolve().parents[2] / "adaptive" / "samples"
SAMPLES = sorted(p for p in _SAMPLE_DIR.glob("*.yaml") if p.name.count(".") == 1)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: p.stem)
@pytest.mark.parametrize("policy", ["adaptive", "linear", "streak"])
def test_sample_modules_run_to_the_end(path, policy):
    from adaptive.modules.loader import load_module

    loaded = load_module(path)
    module = loaded[0] if isinstance(loaded, tuple) else loaded
    assert module is not None
    for seed in range(5):
        rnd = random.Random(seed)

        def answers(step, n, rnd=rnd):
            return rnd.random() < 0.7

        trace = run(
            module, answers, settings=ActivitySettings.from_module(module, policy=policy), seed=seed
        )
        final = trace[-1]
        assert isinstance(final.step, Finish)
        assert json.loads(json.dumps(final.state)) == final.state
