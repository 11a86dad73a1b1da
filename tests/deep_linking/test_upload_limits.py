"""Uploads are limited consistently: the page states the limit the server enforces."""

from __future__ import annotations

import re

from .test_authoring import GOOD


def _stated_kb(page: str) -> int:
    return int(re.search(r"at most (\d+) KB", page).group(1))


def _upload(client, token: str, text: str):
    """A browser's multipart body, built here as bytes (werkzeug's test builder spools a
    large one to a temporary file it never closes)."""
    boundary = "bw-test-boundary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"t\"\r\n\r\n{token}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"big.yaml\"\r\nContent-Type: text/yaml\r\n\r\n{text}\r\n"
            f"--{boundary}--\r\n").encode()
    return client.post("/lti/deep-link/author", data=body,
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_a_module_under_the_stated_limit_reaches_the_checks(client, dl, app):
    """300 KB is under the stated 512 KB: it must be read and checked, not cut off by a
    smaller request limit (a bare 413 before today's change)."""
    token = dl.launch()
    page = client.get("/lti/deep-link/author", query_string={"t": token}).get_data(True)
    limit = app.config["BRANCHWISE"].max_module_bytes
    assert _stated_kb(page) == limit // 1024
    padded = GOOD + "\n# " + "x" * (300 * 1024) + "\n"
    resp = _upload(client, token, padded)
    assert resp.status_code == 303, resp.get_data(True)[:300]  # saved


def test_a_module_over_the_limit_is_refused_with_the_same_number(client, dl, app):
    token = dl.launch()
    limit = app.config["BRANCHWISE"].max_module_bytes
    resp = _upload(client, token, GOOD + "\n# " + "x" * limit)
    text = resp.get_data(True)
    assert resp.status_code == 400
    assert f"larger than {limit // 1024} KB" in text
    assert _stated_kb(text) == limit // 1024


def test_a_request_over_the_server_limit_says_the_limit(client, dl, app):
    """The authoring page accepts question-bank exports (zip with media) up to the import
    limit; a request larger still never reaches the form, and the page says the limit."""
    from lti_tool.deep_linking.authoring import IMPORT_MAX_BYTES

    token = dl.launch()
    limit = app.config["BRANCHWISE"].max_module_bytes
    huge = "x" * (IMPORT_MAX_BYTES + 64 * 1024 + 1)
    resp = _upload(client, token, huge)
    assert resp.status_code == 413
    assert f"larger than {limit // 1024} KB" in resp.get_data(True)
    # the same page answers a paste too large for the request (the form is not shown)
    assert "or paste a shorter module" in resp.get_data(True)


def test_the_limit_is_one_setting(database_url, tmp_path, key_server, platform_key):
    from tests.conftest import make_app

    app = make_app(database_url, tmp_path / "small", max_module_bytes=64 * 1024)
    from lti_tool import max_request_bytes

    assert app.config["MAX_CONTENT_LENGTH"] == max_request_bytes(app.config["BRANCHWISE"])
    assert app.config["MAX_CONTENT_LENGTH"] >= 2 * 64 * 1024
