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
    # The docs are linked to pages the tool serves, not just named.
    assert 'href="/docs/lms/README"' in body and 'href="/docs/activity"' in body
    assert 'href="/docs/"' in body
    for href in ("/docs/lms/README", "/docs/activity", "/docs/"):
        assert client.get(href).status_code == 200, href


def test_docs_are_rendered_with_their_links_and_images(client):
    resp = client.get("/docs/activity")
    body = resp.get_data(as_text=True)
    assert resp.status_code == 200 and resp.mimetype == "text/html"
    assert "<h1>The learner" in body and "branchwise.css" in body
    # Relative links and screenshots point at what the tool serves.
    assert 'src="/docs/img/activity-feedback.png"' in body
    image = client.get("/docs/img/activity-feedback.png")
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert image.data.startswith(b"\x89PNG")
    image.close()
    linked = client.get("/docs/assistant").get_data(as_text=True)
    assert 'href="/docs/benchmarks#learning-assistant"' in linked
    nested = client.get("/docs/lms/canvas").get_data(as_text=True)
    assert "Canvas" in nested


@pytest.mark.parametrize("path", [
    "/docs/../README.md", "/docs/..%2fREADME", "/docs/%2e%2e/README", "/docs/lms/../../README",
    "/docs/img/../../README.md", "/docs/img/..%2f..%2fREADME.md", "/docs/no-such-doc",
    "/docs//etc/passwd", "/docs/img/missing.png", "/docs/architecture.py",
])
def test_docs_serve_only_files_that_exist_inside_docs(client, path):
    resp = client.get(path, follow_redirects=True)  # "//" is merged by a redirect first
    assert resp.status_code == 404, path
    assert "root:" not in resp.get_data(as_text=True)


def test_doc_rendering_is_sanitised(tmp_path):
    from lti_tool.docs_site import find_doc, render_doc

    (tmp_path / "evil.md").write_text(
        "# Evil\n\n<script>alert(1)</script>\n\n[x](javascript:alert(2)) "
        "[ok](other.md#part) ![i](img/a.png)\n", encoding="utf-8")
    (tmp_path / "other.md").write_text("# Other\n", encoding="utf-8")
    doc = find_doc("evil", root=tmp_path)
    html = render_doc(doc, "/docs", root=tmp_path)
    assert "<script" not in html and "href=\"javascript:" not in html
    assert 'href="/docs/other#part"' in html and 'src="/docs/img/a.png"' in html
    assert find_doc("../evil", root=tmp_path) is None


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


# One handler for every error: the styled page for a browser, JSON for a client that
# asks only for JSON (lti_tool/errors.py).
JSON_ONLY = {"Accept": "application/json"}
BROWSER = {"Accept": "text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.8"}


def _json(resp, status: int) -> dict:
    assert resp.status_code == status, resp.get_data(as_text=True)[:300]
    assert resp.mimetype == "application/json"
    assert resp.headers["Cache-Control"] == "no-store"
    data = resp.get_json()
    assert data["error"] == status and data["message"]
    return data


def _boom_app(app):
    @app.get("/boom-for-json-test")
    def boom():
        raise RuntimeError("secret internals")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app.test_client()


@pytest.mark.parametrize("headers", [JSON_ONLY, BROWSER], ids=["json", "html"])
def test_http_errors_answer_by_accept(app, client, lms, headers):
    boom = _boom_app(app)  # routes first: the app must not have served a request yet
    learner = launch_token(client, lms)
    cases = [
        (403, client.get("/dashboard", query_string={"t": learner}, headers=headers)),
        (404, client.get("/no/such/page", headers=headers)),
        (405, client.delete("/activity", headers=headers)),
        (500, boom.get("/boom-for-json-test", headers=headers)),
    ]
    for status, resp in cases:
        if headers is JSON_ONLY:
            data = _json(resp, status)
            assert data["code"] == f"http_{status}"
            assert "secret internals" not in resp.get_data(as_text=True)
        else:
            _styled(resp, status)
    if headers is JSON_ONLY:  # our own sentence is the message; 405 still says what is allowed
        assert _json(cases[0][1], 403)["message"] == (
            "Only the course's instructors can see the dashboard.")
        assert "GET" in cases[2][1].headers["Allow"]


def test_a_domain_error_answers_by_accept(client):
    """A refusal raised on purpose (here a token that is not one: ``bad_token``) keeps its
    status, code and sentence in both forms."""
    page = client.get("/activity", query_string={"t": "not-a-token"}, headers=BROWSER)
    body = page.get_data(as_text=True)
    assert page.status_code == 401 and page.mimetype == "text/html"
    assert "<code>bad_token</code>" in body and 'class="card error"' in body
    data = _json(client.get("/activity", query_string={"t": "not-a-token"},
                            headers=JSON_ONLY), 401)
    assert data["code"] == "bad_token"
    assert data["message"] in body


def test_one_not_allowed_class():
    """The dashboard's and the picker's refusals are one class of the one hierarchy."""
    from lti_tool.dashboard import services as dashboard_services
    from lti_tool.deep_linking import services as deep_linking_services
    from lti_tool.protocol.errors import BranchwiseError, LaunchError, NotAllowed

    assert dashboard_services.NotAllowed is NotAllowed
    assert issubclass(deep_linking_services.NotInstructor, NotAllowed)
    assert issubclass(NotAllowed, BranchwiseError) and issubclass(LaunchError, BranchwiseError)
