"""Small helpers shared by the demo LMS tests."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import requests

from .stack import CLIENT_ID, Stack

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
SCOPE_SCORE = AGS + "score"
SCOPE_LINEITEM = AGS + "lineitem"
SCOPE_RESULT = AGS + "result.readonly"
SCOPE_NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"


def client_assertion(stack: Stack, **overrides: Any) -> str:
    """A client assertion signed with the fake tool's key (claims overridable)."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": CLIENT_ID,
        "sub": CLIENT_ID,
        "aud": f"{stack.platform_url}/token",
        "iat": now,
        "exp": now + 60,
        "jti": str(uuid.uuid4()),
    }
    claims.update(overrides)
    claims = {k: v for k, v in claims.items() if v is not None}
    return jwt.encode(
        claims,
        stack.tool_keys.private_pem,
        algorithm="RS256",
        headers={"kid": stack.tool_keys.jwk["kid"]},
    )


def request_token(
    stack: Stack, scopes: list[str], assertion: str | None = None
) -> requests.Response:
    """POST /token with a client_credentials grant."""
    return requests.post(
        f"{stack.platform_url}/token",
        data={
            "grant_type": "client_credentials",
            "client_assertion_type": JWT_BEARER,
            "client_assertion": assertion or client_assertion(stack),
            "scope": " ".join(scopes),
        },
        timeout=10,
    )


def bearer(stack: Stack, *scopes: str) -> dict[str, str]:
    """Authorization header with a fresh token for ``scopes``."""
    r = request_token(stack, list(scopes))
    assert r.status_code == 200, r.text
    return {"Authorization": "Bearer " + r.json()["access_token"]}


def iso(offset_seconds: float = 0) -> str:
    """An ISO-8601 UTC timestamp ``offset_seconds`` from now (microseconds kept)."""
    return (datetime.now(UTC) + timedelta(seconds=offset_seconds)).isoformat()


def lineitem_url(stack: Stack, item_id: str = "1") -> str:
    """URL of a line item of Course 101."""
    return f"{stack.platform_url}/api/lti/courses/course-101/lineitems/{item_id}"


def post_score(
    stack: Stack, headers: dict[str, str], item_id: str = "1", **score: Any
) -> requests.Response:
    """POST a score (defaults: alice, 7/10, Completed, FullyGraded, now)."""
    body: dict[str, Any] = {
        "userId": "alice",
        "scoreGiven": 7,
        "scoreMaximum": 10,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": iso(),
    }
    body.update(score)
    body = {k: v for k, v in body.items() if v is not None}
    return requests.post(
        lineitem_url(stack, item_id) + "/scores",
        json=body,
        headers={**headers, "Content-Type": SCORE_TYPE},
        timeout=10,
    )
