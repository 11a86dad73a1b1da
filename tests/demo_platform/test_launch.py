"""Demo LMS: JWKS, OIDC auth endpoint, full launches, course page, forged tokens."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
import requests

from lti_tool.demo_platform import get_platform
from tests.support.forge import build_launch_claims, sign_id_token
from tests.support.lms_client import LmsBrowser, parse_form

from .stack import CLIENT_ID, DEPLOYMENT_ID, Stack, start_stack

CLAIM = "https://purl.imsglobal.org/spec/lti/claim/"


def auth_params(stack: Stack, **overrides: str) -> dict[str, str]:
    """A valid OIDC auth request for Alice on rl-1 (overridable)."""
    params = {
        "scope": "openid",
        "response_type": "id_token",
        "response_mode": "form_post",
        "prompt": "none",
        "client_id": CLIENT_ID,
        "redirect_uri": stack.tool.launch_url,
        "login_hint": "alice",
        "lti_message_hint": "resource:rl-1",
        "state": "state-1",
        "nonce": "nonce-1",
    }
    params.update(overrides)
    return params


def verify_with_jwks(stack: Stack, token: str) -> dict:
    """Verify an id_token with the platform's published JWKS."""
    client = jwt.PyJWKClient(f"{stack.platform_url}/.well-known/jwks.json")
    key = client.get_signing_key_from_jwt(token)
    return jwt.decode(
        token, key.key, algorithms=["RS256"], audience=CLIENT_ID, issuer=stack.platform_url
    )


def test_jwks_served(stack: Stack) -> None:
    """The JWKS lists the platform key with kid, alg and use."""
    r = requests.get(f"{stack.platform_url}/.well-known/jwks.json", timeout=10)
    assert r.status_code == 200
    (key,) = r.json()["keys"]
    assert key["kid"] == stack.platform.keys.kid
    assert key["alg"] == "RS256" and key["use"] == "sig" and key["kty"] == "RSA"
    assert "d" not in key


@pytest.mark.parametrize(
    ("override", "value"),
    [
        ("redirect_uri", "https://evil.example/steal"),
        ("redirect_uri", "LAUNCH_URL_WITH_SUFFIX"),
        ("client_id", "someone-else"),
        ("response_type", "code"),
        ("response_mode", "query"),
        ("scope", "profile"),
        ("nonce", ""),
        ("state", ""),
        ("login_hint", "mallory"),
        ("lti_message_hint", "resource:rl-999"),
    ],
)
def test_auth_rejects_bad_requests(stack: Stack, override: str, value: str) -> None:
    """Invalid auth requests get a 400/403 page and never an id_token."""
    if value == "LAUNCH_URL_WITH_SUFFIX":
        value = stack.tool.launch_url + "/x"
    r = requests.get(
        f"{stack.platform_url}/auth",
        params=auth_params(stack, **{override: value}),
        timeout=10,
        allow_redirects=False,
    )
    assert r.status_code in (400, 403)
    assert 'name="id_token"' not in r.text
    assert "Location" not in r.headers


def test_auth_id_token_has_required_claims(stack: Stack) -> None:
    """A valid auth request (GET or POST) yields a JWKS-verifiable id_token with LTI claims."""
    for method in ("get", "post"):
        params = auth_params(stack)
        if method == "get":
            r = requests.get(f"{stack.platform_url}/auth", params=params, timeout=10)
        else:
            r = requests.post(f"{stack.platform_url}/auth", data=params, timeout=10)
        assert r.status_code == 200
        form = parse_form(r.text, r.url)
        assert form is not None and form.method == "post"
        assert form.action == stack.tool.launch_url
        assert form.fields["state"] == "state-1"
        assert form.fields["lti_storage_target"] == "_parent"
        claims = verify_with_jwks(stack, form.fields["id_token"])
        header = jwt.get_unverified_header(form.fields["id_token"])
        assert header["kid"] == stack.platform.keys.kid
    assert claims["nonce"] == "nonce-1"
    assert claims["sub"] == "alice"
    assert claims["azp"] == CLIENT_ID
    assert claims[CLAIM + "message_type"] == "LtiResourceLinkRequest"
    assert claims[CLAIM + "version"] == "1.3.0"
    assert claims[CLAIM + "deployment_id"] == DEPLOYMENT_ID
    assert claims[CLAIM + "target_link_uri"] == stack.tool.launch_url
    assert claims[CLAIM + "resource_link"]["id"] == "rl-1"
    assert claims[CLAIM + "context"]["id"] == "course-101"
    assert CLAIM.replace("claim/", "") not in claims
    assert any(r.endswith("membership#Learner") for r in claims[CLAIM + "roles"])
    assert claims[CLAIM + "launch_presentation"]["document_target"] == "iframe"
    assert claims[CLAIM + "launch_presentation"]["return_url"].startswith(stack.platform_url)
    assert claims[CLAIM + "custom"] == {"activity": "intro"}
    assert claims["name"] == "Alice Anders" and claims["email"] == "alice@example.edu"
    ags = claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]
    assert len(ags["scope"]) == 4
    assert ags["lineitems"].endswith("/api/lti/courses/course-101/lineitems")
    assert ags["lineitem"].endswith("/lineitems/1")
    nrps = claims["https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"]
    assert nrps["context_memberships_url"].endswith("/memberships")
    assert claims["exp"] > claims["iat"]


