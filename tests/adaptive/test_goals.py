"""Goals (issue 16 item 1): the engine plans only a goal's prerequisite closure, the grade
covers the goal's skills, the validator reports bad goals with file:line, and states saved
before goals existed load as the whole module."""

from __future__ import annotations

import numpy as np
import pytest

from adaptive.engine import (
    ActivitySettings,
    AskItem,
    Finish,
    ItemAnswer,
    PageSeen,
    ShowPage,
    item_for_step,
    next_step,
    skill_progress,
    start,
)
from adaptive.goals import closure, goal_targets, relevant_skills
from adaptive.grading.score import grade
from adaptive.modules import module_to_dict, parse_module, validate_text
from adaptive.samples import load_sample, sample_text
from adaptive.simulation.runner import correct_answer

SAMPLE = "security-awareness"


def run_all_correct(module, settings, seed: int = 1):
    """Answer every item right; return the final state and the items asked."""
    result = start(module, settings, seed=seed)
    asked: list[str] = []
    for _ in range(500):
        step = result.step
        if isinstance(step, Finish):
            return result.state, asked
        if isinstance(step, ShowPage):
            result = next_step(module, result.state, PageSeen(step.page_id))
        else:
            assert isinstance(step, AskItem)
            item = item_for_step(module, result.state, step)
            asked.append(step.item_id)
            result = next_step(module, result.state, ItemAnswer(step.item_id,
                                                                correct_answer(item)))
    raise AssertionError("did not finish")


def test_sample_ships_at_least_three_goals_with_known_skills() -> None:
    module = load_sample(SAMPLE)
    assert len(module.goals) >= 3
    skill_ids = {s.id for s in module.skills}
    for goal in module.goals:
        assert goal.title and set(goal.skills) <= skill_ids
    assert validate_text(sample_text(SAMPLE), "security-awareness.yaml") == []


def test_closure_takes_prerequisites_transitively() -> None:
    module = load_sample(SAMPLE)
    assert closure(module, ["safe-devices"]) == {"safe-devices", "phishing"}
    assert relevant_skills(module, "manager") == {
        "incident-reporting", "phishing", "passwords-mfa", "sensitive-data"}
    # No goal, or a goal the module does not have: the whole module's targets.
    assert goal_targets(module, None) == tuple(s.id for s in module.skills)
    assert relevant_skills(module, "nope") == {s.id for s in module.skills}


@pytest.mark.parametrize("goal_id", ["sales", "engineering", "manager", "all-staff"])
def test_engine_plans_only_the_goals_closure(goal_id: str) -> None:
    module = load_sample(SAMPLE)
    planned = relevant_skills(module, goal_id)
    settings = ActivitySettings.from_module(module, goal=goal_id)
    state, asked = run_all_correct(module, settings)
    asked_skills = {module.item(i).primary_skill for i in asked}
    assert asked_skills <= planned
    assert set(module.goal(goal_id).skills) <= asked_skills | {
        s for s, ss in state["skills"].items() if ss["status"] == "known"}
    for sid, ss in state["skills"].items():
        if sid not in planned:
            assert ss["status"] == "not_started" and ss["attempts"] == 0
        else:
            assert ss["status"] in ("mastered", "known")
    # The progress view lists the planned skills only.
    assert {row.skill_id for row in skill_progress(module, state)} == planned


def test_goal_grade_covers_the_goals_skills() -> None:
    module = load_sample(SAMPLE)
    settings = ActivitySettings.from_module(module, goal="sales")
    state, _ = run_all_correct(module, settings)
    report = grade(module, state)
    assert [r.skill_id for r in report.per_skill] == ["phishing", "sensitive-data"]
    assert report.score == 1.0 and not report.unresolved
    # The same state graded for the whole module is far from full: skills never planned.
    whole = grade(module, state, ActivitySettings.from_module(module))
    assert whole.score == pytest.approx(2 / 5)


def test_goal_grade_keeps_the_teachers_graded_skills_within_the_goal() -> None:
    module = load_sample(SAMPLE)
    settings = ActivitySettings.from_module(module, goal="manager",
                                            graded_skills=("incident-reporting", "safe-devices"))
    state, _ = run_all_correct(module, settings)
    assert [r.skill_id for r in grade(module, state).per_skill] == ["incident-reporting"]


def test_a_goal_asks_fewer_items_than_the_whole_module() -> None:
    module = load_sample(SAMPLE)
    _, whole = run_all_correct(module, ActivitySettings.from_module(module))
    _, sales = run_all_correct(module, ActivitySettings.from_module(module, goal="sales"))
    assert 0 < len(sales) < len(whole)


def test_unknown_goal_is_refused_at_start() -> None:
    module = load_sample(SAMPLE)
    with pytest.raises(ValueError, match="no goal 'astronaut'"):
        start(module, ActivitySettings.from_module(module, goal="astronaut"))


def test_states_without_a_goal_load_as_the_whole_module() -> None:
    module = load_sample(SAMPLE)
    result = start(module, ActivitySettings.from_module(module), seed=3)
    assert "goal" not in result.state["settings"]  # stored states look as before
    settings = ActivitySettings.from_dict(result.state["settings"])
    assert settings.goal is None
    with_goal = ActivitySettings.from_module(module, goal="sales")
    assert ActivitySettings.from_dict(with_goal.to_dict()).goal == "sales"
    state, asked = run_all_correct(module, settings)
    assert {module.item(i).primary_skill for i in asked} == {s.id for s in module.skills}


def test_goals_round_trip_through_the_file_format() -> None:
    import yaml

    module = load_sample(SAMPLE)
    again, problems = parse_module(yaml.safe_dump(module_to_dict(module)), "x.yaml")
    assert problems == [] and again is not None
    assert again.goals == module.goals


BAD_GOALS = """\
schema_version: 1
id: g
title: Goals
skills:
  - id: a
    title: A
  - id: b
    title: B
    prerequisites: [a]
goals:
  - id: first
    title: First
    skills: [a]
  - id: first
    title: Again
    skills: [b, zz]
  - id: third
    title: No skills
    skills: []
items:
  - id: i1
    type: single_choice
    skills: [a]
    prompt: Q
    choices: [{id: x, text: X}, {id: y, text: Y}]
    answer_groups:
      - {match: {choice: x}, correct: true}
"""


def test_validator_reports_duplicate_goal_and_unknown_skill_with_lines() -> None:
    problems = validate_text(BAD_GOALS, "bad.yaml")
    by_code = {(p.code, p.line) for p in problems}
    assert ("duplicate-id", 14) in by_code
    assert ("unknown-skill", 16) in by_code
    assert any(p.line == 19 and p.path.startswith("goals[2].skills") for p in problems)
    text = "\n".join(str(p) for p in problems)
    assert "bad.yaml:16" in text and "'zz'" in text


def test_sim_learner_reaches_a_goal_in_fewer_items(tmp_path) -> None:
    """The benchmark's measure on a small population: items to finish a goal vs the module."""
    from bench.goals_bench import measure

    rows = measure(load_sample(SAMPLE), learners=40, seed=0)
    whole = rows["(whole module)"]
    assert rows["sales"]["items_median"] < whole["items_median"]
    assert all(np.isfinite(r["items_median"]) for r in rows.values())
