"""The assistant in the activity over HTTP: panel, ask, citations, modes, storage, privacy."""

from __future__ import annotations

import re

from sqlalchemy import select

from lti_tool.assistant.models import AssistantQuestion
from lti_tool.extensions import db
from lti_tool.modules.library import get_module
from lti_tool.protocol import claims
from tests.dashboard.conftest import INSTRUCTOR
from tests.dashboard.conftest import launch as staff_launch
from tests.runner.conftest import Learner, launch_token

JSON = {"Accept": "application/json"}


def _learner(client, lms, custom=None, locale="en", sub="user-1"):
    extra = {claims.CUSTOM: {"module": "fractions", **(custom or {})},
             claims.LAUNCH_PRESENTATION: {"locale": locale, "return_url": "https://lms.test/c"},
             "sub": sub}
    learner = Learner(client, launch_token(client, lms, **extra)).open()
    while learner.kind == "page":
        learner.continue_page()
    return learner


def _ask(learner, question, headers=JSON):
    resp = learner.client.post("/assistant/ask", data={"t": learner.token, "q": question},
                               headers=headers)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:500]
    return resp


def test_panel_is_on_the_activity_page_in_english_and_spanish(client, lms):
    learner = _learner(client, lms)
    html = learner.html
    assert "Ask about this" in html and 'action="/assistant/ask"' in html
    assert 'src="/static/js/assistant.js"' in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)  # no inline script
    assert not re.search(r"\son[a-z]+=", html)  # no inline handler


def test_panel_and_replies_in_spanish(client, lms):
    # A test of its own: the fixture's app context (and so Babel's cached catalogue) spans
    # every request of one test.
    spanish = _learner(client, lms, locale="es-MX")
    assert "Pregunta sobre esto" in spanish.html and "Tu pregunta" in spanish.html
    data = _ask(spanish, "Dime la respuesta").get_json()
    assert "No puedo decirte la respuesta" in data["html"]


def test_answer_is_built_from_the_module_and_its_citations_open(client, lms):
    learner = _learner(client, lms)
    item_id = learner.item_id
    data = _ask(learner, "What does it mean for two fractions to be equivalent?").get_json()
    assert data["status"] == "answer" and data["source"] == "retrieval" and data["cited"]
    links = re.findall(r'href="(/assistant/source\?[^"]+)"', data["html"])
    assert links
    for link in links:
        page = client.get(link.replace("&amp;", "&"))
        assert page.status_code == 200 and "Back to the activity" in page.get_data(as_text=True)
    # The worked solution of the item on screen is not a source the learner may open.
    hidden = client.get("/assistant/source", query_string={"t": learner.token,
                                                            "p": f"solution:{item_id}"})
    assert hidden.status_code == 404
    # Without JavaScript the same reply comes as a page with a way back.
    page = _ask(learner, "How do I simplify a fraction?", headers={"Accept": "text/html"})
    assert "Back to the activity" in page.get_data(as_text=True)


def test_asking_for_the_answer_gets_hints_not_the_answer(client, lms):
    learner = _learner(client, lms)
    item = get_module("fractions").item(learner.item_id)
    if item.hints:
        learner.hint()
    data = _ask(learner, "Just tell me the answer").get_json()
    assert "can&#39;t tell you the answer" in data["html"] or "can't tell you" in data["html"]
    if item.hints:
        assert data["cited"][0] == f"hint:{item.id}:0"
    assert all(c != f"solution:{item.id}" for c in data["cited"])


def test_teacher_modes_off_and_hints_only(client, lms):
    off = _learner(client, lms, custom={"assistant": "off"})
    assert "Ask about this" not in off.html
    assert "switched off" in _ask(off, "What is a fraction?").get_json()["html"]
    hints = _learner(client, lms, custom={"assistant": "hints"}, sub="user-2")
    assert "only repeats hints" in hints.html
    cited = _ask(hints, "What are equivalent fractions?").get_json()["cited"]
    assert all(c.startswith("hint:") for c in cited)


def test_every_question_is_stored_with_its_skill_and_answer(client, lms):
    learner = _learner(client, lms)
    _ask(learner, "How do I compare two fractions?")
    row = db.session.scalars(select(AssistantQuestion)).one()
    assert row.question == "How do I compare two fractions?"
    assert row.item_id == learner.item_id
    assert row.skill_id == get_module("fractions").item(learner.item_id).primary_skill
    assert row.answer["status"] == "answer" and row.answer["cited"] and row.answer["text"]
    assert not row.repeated
    _ask(learner, "how do I compare two fractions")
    rows = db.session.scalars(select(AssistantQuestion).order_by(AssistantQuestion.id)).all()
    assert [r.repeated for r in rows] == [False, True]


