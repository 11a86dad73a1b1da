"""Restructuring suggestions against classes whose truth is known (planted flaws)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from adaptive.analytics.events import AnswerRecord, SkillState
from adaptive.analytics.restructuring import (
    binom_cdf,
    not_judged,
    reached,
    suggest_restructuring,
)
from adaptive.modules.loader import parse_module
from adaptive.modules.variants import distinct_questions
from adaptive.samples import load_sample
from adaptive.simulation.classroom import (
    PLANTED,
    ClassTruth,
    ItemBehaviour,
    planted_flaw_module,
    simulate_class,
)
from adaptive.simulation.synthetic import synthetic_module


@pytest.fixture(scope="module")
def planted_300():
    module, truth = planted_flaw_module(1)
    log = simulate_class(module, truth, 300, np.random.default_rng(1001))
    return module, log, suggest_restructuring(module, log.answers, log.pages, log.states)


def test_planted_flaws_are_found_with_evidence_and_edits(planted_300):
    module, _, found = planted_300
    keys = {(r.kind, r.target) for r in found}
    assert len(keys & set(PLANTED)) >= 4  # the benchmark measures the rate over many classes
    assert len([k for k in keys if k not in PLANTED]) <= 1
    by_key = {(r.kind, r.target): r for r in found}
    key = by_key[("mis_keyed", "s1-i20")]
    assert key.edit == {"op": "set_key", "item": "s1-i20", "choice": "c"}
    assert "Option C" in key.change and key.numbers["knowers"] >= 50
    assert by_key[("add_prerequisite", "s4>s2")].edit == {
        "op": "add_prerequisite", "skill": "s2", "prerequisite": "s4"}
    assert by_key[("remove_prerequisite", "s3>s5")].edit == {
        "op": "remove_prerequisite", "skill": "s5", "prerequisite": "s3"}
    for r in found:
        assert 0.8 <= r.confidence <= 1.0 and r.evidence and r.change


def test_a_sound_module_rarely_gets_a_suggestion():
    """Six classes of 300 on a module without flaws: at most one gets any suggestion (a
    false one). Measured 2026-12-02: one (class 0, a non-discriminating item from 20 and 13
    learners); with the diagnostic that counted no learning also one (class 5). Until then
    this checked class 0 alone."""
    module, guess_slip = synthetic_module(np.random.default_rng(0), skills=4)
    truth = ClassTruth(items={i: ItemBehaviour(g, s) for i, (g, s) in guess_slip.items()})
    alarmed = 0
    for seed in range(6):
        log = simulate_class(module, truth, 300, np.random.default_rng(seed))
        alarmed += bool(suggest_restructuring(module, log.answers, log.pages, log.states))
    assert alarmed <= 1


def test_too_few_items_for_the_practice_cap():
    module, _ = synthetic_module(np.random.default_rng(0), skills=2, items_per_skill=20)
    short = replace(module, items=tuple(i for i in module.items
                                        if i.skills[0] == "s1" or i.id <= "s2-i05"))
    found = suggest_restructuring(short, [], [], [])
    assert [(r.kind, r.target) for r in found] == [("too_few_items", "s2")]
    assert "has 5 items but a practice cap of 12" in found[0].evidence
    # Nobody has answered yet: the evidence says so (it said "up to 0 answers by one
    # learner", and "up to 1 answers" on the demo's dashboard).
    assert "no learner has needed that many yet: at most 0 answers" in found[0].evidence


VARIANT_ITEM = """
schema_version: 1
id: v
title: Variants
skills:
  - {id: s2, title: Two}
items:
  - id: s2-plus
    type: numeric
    skills: [s2]
    variants:
      params:
        a: {values: [1, 2, 3]}
    prompt: "What is {{a}} + 10?"
    answer_groups:
      - match: {value: "a + 10", tolerance: 0}
        correct: true
"""


def test_variants_count_as_questions_for_the_practice_cap():
    """An item with variants shows new numbers at each showing, and the engine asks those
    once every item was asked: a skill is short of questions, not of items. The fractions
    sample's skills have 9-10 items and a cap of 12; with their variant items none repeats a
    question, and the dashboard said otherwise for all five (the committed screenshot).
    Security-awareness had 6-7 plain items per skill for a cap of 10, and a fresh demo's
    dashboard opened with five "add 3 items" suggestions against our own sample; every skill
    now has at least 10 questions."""
    for sample in ("fractions", "security-awareness"):
        assert not [r for r in suggest_restructuring(load_sample(sample), [], [], [])
                    if r.kind == "too_few_items"], sample

    module, _ = synthetic_module(np.random.default_rng(0), skills=2, items_per_skill=20)
    variant, problems = parse_module(VARIANT_ITEM, "v.yaml")
    assert variant is not None and not [p for p in problems if p.severity == "error"]
    assert distinct_questions(variant.items[0]) == 3
    short = replace(module, items=tuple(
        i for i in module.items if i.skills[0] == "s1" or i.id <= "s2-i05") + variant.items)
    found = suggest_restructuring(short, [], [], [])
    assert [(r.kind, r.target) for r in found] == [("too_few_items", "s2")]
    assert ("has 6 items (8 different questions with their variants) but a practice cap "
            "of 12") in found[0].evidence
    assert found[0].change.startswith("Add 4 items")


def test_a_dominant_misconception_is_named():
    answers = [AnswerRecord(f"L{k}", "q1", ("s1",), correct=False, seq=k,
                            misconception="adds-denominators" if k < 8 else None)
               for k in range(10)]
    module, _ = synthetic_module(np.random.default_rng(0), skills=1)
    found = [r for r in suggest_restructuring(module, answers) if r.kind ==
             "dominant_misconception"]
    assert found[0].target == "q1" and "8 of the 10 wrong answers" in found[0].evidence


def test_flagged_without_answers_is_not_reached():
    assert reached("flagged", 0) == "not_reached"
    assert reached("flagged", 3) == "flagged"
    assert SkillState("a", "s", "flagged", 0.3, 0).status == "flagged"


def test_binomial_tail():
    assert binom_cdf(0, 3, 0.5) == pytest.approx(0.125)
    assert binom_cdf(3, 3, 0.5) == pytest.approx(1.0)
    assert binom_cdf(-1, 3, 0.5) == 0.0


def test_what_a_class_is_too_small_to_judge_is_said():
    """No suggestion about a lesson or an item is not "it is sound" when too few learners
    could show it: the dashboard says what was not judged, and why, until the class is big
    enough (the planted module's lessons need 15 learners each who failed the diagnostic)."""
    module, truth = planted_flaw_module(0)
    said = {}
    for n in (5, 30, 300):
        log = simulate_class(module, truth, n, np.random.default_rng(1))
        said[n] = not_judged(module, log.answers, log.pages, log.states)
    assert said[5][0].startswith("Items: 120 of 120 were answered by fewer than 8 learners")
    assert said[5][1] == ("Prerequisites: 1 of the 1 prerequisite links could not be checked "
                          "(“Skill 3” before “Skill 5”). A link “A before B” is checked on "
                          "learners who had to learn A (or got stuck on it) and then reached "
                          "B, at least 4 of them.")
    assert said[5][2].startswith("Lessons: none of the 6 can be judged yet")
    assert not any(s.startswith("Prerequisites") for s in said[30])
    assert "of 120 were answered by fewer than 8" in said[30][0]
    assert any(s.startswith("Lessons: ") for s in said[30])
    assert said[300] == []
