"""Sessions end on the server: a replayed console cookie after sign-out is refused."""

from __future__ import annotations

from lti_tool.admin import services
from tests.admin.conftest import Console


def _session_cookie(client) -> str:
    cookie = client.get_cookie("session", path="/admin")
    assert cookie is not None
    return cookie.value


def test_replayed_cookie_after_logout_is_refused(client, admin_user):
    console = Console(client)
    assert console.login().status_code == 302
    stolen = _session_cookie(client)
    assert client.get("/admin/").status_code == 200
    assert console.post("/admin/logout").status_code == 302
    # An attacker (or the same browser) presents the old, validly signed cookie again.
    other = client.application.test_client()
    other.set_cookie("session", stolen, path="/admin")
    response = other.get("/admin/")
    assert response.status_code == 302 and "/admin/login" in response.headers["Location"]


def test_a_new_password_ends_existing_sessions(client, admin_user):
    from tests.admin.conftest import PASSWORD

    assert Console(client).login().status_code == 302
    assert client.get("/admin/").status_code == 200
    services.set_password("root", PASSWORD + " new")
    assert client.get("/admin/").status_code == 302


def test_signing_in_again_works_after_logout(client, admin_user):
    console = Console(client)
    assert console.login().status_code == 302
    console.post("/admin/logout")
    assert console.login().status_code == 302
    assert client.get("/admin/").status_code == 200


def _landing(client, token):
    return client.get("/lti/landing", query_string={"t": token})


def test_launch_token_expires_on_the_stated_ttl(client, lms, monkeypatch):
    from itsdangerous import TimestampSigner

    from lti_tool.launch import tokens
    from lti_tool.models import LaunchSession
    from tests.dashboard.conftest import token_of

    fresh = token_of(lms.launch(client))  # the token of the page the launch answers with
    assert _landing(client, fresh).status_code == 303
    session_id = LaunchSession.query.one().id
    ttl = client.application.config["BRANCHWISE"].launch_token_ttl
    real = TimestampSigner.get_timestamp
    monkeypatch.setattr(TimestampSigner, "get_timestamp", lambda self: real(self) - ttl - 2)
    old = tokens.issue("test-secret", session_id)
    monkeypatch.setattr(TimestampSigner, "get_timestamp", real)
    expired = _landing(client, old)
    assert expired.status_code == 401
    assert "token_expired" in expired.get_data(as_text=True)


def test_launch_ends_at_its_max_age_even_with_fresh_tokens(database_url, tmp_path,
                                                           key_server, platform_key):
    """Sliding renewal cannot keep a launch alive past launch_session_max_age."""
    from datetime import timedelta

    from lti_tool.extensions import db
    from lti_tool.launch import tokens
    from lti_tool.models import LaunchSession
    from tests.conftest import clean_tables, make_app
    from tests.support.fake_platform import TestPlatform

    app = make_app(database_url, tmp_path / "short", launch_session_max_age=120)
    with app.app_context():
        clean_tables()
        lms = TestPlatform(key_server, platform_key)
        lms.register()
        client = app.test_client()
        assert lms.launch(client).status_code == 200
        launch = LaunchSession.query.one()
        assert launch.expires_at - launch.created_at == timedelta(seconds=120)
        launch.created_at -= timedelta(seconds=121)
        launch.expires_at -= timedelta(seconds=121)
        db.session.commit()
        refused = _landing(client, tokens.issue("test-secret", launch.id))  # a fresh token
        assert refused.status_code == 401
        assert "session_gone" in refused.get_data(as_text=True)
        db.session.remove()
    with app.app_context():
        db.engine.dispose()
