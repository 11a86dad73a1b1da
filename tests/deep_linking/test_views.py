"""The picker, preview, signed response and access rules, through the fake platform."""

from __future__ import annotations

import html
import re

import jwt
import pytest

from lti_tool.keys import services as keys
from lti_tool.protocol import claims
from tests.support.fake_platform import CLIENT_ID, DEPLOYMENT_ID, ISSUER

from .conftest import INSTRUCTOR, LEARNER

ADMIN = "http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"


def _fields(page: str) -> dict[str, str]:
    return {m[0]: html.unescape(m[1])
            for m in re.findall(r'name="([^"]+)" value="([^"]*)"', page)}


def _decode(token: str) -> dict:
    """Verify like the platform: our JWKS, RS256, audience = the platform issuer."""
    header = jwt.get_unverified_header(token)
    jwk = next(k for k in keys.jwks()["keys"] if k["kid"] == header["kid"])
    public = jwt.PyJWK(jwk).key
    return jwt.decode(token, public, algorithms=["RS256"], audience=ISSUER, issuer=CLIENT_ID)


def _dl_settings(**over) -> dict:
    """deep_linking_settings for the launch; PyLTI1p3 requires a presentation target."""
    base = {"deep_link_return_url": ISSUER + "/dl-return", "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe"]}
    return {claims.DL_SETTINGS: {**base, **over}}


def _settings(module: str, **over) -> dict:
    data = {f"s.{module}.mastery_threshold": "0.9", f"s.{module}.practice_cap": "8",
            f"s.{module}.max_score": "50"}
    data.update({f"s.{module}.{k}": v for k, v in over.items()})
    return data


def test_picker_lists_modules_with_preview_and_settings(client, dl):
    """Library with description, skills, time; checkboxes because accept_multiple."""
    token = dl.launch()
    page = client.get("/lti/deep-link/picker", query_string={"t": token})
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    for module_id in ("fractions", "security-awareness", "statistics-basics"):
        assert f'value="{module_id}"' in text
        assert f"/lti/deep-link/preview/{module_id}?t=" in text
    assert 'type="checkbox" name="module"' in text
    assert "Equivalent fractions" in text and "about 30 minutes" in text
    assert 'name="s.fractions.mastery_threshold"' in text and 'value="0.95"' in text
    assert 'name="s.fractions.graded_skills"' in text
    assert 'name="t" value="' in text


def test_single_choice_platform_gets_radio_buttons(client, dl):
    token = dl.launch(**_dl_settings(accept_multiple=False))
    text = client.get("/lti/deep-link/picker", query_string={"t": token}).get_data(True)
    assert 'type="radio" name="module"' in text


@pytest.mark.parametrize("roles", [[LEARNER], [], ["http://purl.imsglobal.org/vocab/lis/v2/"
                                                    "institution/person#Instructor"]])
def test_learners_get_403_everywhere(client, lms, roles):
    """Even if the platform let a learner deep-link, every picker endpoint refuses."""
    resp = lms.launch(client, path="/lti/deep-link", message_type=claims.DEEP_LINKING_REQUEST,
                      roles=roles)
    landing = client.get(resp.headers["Location"])
    token = re.search(r"t=([^&]+)", landing.headers["Location"]).group(1)
    for r in (
        client.get("/lti/deep-link/picker", query_string={"t": token}),
        client.get("/lti/deep-link/preview/fractions", query_string={"t": token}),
        client.get("/lti/deep-link/author", query_string={"t": token}),
        client.post("/lti/deep-link/respond", data={"t": token, "module": "fractions",
                                                    **_settings("fractions")}),
        client.post("/lti/deep-link/author", data={"t": token, "source": "id: x"}),
    ):
        assert r.status_code == 403
        assert "<code>not_instructor</code>" in r.get_data(True)


def test_admin_may_pick(client, dl):
    token = dl.launch(roles=[ADMIN])
    assert client.get("/lti/deep-link/picker", query_string={"t": token}).status_code == 200


def test_resource_launch_session_cannot_use_picker(client, lms):
    resp = lms.launch(client, roles=[INSTRUCTOR])
    token = re.search(r"t=([^&]+)", resp.headers["Location"]).group(1)
    r = client.get("/lti/deep-link/picker", query_string={"t": token})
    assert r.status_code == 400 and "not_deep_linking" in r.get_data(True)


def test_missing_or_forged_token_is_refused(client, dl):
    dl.launch()
    assert client.get("/lti/deep-link/picker").status_code == 401
    r = client.post("/lti/deep-link/respond", data={"module": "fractions",
                                                    **_settings("fractions")})
    assert r.status_code == 401  # no token in the body: the CSRF defence
    r = client.post("/lti/deep-link/respond", data={"t": "forged", "module": "fractions"})
    assert r.status_code == 401


