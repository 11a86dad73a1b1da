"""Aggregates, difficulty and suggestions over hand-made event lists."""

from __future__ import annotations

import math

import pytest

from adaptive.analytics import (
    AnswerRecord,
    PageRecord,
    SkillInfo,
    SkillState,
    estimate_difficulties,
    item_difficulty,
    item_summaries,
    learner_path,
    learner_summaries,
    misconception_summaries,
    skill_summaries,
    struggling_skills,
    suggest,
)
from adaptive.analytics.suggestions import Names, Rules

SKILLS = [SkillInfo("eq", "Equivalent fractions"), SkillInfo("add", "Adding fractions")]


def ans(learner, item, correct, seq, skill="eq", **kw) -> AnswerRecord:
    return AnswerRecord.from_dict({"learner": learner, "item_id": item, "correct": correct,
                                   "seq": seq, "skill_ids": [skill], **kw})


def st(learner, skill, status, p, attempts=0) -> SkillState:
    return SkillState(learner, skill, status, p, attempts)


def stuck_class():
    """Six learners flagged on "add", five of them with misconception "add-tops"."""
    learners = [f"L{i}" for i in range(8)]
    answers, states = [], []
    for i, lid in enumerate(learners[:6]):
        tag = "add-tops" if i < 5 else "other"
        for k in range(12):
            answers.append(ans(lid, f"add-{k % 3}", False, k, "add", misconception=tag,
                               answer_text="2/5", group_index=1))
        states.append(st(lid, "add", "flagged", 0.4, 12))
        states.append(st(lid, "eq", "mastered", 0.97, 4))
    # two learners who mastered everything: one never started add
    states += [st("L6", "eq", "known", 0.96), st("L6", "add", "mastered", 0.96, 5)]
    return learners, states, answers


def test_item_difficulty_is_the_smoothed_logit_of_failure():
    assert item_difficulty(0, 0) == 0.0
    assert item_difficulty(10, 8) == pytest.approx(math.log(3 / 9))
    assert item_difficulty(10, 0) > 0 > item_difficulty(10, 10)
    assert item_difficulty(10_000, 0) == 4.0  # clipped
    with pytest.raises(ValueError):
        item_difficulty(2, 3)


def test_estimate_difficulties_uses_only_first_valid_attempts():
    answers = [ans("a", "i1", False, 1, valid=False), ans("a", "i1", True, 2),
               ans("a", "i1", False, 3), ans("b", "i1", False, 1)]
    est = estimate_difficulties(answers)["i1"]
    assert (est.first_attempts, est.first_correct) == (2, 1)
    assert est.difficulty == pytest.approx(0.0)


def test_skill_summaries_count_roster_learners_who_never_started():
    learners, states, answers = stuck_class()
    eq, add = skill_summaries(SKILLS, learners, states, answers)
    assert (add.n_learners, add.flagged, add.mastered, add.not_started) == (8, 6, 1, 1)
    assert add.flagged_misconceptions[0] == ("add-tops", 5)
    assert add.mean_answers_to_mastery == 5
    assert eq.known == 1 and eq.mastered == 6 and eq.not_started == 1
    assert [s.skill_id for s in struggling_skills([eq, add])] == ["add", "eq"]


def test_item_summary_groups_wrong_answers_with_what_was_typed():
    answers = [ans("a", "q", False, 1, answer_text="1/2", group_index=2, misconception="m"),
               ans("b", "q", False, 1, answer_text="1/2", group_index=2, misconception="m"),
               ans("c", "q", False, 1, answer_text="7"),
               ans("c", "q", True, 2, answer_text="2/4"),
               ans("d", "q", True, 1)]
    states = [st(x, "eq", "mastered", 0.96) for x in "abd"]
    (item,) = item_summaries(answers, states)
    assert (item.first_attempts, item.first_correct) == (4, 1)
    assert (item.skilled_first_attempts, item.skilled_first_correct) == (3, 1)
    top = item.wrong_groups[0]
    assert (top.group_index, top.misconception, top.n_learners) == (2, "m", 2)
    assert top.examples == (("1/2", 2),)
    assert item.wrong_groups[1].group_index is None


def test_items_sorted_by_first_attempt_success():
    answers = [ans("a", "easy", True, 1), ans("a", "hard", False, 2)]
    assert [i.item_id for i in item_summaries(answers)] == ["hard", "easy"]


