"""The authoring page's import in headless Chromium: a teacher uploads a Moodle XML
export, reads what was not imported, and saves the draft; the page passes axe-core."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lti_tool.demo_platform.harness import serve_in_thread
from tests.dashboard.test_browser import axe_violations

pytestmark = pytest.mark.browser

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "import" / "every-type.moodle.xml"


def test_import_a_moodle_export_in_chromium(app, dl, browser, axe_source, tmp_path):
    token = dl.launch()
    server = serve_in_thread(app)
    ctx = browser.new_context(viewport={"width": 1000, "height": 900})
    try:
        page = ctx.new_page()
        page.goto(f"{server.url}/lti/deep-link/author?t={token}")
        page.get_by_label("Import questions from another tool", exact=False).set_input_files(
            str(FIXTURE))
        page.get_by_role("button", name="Import as a draft").click()
        page.wait_for_selector("#import-summary")
        summary = page.locator("#import-summary").inner_text()
        assert "Draft imported from moodle-xml" in summary
        assert "essay question" in summary and "'Match decimals'" in summary
        draft = page.locator("#module-source").input_value()
        assert draft.startswith("schema_version: 1") and "id: eq-half" in draft
        assert axe_violations(page, axe_source) == []
        if os.environ.get("BRANCHWISE_SCREENSHOTS"):
            page.screenshot(path=os.environ["BRANCHWISE_SCREENSHOTS"], full_page=True)
        page.get_by_role("button", name="Check and save").click()
        page.wait_for_url("**/lti/deep-link/picker**")
        assert "Saved module" in page.content()
    finally:
        ctx.close()
        server.stop()
