"""No dead end without cookies (issue 14): the tool's cookie is blocked in the frame and
the platform offers no storage, so the launch continues in a new top-level window."""

from __future__ import annotations

import html as htmllib
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import LaunchSession, LoginState
from lti_tool.protocol import claims
from tests.support.fake_platform import ISSUER


def _frame_launch(client, lms, path="/lti/launch", message_type=claims.RESOURCE_LINK_REQUEST):
    """Login and launch in a frame whose cookie the browser blocked (a cookieless client)."""
    login = lms.login(client, target=lms.base_url + path, lti_message_hint="link-42")
    token = lms.sign(lms.claims(login.nonce, message_type=message_type))
    frame = client.application.test_client()  # the id_token post arrives without the cookie
    return frame, frame.post(path, data={"id_token": token, "state": login.state})


def _new_window(client, lms, restart: str, path: str, message_type: str):
    """The new window: login there (binding kept in the tab), the LMS posts the id_token."""
    window = client.application.test_client()
    page = window.get(restart.replace(lms.base_url, "")).get_data(as_text=True)
    data = dict(re.findall(r'data-([a-z-]+)="([^"]*)"', page))
    auth = htmllib.unescape(data["auth-url"])
    query = parse_qs(urlsplit(auth).query)
    state, nonce = query["state"][0], query["nonce"][0]
    assert data["key"] == f"bw-bind-{state}" and data["binding"]
    assert query["lti_message_hint"] == ["link-42"]  # the same link is launched again
    token = lms.sign(lms.claims(nonce, message_type=message_type))
    # On plain http a cross-site form post carries no SameSite=Lax cookie: a fresh client.
    arrived = client.application.test_client().post(
        path, data={"id_token": token, "state": state})
    return window, data, arrived


@pytest.mark.parametrize("path,message_type,endpoint", [
    ("/lti/launch", claims.RESOURCE_LINK_REQUEST, "/activity"),
    ("/lti/deep-link", claims.DEEP_LINKING_REQUEST, "/deep-link/"),
])
def test_blocked_cookie_without_storage_continues_in_a_new_window(client, lms, path,
                                                                 message_type, endpoint):
    frame, resp = _frame_launch(client, lms, path, message_type)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200, page[:400]
    assert "Open the activity in a new window" in page and "window_confirm.js" in page
    assert "<script>" not in page and "onclick" not in page  # CSP without unsafe-inline
    restart = htmllib.unescape(re.search(r'id="nw-open" class="button" href="([^"]+)"',
                                         page).group(1))
    params = parse_qs(urlsplit(restart).query)
    assert params["bw_new_window"] == ["1"] and params["iss"] == [ISSUER]
    assert params["lti_message_hint"] == ["link-42"] and "lti_storage_target" not in params
    # The frame's launch is never usable: no token, not confirmed.
    frame_session = db.session.scalars(select(LaunchSession)).one()
    assert not frame_session.confirmed

    window, data, arrived = _new_window(client, lms, restart, path, message_type)
    landing_page = arrived.get_data(as_text=True)
    assert arrived.status_code == 200 and "window_confirm.js" in landing_page
    launch_id = re.search(r'name="launch" value="([^"]+)"', landing_page).group(1)
    assert f'data-key="{data["key"]}"' in landing_page
    # What window_confirm.js posts: the binding from this tab's sessionStorage.
    done = window.post("/lti/launch/confirm", data={"launch": launch_id,
                                                   "binding": data["binding"]})
    assert done.status_code == 303 and "/lti/landing?t=" in done.headers["Location"]
    step = window.get(done.headers["Location"])
    assert step.status_code == 303 and endpoint in step.headers["Location"]
    db.session.expire_all()
    assert db.session.get(LaunchSession, launch_id).confirmed
    assert not db.session.get(LaunchSession, frame_session.id).confirmed


def test_the_frames_binding_cannot_confirm_the_new_windows_launch(client, lms):
    """Each login has its own secret: a launch is confirmed only by its own login's tab."""
    _, resp = _frame_launch(client, lms)
    restart = htmllib.unescape(re.search(r'id="nw-open" class="button" href="([^"]+)"',
                                         resp.get_data(as_text=True)).group(1))
    first = db.session.scalars(select(LoginState)).one()
    window, _, arrived = _new_window(client, lms, restart, "/lti/launch",
                                     claims.RESOURCE_LINK_REQUEST)
    launch_id = re.search(r'name="launch" value="([^"]+)"',
                          arrived.get_data(as_text=True)).group(1)
    bad = window.post("/lti/launch/confirm", data={"launch": launch_id,
                                                  "binding": first.binding})
    assert bad.status_code == 401 and "<code>state_mismatch</code>" in bad.get_data(True)


def test_with_the_cookie_the_launch_completes_in_the_frame(client, lms):
    """Cookies allowed: today's path, no new window."""
    resp = lms.launch(client)
    # a learner's launch answers with the activity itself, in the frame
    assert resp.status_code == 200 and 'name="bw-canonical-url"' in resp.get_data(as_text=True)
    assert "new window" not in resp.get_data(as_text=True).lower()


def test_the_new_window_offer_speaks_the_learners_language(client, lms):
    """The frame's "open in a new window" page follows the launch's locale, its
    JavaScript texts included (Moodle learners without cookies all see this page)."""
    login = lms.login(client, target=lms.base_url + "/lti/launch", lti_message_hint="link-42")
    body = lms.claims(login.nonce)
    body[claims.LAUNCH_PRESENTATION]["locale"] = "es-MX"
    frame = client.application.test_client()
    page = frame.post("/lti/launch", data={"id_token": lms.sign(body),
                                           "state": login.state}).get_data(as_text=True)
    assert '<html lang="es"' in page
    assert "Abrir la actividad en una ventana nueva" in page
    assert 'data-again="Abrirla de nuevo"' in page and "La actividad se abrió" in page
    assert "Open the activity" not in page and "Your browser" not in page
