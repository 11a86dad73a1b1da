"""Every bad launch gets a clear 4xx page naming the problem (shared/guide/lti.md §4)."""

from __future__ import annotations

import re
import time

import jwt
import pytest
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import LaunchSession
from lti_tool.protocol import claims
from tests.support.fake_platform import CLIENT_ID, DROP, new_rsa_key, public_pem

# A learner's good launch answers with the activity page itself (two hops).
LAUNCHED = 200


def _assert_refused(resp, status: int, code: str) -> None:
    body = resp.get_data(as_text=True)
    assert resp.status_code == status, body[:400]
    assert f"<code>{code}</code>" in body
    assert "Traceback" not in body
    assert db.session.scalar(select(func.count()).select_from(LaunchSession)) == 0


def test_good_launch_lands_with_a_token_and_no_cookie_after(client, lms):
    resp = lms.launch(client)
    # Two hops: the id_token POST answers with the learner's page, which names its own URL.
    assert resp.status_code == 200 and "err-title" not in resp.get_data(as_text=True)
    assert resp.headers["Cache-Control"] == "no-store"
    canonical = re.search(r'name="bw-canonical-url" content="([^"]*)"',
                          resp.get_data(as_text=True)).group(1).replace("&amp;", "&")
    assert canonical.startswith("/activity?t=")
    session = db.session.scalars(select(LaunchSession)).one()
    assert session.confirmed and session.role == "learner"
    assert session.context.title == "Maths 7"
    assert session.resource_link.resource_link_id == "rl-1"
    # Reload with a client that has no cookies at all: the token alone carries the session.
    fresh = client.application.test_client()
    page = fresh.get(canonical)
    assert page.status_code == 200 and "err-title" not in page.get_data(as_text=True)


def test_bad_signature(client, lms):
    login = lms.login(client)
    token = lms.sign(lms.claims(login.nonce))
    header, body, sig = token.split(".")
    tampered = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(body).replace(b"Lee Learner", b"Eve Evilson")
    ).decode()
    _assert_refused(
        lms.post_launch(client, login, f"{header}.{tampered}.{sig}"), 401, "bad_signature"
    )


def test_signed_by_another_key_with_our_kid(client, lms):
    login = lms.login(client)
    token = lms.sign(lms.claims(login.nonce), key=new_rsa_key())
    _assert_refused(lms.post_launch(client, login, token), 401, "bad_signature")


def test_unknown_kid_refetches_once_then_refuses(client, lms, key_server):
    login = lms.login(client)
    hits = key_server.hits
    token = lms.sign(lms.claims(login.nonce), key=new_rsa_key(), kid="no-such-kid")
    _assert_refused(lms.post_launch(client, login, token), 401, "unknown_kid")
    assert key_server.hits - hits <= 2  # first fetch (or cache) plus one refetch


def test_rotated_platform_key_is_picked_up_without_restart(client, lms, key_server):
    assert lms.launch(client).status_code == LAUNCHED  # JWKS now cached
    new_key = new_rsa_key()
    key_server.keys[:] = [new_key]
    lms.key, lms.kid = (
        new_key,
        jwt.PyJWK.from_dict(
            __import__("pylti1p3.registration", fromlist=["Registration"]).Registration.get_jwk(
                public_pem(new_key)
            )
        ).key_id,
    )
    assert lms.launch(client).status_code == LAUNCHED


def test_alg_none(client, lms):
    login = lms.login(client)
    body = jwt.encode(lms.claims(login.nonce), None, algorithm="none", headers={"kid": lms.kid})
    _assert_refused(lms.post_launch(client, login, body), 401, "bad_alg")


def test_hs256_signed_with_the_public_key(client, lms):
    login = lms.login(client)
    payload = lms.claims(login.nonce)
    # PyJWT refuses to HMAC with a PEM key, so build the token by hand like an attacker.
    import base64
    import hashlib
    import hmac
    import json

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = (
        b64(json.dumps({"alg": "HS256", "kid": lms.kid}).encode())
        + "."
        + b64(json.dumps(payload).encode())
    )
    sig = hmac.new(public_pem(lms.key).encode(), signing_input.encode(), hashlib.sha256)
    token = signing_input + "." + b64(sig.digest())
    _assert_refused(lms.post_launch(client, login, token), 401, "bad_alg")


# Overrides of a good launch's claims; "iat" and "exp" are given in seconds from now.
BAD_CLAIMS = [
    pytest.param({"iat": -900, "exp": -300}, 401, "expired", id="expired"),
    pytest.param({"iat": 600, "exp": 900}, 401, "iat_future", id="iat-future-beyond-leeway"),
    # An aud that is only someone else's finds no registration at all.
    pytest.param({"aud": "someone-else"}, 401, "unknown_platform", id="aud-someone-else"),
    pytest.param({"aud": [CLIENT_ID, "other"]}, 401, "bad_aud", id="aud-several-no-azp"),
    pytest.param(
        {"aud": [CLIENT_ID, "other"], "azp": "other"}, 401, "bad_aud", id="aud-several-other-azp"
    ),
    pytest.param({"iss": "https://evil.example"}, 401, "unknown_platform", id="wrong-issuer"),
    pytest.param(
        {claims.DEPLOYMENT_ID: "dep-unknown"}, 401, "unknown_deployment", id="unknown-deployment"
    ),
    pytest.param(
        {
            "message_type": claims.DEEP_LINKING_REQUEST,
            claims.TARGET_LINK_URI: "http://localhost/lti/launch",
        },
        401,
        "wrong_message_type",
        id="wrong-message-type-for-the-endpoint",
    ),
    pytest.param({claims.VERSION: "1.1"}, 401, "bad_version", id="wrong-version"),
    pytest.param({"padding": "x" * 40000}, 413, "oversized", id="oversized-token"),
    pytest.param(
        {claims.TARGET_LINK_URI: "https://evil.example/x"},
        401,
        "foreign_target",
        id="foreign-target-link-uri",
    ),
]

