"""CSP on every page (no inline script, frame-ancestors per platform), safe return_url,
log lines without raw newlines."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.models import LaunchSession
from lti_tool.protocol import claims
from tests.support.fake_platform import ISSUER

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _csp(resp) -> dict[str, str]:
    header = resp.headers.get("Content-Security-Policy", "")
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
            for part in (p.strip() for p in header.split(";")) if part}


def _follow_to_page(client, resp):
    while resp.status_code in (302, 303):
        resp = client.get(resp.headers["Location"])
    return resp


def test_no_template_has_inline_script_or_handlers():
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag, f"{path}: inline <script>"
        assert not re.search(r"\son[a-z]+\s*=", text), f"{path}: inline event handler"
        assert "javascript:" not in text, path


@pytest.mark.parametrize("path", ["/healthz", "/admin/login", "/lti/canvas.json",
                                  "/lti/register", "/.well-known/jwks.json",
                                  "/static/js/runner.js", "/lti/landing"])
def test_every_response_has_a_strict_csp(client, path):
    resp = client.get(path)
    resp.close()  # static files are streamed from an open file
    policy = _csp(resp)
    assert policy["script-src"] == "'self'"
    assert policy["object-src"] == "'none'" and policy["base-uri"] == "'none'"
    assert "frame-ancestors" in policy


def test_console_cannot_be_framed(client):
    assert _csp(client.get("/admin/login"))["frame-ancestors"] == "'none'"


def test_lti_pages_may_be_framed_by_their_platform_only(client, lms):
    page = _follow_to_page(client, lms.launch(client))
    assert page.status_code == 200
    ancestors = _csp(page)["frame-ancestors"].split()
    assert ISSUER in ancestors and "'self'" in ancestors
    assert "*" not in ancestors
    assert "https://*.lms.test" in ancestors  # the LMS's own subdomains


def test_login_pages_name_the_platform_too(client, lms):
    resp = client.get("/lti/login", query_string={
        "iss": ISSUER, "login_hint": "u", "client_id": "client-1",
        "target_link_uri": "http://localhost/lti/launch"})
    assert ISSUER in _csp(resp)["frame-ancestors"].split()


def test_error_page_of_an_unknown_platform_can_be_shown_in_any_lms(client):
    resp = client.get("/lti/login", query_string={
        "iss": "https://unknown.example", "login_hint": "u",
        "target_link_uri": "http://localhost/lti/launch"})
    assert resp.status_code == 400
    assert _csp(resp)["frame-ancestors"] == "*"


@pytest.mark.parametrize("url", ["javascript:alert(document.domain)", "data:text/html,x",
                                 "  JAVASCRIPT:alert(1)", "//evil.example/x"])
def test_return_url_must_be_http(client, lms, url):
    resp = lms.launch(client, **{claims.LAUNCH_PRESENTATION: {"return_url": url}})
    assert resp.status_code == 200  # a learner's launch answers with the activity
    assert db.session.scalars(select(LaunchSession)).one().return_url is None
    page = _follow_to_page(client, resp)
    assert "javascript:" not in page.get_data(as_text=True).lower()


def test_return_url_https_is_kept(client, lms):
    lms.launch(client, **{claims.LAUNCH_PRESENTATION: {"return_url": ISSUER + "/course/1"}})
    assert db.session.scalars(select(LaunchSession)).one().return_url == ISSUER + "/course/1"


def test_log_lines_carry_no_raw_newlines_from_the_request(client, caplog):
    forged = "https://x.example\n2026-12-01 INFO branchwise.admin: admin login username='root'"
    with caplog.at_level(logging.INFO):
        client.get("/lti/login", query_string={"iss": forged, "login_hint": "u",
                                               "target_link_uri": "http://localhost/x"})
    lines = [r.getMessage() for r in caplog.records if "x.example" in r.getMessage()]
    assert lines, caplog.text
    assert all("\n" not in line and "\\n2026-12-01" in line for line in lines)
