"""Issue 12's promises on modules nobody wrote by hand.

The sample modules and sim-branch-v1 are the cases the engine was built on. Here Hypothesis
draws modules unlike them — one to five skills with random prerequisites, one to eight items
of every type, lessons and remediation pages or none, practice caps from 1, thresholds from
0.6 to 0.99, extreme BKT parameters — and a policy and a learner (all wrong, all right, a
random guesser, a coin-flipper). Every run must keep what issue 12 promises: it finishes,
credit needs evidence, a blocked skill is never "stuck", no item comes back while its skill
has unseen ones, a remediation page at most twice per skill, and a learner who answers
everything right is never reported stuck.
"""

from __future__ import annotations

import json
import random
from collections import Counter
from typing import Any

import numpy as np
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from adaptive.engine import (
    ActivitySettings,
    AskItem,
    Finish,
    ItemAnswer,
    ShowPage,
    next_step,
    start,
)
from adaptive.grading.score import grade
from adaptive.modules.format import Item, ItemType, Module
from adaptive.modules.loader import parse_module
from adaptive.policy.base import PASSED_STATUSES, is_blocked, is_stuck
from adaptive.simulation.runner import answer_matching, correct_answer, wrong_answer
from tests.support.drawn_modules import choices, module_texts
from tests.support.engine_driver import play

MAX_STEPS = 3000
LEARNERS = ("all-wrong", "all-right", "guesser", "coin")
POLICIES = ("adaptive", "linear", "streak")


def answer_for(kind: str, item: Item, rng: random.Random) -> object:
    nrng = np.random.default_rng(rng.randrange(2**32))
    if kind == "all-wrong":
        return wrong_answer(item, nrng)
    if kind == "all-right":
        return correct_answer(item)
    if kind == "coin":
        return correct_answer(item) if rng.random() < 0.5 else wrong_answer(item, nrng)
    # guesser: one of the answers the item's groups name, or for choice items any choice
    if item.type == ItemType.SINGLE_CHOICE:
        return rng.choice([c.id for c in item.choices])
    named = [answer_matching(item, g.match) for g in item.answer_groups]
    return rng.choice(named)


def run(module: Module, policy: str, learner: str, seed: int) -> tuple[Any, list[Any]]:
    """The whole activity; returns the final result and the steps shown, in order."""
    rng = random.Random(seed)
    return play(module, lambda item: answer_for(learner, item, rng),
                ActivitySettings.from_module(module, policy=policy), seed=seed,
                max_steps=MAX_STEPS)


def check_no_repeats(module: Module, steps: list[Any]) -> None:
    """An item comes back only once every item of its skill has been shown."""
    pools: dict[str, set[str]] = {}
    for item in module.items:
        pools.setdefault(item.primary_skill, set()).add(item.id)
    seen: set[str] = set()
    for step in steps:
        if not isinstance(step, AskItem):
            continue
        if step.item_id in seen:
            skill = module.item(step.item_id).primary_skill
            unseen = pools[skill] - seen
            assert not unseen, f"{step.item_id} again while {sorted(unseen)} were never shown"
        seen.add(step.item_id)


def check_remediations(steps: list[Any]) -> None:
    shown = Counter(s.skill for s in steps if isinstance(s, ShowPage) and s.reason == "remediation")
    assert all(n <= 2 for n in shown.values()), shown


def check_evidence(module: Module, policy: str, state: dict[str, Any], steps: list[Any]) -> None:
    report = grade(module, state, ActivitySettings.from_module(module, policy=policy))
    assert 0.0 <= report.score <= 1.0
    answered = {s.skill for s in steps if isinstance(s, AskItem)}
    for row in report.per_skill:
        ss = state["skills"][row.skill_id]
        if row.skill_id not in answered:
            assert row.credit == 0.0, f"{row.skill_id}: credit {row.credit} without an answer"
        if is_blocked(ss):
            assert not row.flagged, f"{row.skill_id} blocked but reported stuck"
            assert ss.get("blocked_by"), f"{row.skill_id} blocked by nothing"
        if is_stuck(ss):
            assert ss["practice"] > 0, f"{row.skill_id} stuck without practising"


# The first shrunk failure, kept: practice cap 1 on a two-choice item flagged a learner who
# answered it right as stuck (the rule needs two right answers).
CAP_ONE = json.dumps({
    "schema_version": 1, "id": "drawn", "title": "Drawn module",
    "settings": {"mastery_threshold": 0.75, "practice_cap": 1, "diagnostic_items": 0,
                 "bkt": {"prior": 0.5, "learn": 0.5, "guess": 0.25, "slip": 0.25}},
    "skills": [{"id": "s0", "title": "Skill 0", "prerequisites": []}], "pages": [],
    "items": [{"id": "s0-i0", "type": "single_choice", "skills": ["s0"], "prompt": "Q",
               "choices": choices(2),
               "answer_groups": [{"match": {"choice": "a"}, "correct": True},
                                 {"match": {"choice": "b"}, "correct": False}]}],
})


