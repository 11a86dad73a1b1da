"""End-to-end launches over real HTTP from the independent demo LMS (lti1p3platform).

The tool runs as http://localhost:<port> and the LMS as http://127.0.0.1:<port>,
as in ``branchwise demo``; requests plays a browser without JavaScript.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from lti_tool.demo import CLIENT_ID, start_demo
from lti_tool.extensions import db
from lti_tool.models import LaunchSession
from tests.conftest import clean_tables, make_app
from tests.support import demo_lms_hooks
from tests.support.lms_client import LmsBrowser, parse_form


@pytest.fixture
def demo(database_url, tmp_path):
    cleaner = make_app(database_url, tmp_path / "clean")
    with cleaner.app_context():
        clean_tables()
        db.engine.dispose()
    stack = start_demo(0, instance_path=str(tmp_path / "instance"),
                       extra_settings={"database_url": database_url},
                       platform_extensions=(demo_lms_hooks.install,))
    yield stack
    stack.stop()
    with stack.tool_app.app_context():
        db.session.remove()
        db.engine.dispose()


def _sessions(stack) -> list[LaunchSession]:
    with stack.tool_app.app_context():
        rows = list(db.session.scalars(select(LaunchSession).order_by(LaunchSession.created_at)))
        for r in rows:  # load what the assertions read before the context closes
            _ = (r.user.sub, r.user.locale, r.context, r.resource_link, r.platform.client_id)
            if r.context:
                _ = r.context.context_id
            if r.resource_link:
                _ = (r.resource_link.module_id, r.resource_link.lineitem_url)
        db.session.expunge_all()
        return rows


@pytest.mark.parametrize("user,role", [("alice", "learner"), ("tess", "instructor"),
                                       ("ada", "admin")])
def test_launch_from_the_demo_lms(demo, user, role):
    with LmsBrowser(demo.platform_url) as browser:
        final = browser.launch(user, "rl-1")
        assert final.status_code == 200, final.text[:300]
        # The session lives in the URL's signed token, not in a cookie. A learner's page
        # comes straight from the launch POST and gives itself its /activity?t= URL.
        assert "t=" in final.url or 'name="bw-canonical-url" content="/activity?t=' in final.text
        if role == "learner":
            assert final.url.endswith("/lti/launch") and len(final.history) == 0
    (session,) = _sessions(demo)
    assert session.role == role and session.confirmed
    assert session.user.sub == user
    assert session.platform.client_id == CLIENT_ID
    assert session.context.context_id == "course-101"
    assert session.resource_link.resource_link_id == "rl-1"
    assert session.resource_link.module_id == "fractions"  # from the custom parameter
    assert session.resource_link.lineitem_url.startswith(demo.platform_url)


def test_locale_and_return_url_are_kept(demo):
    with LmsBrowser(demo.platform_url) as browser:
        assert browser.launch("bob", "rl-1").status_code == 200
    (session,) = _sessions(demo)
    assert session.locale == "es"
    assert session.return_url and session.return_url.startswith(demo.platform_url)


def test_replay_of_a_real_launch_is_refused(demo):
    with LmsBrowser(demo.platform_url) as browser:
        assert browser.launch("alice", "rl-1").status_code == 200
        replay = browser.session.post(demo.tool_url + "/lti/launch",
                                      data={"id_token": browser.id_token,
                                            "state": browser.state}, timeout=10)
    assert replay.status_code == 401 and "replayed_nonce" in replay.text
    assert len(_sessions(demo)) == 1


def test_cookieless_browser_launches_through_platform_storage(demo):
    """Third-party cookies blocked: the binding secret travels through platform storage."""
    with LmsBrowser(demo.platform_url) as browser:
        login_url = browser.launch_url("chen", "rl-1")
        assert "lti_storage_target=_parent" in login_url
        page = requests.get(login_url, timeout=10)  # no session: nothing is kept
        assert page.status_code == 200
        data = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', page.text))
        auth_url = data["auth-url"].replace("&amp;", "&")
        assert parse_qs(urlsplit(auth_url).query)["state"] == [data["state"]]
        auth = requests.get(auth_url, timeout=10)
        form = parse_form(auth.text, auth.url)
        launched = requests.post(form.action, data=form.fields, timeout=10)
        assert launched.status_code == 200 and "confirm-form" in launched.text
        launch_id = re.search(r'name="launch" value="([^"]+)"', launched.text).group(1)
        # What platform_storage.js would do after lti.get_data answered:
        done = requests.post(demo.tool_url + "/lti/launch/confirm",
                             data={"launch": launch_id, "binding": data["binding"]},
                             allow_redirects=False, timeout=10)
        assert done.status_code == 303
    (session,) = _sessions(demo)
    assert session.confirmed and session.user.sub == "chen"


def test_tool_jwks_and_health_are_served(demo):
    jwks = requests.get(demo.tool_url + "/.well-known/jwks.json", timeout=10).json()
    assert jwks["keys"] and "d" not in jwks["keys"][0]
    assert requests.get(demo.tool_url + "/healthz", timeout=10).json()["database"] is True
