"""Every bad launch gets a clear 4xx page naming the problem (shared/guide/lti.md §4)."""

from __future__ import annotations

import time

import jwt
import pytest
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import LaunchSession
from lti_tool.protocol import claims
from tests.support.fake_platform import CLIENT_ID, DROP, new_rsa_key, public_pem


def _assert_refused(resp, status: int, code: str) -> None:
    body = resp.get_data(as_text=True)
    assert resp.status_code == status, body[:400]
    assert f"<code>{code}</code>" in body
    assert "Traceback" not in body
    assert db.session.scalar(select(func.count()).select_from(LaunchSession)) == 0


def test_good_launch_lands_with_a_token_and_no_cookie_after(client, lms):
    resp = lms.launch(client)
    assert resp.status_code == 303
    assert resp.headers["Location"].startswith("/lti/landing?t=")
    session = db.session.scalars(select(LaunchSession)).one()
    assert session.confirmed and session.role == "learner"
    assert session.context.title == "Maths 7"
    assert session.resource_link.resource_link_id == "rl-1"
    # Follow with a client that has no cookies at all: the token alone carries the session.
    fresh = client.application.test_client()
    landing = fresh.get(resp.headers["Location"])
    assert landing.status_code == 303
    page = fresh.get(landing.headers["Location"])
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
    assert lms.launch(client).status_code == 303  # JWKS now cached
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
    assert lms.launch(client).status_code == 303


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


def test_expired(client, lms):
    login = lms.login(client)
    now = int(time.time())
    token = lms.sign(lms.claims(login.nonce, iat=now - 900, exp=now - 300))
    _assert_refused(lms.post_launch(client, login, token), 401, "expired")


def test_iat_in_the_future_beyond_leeway(client, lms):
    login = lms.login(client)
    now = int(time.time())
    token = lms.sign(lms.claims(login.nonce, iat=now + 600, exp=now + 900))
    _assert_refused(lms.post_launch(client, login, token), 401, "iat_future")


def test_small_clock_skew_is_tolerated(client, lms):
    login = lms.login(client)
    now = int(time.time())
    token = lms.sign(lms.claims(login.nonce, iat=now + 30, exp=now + 330))
    assert lms.post_launch(client, login, token).status_code == 303


@pytest.mark.parametrize(
    "aud,azp",
    [("someone-else", None), ([CLIENT_ID, "other"], None), ([CLIENT_ID, "other"], "other")],
)
def test_wrong_audience(client, lms, aud, azp):
    login = lms.login(client)
    extra = {"aud": aud}
    if azp:
        extra["azp"] = azp
    token = lms.sign(lms.claims(login.nonce, **extra))
    resp = lms.post_launch(client, login, token)
    # An aud that is only someone else's finds no registration at all.
    _assert_refused(resp, 401, "unknown_platform" if aud == "someone-else" else "bad_aud")


def test_several_audiences_with_our_azp_pass(client, lms):
    login = lms.login(client)
    token = lms.sign(lms.claims(login.nonce, aud=[CLIENT_ID, "other"], azp=CLIENT_ID))
    assert lms.post_launch(client, login, token).status_code == 303


def test_wrong_issuer(client, lms):
    login = lms.login(client)
    token = lms.sign(lms.claims(login.nonce, iss="https://evil.example"))
    _assert_refused(lms.post_launch(client, login, token), 401, "unknown_platform")


def test_unknown_deployment(client, lms):
    login = lms.login(client)
    token = lms.sign(lms.claims(login.nonce, **{claims.DEPLOYMENT_ID: "dep-unknown"}))
    _assert_refused(lms.post_launch(client, login, token), 401, "unknown_deployment")


def test_replayed_id_token_same_browser(client, lms):
    login = lms.login(client)
    token = lms.sign(lms.claims(login.nonce))
    assert lms.post_launch(client, login, token).status_code == 303
    resp = lms.post_launch(client, login, token)
    assert resp.status_code == 401 and "<code>replayed_nonce</code>" in resp.get_data(True)


def test_replayed_id_token_from_a_cookieless_browser(client, lms):
    login = lms.login(client)
    token = lms.sign(lms.claims(login.nonce))
    assert lms.post_launch(client, login, token).status_code == 303
    attacker = client.application.test_client()
    resp = attacker.post("/lti/launch", data={"id_token": token, "state": login.state})
    assert resp.status_code == 401 and "<code>replayed_nonce</code>" in resp.get_data(True)


def test_state_from_another_browser_is_refused(client, lms):
    """An id_token+state posted from a browser that did not start the login."""
    login = lms.login(client)
    token = lms.sign(lms.claims(login.nonce))
    other = client.application.test_client()
    _assert_refused(
        other.post("/lti/launch", data={"id_token": token, "state": login.state}),
        401,
        "state_mismatch",
    )


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


def test_wrong_message_type_for_the_endpoint(client, lms):
    login = lms.login(client)
    token = lms.sign(
        lms.claims(
            login.nonce,
            message_type=claims.DEEP_LINKING_REQUEST,
            **{claims.TARGET_LINK_URI: "http://localhost/lti/launch"},
        )
    )
    _assert_refused(lms.post_launch(client, login, token), 401, "wrong_message_type")


def test_wrong_version(client, lms):
    login = lms.login(client)
    token = lms.sign(lms.claims(login.nonce, **{claims.VERSION: "1.1"}))
    _assert_refused(lms.post_launch(client, login, token), 401, "bad_version")


def test_oversized_token(client, lms):
    login = lms.login(client)
    token = lms.sign(lms.claims(login.nonce, padding="x" * 40000))
    _assert_refused(lms.post_launch(client, login, token), 413, "oversized")


def test_foreign_target_link_uri(client, lms):
    login = lms.login(client)
    token = lms.sign(lms.claims(login.nonce, **{claims.TARGET_LINK_URI: "https://evil.example/x"}))
    _assert_refused(lms.post_launch(client, login, token), 401, "foreign_target")


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
