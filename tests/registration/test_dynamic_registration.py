"""Dynamic Registration 1.0 end to end: the demo LMS and the tool over real HTTP."""

from __future__ import annotations

import logging

import pytest
import requests

from lti_tool.registration import dynamic
from lti_tool.registration.services import find_platform
from tests.support.lms_client import LmsBrowser

from .conftest import LiveStack

TOOL_CONF = dynamic.TOOL_CONFIGURATION


def register(stack: LiveStack, url: str | None = None, **params: str) -> requests.Response:
    """What the LMS's registration iframe does: GET our URL with its parameters."""
    query = stack.registration_params()
    query.update(params)
    return requests.get(url or f"{stack.tool_url}/lti/register", params=query, timeout=30)


def new_link(stack: LiveStack, hours: float = 24) -> str:
    """An admin's single-use registration URL (what the console and the CLI hand out)."""
    from lti_tool.registration.links import create_link

    with stack.tool_app.app_context():
        return create_link(stack.tool_url, created_by="test", hours=hours).url


def test_registration_end_to_end_then_launch(live_stack_factory, caplog):
    """Through an admin's registration link: the platform receives a valid registration;
    the tool stores platform + deployment, active at once; the close message is sent; a
    launch from the new client succeeds."""
    stack = live_stack_factory()
    with caplog.at_level(logging.INFO, logger="branchwise.registration"):
        response = register(stack, new_link(stack))
    assert response.status_code == 200, response.text[:500]
    assert "registration_close.js" in response.text
    assert "Branchwise is registered" in response.text

    received = stack.received()
    (reg,) = received["registrations"]
    body = reg["request"]
    assert body["application_type"] == "web"
    assert body["grant_types"] == ["implicit", "client_credentials"]
    assert body["response_types"] == ["id_token"]
    assert body["token_endpoint_auth_method"] == "private_key_jwt"
    assert body["initiate_login_uri"] == f"{stack.tool_url}/lti/login"
    assert body["redirect_uris"] == [f"{stack.tool_url}/lti/launch",
                                     f"{stack.tool_url}/lti/deep-link"]
    assert body["jwks_uri"] == f"{stack.tool_url}/.well-known/jwks.json"
    assert body["client_name"] == "Branchwise"
    assert set(body["scope"].split()) == set(dynamic.TOOL_SCOPES)
    conf = body[TOOL_CONF]
    assert conf["domain"] == stack.tool_url.split("://")[1]
    assert conf["claims"] == list(dynamic.TOOL_CLAIMS)
    types = {m["type"]: m for m in conf["messages"]}
    assert types["LtiDeepLinkingRequest"]["target_link_uri"] == f"{stack.tool_url}/lti/deep-link"
    assert "assignment_selection" in types["LtiDeepLinkingRequest"]["placements"]
    assert types["LtiResourceLinkRequest"]["target_link_uri"] == f"{stack.tool_url}/lti/launch"
    # The tool sent the registration token when it fetched the configuration (Canvas needs it).
    assert received["config_requests"][0]["bearer"].startswith("regtok-")

    with stack.tool_app.app_context():
        platform = find_platform(stack.platform_url, reg["client_id"])
        assert platform is not None and platform.status == "active"
        assert [d.deployment_id for d in platform.deployments] == [reg["deployment_id"]]
        assert platform.auth_login_url == f"{stack.platform_url}/auth"
        assert platform.auth_token_url == f"{stack.platform_url}/token"
        assert platform.key_set_url == f"{stack.platform_url}/.well-known/jwks.json"
        # what the LMS granted is kept for the admin (console and `platform list --json`)
        assert set(platform.granted_scopes.split()) == set(dynamic.TOOL_SCOPES)
        assert platform.as_dict()["granted_scopes"] == platform.granted_scopes.split()
    assert "dynamic registration attempt" in caplog.text
    assert "dynamic registration stored" in caplog.text

    with LmsBrowser(stack.platform_url) as browser:
        result = browser.launch("alice", "rl-1", follow_launch_redirects=False)
    # A learner's launch answers with the activity page itself (two hops).
    assert result.status_code == 200, result.text[:500]
    assert 'name="bw-canonical-url" content="/activity?t=' in result.text


def test_registration_token_is_single_use(live_stack_factory):
    """Replaying the LMS's registration URL fails cleanly at the platform's endpoint."""
    stack = live_stack_factory()
    query = stack.registration_params()
    first = requests.get(f"{stack.tool_url}/lti/register", params=query, timeout=30)
    assert first.status_code == 200
    again = requests.get(f"{stack.tool_url}/lti/register", params=query, timeout=30)
    assert again.status_code == 400
    assert "registration_rejected" in again.text or "config_unreachable" in again.text


def test_approval_gate_refuses_launches_until_approved(live_stack_factory):
    """By default a registration through the public URL is pending: launches are refused
    with platform_inactive; once an admin approves, the same launch works."""
    stack = live_stack_factory()
    response = register(stack)
    assert response.status_code == 200
    assert "Waiting for approval" in response.text
    (reg,) = stack.received()["registrations"]

    with LmsBrowser(stack.platform_url) as browser:
        refused = browser.session.get(browser.launch_url("alice", "rl-1"), timeout=30)
    assert refused.status_code == 403
    assert "platform_inactive" in refused.text

    from lti_tool.admin import services as admin

    with stack.tool_app.app_context():
        admin.set_platform_status(stack.platform_url, reg["client_id"], "active")

    with LmsBrowser(stack.platform_url) as browser:
        result = browser.launch("alice", "rl-1", follow_launch_redirects=False)
    assert result.status_code == 200 and "bw-canonical-url" in result.text


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"openid_configuration": ""}, "missing_openid_configuration"),
        ({"openid_configuration": "ftp://example.com/x"}, "config_invalid"),
        ({"openid_configuration": "http://example.com/.well-known/openid-configuration"},
         "config_invalid"),
        ({"openid_configuration": "http://127.0.0.1:9/nothing-listens-here"},
         "config_unreachable"),
    ],
)
def test_bad_configuration_url_is_a_clear_4xx(live_stack_factory, params, code):
    """A missing, non-https or unreachable configuration gives a 400 page naming the code."""
    stack = live_stack_factory()
    response = requests.get(f"{stack.tool_url}/lti/register", params=params, timeout=30)
    assert response.status_code == 400
    assert code in response.text
    assert "could not be registered" in response.text


def test_configuration_not_found_is_a_clear_4xx(live_stack_factory):
    """The platform answers 404 for the configuration: config_unreachable, nothing stored."""
    stack = live_stack_factory()
    response = requests.get(
        f"{stack.tool_url}/lti/register",
        params={"openid_configuration": f"{stack.platform_url}/no-such-config"}, timeout=30)
    assert response.status_code == 400
    assert "config_unreachable" in response.text
    with stack.tool_app.app_context():
        from lti_tool.registration.services import list_platforms

        assert list_platforms() == []
