"""The dashboard in headless Chromium: it renders, navigates, fits, and passes axe-core.

Reuses the browser and axe fixtures of tests/browser (Chromium at /usr/bin/chromium,
axe-core installed outside the repository). With BRANCHWISE_SCREENSHOTS=1 the test
also refreshes the screenshots in docs/img/ used by docs/dashboard.md.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lti_tool.dashboard.views import FIT_TASK_KEY
from lti_tool.demo_platform.harness import serve_in_thread
from lti_tool.modules.library import get_module
from tests.dashboard.conftest import launch
from tests.dashboard.seeded import seed_class
from tests.support.browser import WCAG_TAGS

pytestmark = pytest.mark.browser

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
SHOTS = os.environ.get("BRANCHWISE_SCREENSHOTS") == "1"


def axe_violations(page, source: str) -> list[dict]:
    """WCAG 2.2 AA violations on the page, with the offending nodes' selectors."""
    page.evaluate(source)
    result = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => ({id: v.id, nodes: v.nodes.map(n => n.target.join(' '))}))",
        WCAG_TAGS)
    return result


def shot(page, selector: str, name: str) -> None:
    if SHOTS:
        DOCS_IMG.mkdir(parents=True, exist_ok=True)
        page.locator(selector).screenshot(path=str(DOCS_IMG / f"dashboard-{name}.png"))


def test_dashboard_in_chromium(app, client, lms, browser, axe_source):
    token = launch(client, lms)
    seed_class(client, lms, get_module("fractions"))  # five learners through the runner
    server = serve_in_thread(app)
    ctx = browser.new_context(viewport={"width": 1100, "height": 900})
    try:
        page = ctx.new_page()
        page.goto(f"{server.url}/dashboard?t={token}")
        assert page.locator("h1").inner_text() == "Fractions"
        page.keyboard.press("Tab")  # keyboard users reach the skip link first
        assert page.evaluate("document.activeElement.className") == "skip-link"
        assert page.get_by_role("img", name="Mastery by learner and skill").is_visible()
        assert "stuck on “Equivalent fractions”" in page.locator("#suggestions").inner_text()
        assert axe_violations(page, axe_source) == []
        page.set_viewport_size({"width": 1100, "height": 700})
        shot(page, "#suggestions", "suggestions")
        shot(page, "#heatmap .bw-chart", "heatmap")
        shot(page, "#skills", "skills")
        shot(page, "#items .bw-chart", "items")
        shot(page, "#items article >> nth=0", "item")
        shot(page, "#profiles", "profiles")
        shot(page, "#restructure", "restructure")
        # the table view of the heatmap opens and links to the drill-down
        page.get_by_text("Show as a table").click()
        page.get_by_role("link", name="Ben Blank").first.click()
        page.wait_for_url("**/dashboard/learner?**")
        assert page.locator("h1").inner_text() == "Ben Blank"
        assert page.get_by_role("img", name="P(mastery) after each answer of Ben Blank") \
            .is_visible()
        assert axe_violations(page, axe_source) == []
        shot(page, "main", "learner")
        page.get_by_role("link", name="← Back to the dashboard").click()
        # Fit inline (the path of a deployment without a job queue), so the Model section
        # shows the fit's result rather than "queued"; five learners are too few to use it.
        app.extensions.pop(FIT_TASK_KEY, None)
        page.get_by_role("button", name="Fit the model from the data").click()
        page.wait_for_url("**fit=done**")
        assert page.get_by_role("status").is_visible()
        model = page.locator("#model").inner_text()
        assert "Last fit:" in model and "no:" in model
        shot(page, "#model", "model")
    finally:
        ctx.close()
        server.stop()
