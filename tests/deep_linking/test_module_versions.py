"""An owner's edit never changes what courses already linked to their module run.

Two courses on two platforms link to a teacher's module and have learners in it; the
owner saves a new version; both links (and their attempts and answers) keep the version
they were made with, a link made afterwards gets the new one, and the dashboard can tell
the versions apart.
"""

from __future__ import annotations

from sqlalchemy import select

from adaptive.samples import sample_text
from lti_tool.deep_linking.authoring import save_module
from lti_tool.extensions import db
from lti_tool.models import (
    AnswerEvent,
    Attempt,
    Context,
    Deployment,
    ModuleVersion,
    ResourceLink,
    User,
)
from lti_tool.modules import library
from lti_tool.protocol import claims
from lti_tool.registration.services import PlatformInput, add_platform
from tests.runner.conftest import Learner, launch_token

V1 = sample_text("fractions").replace("id: fractions\n", "id: my-fractions\n", 1)
V2 = V1.replace("title: Fractions\n", "title: Fractions, second edition\n", 1)


def _course_on_platform_b() -> ResourceLink:
    b = add_platform(PlatformInput(
        issuer="https://other.test", client_id="b-client", deployment_ids=("b-dep",),
        auth_login_url="https://other.test/auth", token_url="https://other.test/token",
        jwks_url="https://other.test/jwks"))
    db.session.commit()
    dep = db.session.scalars(select(Deployment).where(Deployment.platform_id == b.id)).one()
    ctx = Context(platform_id=b.id, deployment_pk=dep.id, context_id="course-b", title="B")
    db.session.add(ctx)
    db.session.flush()
    link = ResourceLink(context_pk=ctx.id, resource_link_id="rl-b", module_id="my-fractions")
    db.session.add(link)
    user = User(platform_id=b.id, sub="zed", name="Zed")
    db.session.add(user)
    db.session.flush()
    db.session.add(Attempt(user_pk=user.id, resource_link_pk=link.id, module_id="my-fractions",
                           state={"seq": 0}))
    db.session.commit()
    return link


def _learner_in(client, lms, course: str, sub: str) -> Learner:
    token = launch_token(client, lms, module="my-fractions", sub=sub,
                         **{claims.CONTEXT: {"id": course, "title": course, "label": course},
                            claims.RESOURCE_LINK: {"id": f"rl-{course}", "title": "F"}})
    return Learner(client, token).open()


def test_links_keep_the_version_they_were_made_with(client, lms):
    assert save_module(V1, owner_user_pk=None).saved is not None
    alice = _learner_in(client, lms, "course-a", "alice")  # platform A, course A
    assert alice.status == 200 and "<title>Fractions ·" in alice.html
    alice.answer_correctly(library.get_module("my-fractions"))
    link_b = _course_on_platform_b()  # platform B, course B

    assert save_module(V2, owner_user_pk=None).saved is not None
    v1 = library.module_ref("my-fractions", library.content_version(V1))
    db.session.expire_all()
    refs = {link.resource_link_id: link.module_id for link in db.session.scalars(
        select(ResourceLink).where(ResourceLink.module_id.like("my-fractions%")))}
    assert refs == {"rl-course-a": v1, "rl-b": v1}
    assert {a.module_id for a in db.session.scalars(select(Attempt))} == {v1}
    assert {e.module_id for e in db.session.scalars(select(AnswerEvent))} == {v1}
    assert db.session.scalars(select(ModuleVersion.source)).one() == V1

    # course A's learner goes on with the first version; the module reports the reference
    again = _learner_in(client, lms, "course-a", "alice")
    assert "<title>Fractions ·" in again.html and "second edition" not in again.html
    assert library.get_module(link_b.module_id).title == "Fractions"
    assert library.get_module(v1).id == v1
    # a link made after the edit gets the new version
    carl = _learner_in(client, lms, "course-c", "carl")
    assert "Fractions, second edition" in carl.html
    assert library.versions_in_use("my-fractions") == ["my-fractions", v1]

    # a third save keeps course C on the second version, A and B on the first
    V3 = V2.replace("second edition", "third edition")
    assert save_module(V3, owner_user_pk=None).saved is not None
    v2 = library.module_ref("my-fractions", library.content_version(V2))
    db.session.expire_all()
    assert library.versions_in_use("my-fractions") == sorted([v1, v2])
    assert "second edition" in library.get_module(v2).title


def test_an_edit_nobody_links_to_is_a_plain_update(client, lms):
    assert save_module(V1, owner_user_pk=None).saved is not None
    assert save_module(V2, owner_user_pk=None).saved is not None
    assert db.session.scalars(select(ModuleVersion)).first() is None
    assert library.get_module("my-fractions").title == "Fractions, second edition"


def test_an_unknown_version_is_refused(client, lms):
    assert save_module(V1, owner_user_pk=None).saved is not None
    try:
        library.get_module("my-fractions@000000000000")
    except library.UnknownModule as exc:
        assert "no version" in str(exc)
    else:  # pragma: no cover
        raise AssertionError("an unknown version loaded")
    # the current text's own hash names the current version
    assert library.get_module(library.module_ref(
        "my-fractions", library.content_version(V1))).title == "Fractions"


def test_the_dashboard_compares_the_versions_of_a_course(client, lms):
    from tests.dashboard.conftest import INSTRUCTOR, token_of

    assert save_module(V1, owner_user_pk=None).saved is not None
    alice = _learner_in(client, lms, "course-a", "alice")
    alice.answer_correctly(library.get_module("my-fractions"))
    assert save_module(V2, owner_user_pk=None).saved is not None
    # the teacher adds the new version as a second activity of the same course
    bob = _learner_in(client, lms, "course-a-v2", "bob")
    assert bob.status == 200
    link = db.session.scalars(select(ResourceLink).where(
        ResourceLink.resource_link_id == "rl-course-a-v2")).one()
    first = db.session.scalars(select(ResourceLink).where(
        ResourceLink.resource_link_id == "rl-course-a")).one()
    link.context_pk = first.context_pk  # same course, second activity
    db.session.commit()
    resp = lms.launch(client, roles=[INSTRUCTOR], sub="teacher-1",
                      **{claims.CUSTOM: {"module": "my-fractions"},
                         claims.CONTEXT: {"id": "course-a", "title": "A", "label": "A"},
                         claims.RESOURCE_LINK: {"id": "rl-course-a-v2", "title": "F2"}})
    page = client.get("/dashboard", query_string={"t": token_of(resp)}).get_data(as_text=True)
    assert "Versions of this module in this course" in page
    v1 = library.content_version(V1)
    assert f"version {v1}" in page and "current (this activity)" in page