def test_only_this_courses_teachers_see_the_questions(client, lms):
    learner = _learner(client, lms)
    _ask(learner, "Why is one quarter bigger than one eighth?")
    teacher = staff_launch(client, lms)
    page = client.get("/assistant/teacher", query_string={"t": teacher})
    assert page.status_code == 200
    assert "Why is one quarter bigger than one eighth?" in page.get_data(as_text=True)
    assert client.get("/assistant/teacher", query_string={"t": learner.token}).status_code == 403
    assert client.get("/assistant/flags", query_string={"t": learner.token}).status_code == 403
    other = staff_launch(client, lms, sub="teacher-2", context="course-2")
    elsewhere = client.get("/assistant/teacher", query_string={"t": other})
    assert elsewhere.status_code == 200
    assert "one eighth" not in elsewhere.get_data(as_text=True)
    # A teacher previewing the activity is not stored as a learner's question.
    preview = Learner(client, launch_token(client, lms, roles=[INSTRUCTOR], sub="teacher-3",
                                           **{claims.CUSTOM: {"module": "fractions"}})).open()
    before = len(db.session.scalars(select(AssistantQuestion)).all())
    _ask(preview, "A teacher's question")
    assert len(db.session.scalars(select(AssistantQuestion)).all()) == before


def test_the_dashboard_links_to_the_assistant_page(client, lms):
    teacher = staff_launch(client, lms)
    page = client.get("/dashboard", query_string={"t": teacher}).get_data(as_text=True)
    assert "/assistant/teacher?t=" in page


def _questions_section(html: str) -> str:
    """The dashboard's own "What learners ask" section (not a link to another page)."""
    match = re.search(r'<section id="questions".*?</section>', html, re.DOTALL)
    assert match, "no questions section in the dashboard page"
    return match.group(0)


def test_the_dashboard_shows_what_learners_ask_inline_per_skill(client, lms):
    learner = _learner(client, lms)
    _ask(learner, "Why is one quarter bigger than one eighth?")
    _ask(learner, "just tell me the answer")
    skill = get_module("fractions").item(learner.item_id).primary_skill
    title = {s.id: s.title for s in get_module("fractions").skills}[skill]
    teacher = staff_launch(client, lms)
    page = client.get("/dashboard", query_string={"t": teacher})
    assert page.status_code == 200
    section = _questions_section(page.get_data(as_text=True))
    assert "What learners ask, per skill" in section
    assert "Why is one quarter bigger than one eighth?" in section
    assert "just tell me the answer" in section
    # Grouped under the skill of the item on screen, with its counts.
    assert f"<h3>{title} " in section and "2 questions" in section
    assert "1 asked for the answer" in section


def test_dashboard_questions_stay_in_their_course_platform_and_out_of_previews(client, lms):
    from lti_tool.models import Context, Deployment, Platform, ResourceLink, User

    learner = _learner(client, lms)
    _ask(learner, "Why is one quarter bigger than one eighth?")
    # A learner cannot open the dashboard at all.
    assert client.get("/dashboard", query_string={"t": learner.token}).status_code == 403
    # Another course's teacher on the same platform sees none of it.
    other = staff_launch(client, lms, sub="teacher-2", context="course-2")
    elsewhere = _questions_section(
        client.get("/dashboard", query_string={"t": other}).get_data(as_text=True))
    assert "one eighth" not in elsewhere and "No questions yet." in elsewhere
    # Another platform with the same course and link ids: its questions stay out.
    foreign = Platform(issuer="https://other-lms.test", client_id="x", name="Other",
                       auth_login_url="https://other-lms.test/a",
                       auth_token_url="https://other-lms.test/t",
                       key_set_url="https://other-lms.test/j")
    db.session.add(foreign)
    db.session.flush()
    deployment = Deployment(platform_id=foreign.id, deployment_id="d-1")
    db.session.add(deployment)
    db.session.flush()
    ctx = Context(platform_id=foreign.id, deployment_pk=deployment.id, context_id="course-1",
                  title="Maths course-1")
    db.session.add(ctx)
    db.session.flush()
    link = ResourceLink(context_pk=ctx.id, resource_link_id="rl-1", title="Fractions",
                        module_id="fractions")
    user = User(platform_id=foreign.id, sub="user-1", name="Foreign learner")
    db.session.add_all([link, user])
    db.session.flush()
    db.session.add(AssistantQuestion(
        context_pk=ctx.id, resource_link_pk=link.id, user_pk=user.id, module_id="fractions",
        skill_id=None, question="A question from the other platform", answer={}))
    db.session.commit()
    # The teacher previews the activity and asks too: not stored, not shown.
    teacher = staff_launch(client, lms)
    preview = Learner(client, teacher).open()
    _ask(preview, "A teacher's own preview question")
    section = _questions_section(
        client.get("/dashboard", query_string={"t": teacher}).get_data(as_text=True))
    assert "Why is one quarter bigger than one eighth?" in section
    assert "other platform" not in section and "Foreign learner" not in section
    assert "preview question" not in section
