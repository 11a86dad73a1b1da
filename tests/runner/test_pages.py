"""The root page and the styled 403/404/405/500 pages (issue 14)."""

from __future__ import annotations

import pytest

from .conftest import launch_token


def _styled(resp, status: int) -> str:
    body = resp.get_data(as_text=True)
    assert resp.status_code == status, body[:300]
    assert resp.mimetype == "text/html"
    assert f"<code>http_{status}</code>" in body and 'class="card error"' in body
    assert "branchwise.css" in body and "Traceback" not in body
    assert "<script>" not in body
    return body


def test_root_says_what_branchwise_is(client):
    resp = client.get("/")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "LTI 1.3" in body and 'href="/admin/"' in body
    assert "/lti/login" in body and "/.well-known/jwks.json" in body
    assert "docs/lms/README.md" in body


def test_unknown_page_is_a_styled_404(client):
    body = _styled(client.get("/no/such/page"), 404)
    assert "This page does not exist" in body


def test_wrong_method_is_a_styled_405_with_allow(client):
    resp = client.delete("/activity")
    _styled(resp, 405)
    assert "GET" in resp.headers["Allow"]


def test_learner_on_the_dashboard_gets_a_styled_403(client, lms):
    token = launch_token(client, lms)
    body = _styled(client.get("/dashboard", query_string={"t": token}), 403)
    assert "You cannot open this page" in body


def test_our_own_404_sentence_is_kept(client, lms):
    teacher = launch_token(client, lms, sub="t-1", **{
        "https://purl.imsglobal.org/spec/lti/claim/roles":
            ["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"]})
    resp = client.get("/dashboard/learner", query_string={"t": teacher, "id": "nobody"})
    body = _styled(resp, 404)
    assert "No such learner in this activity." in body


def test_unhandled_error_is_a_styled_500_without_details(app, caplog):
    @app.get("/boom-for-test")
    def boom():
        raise RuntimeError("secret internals")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    resp = app.test_client().get("/boom-for-test")
    body = _styled(resp, 500)
    assert "secret internals" not in body and "Something went wrong" in body
    assert any("secret internals" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize("path", ["/no/such/page"])
def test_json_clients_get_json(client, path):
    resp = client.get(path, headers={"Accept": "application/json"})
    assert resp.status_code == 404 and resp.get_json()["error"] == 404
