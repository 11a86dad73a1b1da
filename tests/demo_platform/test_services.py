"""Demo LMS services: /token, AGS line items/scores/results, NRPS, fault injection."""

from __future__ import annotations

import time

import requests

from tests.support.lms_client import LmsBrowser

from .helpers import (
    SCOPE_LINEITEM,
    SCOPE_NRPS,
    SCOPE_RESULT,
    SCOPE_SCORE,
    bearer,
    client_assertion,
    iso,
    lineitem_url,
    post_score,
    request_token,
)
from .stack import Stack


def test_token_with_valid_client_assertion(stack: Stack) -> None:
    """A properly signed assertion (verified via the tool's JWKS over HTTP) gets a token."""
    served_before = stack.tool_app.extensions["fake_tool"]["served_jwks"]
    r = request_token(stack, [SCOPE_SCORE, SCOPE_NRPS, "https://example.com/unknown"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["token_type"] == "Bearer" and body["expires_in"] == 3600
    assert set(body["scope"].split()) == {SCOPE_SCORE, SCOPE_NRPS}
    assert stack.tool_app.extensions["fake_tool"]["served_jwks"] > served_before
    assert stack.state()["tokens_issued"] == 1


def test_token_rejects_bad_assertions(stack: Stack) -> None:
    """Wrong audience, issuer, expiry, key, replayed jti or grant type are refused."""
    now = int(time.time())
    bad = [
        client_assertion(stack, aud="http://elsewhere/token"),
        client_assertion(stack, iss="other", sub="other"),
        client_assertion(stack, sub="other"),
        client_assertion(stack, exp=now - 300, iat=now - 400),
        client_assertion(stack, exp=None),
    ]
    for assertion in bad:
        r = request_token(stack, [SCOPE_SCORE], assertion)
        assert r.status_code == 401, r.text
        assert r.json()["error"] == "invalid_client"
    tampered = client_assertion(stack)
    head, payload, sig = tampered.split(".")
    r = request_token(stack, [SCOPE_SCORE], f"{head}.{payload}.{sig[:-4]}AAAA")
    assert r.status_code == 401
    replay = client_assertion(stack)
    assert request_token(stack, [SCOPE_SCORE], replay).status_code == 200
    assert request_token(stack, [SCOPE_SCORE], replay).status_code == 401
    r = requests.post(f"{stack.platform_url}/token", data={"grant_type": "password"}, timeout=10)
    assert r.status_code == 400 and r.json()["error"] == "unsupported_grant_type"
    assert stack.state()["tokens_issued"] == 1


def test_scores_newer_applied_older_not(stack: Stack) -> None:
    """Newer timestamps are applied; older or equal ones are kept but not applied."""
    headers = bearer(stack, SCOPE_SCORE, SCOPE_RESULT)
    t1, t0 = iso(), iso(-60)
    r = post_score(stack, headers, scoreGiven=5, timestamp=t1)
    assert r.status_code == 200 and r.json() == {"applied": True}
    r = post_score(stack, headers, scoreGiven=9, timestamp=t0)
    assert r.status_code == 200 and r.json()["applied"] is False
    r = post_score(stack, headers, scoreGiven=8, timestamp=t1)
    assert r.json()["applied"] is False
    r = post_score(stack, headers, scoreGiven=6, timestamp=iso(1), comment="Nice")
    assert r.json()["applied"] is True
    scores = stack.state()["scores"]
    assert [s["applied"] for s in scores] == [True, False, False, True]
    results = requests.get(lineitem_url(stack) + "/results", headers=headers, timeout=10)
    assert results.headers["Content-Type"].startswith(
        "application/vnd.ims.lis.v2.resultcontainer+json"
    )
    (result,) = results.json()
    assert result["userId"] == "alice"
    assert result["resultScore"] == 60 and result["resultMaximum"] == 100  # scaled to 100
    assert result["comment"] == "Nice"
    assert result["scoreOf"] == lineitem_url(stack)
    page = requests.get(f"{stack.platform_url}/gradebook?as=tess", timeout=10).text
    assert "60" in page and "Nice" in page


def test_scores_require_bearer_scope_and_valid_body(stack: Stack) -> None:
    """No/invalid token -> 401, wrong scope -> 403, bad media type -> 415, bad body -> 400."""
    assert post_score(stack, {}).status_code == 401
    assert post_score(stack, {"Authorization": "Bearer nope"}).status_code == 401
    assert post_score(stack, bearer(stack, SCOPE_NRPS)).status_code == 403
    headers = bearer(stack, SCOPE_SCORE)
    r = requests.post(
        lineitem_url(stack) + "/scores", json={"userId": "alice"}, headers=headers, timeout=10
    )
    assert r.status_code == 415
    for bad in (
        {"userId": None},
        {"userId": "mallory"},
        {"activityProgress": "Done"},
        {"gradingProgress": "Graded"},
        {"timestamp": "yesterday"},
        {"timestamp": "2024-01-01T10:00:00"},  # no UTC offset
        {"scoreMaximum": None},
        {"scoreGiven": -1},
        {"scoreMaximum": 0},
    ):
        assert post_score(stack, headers, **bad).status_code == 400, bad
    assert post_score(stack, headers, scoreGiven=12, scoreMaximum=10).status_code == 200
    assert post_score(stack, headers, "999").status_code == 404
    assert (
        post_score(stack, headers, scoreGiven=None, scoreMaximum=None, timestamp=iso(5)).status_code
        == 200
    )


def test_line_items_crud_and_filters(stack: Stack) -> None:
    """Line items can be created, filtered, read, updated and deleted."""
    headers = bearer(stack, SCOPE_LINEITEM)
    base = f"{stack.platform_url}/api/lti/courses/course-101/lineitems"
    r = requests.post(
        base,
        json={
            "label": "Quiz",
            "scoreMaximum": 20,
            "tag": "quiz",
            "resourceId": "q1",
            "resourceLinkId": "rl-1",
        },
        headers=headers,
        timeout=10,
    )
    assert r.status_code == 201, r.text
    item = r.json()
    assert item["id"] == lineitem_url(stack, "2")
    assert (
        requests.post(
            base, json={"label": "x", "scoreMaximum": 0}, headers=headers, timeout=10
        ).status_code
        == 400
    )
    assert (
        requests.post(
            base,
            json={"label": "x", "scoreMaximum": 1, "resourceLinkId": "rl-9"},
            headers=headers,
            timeout=10,
        ).status_code
        == 400
    )
    listed = requests.get(base, params={"tag": "quiz"}, headers=headers, timeout=10)
    assert [i["label"] for i in listed.json()] == ["Quiz"]
    assert (
        len(
            requests.get(
                base, params={"resource_link_id": "rl-1"}, headers=headers, timeout=10
            ).json()
        )
        == 2
    )
    assert (
        requests.get(base, params={"resource_id": "nope"}, headers=headers, timeout=10).json() == []
    )
    put = requests.put(
        item["id"],
        json={**item, "label": "Quiz 1", "scoreMaximum": 25},
        headers=headers,
        timeout=10,
    )
    assert put.status_code == 200 and put.json()["label"] == "Quiz 1"
    assert requests.get(item["id"], headers=headers, timeout=10).json()["scoreMaximum"] == 25
    assert requests.delete(item["id"], headers=headers, timeout=10).status_code == 204
    assert requests.get(item["id"], headers=headers, timeout=10).status_code == 404
    ro = bearer(stack, "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly")
    assert requests.get(base, headers=ro, timeout=10).status_code == 200
    assert (
        requests.post(
            base, json={"label": "x", "scoreMaximum": 1}, headers=ro, timeout=10
        ).status_code
        == 403
    )


def test_nrps_paging_and_rlid(stack: Stack) -> None:
    """Memberships page with limit and Link rel=next; rlid is accepted."""
    headers = {
        **bearer(stack, SCOPE_NRPS),
        "Accept": "application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
    }
    url = f"{stack.platform_url}/api/lti/courses/course-101/memberships?limit=2&rlid=rl-1"
    seen: list[str] = []
    pages = 0
    while url:
        r = requests.get(url, headers=headers, timeout=10)
        assert r.status_code == 200
        body = r.json()
        assert body["context"]["id"] == "course-101"
        seen += [m["user_id"] for m in body["members"]]
        pages += 1
        url = r.links.get("next", {}).get("url")
    assert pages == 3
    assert seen == ["alice", "bob", "chen", "tess", "ada"]
    assert (
        requests.get(
            f"{stack.platform_url}/api/lti/courses/course-101/memberships",
            headers=bearer(stack, SCOPE_SCORE),
            timeout=10,
        ).status_code
        == 403
    )


def test_faults(stack: Stack) -> None:
    """Fault modes: status with count, 429 with Retry-After, slow, down, cleared by {}."""
    headers = bearer(stack, SCOPE_SCORE)
    faults = f"{stack.platform_url}/_test/faults"
    requests.post(
        faults, json={"scores": {"mode": "status", "status": 500, "count": 2}}, timeout=10
    )
    codes = [post_score(stack, headers, timestamp=iso(i)).status_code for i in range(3)]
    assert codes == [500, 500, 200]
    requests.post(
        faults, json={"scores": {"mode": "status", "status": 429, "retry_after": 1}}, timeout=10
    )
    r = post_score(stack, headers)
    assert r.status_code == 429 and r.headers["Retry-After"] == "1"
    requests.post(faults, json={"scores": {"mode": "slow", "seconds": 0.5, "count": 1}}, timeout=10)
    start = time.monotonic()
    assert post_score(stack, headers, timestamp=iso(10)).status_code == 200
    assert time.monotonic() - start >= 0.5
    requests.post(faults, json={"*": {"mode": "down"}}, timeout=10)
    assert post_score(stack, headers).status_code == 503
    assert request_token(stack, [SCOPE_SCORE]).status_code == 503
    requests.post(faults, json={}, timeout=10)
    assert post_score(stack, headers, timestamp=iso(20)).status_code == 200
    assert requests.post(faults, json={"bogus": {}}, timeout=10).status_code == 400


def test_pylti1p3_tool_posts_grade_and_reads_roster(stack: Stack) -> None:
    """A PyLTI1p3 tool can get a token, post a score and page NRPS against the demo LMS."""
    with LmsBrowser(stack.platform_url) as browser:
        launch = browser.launch("chen", "rl-1").json()
        r = requests.post(
            f"{stack.tool_url}/grade/{launch['launch_id']}",
            json={"score": 0.8, "maximum": 1, "timestamp": iso()},
            timeout=10,
        )
        assert r.status_code == 200, r.text
        assert r.json()["members"] == 5
    state = stack.state()
    (score,) = state["scores"]
    assert score["user_id"] == "chen" and score["applied"] is True
    assert state["tokens_issued"] >= 1
