"""Who may edit what: drafts are private to their course (per platform); publishing keeps
the library's ownership rule. Two teachers, two courses, two platforms, and a learner."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select

from adaptive.samples import sample_text
from lti_tool.extensions import db
from lti_tool.launch import tokens
from lti_tool.models import Context, CustomModule, Deployment, LaunchSession, User
from lti_tool.models.base import utcnow
from lti_tool.protocol import claims
from lti_tool.registration.services import PlatformInput, add_platform
from tests.editor.conftest import INSTRUCTOR
from tests.editor.html_form import form_fields

MINE = sample_text("fractions").replace("id: fractions\n", "id: my-fractions\n", 1)


def _teacher(dl, sub: str, course: str = "course-1") -> str:
    return dl.launch(sub=sub, **{claims.CONTEXT: {"id": course, "title": course,
                                                  "label": course}})


def _teacher_on_platform_b(course: str = "course-1") -> str:
    """An instructor's confirmed deep-linking launch from another LMS, whose course has
    the same id as platform A's (ids are only unique within one platform)."""
    platform = add_platform(PlatformInput(
        issuer="https://lms-b.test", client_id="b", deployment_ids=("b-dep",),
        auth_login_url="https://lms-b.test/auth", token_url="https://lms-b.test/token",
        jwks_url="https://lms-b.test/jwks"))
    db.session.commit()
    dep = db.session.scalars(select(Deployment).where(Deployment.platform_id == platform.id)).one()
    ctx = Context(platform_id=platform.id, deployment_pk=dep.id, context_id=course, title="B")
    user = User(platform_id=platform.id, sub="teacher-a", name="Namesake")
    db.session.add_all([ctx, user])
    db.session.flush()
    launch = LaunchSession(
        id=secrets.token_hex(16), platform_id=platform.id, deployment_pk=dep.id,
        user_pk=user.id, context_pk=ctx.id, message_type=claims.DEEP_LINKING_REQUEST,
        role="instructor", roles=[INSTRUCTOR], confirmed=True,
        claims={claims.DL_SETTINGS: {"deep_link_return_url": "https://lms-b.test/r",
                                     "accept_types": ["ltiResourceLink"]}},
        expires_at=utcnow() + timedelta(hours=1))
    db.session.add(launch)
    db.session.commit()
    return tokens.issue("test-secret", launch.id)


def _draft_url(client, token: str, text: str) -> str:
    resp = client.post("/lti/editor/open", data={"t": token, "source": text})
    assert resp.status_code == 303
    return resp.headers["Location"].split("?")[0]


def _every_draft_page(client, url: str, token: str) -> list[int]:
    statuses = [client.get(url, query_string={"t": token}).status_code,
                client.get(url + "/yaml", query_string={"t": token}).status_code,
                client.get(url + "/preview/skill/equivalent",
                           query_string={"t": token}).status_code]
    for path in ("", "/validate", "/yaml"):
        statuses.append(client.post(url + path, data={"t": token, "id": "stolen",
                                                      "source": "id: stolen"}).status_code)
    return statuses


def test_drafts_are_private_to_their_course_on_their_platform(client, dl):
    alice = _teacher(dl, "teacher-a")
    url = _draft_url(client, alice, MINE)
    bob = _teacher(dl, "teacher-b")  # another teacher of the same course: may edit
    assert client.get(url, query_string={"t": bob}).status_code == 200
    assert "my-fractions" in client.get("/lti/editor/", query_string={"t": bob}).get_data(True)

    carol = _teacher(dl, "teacher-c", course="course-2")  # another course, same LMS
    assert _every_draft_page(client, url, carol) == [404] * 6
    assert "my-fractions" not in client.get("/lti/editor/",
                                            query_string={"t": carol}).get_data(True)
    other_lms = _teacher_on_platform_b()  # same course id and user id, another LMS
    assert _every_draft_page(client, url, other_lms) == [404] * 6

    from lti_tool.models import ModuleDraft

    db.session.expire_all()
    assert db.session.scalars(select(ModuleDraft)).one().data["id"] == "my-fractions"


def test_learners_cannot_open_the_editor(client, lms):
    from tests.runner.conftest import launch_token

    learner = launch_token(client, lms, module="fractions")  # a learner's activity launch
    assert client.get("/lti/editor/", query_string={"t": learner}).status_code == 403
    assert client.post("/lti/editor/new", data={"t": learner}).status_code == 403
    assert client.post("/lti/editor/render", data={"t": learner, "text": "x"}).status_code == 403


def test_publishing_keeps_ownership_and_own_modules_open_only_for_their_owner(client, dl):
    alice = _teacher(dl, "teacher-a")
    url = _draft_url(client, alice, MINE)
    html = client.get(url, query_string={"t": alice}).get_data(True)
    form = form_fields(html)
    form.setlist("action", ["publish"])
    assert client.post(url, data=form).status_code == 200
    owner = db.session.scalars(select(CustomModule)).one().owner_user_pk

    bob = _teacher(dl, "teacher-b")  # same course: edits the draft, cannot publish over alice
    form = form_fields(client.get(url, query_string={"t": bob}).get_data(True))
    form.setlist("title", ["Bob's fractions"])
    form.setlist("action", ["publish"])
    refused = client.post(url, data=form)
    assert refused.status_code == 400 and "another teacher" in refused.get_data(True)
    db.session.expire_all()
    row = db.session.scalars(select(CustomModule)).one()
    assert row.owner_user_pk == owner and row.title == "Fractions"

    # only the owner sees the module among "your modules" and may open it as a draft
    assert "Edit “Fractions”" in client.get("/lti/editor/",
                                            query_string={"t": alice}).get_data(True)
    assert "Edit “Fractions”" not in client.get("/lti/editor/",
                                                query_string={"t": bob}).get_data(True)
    assert client.post("/lti/editor/open", data={"t": bob, "module": "my-fractions"}
                       ).status_code == 404
    assert client.post("/lti/editor/open", data={"t": alice, "module": "my-fractions"}
                       ).status_code == 303
