"""Registration is approved, not open: links (single use, expiring), re-registration held back."""

from __future__ import annotations

from datetime import timedelta

import requests
from sqlalchemy import update

from lti_tool.extensions import db
from lti_tool.models import RegistrationLink
from lti_tool.registration.services import find_platform, list_platforms

from .test_dynamic_registration import new_link, register


def _platforms(stack):
    with stack.tool_app.app_context():
        return [(p.issuer, p.client_id, p.status) for p in list_platforms()]


def test_public_registration_waits_for_approval_by_default(live_stack_factory):
    stack = live_stack_factory()
    assert register(stack).status_code == 200
    [(_, _, status)] = _platforms(stack)
    assert status == "pending"


def test_a_link_registers_active_once_then_is_spent(live_stack_factory):
    stack = live_stack_factory()
    url = new_link(stack)
    first = register(stack, url)
    assert first.status_code == 200, first.text[:400]
    assert "Launches from this LMS are accepted now" in first.text
    [(_, _, status)] = _platforms(stack)
    assert status == "active"
    again = register(stack, url)  # a fresh LMS token, the same link
    assert again.status_code == 403
    assert "link_invalid" in again.text
    assert len(_platforms(stack)) == 1
    with stack.tool_app.app_context():
        link = db.session.query(RegistrationLink).one()
        assert link.used_at is not None and link.platform_id is not None
        # only a hash of the token is kept
        assert url.rsplit("/", 1)[1] not in (link.token_hash, link.note)


def test_an_expired_link_is_refused_and_nothing_is_asked_of_the_lms(live_stack_factory):
    stack = live_stack_factory()
    url = new_link(stack)
    with stack.tool_app.app_context():
        db.session.execute(update(RegistrationLink).values(
            expires_at=RegistrationLink.created_at - timedelta(seconds=1)))
        db.session.commit()
    response = register(stack, url)
    assert response.status_code == 403 and "link_invalid" in response.text
    assert stack.received()["config_requests"] == []
    assert _platforms(stack) == []


def test_a_made_up_link_is_refused(live_stack_factory):
    stack = live_stack_factory()
    response = register(stack, f"{stack.tool_url}/lti/register/not-a-real-token")
    assert response.status_code == 403 and "link_invalid" in response.text
    assert _platforms(stack) == []


def test_a_failed_registration_gives_the_link_back(live_stack_factory):
    stack = live_stack_factory()
    url = new_link(stack)
    failed = requests.get(url, params={"openid_configuration":
                                       f"{stack.platform_url}/no-such-config"}, timeout=30)
    assert failed.status_code == 400
    assert register(stack, url).status_code == 200
    [(_, _, status)] = _platforms(stack)
    assert status == "active"


def test_re_registration_never_rewrites_without_approval(live_stack_factory, monkeypatch):
    """The LMS registers the same issuer + client_id again (through a fresh link, even):
    nothing changes, status included, until an admin applies the proposal."""
    from types import SimpleNamespace

    from lti_tool.admin import services as admin
    from lti_tool.demo_platform import registration as demo_registration

    stack = live_stack_factory()
    assert register(stack, new_link(stack)).status_code == 200
    [(issuer, client_id, _)] = _platforms(stack)
    with stack.tool_app.app_context():
        platform = find_platform(issuer, client_id)
        platform.auth_token_url = issuer + "/old-token"  # so the proposal differs
        platform.status = "disabled"
        db.session.commit()
    # The demo LMS answers the next registration with the same client_id.
    monkeypatch.setattr(demo_registration, "secrets",
                        SimpleNamespace(token_urlsafe=lambda n: client_id[len("dr-"):]))
    response = register(stack, new_link(stack))
    assert response.status_code == 200, response.text[:400]
    assert "Changes waiting for approval" in response.text
    with stack.tool_app.app_context():
        platform = find_platform(issuer, client_id)
        assert platform.auth_token_url == issuer + "/old-token"
        assert platform.status == "disabled"  # not re-activated by the link either
        assert platform.pending_update["token_url"] == issuer + "/token"
        admin.approve_platform(issuer, client_id)
        platform = find_platform(issuer, client_id)
        assert platform.auth_token_url == issuer + "/token"
        assert platform.status == "active" and platform.pending_update is None
        assert len(list_platforms()) == 1
