"""Demo LMS deep linking: the tool's response creates resource links and line items."""

from __future__ import annotations

import time

import requests

from tests.support.lms_client import LmsBrowser

from .stack import CLIENT_ID, DEPLOYMENT_ID, Stack


def test_deep_link_return_creates_link_and_line_item(stack: Stack) -> None:
    """PyLTI1p3's deep-linking response is accepted; link + line item appear; replay refused."""
    with LmsBrowser(stack.platform_url) as browser:
        form_page = browser.deep_link("tess")
        assert form_page.status_code == 200
        course = browser.submit_form(form_page)
        assert course.status_code == 200, course.text
        assert "Fractions module" in course.text
        assert "window.top.location" in course.text
        replay = browser.submit_form(form_page)
        assert replay.status_code == 400
    state = stack.state()
    link = next(li for li in state["resource_links"] if li["title"] == "Fractions module")
    assert link["created_by"] == "deep_link"
    assert link["custom"] == {"module": "fractions"}
    assert link["url"].endswith("/lti/launch?module=fractions")
    item = next(i for i in state["line_items"] if i["resource_link_id"] == link["id"])
    assert item["score_maximum"] == 10 and item["tag"] == "mastery"
    assert item["resource_id"] == "fractions" and item["label"] == "Fractions"
    assert link["lineitem_id"] == item["id"]
    with LmsBrowser(stack.platform_url) as browser:
        launched = browser.launch("alice", link["id"]).json()["claims"]
    assert launched["https://purl.imsglobal.org/spec/lti/claim/custom"] == {"module": "fractions"}
    ags = launched["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]
    assert ags["lineitem"].endswith(f"/lineitems/{item['id']}")


def test_deep_link_return_rejects_bad_jwt(stack: Stack) -> None:
    """Unsigned/foreign-signed or mis-addressed responses are refused."""
    import jwt

    from lti_tool.demo_platform.keys import generate_private_pem

    now = int(time.time())
    claims = {
        "iss": CLIENT_ID,
        "aud": stack.platform_url,
        "iat": now,
        "exp": now + 60,
        "nonce": "x",
        "https://purl.imsglobal.org/spec/lti/claim/deployment_id": DEPLOYMENT_ID,
        "https://purl.imsglobal.org/spec/lti/claim/message_type": "LtiDeepLinkingResponse",
        "https://purl.imsglobal.org/spec/lti/claim/version": "1.3.0",
        "https://purl.imsglobal.org/spec/lti-dl/claim/content_items": [],
    }
    url = f"{stack.platform_url}/deep_link_return"
    kid = {"kid": stack.tool_keys.jwk["kid"]}
    foreign = jwt.encode(claims, generate_private_pem(), algorithm="RS256", headers=kid)
    assert requests.post(url, data={"JWT": foreign}, timeout=10).status_code == 400
    wrong_aud = jwt.encode(
        {**claims, "aud": "http://other"},
        stack.tool_keys.private_pem,
        algorithm="RS256",
        headers=kid,
    )
    assert requests.post(url, data={"JWT": wrong_aud}, timeout=10).status_code == 400
    no_data = jwt.encode(claims, stack.tool_keys.private_pem, algorithm="RS256", headers=kid)
    r = requests.post(url, data={"JWT": no_data}, timeout=10)
    assert r.status_code == 400 and "data" in r.text
    assert requests.post(url, data={}, timeout=10).status_code == 400
    assert len(stack.state()["resource_links"]) == 1
