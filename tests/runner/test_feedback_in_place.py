"""Feedback in place (issue 14): "Check answer" shows the same question with the learner's
answer, the feedback and worked solution, then "Next"; progress is on every page."""

from __future__ import annotations

import html as htmllib
import re

from sqlalchemy import select

from adaptive.modules.format import ItemType
from lti_tool.extensions import db
from lti_tool.filters import render_markdown
from lti_tool.models import Attempt
from lti_tool.modules.library import get_module
from lti_tool.runner.answers import correct_form

from .conftest import Learner, launch_token


def _to_item(learner: Learner, kinds=None) -> Learner:
    module = get_module("fractions")
    for _ in range(200):
        if learner.kind == "item" and (kinds is None
                                       or module.item(learner.item_id).type in kinds):
            return learner
        if learner.kind == "feedback":
            learner.next()
        elif learner.kind == "page":
            learner.continue_page()
        else:
            learner.answer_correctly(module)
    raise AssertionError("no such item")


def test_check_answer_shows_the_same_question_with_feedback_then_next(client, lms):
    learner = _to_item(Learner(client, launch_token(client, lms)).open())
    module = get_module("fractions")
    item = module.item(learner.item_id)
    seq = learner.seq
    learner.answer(correct_form(item))
    assert learner.status == 200 and learner.kind == "feedback"
    page = learner.html
    # The same question, not the next one, with the feedback after it.
    assert str(render_markdown(item.prompt)) in page
    assert page.index('id="prompt"') < page.index('id="feedback"') < page.index("next-form")
    assert "Correct!" in page and 'data-autofocus' in page.split('id="feedback"')[1][:300]
    if item.solution:
        assert "Worked solution" in page
    # Nothing can be re-submitted from here: no answer form, only "Next".
    assert 'action="/activity/answer"' not in page
    # The state has moved on already: Next shows the next step, with a higher seq.
    learner.next()
    assert learner.kind in ("item", "page", "finish")
    assert db.session.scalars(select(Attempt)).one().seq == seq + 1
    assert 'id="feedback"' not in learner.html


def test_feedback_shows_the_learners_own_answer(client, lms):
    learner = _to_item(Learner(client, launch_token(client, lms)).open(),
                       kinds={ItemType.NUMERIC, ItemType.SHORT_TEXT})
    item = get_module("fractions").item(learner.item_id)
    learner.answer({"answer": ["987654"]})
    assert learner.kind == "feedback"
    assert "Not quite." in learner.html
    field = re.search(r'<input type="text" id="answer"[^>]*>', learner.html).group(0)
    assert 'value="987654"' in field and "readonly" in field
    if item.solution:  # a wrong answer opens the worked solution
        assert '<details class="solution" open>' in learner.html


def test_choice_feedback_keeps_the_choice_checked_in_shown_order(client, lms):
    learner = _to_item(Learner(client, launch_token(client, lms)).open(),
                       kinds={ItemType.SINGLE_CHOICE, ItemType.MULTIPLE_CHOICE})
    shown = re.findall(r'id="c-([^"]+)"', learner.html)
    form = correct_form(get_module("fractions").item(learner.item_id))
    learner.answer(form)
    assert re.findall(r'id="c-([^"]+)"', learner.html) == shown
    for cid in form["answer"]:
        tag = re.search(rf'<input[^>]*id="c-{re.escape(cid)}"[^>]*>', learner.html).group(0)
        assert "checked" in tag
    assert "<fieldset" in learner.html and " disabled>" in learner.html


def test_double_submit_shows_the_feedback_in_place_again(client, lms):
    learner = _to_item(Learner(client, launch_token(client, lms)).open())
    item = get_module("fractions").item(learner.item_id)
    seq, token = learner.seq, learner.token
    form = correct_form(item)
    learner.answer(form)
    again = Learner(client, token)
    again.post("/activity/answer", {"item": item.id, **form}, seq=seq)
    assert again.kind == "feedback" and "already recorded" in again.html
    assert str(render_markdown(item.prompt)) in again.html


def test_unreadable_answer_keeps_what_was_entered(client, lms):
    """A validation error returns the same form with the learner's text still in it."""
    learner = _to_item(Learner(client, launch_token(client, lms)).open(),
                       kinds={ItemType.NUMERIC})
    seq = learner.seq
    learner.answer({"answer": ["   "]})
    assert learner.kind == "item" and learner.seq == seq and "error-text" in learner.html
    learner.answer({"answer": ["three quarters?"]})
    assert learner.kind == "item" and learner.seq == seq, learner.html[:300]
    field = re.search(r'<input type="text" id="answer"[^>]*>', learner.html).group(0)
    assert 'value="three quarters?"' in field and 'aria-invalid="true"' in field


def test_every_step_shows_progress_and_milestones_are_announced(client, lms):
    module = get_module("fractions")
    learner = Learner(client, launch_token(client, lms)).open()
    titles = [s.title for s in module.skills]
    seen_milestone = False
    for _ in range(300):
        if learner.kind == "finish":
            break
        text = htmllib.unescape(learner.html)
        assert f"of {len(titles)} skills done" in text
        for title in titles:
            assert title in text
        if learner.kind == "feedback":
            seen_milestone |= "milestone" in learner.html
            learner.next()
        elif learner.kind == "page":
            learner.continue_page()
        else:
            learner.answer_correctly(module)
    assert learner.kind == "finish"
    assert seen_milestone, "an always-correct learner masters or skips a skill"
    assert "You have finished this activity" in learner.html
    assert "skills done" not in learner.html  # the finish page has the full table instead