def test_auth_deep_link_claims_and_locale(stack: Stack) -> None:
    """A deep-linking auth request yields LtiDeepLinkingRequest with DL settings."""
    params = auth_params(
        stack,
        login_hint="bob",
        lti_message_hint="deep_link:course-101",
        redirect_uri=stack.tool.deep_link_url,
    )
    r = requests.post(f"{stack.platform_url}/auth", data=params, timeout=10)
    form = parse_form(r.text, r.url)
    assert form is not None
    claims = verify_with_jwks(stack, form.fields["id_token"])
    assert claims[CLAIM + "message_type"] == "LtiDeepLinkingRequest"
    assert claims[CLAIM + "target_link_uri"] == stack.tool.deep_link_url
    settings = claims["https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"]
    assert settings["accept_types"] == ["ltiResourceLink"]
    assert settings["accept_multiple"] is True
    assert settings["deep_link_return_url"] == f"{stack.platform_url}/deep_link_return"
    assert isinstance(settings["data"], str) and settings["data"]
    assert claims[CLAIM + "launch_presentation"]["locale"] == "es"
    assert claims["locale"] == "es"


def test_launch_url_and_course_page_iframe(stack: Stack) -> None:
    """The course page embeds the third-party login URL in an iframe with storage target."""
    url = requests.get(
        f"{stack.platform_url}/_test/launch_url",
        params={"user": "chen", "link": "rl-1"},
        timeout=10,
    ).json()["url"]
    assert url.startswith(stack.tool.oidc_login_url + "?")
    q = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
    assert q["iss"] == stack.platform_url
    assert q["login_hint"] == "chen"
    assert q["client_id"] == CLIENT_ID
    assert q["lti_deployment_id"] == DEPLOYMENT_ID
    assert q["target_link_uri"] == stack.tool.launch_url
    assert q["lti_storage_target"] == "_parent"
    assert q["lti_message_hint"]
    page = requests.get(
        stack.platform_url + "/", params={"as": "chen", "link": "rl-1"}, timeout=10
    ).text
    assert '<iframe id="tool-frame"' in page
    assert "lti.frameResize" in page and "lti.capabilities" in page and "lti.get_data" in page
    assert "allow=" in page
    assert "Add Branchwise activity" not in page  # learners cannot add activities
    staff = requests.get(stack.platform_url + "/", params={"as": "tess"}, timeout=10).text
    assert "Add Branchwise activity" in staff
    dl = requests.get(
        stack.platform_url + "/", params={"as": "tess", "deep_link": "1"}, timeout=10
    ).text
    assert "deep_link%3Acourse-101" in dl


def test_full_launch_through_pylti1p3_tool(stack: Stack) -> None:
    """LmsBrowser drives login -> /auth -> launch; PyLTI1p3 accepts the id_token."""
    with LmsBrowser(stack.platform_url) as browser:
        r = browser.launch("bob", "rl-1")
        assert r.status_code == 200, r.text
        data = r.json()
        assert data["claims"]["sub"] == "bob"
        assert data["storage_target"] == "_parent"
        assert browser.id_token and browser.state
        dl = browser.deep_link("tess")
        assert dl.status_code == 200
        assert "JWT" in dl.text
    launches = stack.state()["launches"]
    assert [la["kind"] for la in launches] == ["resource", "deep_link"]


def test_forged_token_verifies_and_key_confusion_helpers(stack: Stack) -> None:
    """forge.build_launch_claims + sign_id_token produce platform-signed (or attack) tokens."""
    claims = build_launch_claims("alice", "rl-1", "n-forged", platform=stack.platform_app)
    token = sign_id_token(claims, platform=stack.platform_app)
    verified = verify_with_jwks(stack, token)
    assert verified[CLAIM + "resource_link"]["id"] == "rl-1"
    assert verified["nonce"] == "n-forged"
    assert jwt.get_unverified_header(token)["kid"] == stack.platform.keys.kid
    dl_claims = build_launch_claims(
        "tess", None, "n2", kind="deep_link", platform=stack.platform_app, remove=[CLAIM + "roles"]
    )
    assert dl_claims[CLAIM + "message_type"] == "LtiDeepLinkingRequest"
    assert CLAIM + "roles" not in dl_claims
    unsigned = sign_id_token(claims, alg="none", platform=stack.platform_app)
    assert unsigned.endswith(".")
    hs = sign_id_token(claims, alg="HS256", platform=stack.platform_app)
    assert jwt.get_unverified_header(hs)["alg"] == "HS256"
    with pytest.raises(jwt.PyJWTError):
        verify_with_jwks(stack, hs)
    assert get_platform() is not None


def test_gradebook_requires_staff(stack: Stack) -> None:
    """Learners cannot open the gradebook; instructors see the seeded line item."""
    assert requests.get(f"{stack.platform_url}/gradebook?as=alice", timeout=10).status_code == 403
    page = requests.get(f"{stack.platform_url}/gradebook?as=tess", timeout=10)
    assert page.status_code == 200 and "Branchwise activity" in page.text


def test_key_dir_persists_platform_key(tmp_path: Path) -> None:
    """With key_dir, the platform key survives a restart."""
    first = start_stack(key_dir=tmp_path)
    try:
        kid = first.platform.keys.kid
    finally:
        for server in first.servers:
            server.stop()
    second = start_stack(key_dir=tmp_path, platform_storage=False)
    try:
        assert second.platform.keys.kid == kid
        url = requests.get(f"{second.platform_url}/_test/launch_url", timeout=10).json()["url"]
        assert "lti_storage_target" not in url
    finally:
        for server in second.servers:
            server.stop()
