"""Confusion flags: from the learner's actions to the teacher's live panel, and resources."""

from __future__ import annotations

from adaptive.assistant.confusion import AnswerSignal, LiveSignal, QuestionSignal, flags
from lti_tool.modules.library import get_module
from lti_tool.runner.answers import correct_form
from tests.dashboard.conftest import launch as staff_launch

from .test_views import _ask, _learner


def _wrong(item) -> dict:
    form = correct_form(item)
    if item.type.value == "single_choice":
        return {"answer": [c.id for c in item.choices if c.id != form["answer"][0]][:1]}
    if item.type.value in ("numeric", "short_text"):
        return {"answer": ["987654"]}
    if item.type.value == "multiple_choice":
        return {"answer": [item.choices[-1].id]} if [item.choices[-1].id] != form["answer"] \
            else {"answer": [item.choices[0].id]}
    return {f"pos-{c.id}": str(len(item.choices) - n) for n, c in enumerate(item.choices)}


def test_flags_from_seeded_signals():
    now = 10_000.0
    answers = [AnswerSignal("a", "s1", False, 0, now - 30 + i) for i in range(3)]
    answers += [AnswerSignal("b", "s1", False, 0, now - 20), AnswerSignal("b", "s1", True, 0,
                                                                          now - 10)]
    answers += [AnswerSignal("c", "s2", True, 3, now - 5)]
    questions = [QuestionSignal("d", "s1", True, False, now - 2),
                 QuestionSignal("e", "s2", False, True, now - 1),
                 QuestionSignal("f", "s2", False, True, now - 4000)]  # too old
    live = [LiveSignal("g", "s3", 0, now - 600), LiveSignal("h", "s3", 0, now - 10)]
    got = {(f.learner, f.reason) for f in flags(answers, questions, live, now)}
    assert got == {("a", "wrong_answers"), ("c", "hint_cascade"), ("d", "same_question"),
                   ("e", "said_confused"), ("g", "long_dwell")}


def test_struggle_reaches_the_teachers_live_panel_at_the_next_poll(client, lms):
    teacher = staff_launch(client, lms)
    assert client.get("/assistant/flags", query_string={"t": teacher}).get_json()["flags"] == []
    learner = _learner(client, lms)
    module = get_module("fractions")
    wrong: dict[str, int] = {}
    for _ in range(20):  # wrong answers until one skill has three
        while learner.kind in ("page", "feedback"):
            learner.next() if learner.kind == "feedback" else learner.continue_page()
        if learner.kind != "item":
            break
        item = module.item(learner.item_id)
        learner.answer(_wrong(item))
        wrong[item.primary_skill] = wrong.get(item.primary_skill, 0) + 1
        if max(wrong.values()) >= 3:
            break
    skill = max(wrong, key=wrong.get)
    assert wrong[skill] >= 3
    _ask(learner, "I don't get it")
    _ask(learner, "What is a fraction?")
    _ask(learner, "what is a fraction")
    found = client.get("/assistant/flags", query_string={"t": teacher}).get_json()["flags"]
    reasons = {f["reason"] for f in found}
    assert {"said_confused", "same_question"} <= reasons
    assert {"wrong_answers"} <= {f["reason"] for f in found
                                 if f["skill"] == module.skill(skill).title}
    assert all(f["learner"] == "Lee Learner" for f in found)
    page = client.get("/assistant/teacher", query_string={"t": teacher}).get_data(as_text=True)
    assert 'data-flags-url="/assistant/flags?t=' in page and "told the assistant" in page


def test_struggling_learner_is_offered_the_skills_resources(client, lms, app):
    from adaptive.assistant import Mode
    from lti_tool.assistant.models import AssistantQuestion  # noqa: F401 - table exists
    from lti_tool.assistant.services import panel_of
    from lti_tool.extensions import db
    from lti_tool.models import Attempt

    learner = _learner(client, lms)
    module = get_module("fractions")
    skill = module.item(learner.item_id).primary_skill
    assert "More help with this skill" not in learner.html
    attempt = db.session.query(Attempt).one()
    state = dict(attempt.state)
    panel = panel_of(module, state, Mode.FULL, app.config["BRANCHWISE"])
    assert not panel.flagged
    state["skills"][skill]["recent"] = [False, False, False]
    panel = panel_of(module, state, Mode.FULL, app.config["BRANCHWISE"])
    assert panel.flagged and [p.id for p in panel.resources] == [f"resource:{skill}:0"]
    # Saying "I don't get it" brings the skill's resources into the reply at once.
    data = _ask(learner, "I don't get it").get_json()
    assert f"resource:{skill}:0" in data["cited"]