def test_misconceptions_and_learner_rows():
    learners, states, answers = stuck_class()
    top = misconception_summaries(answers)[0]
    assert (top.misconception, top.n_learners) == ("add-tops", 5)
    rows = learner_summaries(learners, states, answers)
    assert [r.started for r in rows].count(False) == 1  # L7: on the roster, never launched
    assert rows[0].flagged_skills == ("add",) and rows[0].n_answers == 12


def test_learner_path_merges_pages_and_answers_in_order():
    path = learner_path(
        [ans("a", "q1", True, 2, mastery_after={"eq": 0.8}), ans("a", "q2", False, 3)],
        [PageRecord("a", "eq-intro", 1)], {"eq-intro": "eq"},
    )
    assert [(s.kind, s.ref) for s in path] == [("page", "eq-intro"), ("answer", "q1"),
                                                ("answer", "q2")]
    assert path[0].skill_id == "eq" and path[1].mastery_after == 0.8


def test_suggestion_names_stuck_learners_and_their_shared_misconception():
    learners, states, answers = stuck_class()
    skills = skill_summaries(SKILLS, learners, states, answers)
    out = suggest(skills, item_summaries(answers, states), misconception_summaries(answers),
                  learner_summaries(learners, states, answers), practice_cap=12)
    first = out[0]
    assert first.kind == "stuck" and first.priority == 3
    assert first.text.startswith("6 learners are stuck on “Adding fractions” after the "
                                 "practice cap (12 items)")
    assert "5 of them share the misconception “add-tops”" in first.text
    views = {(e.view, e.id) for e in first.evidence}
    assert ("skill", "add") in views and ("misconception", "add-tops") in views
    assert ("learner", "L0") in views
    # the shared misconception is not repeated as a separate "whole class" suggestion
    assert not any(s.kind == "misconception" and "add-tops" in s.text for s in out)
    assert any(s.kind == "not_started" and s.text.startswith("1 learner has") for s in out)


def test_suggestion_revise_an_item_that_skilled_learners_fail():
    answers, states = [], []
    for k, lid in enumerate("abcde"):
        answers.append(ans(lid, "bad", k == 0, 1, answer_text="0.5"))
        answers.append(ans(lid, "good", True, 2))
        states.append(st(lid, "eq", "mastered", 0.97, 3))
    items = item_summaries(answers, states)
    skills = skill_summaries(SKILLS[:1], list("abcde"), states, answers)
    out = suggest(skills, items, practice_cap=12)
    revise = [s for s in out if s.kind == "revise_item"]
    assert len(revise) == 1
    assert "only 20 % of the learners who mastered its skill (1 of 5): revise it" in \
        revise[0].text
    assert "“0.5” (4×)" in revise[0].text
    assert revise[0].evidence[0].view == "item" and revise[0].evidence[0].id == "bad"
    assert any(s.kind == "easy_skill" for s in out)


def test_widespread_misconception_slow_skill_and_personal_note():
    learners = list("abcd")
    answers = [ans(x, "q", False, 1, misconception="flip", answer_text="3/2")
               for x in "abc"]
    states = [st(x, "eq", "mastered", 0.96, 10) for x in "abc"]
    states += [st("d", "eq", "flagged", 0.3, 12), st("d", "add", "flagged", 0.2, 12)]
    skills = skill_summaries(SKILLS, learners, states, answers)
    out = suggest(skills, (), misconception_summaries(answers),
                  learner_summaries(learners, states, answers), practice_cap=12,
                  names=Names(skills={s.id: s.title for s in SKILLS}, learners={"d": "Dana"}))
    kinds = [s.kind for s in out]
    assert "misconception" in kinds and "slow_skill" in kinds and "learner" in kinds
    personal = next(s for s in out if s.kind == "learner")
    assert personal.text.startswith("Dana needs help on 2 skills")
    slow = next(s for s in out if s.kind == "slow_skill")
    assert "10.0 answers on average" in slow.text
    # a single flagged learner is "is stuck"; "their mistakes differ" needs two learners
    stuck = next(s for s in out if s.kind == "stuck")
    assert "1 learner is stuck" in stuck.text and "differ" not in stuck.text
    assert "Look at their answers" in stuck.text


def test_no_data_no_suggestions_and_rules_limit():
    assert suggest([]) == []
    learners, states, answers = stuck_class()
    skills = skill_summaries(SKILLS, learners, states, answers)
    assert len(suggest(skills, rules=Rules(max_suggestions=1))) == 1
