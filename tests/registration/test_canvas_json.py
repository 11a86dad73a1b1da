"""The Canvas developer-key JSON at /lti/canvas.json."""

from __future__ import annotations

from lti_tool.registration.dynamic import TOOL_SCOPES


def test_canvas_json_shape(client):
    response = client.get("/lti/canvas.json")
    assert response.status_code == 200 and response.is_json
    data = response.get_json()
    base = "http://localhost"
    assert data["title"] == "Branchwise" and data["description"]
    assert data["oidc_initiation_url"] == f"{base}/lti/login"
    assert data["target_link_uri"] == f"{base}/lti/launch"
    assert data["public_jwk_url"] == f"{base}/.well-known/jwks.json"
    assert data["scopes"] == list(TOOL_SCOPES)
    assert data["custom_fields"]["canvas_user_id"] == "$Canvas.user.id"
    (ext,) = data["extensions"]
    assert ext["platform"] == "canvas.instructure.com"
    assert ext["privacy_level"] == "public"
    placements = {p["placement"]: p for p in ext["settings"]["placements"]}
    for name in ("assignment_selection", "link_selection"):
        assert placements[name]["message_type"] == "LtiDeepLinkingRequest"
        assert placements[name]["target_link_uri"] == f"{base}/lti/deep-link"
    nav = placements["course_navigation"]
    assert nav["message_type"] == "LtiResourceLinkRequest"
    assert nav["visibility"] == "admins"
    assert nav["target_link_uri"] == f"{base}/lti/launch"


def test_registration_url_without_parameters_explains_itself(client):
    response = client.get("/lti/register")
    assert response.status_code == 400
    assert b"missing_openid_configuration" in response.data
    assert b"paste it into your LMS" in response.data


def test_registration_url_is_rate_limited(client):
    from lti_tool.extensions import cache

    cache.clear()
    codes = [client.get("/lti/register").status_code for _ in range(12)]
    assert codes[:10] == [400] * 10
    assert codes[10:] == [429, 429]
    assert b"Too many registration attempts" in client.get("/lti/register").data