def test_response_is_signed_and_complete(client, dl):
    """Auto-submitting form to deep_link_return_url; JWT per DL §4.2 with line item."""
    token = dl.launch()
    graded = {"graded_skills": ["simplifying", "equivalent"]}
    data = {"t": token, "module": "fractions", "action": "add"}
    data.update(_settings("fractions"))
    data["s.fractions.graded_skills"] = graded["graded_skills"]
    resp = client.post("/lti/deep-link/respond", data=data)
    assert resp.status_code == 200, resp.get_data(True)
    page = resp.get_data(as_text=True)
    assert f'action="{ISSUER}/dl-return"' in page
    assert "js/deep_linking.js" in page and '<button type="submit"' in page
    token_jwt = _fields(page)["JWT"]
    header = jwt.get_unverified_header(token_jwt)
    assert header["alg"] == "RS256" and header["kid"] == keys.signing_key().kid
    body = _decode(token_jwt)
    assert body["aud"] == ISSUER and body["iss"] == CLIENT_ID and body["nonce"]
    assert body["exp"] > body["iat"]
    assert body[claims.DEPLOYMENT_ID] == DEPLOYMENT_ID
    assert body[claims.MESSAGE_TYPE] == "LtiDeepLinkingResponse"
    assert body[claims.VERSION] == "1.3.0"
    assert body[claims.DL_DATA] == "opaque"
    [item] = body[claims.DL_CONTENT_ITEMS]
    assert item["type"] == "ltiResourceLink" and item["title"] == "Fractions"
    assert item["url"] == "http://localhost/lti/launch"
    assert item["custom"] == {
        "module": "fractions", "mastery_threshold": "0.9", "practice_cap": "8",
        "graded_skills": "equivalent,simplifying", "max_score": "50",
    }
    assert item["lineItem"] == {
        "scoreMaximum": 50.0, "label": "Fractions", "resourceId": "fractions", "tag": "mastery",
        # LTI Submission Review: the LMS's "view submission" launches our attempt report.
        "submissionReview": {"reviewableStatus": ["InProgress", "Submitted", "Completed"],
                             "label": "Branchwise attempt report",
                             "url": "http://localhost/lti/launch", "custom": {}}}


def test_several_modules_at_once(client, dl):
    token = dl.launch()
    data = {"t": token, "module": ["fractions", "statistics-basics"]}
    data.update(_settings("fractions"))
    data.update(_settings("statistics-basics", max_score="10"))
    data["s.fractions.graded_skills"] = ["equivalent"]
    stats_skills = re.findall(r'name="s\.statistics-basics\.graded_skills"\s+value="([^"]+)"',
                              client.get("/lti/deep-link/picker",
                                         query_string={"t": token}).get_data(True))
    data["s.statistics-basics.graded_skills"] = stats_skills
    resp = client.post("/lti/deep-link/respond", data=data)
    assert resp.status_code == 200, resp.get_data(True)
    items = _decode(_fields(resp.get_data(True))["JWT"])[claims.DL_CONTENT_ITEMS]
    assert [i["custom"]["module"] for i in items] == ["fractions", "statistics-basics"]
    assert items[1]["lineItem"]["scoreMaximum"] == 10.0


def test_several_modules_refused_when_platform_accepts_one(client, dl):
    token = dl.launch(**_dl_settings(accept_multiple=False))
    data = {"t": token, "module": ["fractions", "security-awareness"]}
    resp = client.post("/lti/deep-link/respond", data=data)
    assert resp.status_code == 400
    assert "one activity at a time" in resp.get_data(True)


def test_bad_settings_are_shown_and_nothing_is_signed(client, dl):
    token = dl.launch()
    data = {"t": token, "module": "fractions"}
    data.update(_settings("fractions", mastery_threshold="1.5", practice_cap="0",
                          max_score="-1"))
    data["s.fractions.graded_skills"] = ["no-such-skill"]
    resp = client.post("/lti/deep-link/respond", data=data)
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert "JWT" not in page
    for text in ("Mastery threshold", "Practice cap", "Maximum score", "Unknown skills"):
        assert text in page
    assert 'value="1.5"' in page  # what the teacher typed is kept
    assert client.post("/lti/deep-link/respond", data={"t": token}).status_code == 400


def test_no_data_claim_when_platform_sent_none(client, dl):
    token = dl.launch(**_dl_settings())
    resp = client.post("/lti/deep-link/respond", data={"t": token, "action": "cancel"})
    body = _decode(_fields(resp.get_data(True))["JWT"])
    assert claims.DL_DATA not in body and body[claims.DL_CONTENT_ITEMS] == []


def test_preview_shows_skills_lesson_and_items_read_only(client, dl):
    token = dl.launch()
    r = client.get("/lti/deep-link/preview/fractions", query_string={"t": token})
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "Preview: Fractions" in page and "Equivalent fractions" in page
    assert "What makes two fractions equal?" in page
    assert "Sample questions" in page and "sample-item" in page
    assert "<form" not in page  # nothing to answer
    assert client.get("/lti/deep-link/preview/nope",
                      query_string={"t": token}).status_code == 404


def test_non_http_return_url_is_refused(client, dl):
    token = dl.launch(**_dl_settings(deep_link_return_url="javascript:alert(1)"))
    r = client.get("/lti/deep-link/picker", query_string={"t": token})
    assert r.status_code == 400 and "deep_link_unsupported" in r.get_data(True)