# derandomize: CI draws the same modules every run (a failure is reproducible from the log);
# run with --hypothesis-seed=random to explore further.
@settings(max_examples=150, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(text=module_texts(), policy=st.sampled_from(POLICIES),
       learner=st.sampled_from(LEARNERS), seed=st.integers(0, 10_000))
@example(text=CAP_ONE, policy="adaptive", learner="all-right", seed=0)
@example(text=CAP_ONE, policy="streak", learner="all-right", seed=0)
def test_every_drawn_module_keeps_the_evidence_promises(
    text: str, policy: str, learner: str, seed: int
) -> None:
    module, problems = parse_module(text, "drawn.json")
    assume(module is not None)
    assert module is not None
    final, steps = run(module, policy, learner, seed)
    state = final.state
    check_no_repeats(module, steps)
    check_remediations(steps)
    check_evidence(module, policy, state, steps)
    report = grade(module, state, ActivitySettings.from_module(module, policy=policy))
    if learner == "all-wrong":
        assert report.score == 0.0
        assert not [s for s, ss in state["skills"].items() if ss["status"] in PASSED_STATUSES]
    if learner == "all-right":
        stuck = [s for s, ss in state["skills"].items() if is_stuck(ss)]
        assert not stuck, f"a learner who answered everything right is 'stuck' on {stuck}"


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(text=module_texts())
def test_a_drawn_module_validates_or_says_why(text: str) -> None:
    """The drawn modules are valid by construction; the validator must not refuse them (a
    refusal here is a validator that rejects a module the format allows)."""
    module, problems = parse_module(text, "drawn.json")
    errors = [p for p in problems if p.is_error]
    assert module is not None, [f"{p.code}: {p.message}" for p in errors]


def test_a_flawless_learner_is_not_stuck_when_the_cap_is_below_what_mastery_needs() -> None:
    """Cap 1, one two-choice item: the adaptive rule needs a streak a guesser would hit with
    at most 7 %, i.e. four right answers. Before, the first right answer hit the cap and the
    teacher was told the learner was stuck; now the run of right answers goes on to mastery,
    and one wrong answer after the cap ends it as before (flagged: the cap is used)."""
    module, _ = parse_module(CAP_ONE, "cap-one.json")
    assert module is not None
    final, steps = run(module, "adaptive", "all-right", 0)
    ss = final.state["skills"]["s0"]
    assert ss["status"] == "mastered"
    assert 2 <= len(steps) <= 1 + 50
    # Right, then wrong: the run is no longer flawless, the cap is used, the skill flagged.
    result = start(module, ActivitySettings.from_module(module), seed=0)
    for answer in ("a", "b"):
        step = result.step
        assert isinstance(step, AskItem)
        result = next_step(module, result.state, ItemAnswer(step.item_id, answer))
    assert isinstance(result.step, Finish)
    assert result.state["skills"]["s0"]["status"] == "flagged"


# ---- the teacher's side: analytics on classes that took a drawn module

@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(text=module_texts(kinds=("single_choice",)), size=st.integers(1, 40),
       seed=st.integers(0, 10_000))
def test_suggestions_for_a_drawn_module_are_sound_and_apply_cleanly(
    text: str, size: int, seed: int
) -> None:
    """A class of 1-40 simulated learners takes a drawn module (single-choice items: the
    classroom simulator answers by choice). Every suggestion names something in the module,
    has a finite confidence in [0, 1] and words without NaN; and applying all their edits to
    the module's text gives a module that still validates (an added prerequisite that made a
    cycle would hand the teacher a module the tool refuses)."""
    from adaptive.analytics.restructuring import suggest_restructuring
    from adaptive.simulation.classroom import ClassTruth, ItemBehaviour, simulate_class
    from lti_tool.dashboard.module_diff import apply_edits

    module, _ = parse_module(text, "drawn.json")
    assume(module is not None)
    assert module is not None
    truth = ClassTruth(items={i.id: ItemBehaviour() for i in module.items},
                       prerequisites={s.id: s.prerequisites for s in module.skills})
    log = simulate_class(module, truth, size, np.random.default_rng(seed))
    found = suggest_restructuring(module, log.answers, log.pages, log.states)
    names = {s.id for s in module.skills} | {i.id for i in module.items} | {
        p.id for p in module.pages}
    for r in found:
        parts = r.target.split(">") if ">" in r.target else [r.target]
        assert all(p in names for p in parts), r
        assert 0.0 <= r.confidence <= 1.0, r
        for word in ("nan", "inf%"):
            assert word not in r.evidence.lower() and word not in r.change.lower(), r
    edits = [r.edit for r in found if r.edit]
    if edits:
        revised, done = apply_edits(text, edits)
        again, problems = parse_module(revised, "revised.yaml")
        assert again is not None, (done, [f"{p.code}: {p.message}" for p in problems
                                          if p.is_error])
