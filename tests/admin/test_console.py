"""The admin console: sign-in, CSRF, throttling, every page and every action."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lti_tool.admin import services
from lti_tool.extensions import db
from lti_tool.keys import services as keys
from lti_tool.models import Deployment, Platform, ScoreSubmission
from lti_tool.registration.services import PlatformInput, add_platform, find_platform

from .conftest import PASSWORD, Console

PAGES = ["/admin/", "/admin/platforms", "/admin/keys", "/admin/grades", "/admin/usage"]


def make_platform(status: str = "pending") -> Platform:
    return add_platform(PlatformInput(
        issuer="https://lms.example.edu", client_id="c-1", deployment_ids=("d-1",),
        auth_login_url="https://lms.example.edu/auth", token_url="https://lms.example.edu/token",
        jwks_url="https://lms.example.edu/jwks", status=status))


@pytest.mark.parametrize("path", PAGES)
def test_pages_need_a_signed_in_admin(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert "/admin/login" in response.headers["Location"]


@pytest.mark.parametrize("path", ["/admin/keys/rotate", "/admin/platforms/1/status",
                                  "/admin/grades/replay", "/admin/logout"])
def test_actions_need_a_signed_in_admin(client, admin_user, path):
    c = Console(client)
    response = client.post(path, data={"csrf_token": c.token()})
    assert response.status_code == 302
    assert "/admin/login" in response.headers["Location"]


@pytest.mark.parametrize("path", PAGES)
def test_each_page_renders(console, path):
    make_platform() if not find_platform("https://lms.example.edu", "c-1") else None
    response = console.client.get(path)
    assert response.status_code == 200
    assert b"Signed in as root" in response.data
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "no-store"


def test_login_and_logout(client, admin_user):
    c = Console(client)
    response = c.login(next="/admin/keys")
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/keys")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/admin" in cookie
    assert client.get("/admin/").status_code == 200
    response = c.post("/admin/logout")
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 302


def test_next_cannot_leave_the_console(client, admin_user):
    response = Console(client).login(next="https://evil.example.com/admin")
    assert response.headers["Location"].endswith("/admin/")


def test_wrong_password_and_unknown_user(client, admin_user):
    c = Console(client)
    assert c.login(password="wrong password!").status_code == 401
    response = c.login(username="nobody")
    assert response.status_code == 401
    assert b"Wrong username or password" in response.data
    assert client.get("/admin/").status_code == 302


def test_login_is_throttled_after_five_failures(client, admin_user):
    c = Console(client)
    for _ in range(5):
        assert c.login(password="nope nope nope").status_code == 401
    # Even the right password is refused while the window lasts.
    response = c.login()
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    # Another username from the same address still gets its own count.
    services.create_admin("other", PASSWORD)
    assert c.login(username="other").status_code == 302


def test_csrf_missing_or_wrong_is_refused(client, admin_user):
    response = client.post("/admin/login", data={"username": "root", "password": PASSWORD})
    assert response.status_code == 400
    assert b"Reload the page" in response.data
    c = Console(client)
    c.login()
    for token in (None, "forged"):
        data = {} if token is None else {"csrf_token": token}
        response = client.post("/admin/keys/rotate", data=data)
        assert response.status_code == 400
    assert len(keys.list_keys()) <= 1


def test_approve_disable_enable_platform(console):
    p = make_platform("pending")
    response = console.post(f"/admin/platforms/{p.id}/status", {"status": "active"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Platform, p.id).status == "active"
    console.post(f"/admin/platforms/{p.id}/status", {"status": "disabled"})
    db.session.expire_all()
    assert db.session.get(Platform, p.id).status == "disabled"
    page = console.client.get("/admin/platforms").data
    assert b"is now disabled" in page and b"Enable" in page
    console.post(f"/admin/platforms/{p.id}/status", {"status": "bogus"})
    db.session.expire_all()
    assert db.session.get(Platform, p.id).status == "disabled"


def test_deployment_disable_and_add(console):
    p = make_platform("active")
    dep = db.session.scalars(select(Deployment).where(Deployment.platform_id == p.id)).one()
    console.post(f"/admin/deployments/{dep.id}/status", {"status": "disabled"})
    db.session.expire_all()
    assert db.session.get(Deployment, dep.id).status == "disabled"
    console.post(f"/admin/platforms/{p.id}/deployments", {"deployment_id": "d-2"})
    db.session.expire_all()
    assert sorted(d.deployment_id for d in db.session.get(Platform, p.id).deployments) == [
        "d-1", "d-2"]
    assert b"deployment d-2 added" in console.client.get("/admin/platforms").data
    # Adding the disabled d-1 again leaves it disabled, and the console says so instead of
    # "added" (an admin would believe its launches now work).
    console.post(f"/admin/platforms/{p.id}/deployments", {"deployment_id": "d-1"})
    db.session.expire_all()
    assert db.session.get(Deployment, dep.id).status == "disabled"
    page = console.client.get("/admin/platforms").data
    assert b"deployment d-1 is already on" in page and b"but disabled" in page
    assert b"deployment d-1 added" not in page


def test_rotate_and_retire_keys(console):
    first = keys.signing_key()
    console.post("/admin/keys/rotate", page="/admin/keys")
    db.session.expire_all()
    statuses = {k.kid: k.status for k in keys.list_keys()}
    assert statuses[first.kid] == "published" and list(statuses.values()).count("active") == 1
    console.post("/admin/keys/retire", {"kid": first.kid}, page="/admin/keys")
    db.session.expire_all()
    assert {k.kid: k.status for k in keys.list_keys()}[first.kid] == "retired"
    # The active key cannot be retired: the error is shown, nothing changes.
    active = keys.signing_key()
    response = console.post("/admin/keys/retire", {"kid": active.kid}, page="/admin/keys")
    assert response.status_code == 302
    assert b"rotate first" in console.client.get("/admin/keys").data


def _failed_score() -> ScoreSubmission:
    from lti_tool.models import Context, ResourceLink, User
    from lti_tool.models.base import utcnow

    p = make_platform("active")
    user = User(platform_id=p.id, sub="learner-1", name="Lee")
    ctx = Context(platform_id=p.id, deployment_pk=p.deployments[0].id, context_id="course-1")
    db.session.add_all([user, ctx])
    db.session.flush()
    link = ResourceLink(context_pk=ctx.id, resource_link_id="rl-1")
    db.session.add(link)
    db.session.flush()
    sub = ScoreSubmission(user_pk=user.id, resource_link_pk=link.id, score_given=0.5,
                          score_maximum=1.0, activity_progress="Completed",
                          grading_progress="FullyGraded", timestamp=utcnow(), status="failed",
                          tries=3, last_error="HTTP 403: scope not granted")
    db.session.add(sub)
    db.session.commit()
    return sub


def test_grade_queue_shows_failures_and_replays(console, monkeypatch):
    sub = _failed_score()
    page = console.client.get("/admin/grades").data
    assert b"HTTP 403: scope not granted" in page
    queued: list = []
    import lti_tool.ags.delivery as delivery

    monkeypatch.setattr(delivery, "enqueue", lambda ids, app=None, eta=None: queued.extend(ids))
    response = console.post("/admin/grades/replay", {"id": str(sub.id)}, page="/admin/grades")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ScoreSubmission, sub.id).status == "pending"
    assert queued == [sub.id]
    assert b"1 score(s) queued again" in console.client.get("/admin/grades").data


def test_usage_counts(console, lms):
    assert lms.launch(console.client).status_code in (200, 303)  # learner: the page itself
    rows = {u.client_id: u for u in services.usage()}
    (row,) = rows.values()
    assert row.launches == 1 and row.learners == 1 and row.answers == 0
    page = console.client.get("/admin/usage").data
    assert row.client_id.encode() in page


def test_platforms_page_says_what_the_lms_granted(console):
    by_hand = make_platform(status="active")
    registered = add_platform(PlatformInput(
        issuer="https://moodle.example.edu", client_id="dr-1", deployment_ids=("1",),
        auth_login_url="https://moodle.example.edu/auth",
        token_url="https://moodle.example.edu/token",
        jwks_url="https://moodle.example.edu/jwks"))
    registered.granted_scopes = (
        "https://purl.imsglobal.org/spec/lti-ags/scope/score "
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem")
    db.session.commit()
    page = console.client.get("/admin/platforms").get_data(as_text=True)
    mine = page[page.index(f'id="platform-{registered.id}"'):]
    assert "send grades, create gradebook columns" in mine
    assert "Not granted: read gradebook columns, read grades back, read course rosters" in mine
    hand = page[page.index(f'id="platform-{by_hand.id}"'):page.index(
        f'id="platform-{registered.id}"')]
    assert "not recorded (registered by hand" in hand