GOOD_VARIANTS = [
    pytest.param({"iat": 30, "exp": 330}, id="small-clock-skew"),
    pytest.param({"aud": [CLIENT_ID, "other"], "azp": CLIENT_ID}, id="several-aud-with-our-azp"),
]


def _launch_with(client, lms, overrides: dict):
    """Log in, then post a launch whose claims carry ``overrides`` (iat/exp relative to now)."""
    login = lms.login(client)
    now = int(time.time())
    overrides = {k: now + v if k in ("iat", "exp") else v for k, v in overrides.items()}
    return lms.post_launch(client, login, lms.sign(lms.claims(login.nonce, **overrides)))


@pytest.mark.parametrize("overrides,status,code", BAD_CLAIMS)
def test_bad_claims_are_refused(client, lms, overrides, status, code):
    _assert_refused(_launch_with(client, lms, overrides), status, code)


@pytest.mark.parametrize("overrides", GOOD_VARIANTS)
def test_tolerated_variants_are_accepted(client, lms, overrides):
    assert _launch_with(client, lms, overrides).status_code == LAUNCHED


def test_replayed_id_token_same_browser(client, lms):
    login = lms.login(client)
    token = lms.sign(lms.claims(login.nonce))
    assert lms.post_launch(client, login, token).status_code == LAUNCHED
    resp = lms.post_launch(client, login, token)
    assert resp.status_code == 401 and "<code>replayed_nonce</code>" in resp.get_data(True)


def test_replayed_id_token_from_a_cookieless_browser(client, lms):
    login = lms.login(client)
    token = lms.sign(lms.claims(login.nonce))
    assert lms.post_launch(client, login, token).status_code == LAUNCHED
    attacker = client.application.test_client()
    resp = attacker.post("/lti/launch", data={"id_token": token, "state": login.state})
    assert resp.status_code == 401 and "<code>replayed_nonce</code>" in resp.get_data(True)


def test_state_from_another_browser_is_refused(client, lms):
    """An id_token+state posted from a browser that did not start the login gets no
    session: only the "open in a new window" page (a fresh login there), and the launch
    cannot be confirmed without the binding secret."""
    login = lms.login(client)
    token = lms.sign(lms.claims(login.nonce))
    other = client.application.test_client()
    resp = other.post("/lti/launch", data={"id_token": token, "state": login.state})
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "Open the activity in a new window" in body
    assert "/lti/landing" not in body and "t=" not in resp.headers.get("Location", "")
    session = db.session.scalars(select(LaunchSession)).one()
    assert not session.confirmed
    refused = other.post("/lti/launch/confirm",
                                         data={"launch": session.id, "binding": "guess"})
    assert refused.status_code == 401
    assert "<code>state_mismatch</code>" in refused.get_data(as_text=True)


def test_unknown_state(client, lms):
    login = lms.login(client)
    token = lms.sign(lms.claims(login.nonce))
    _assert_refused(
        lms.post_launch(client, login, token, state="state-forged"), 401, "unknown_state"
    )


def test_nonce_not_issued_for_this_login(client, lms):
    login = lms.login(client)
    token = lms.sign(lms.claims("some-other-nonce"))
    _assert_refused(lms.post_launch(client, login, token), 401, "nonce_mismatch")


@pytest.mark.parametrize(
    "claim",
    ["sub", claims.ROLES, claims.DEPLOYMENT_ID, claims.MESSAGE_TYPE, claims.RESOURCE_LINK, "exp"],
)
def test_missing_required_claims(client, lms, claim):
    login = lms.login(client)
    token = lms.sign(lms.claims(login.nonce, **{claim: DROP}))
    resp = lms.post_launch(client, login, token)
    body = resp.get_data(as_text=True)
    assert resp.status_code == 401, body[:300]
    assert "<code>missing_claim</code>" in body or "<code>bad_message</code>" in body


def test_garbage_token(client, lms):
    login = lms.login(client)
    _assert_refused(lms.post_launch(client, login, "not-a-jwt"), 401, "malformed_token")


@pytest.mark.parametrize(
    "params,code",
    [
        (
            {"iss": "https://lms.test", "target_link_uri": "http://localhost/lti/launch"},
            "login_missing_param",
        ),
        (
            {
                "iss": "https://unknown.example",
                "login_hint": "u",
                "target_link_uri": "http://localhost/lti/launch",
            },
            "unknown_platform",
        ),
        (
            {
                "iss": "https://lms.test",
                "login_hint": "u",
                "client_id": CLIENT_ID,
                "target_link_uri": "https://evil.example/lti/launch",
            },
            "foreign_target",
        ),
    ],
)
def test_bad_login_initiation(client, lms, params, code):
    resp = client.post("/lti/login", data=params)
    assert resp.status_code == 400
    assert f"<code>{code}</code>" in resp.get_data(as_text=True)


def test_refusals_log_one_line_with_the_code(client, lms, caplog):
    login = lms.login(client)
    token = lms.sign(lms.claims(login.nonce, **{claims.VERSION: "1.1"}))
    with caplog.at_level("WARNING"):
        lms.post_launch(client, login, token)
    lines = [r for r in caplog.records if "launch refused" in r.getMessage()]
    assert len(lines) == 1 and "code=bad_version" in lines[0].getMessage()
