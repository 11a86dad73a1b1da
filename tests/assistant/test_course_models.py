"""The assistant's language model per course (issue 15, item 2): set by an admin on the
console or the CLI, it overrides the deployment's for that course only; the key is stored
encrypted and never shown back. Fake OpenAI-compatible endpoints over real HTTP."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from lti_tool.admin import services as admin_services
from lti_tool.assistant.course_models import config_for, decrypt_key, encrypt_key
from lti_tool.assistant.models import CourseModel
from lti_tool.cli import main
from lti_tool.extensions import db
from lti_tool.models import Context
from lti_tool.protocol import claims
from tests.admin.conftest import PASSWORD, Console
from tests.runner.conftest import Learner, launch_token
from tests.support.fake_platform import ISSUER

from .conftest import FakeModel
from .test_views import JSON

QUESTION = "What are equivalent fractions?"


def _learner_in(client, lms, course: str, sub: str) -> Learner:
    extra = {claims.CUSTOM: {"module": "fractions"}, "sub": sub,
             claims.CONTEXT: {"id": course, "title": f"Maths {course}", "label": course},
             claims.RESOURCE_LINK: {"id": f"rl-{course}", "title": "Fractions"}}
    learner = Learner(client, launch_token(client, lms, **extra)).open()
    while learner.kind == "page":
        learner.continue_page()
    return learner


def _ask(learner: Learner) -> dict:
    resp = learner.client.post("/assistant/ask", data={"t": learner.token, "q": QUESTION},
                               headers=JSON)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    return resp.get_json()


@pytest.fixture
def admin_console(client) -> Console:
    admin_services.create_admin("root", PASSWORD)
    console = Console(client)
    assert console.login("root", PASSWORD).status_code == 302
    return console


@pytest.fixture
def course_model():
    model = FakeModel()
    model.reply_text = "Course A own model says: multiply top and bottom alike [1]."
    yield model
    model.stop()


@pytest.fixture
def deployment_model(app):
    model = FakeModel()
    model.reply_text = "The deployment model says: scale both numbers [1]."
    yield model
    model.stop()


def _cli(app, database_url, *args, input=None):
    settings = app.config["BRANCHWISE"]
    env = {"BRANCHWISE_DATABASE_URL": database_url,
           "BRANCHWISE_INSTANCE_PATH": settings.instance_path,
           "BRANCHWISE_SECRET_KEY": settings.secret_key, "BRANCHWISE_BASE_URL": "http://localhost"}
    result = CliRunner().invoke(main, list(args), env=env, input=input)
    db.session.expire_all()  # the CLI wrote through its own app and session
    return result


def test_course_a_uses_its_model_and_course_b_none(app, client, lms, database_url,
                                                   course_model):
    a = _learner_in(client, lms, "course-A", "learner-a")
    b = _learner_in(client, lms, "course-B", "learner-b")
    set_a = _cli(app, database_url, "assistant", "model", "set", "--issuer", ISSUER,
                 "--context-id", "course-A", "--base-url", course_model.url,
                 "--model", "tutor-a", "--key-stdin", "--timeout", "2", input="sk-course-a\n")
    assert set_a.exit_code == 0, set_a.output
    assert "sk-course-a" not in set_a.output

    data = _ask(a)
    assert data["source"] == "model" and "Course A own model" in data["html"]
    assert course_model.requests[-1]["model"] == "tutor-a"
    assert course_model.headers[-1]["Authorization"] == "Bearer sk-course-a"
    sent = len(course_model.requests)

    data = _ask(b)  # no model for B and none for the deployment: the retrieval answer
    assert data["source"] == "retrieval" and "Course A own model" not in data["html"]
    assert len(course_model.requests) == sent

    listed = _cli(app, database_url, "assistant", "model", "list", "--json")
    assert listed.exit_code == 0 and "course-A" in listed.output
    assert '"has_key": true' in listed.output and "sk-course-a" not in listed.output
    # The key is not in the database in clear.
    row = db.session.scalars(select(CourseModel)).one()
    assert row.key_encrypted and "sk-course-a" not in row.key_encrypted

    cleared = _cli(app, database_url, "assistant", "model", "clear", "--issuer", ISSUER,
                   "--context-id", "course-A")
    assert cleared.exit_code == 0 and "removed" in cleared.output
    assert _ask(a)["source"] == "retrieval"


def test_a_course_model_overrides_the_deployments_for_that_course_only(
        app, client, lms, course_model, deployment_model, admin_console):
    app.config["BRANCHWISE"] = replace(
        app.config["BRANCHWISE"], assistant_llm_url=deployment_model.url,
        assistant_llm_model="deployment-tutor", assistant_llm_key="sk-deployment",
        assistant_llm_timeout=2.0)
    a = _learner_in(client, lms, "course-A", "learner-a")
    b = _learner_in(client, lms, "course-B", "learner-b")
    assert "The deployment model" in _ask(a)["html"]  # before the course has its own

    console = admin_console
    saved = console.post("/admin/assistant-models", {
        "issuer": ISSUER, "context_id": "course-A", "base_url": course_model.url,
        "model": "tutor-a", "api_key": "sk-course-a"}, page="/admin/assistant-models")
    assert saved.status_code == 302
    page = client.get("/admin/assistant-models").get_data(as_text=True)
    assert "course-A" in page and "tutor-a" in page and "set (stored encrypted" in page
    assert "sk-course-a" not in page and "sk-deployment" not in page

    assert "Course A own model" in _ask(a)["html"]
    assert course_model.headers[-1]["Authorization"] == "Bearer sk-course-a"
    data = _ask(b)
    assert data["source"] == "model" and "The deployment model" in data["html"]
    assert deployment_model.requests[-1]["model"] == "deployment-tutor"
    assert deployment_model.headers[-1]["Authorization"] == "Bearer sk-deployment"

    # Saving again with the key field empty keeps the stored key.
    console.post("/admin/assistant-models", {
        "issuer": ISSUER, "context_id": "course-A", "base_url": course_model.url,
        "model": "tutor-a2", "api_key": ""}, page="/admin/assistant-models")
    _ask(a)
    assert course_model.requests[-1]["model"] == "tutor-a2"
    assert course_model.headers[-1]["Authorization"] == "Bearer sk-course-a"
    # A model that fails leaves the retrieval answer, as for the deployment's.
    course_model.behaviour = "error"
    assert _ask(a)["source"] == "retrieval"

    # The console's Remove button names the course by its platform registration too.
    page = client.get("/admin/assistant-models").get_data(as_text=True)
    remove = page[page.index("/admin/assistant-models/clear"):]
    fields = dict(re.findall(r'name="(issuer|client_id|context_id)" value="([^"]*)"',
                             remove[:remove.index("</form>")]))
    assert set(fields) == {"issuer", "client_id", "context_id"} and fields["client_id"]
    assert console.post("/admin/assistant-models/clear", fields,
                        page="/admin/assistant-models").status_code == 302
    assert db.session.scalars(select(CourseModel)).first() is None


def test_console_refuses_an_unknown_course_or_a_bad_url(app, client, lms, admin_console):
    console = admin_console
    _learner_in(client, lms, "course-A", "learner-a")
    bad = console.post("/admin/assistant-models", {
        "issuer": ISSUER, "context_id": "course-A", "base_url": "ftp://x", "model": "tutor-m",
        "api_key": "sk-typed", "timeout": "7"}, page="/admin/assistant-models")
    # Refused on the page itself, with what was typed still in the form (was: a redirect to
    # an empty form), except the key: a secret is never put back into a page.
    assert bad.status_code == 400
    page = bad.get_data(as_text=True)
    assert "http(s) address" in page
    for field, value in (("issuer", ISSUER), ("context_id", "course-A"),
                         ("base_url", "ftp://x"), ("model", "tutor-m"), ("timeout", "7")):
        assert re.search(rf'name="{field}" value="{re.escape(value)}"', page), field
    assert "sk-typed" not in page
    unknown = console.post("/admin/assistant-models", {
        "issuer": ISSUER, "context_id": "no-such-course", "base_url": "https://x.test/v1",
        "model": "m"}, page="/admin/assistant-models")
    assert "has launched Branchwise yet" in unknown.get_data(as_text=True)
    empty = console.post("/admin/assistant-models", {}, page="/admin/assistant-models")
    assert empty.status_code == 400
    assert "Give the platform issuer and the course" in empty.get_data(as_text=True)
    assert db.session.scalars(select(CourseModel)).first() is None
    # Signed out, the page is not shown.
    other = app.test_client()
    assert other.get("/admin/assistant-models").status_code == 302


def test_the_key_is_encrypted_under_the_app_secret(app):
    stored = encrypt_key("secret-one", "sk-abc")
    assert "sk-abc" not in stored
    assert decrypt_key("secret-one", stored) == "sk-abc"
    assert decrypt_key("secret-two", stored) == ""  # another secret cannot read it
    assert decrypt_key("secret-one", None) == ""
    settings = app.config["BRANCHWISE"]
    assert config_for(settings, None).enabled is False
    assert db.session.scalars(select(Context)).first() is None
