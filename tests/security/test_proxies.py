"""X-Forwarded-For counts only when proxy_count says a proxy is in front."""

from __future__ import annotations

import pytest

from lti_tool.admin.views import LOGIN_FAILURES_PER_IP
from lti_tool.extensions import cache, db
from lti_tool.registration.views import REGISTER_LIMIT
from tests.admin.conftest import csrf_from
from tests.conftest import clean_tables, make_app


@pytest.fixture
def proxied_app(database_url, tmp_path):
    app = make_app(database_url, tmp_path / "proxied", proxy_count=1)
    with app.app_context():
        clean_tables()
        cache.clear()
        yield app
        db.session.remove()
        db.engine.dispose()


def _fail_login(client, username: str, forwarded: str):
    csrf = csrf_from(client.get("/admin/login").data)
    return client.post("/admin/login", headers={"X-Forwarded-For": forwarded},
                       data={"username": username, "password": "wrong password here",
                             "csrf_token": csrf})


def test_spoofed_forwarded_for_does_not_escape_login_throttling(client):
    """Default 0 proxies: every attempt counts against the real peer, whatever it claims."""
    cache.clear()
    codes = [_fail_login(client, f"user{n}", f"203.0.113.{n}").status_code
             for n in range(LOGIN_FAILURES_PER_IP + 1)]
    assert codes[:-1] == [401] * LOGIN_FAILURES_PER_IP
    assert codes[-1] == 429


def test_spoofed_forwarded_for_does_not_escape_the_registration_limit(client):
    cache.clear()
    codes = [client.get("/lti/register", headers={"X-Forwarded-For": f"198.51.100.{n}"})
             .status_code for n in range(REGISTER_LIMIT + 1)]
    assert codes[-1] == 429


def test_with_one_proxy_the_forwarded_address_is_the_client(proxied_app):
    """Behind one proxy the throttle follows the address the proxy reports."""
    client = proxied_app.test_client()
    for n in range(LOGIN_FAILURES_PER_IP):
        assert _fail_login(client, f"user{n}", "203.0.113.7").status_code == 401
    assert _fail_login(client, "someone", "203.0.113.7").status_code == 429
    # another client behind the same proxy is not punished for it
    assert _fail_login(client, "someone", "203.0.113.8").status_code == 401
