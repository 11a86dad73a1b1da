"""Dashboard fixtures: instructor launches, hand-built class data, a fake NRPS service."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask, jsonify, request
from sqlalchemy import select

from adaptive import engine
from lti_tool.demo_platform.harness import serve_in_thread
from lti_tool.extensions import db
from lti_tool.models import AnswerEvent, Attempt, Context, PageEvent, Platform, ResourceLink, User
from lti_tool.modules.library import get_module
from lti_tool.protocol import claims

INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def token_of(resp) -> str:
    """The launch token in a redirect's Location, or in the canonical URL of a learner's
    first page (a learner's launch answers with the activity itself)."""
    if resp.status_code == 200:
        m = re.search(r'name="bw-canonical-url" content="([^"]*)"', resp.get_data(as_text=True))
        assert m, "no canonical URL on the first page"
        return parse_qs(urlsplit(m.group(1).replace("&amp;", "&")).query)["t"][0]
    assert resp.status_code in (302, 303), resp.get_data(as_text=True)[:500]
    return parse_qs(urlsplit(resp.headers["Location"]).query)["t"][0]


def launch(client, lms, *, role: str = INSTRUCTOR, sub: str = "teacher-1",
           context: str = "course-1", link: str = "rl-1", nrps_url: str | None = None) -> str:
    """A launch of the fractions activity; returns the launch token."""
    extra = {claims.CUSTOM: {"module": "fractions"}, "sub": sub,
             claims.CONTEXT: {"id": context, "title": f"Maths {context}", "label": context},
             claims.RESOURCE_LINK: {"id": link, "title": "Fractions"}}
    if nrps_url:
        extra[claims.NRPS] = {"context_memberships_url": nrps_url, "service_versions": ["2.0"]}
    return token_of(lms.launch(client, roles=[role], **extra))


def link_row(context: str = "course-1", link: str = "rl-1") -> ResourceLink:
    return db.session.scalars(select(ResourceLink).join(Context).where(
        Context.context_id == context, ResourceLink.resource_link_id == link)).one()


def add_learner(link: ResourceLink, platform_id: int, sub: str, name: str,
                statuses: dict[str, tuple[str, float, int]],
                answers: list[dict] | None = None, pages: list[dict] | None = None) -> Attempt:
    """A learner with an attempt whose engine state has the given per-skill statuses."""
    module = get_module("fractions")
    user = db.session.scalars(select(User).where(User.platform_id == platform_id,
                                                 User.sub == sub)).one_or_none()
    if user is None:
        user = User(platform_id=platform_id, sub=sub, name=name)
        db.session.add(user)
        db.session.flush()
    state = engine.start(module).state
    for sid, (status, p, attempts) in statuses.items():
        ss = state["skills"][sid]
        ss.update(status=status, attempts=attempts, correct=attempts // 2)
        ss["est"] = {"k": p, "u": 1 - p, "n": attempts}
    attempt = Attempt(user_pk=user.id, resource_link_pk=link.id, module_id="fractions",
                      state=state)
    db.session.add(attempt)
    db.session.flush()
    for k, a in enumerate(answers or []):
        db.session.add(AnswerEvent(
            attempt_pk=attempt.id, user_pk=user.id, resource_link_pk=link.id,
            module_id="fractions", item_id=a["item"], skill_ids=[a.get("skill", "equivalent")],
            phase=a.get("phase", "practice"), seq=a.get("seq", 2 * k + 1),
            response={"answer": a.get("answer", "x")}, correct=a["correct"],
            group_index=a.get("group"), misconception=a.get("misconception"),
            hints_used=a.get("hints", 0), seconds=a.get("seconds", 20.0),
            mastery_after={a.get("skill", "equivalent"): a.get("p", 0.5)}))
    for p in pages or []:
        db.session.add(PageEvent(attempt_pk=attempt.id, page_id=p["page"], seq=p["seq"],
                                 reason=p.get("reason", "lesson"), seconds=30.0))
    db.session.commit()
    return attempt


def platform_a() -> Platform:
    return db.session.scalars(select(Platform).where(Platform.issuer == "https://lms.test")).one()


@dataclass
class FakeNrps:
    """Token endpoint + paged memberships (the next link has a case-sensitive token)."""

    members: list[dict] = field(default_factory=list)
    fail: int | None = None
    hits: list[str] = field(default_factory=list)
    url: str = ""

    def app(self) -> Flask:
        app = Flask("fake-nrps")

        @app.post("/token")
        def token():
            return jsonify({"access_token": "nrps-token", "token_type": "Bearer",
                            "expires_in": 3600})

        @app.get("/memberships")
        def memberships():
            self.hits.append(request.full_path)
            if self.fail:
                return jsonify({"error": "down"}), self.fail
            assert request.headers["Authorization"] == "Bearer nrps-token"
            page = request.args.get("Page", "1")
            half = len(self.members) // 2
            resp = jsonify({"id": request.url, "members":
                            self.members[:half] if page == "1" else self.members[half:]})
            if page == "1":
                resp.headers["Link"] = f'<{self.url}/memberships?Page=2>; rel="next"'
            return resp

        return app


@pytest.fixture
def nrps_server():
    fake = FakeNrps()
    server = serve_in_thread(fake.app())
    fake.url = server.url
    yield fake
    server.stop()


def use_token_url(url: str) -> None:
    p = platform_a()
    p.auth_token_url = url + "/token"
    db.session.commit()


def class_of_four(link: ResourceLink, platform_id: int) -> None:
    """alice (mastered, one misconception), bob and chen (stuck on equivalent, shared
    misconception), dora and eli (mastered); item eq-bad fails learners who mastered the skill."""
    wrong = {"item": "eq-1", "correct": False, "misconception": "add-same-number",
             "group": 0, "answer": "3/4"}
    add_learner(link, platform_id, "alice", "Alice Adams",
                {"equivalent": ("mastered", 0.97, 5)},
                [{"item": "eq-bad", "correct": False, "answer": "=SUM(A1)"},
                 dict(wrong), {"item": "eq-1", "correct": True, "p": 0.97}],
                pages=[{"page": "equivalent-intro", "seq": 0}])
    for sub, name in (("bob", "Bob Brown"), ("chen", "Chen Chu")):
        add_learner(link, platform_id, sub, name, {"equivalent": ("flagged", 0.4, 12)},
                    [dict(wrong), dict(wrong), {"item": "eq-bad", "correct": False,
                                                "answer": "1/2"}])
    for sub, name in (("dora", "Dora Diaz"), ("eli", "Eli Ek")):
        add_learner(link, platform_id, sub, name, {"equivalent": ("mastered", 0.98, 4)},
                    [{"item": "eq-bad", "correct": False, "answer": "1/2"},
                     {"item": "eq-1", "correct": True, "p": 0.98}])
