"""Goals in the runner (issue 16 item 1): the goal from the launch's custom parameter, the
learner's own choice when the teacher allows it, and a clear error for an unknown goal."""

from __future__ import annotations

from sqlalchemy import select

from adaptive.goals import relevant_skills
from adaptive.samples import load_sample
from lti_tool.extensions import db
from lti_tool.models import AnswerEvent, Attempt
from lti_tool.protocol import claims

from .conftest import Learner, hidden, launch_token

SAMPLE = "security-awareness"


def _launch(client, lms, custom: dict, sub: str = "user-1") -> Learner:
    token = launch_token(client, lms, **{claims.CUSTOM: {"module": SAMPLE, **custom},
                                         "sub": sub})
    return Learner(client, token)


def _attempts() -> list[Attempt]:
    db.session.expire_all()
    return list(db.session.scalars(select(Attempt)))


def test_launch_goal_plans_and_grades_only_the_goal(client, lms):
    module = load_sample(SAMPLE)
    learner = _launch(client, lms, {"goal": "sales"}).open()
    assert learner.status == 200 and learner.kind in ("page", "item")
    learner.run_to_finish(module)
    assert "You have finished" in learner.html
    assert "Your goal: Sales and customer-facing staff" in learner.html
    [attempt] = _attempts()
    assert attempt.state["settings"]["goal"] == "sales"
    answered = {module.item(e.item_id).primary_skill
                for e in db.session.scalars(select(AnswerEvent))}
    assert answered and answered <= relevant_skills(module, "sales")
    # The finish page lists the goal's skills, not the ones never planned.
    assert "Handling sensitive data" in learner.html
    assert "Safe browsing and devices" not in learner.html


def test_each_learner_keeps_the_goal_of_their_own_launch(client, lms):
    """An LMS substitutes ``goal`` per learner: two launches of one link, two goals."""
    _launch(client, lms, {"goal": "sales"}, sub="ann").open()
    _launch(client, lms, {"goal": "engineering"}, sub="bob").open()
    goals = sorted(a.state["settings"]["goal"] for a in _attempts())
    assert goals == ["engineering", "sales"]


def test_unknown_goal_is_a_clear_error_and_creates_nothing(client, lms):
    learner = _launch(client, lms, {"goal": "astronaut"}).open()
    assert learner.status == 400
    assert "astronaut" in learner.html and "not set up correctly" in learner.html
    assert "<code>sales</code>" in learner.html
    assert _attempts() == []
    # Fixing the link's parameter is all it takes: the next launch starts normally.
    again = _launch(client, lms, {"goal": "manager"}).open()
    assert again.status == 200 and again.kind in ("page", "item")
    assert _attempts()[0].state["settings"]["goal"] == "manager"


def test_learner_picks_from_the_allowed_goals(client, lms):
    learner = _launch(client, lms, {"goal_choice": "learner",
                                    "goals": "sales,manager"}).open()
    assert learner.status == 200 and "Choose your goal" in learner.html
    assert 'value="sales"' in learner.html and 'value="manager"' in learner.html
    assert 'value="engineering"' not in learner.html
    assert _attempts() == []  # nothing starts before the choice
    token = hidden(learner.html, "t")
    bad = client.post("/activity/goal", data={"t": token, "goal": "engineering"})
    assert bad.status_code == 400 and "Choose one of the goals" in bad.get_data(as_text=True)
    assert _attempts() == []
    learner._take(client.post("/activity/goal", data={"t": token, "goal": "manager"}))
    assert learner.status == 200 and learner.kind in ("page", "item")
    [attempt] = _attempts()
    assert attempt.state["settings"]["goal"] == "manager"
    # Reopening resumes that attempt; no second choice.
    assert "Choose your goal" not in learner.open().html


def test_no_goal_is_the_whole_module_as_before(client, lms):
    learner = _launch(client, lms, {}).open()
    assert learner.kind in ("page", "item")
    [attempt] = _attempts()
    assert "goal" not in attempt.state["settings"]
    assert "Your goal" not in learner.html


def test_spanish_goal_page(client, lms):
    token = launch_token(client, lms, **{claims.CUSTOM: {"module": SAMPLE,
                                                         "goal_choice": "learner"},
                                         claims.LAUNCH_PRESENTATION: {"locale": "es"}})
    html = Learner(client, token).open().html
    assert "Elige tu objetivo" in html


def test_a_posted_choice_cannot_override_the_launch_goal(client, lms):
    learner = _launch(client, lms, {"goal": "sales", "goal_choice": "learner"})
    resp = client.post("/activity/goal", data={"t": learner.token, "goal": "manager"})
    assert resp.status_code == 200
    [attempt] = _attempts()
    assert attempt.state["settings"]["goal"] == "sales"
