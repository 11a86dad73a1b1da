"""The assistant in headless Chromium: a reply in place, a live flag on the teacher's page.

Two pages of one browser: the learner asks "I don't get it" in the activity (the reply
appears without a reload, via static/js/assistant.js), and the teacher's page, opened
before, shows the flag within 5 s without a reload (it polls every 2 s). Both pass axe.
"""

from __future__ import annotations

import time

import pytest

from lti_tool.demo_platform.harness import serve_in_thread
from tests.dashboard.conftest import launch as staff_launch
from tests.dashboard.test_browser import axe_violations

from .test_views import _learner

pytestmark = pytest.mark.browser


def test_ask_in_place_and_flag_reaches_the_teacher_live(app, client, lms, browser, axe_source):
    learner = _learner(client, lms)
    teacher = staff_launch(client, lms)
    server = serve_in_thread(app)
    ctx = browser.new_context(viewport={"width": 1000, "height": 900})
    try:
        panel = ctx.new_page()
        panel.goto(f"{server.url}/assistant/teacher?t={teacher}")
        assert "Nobody is flagged right now." in panel.locator("#assistant-flags").inner_text()
        assert axe_violations(panel, axe_source) == []
        page = ctx.new_page()
        page.goto(f"{server.url}/activity?t={learner.token}")
        url_before = page.url
        page.get_by_label("Your question, in your own words").fill("I don't get it")
        page.get_by_role("button", name="Ask", exact=True).click()
        page.wait_for_selector("#assistant-reply .assistant-answer", timeout=10_000)
        assert page.url == url_before  # answered in place
        reply = page.locator("#assistant-reply").inner_text()
        assert "one step at a time" in reply
        assert page.locator("#assistant-reply a").count() >= 1  # citations are links
        assert axe_violations(page, axe_source) == []
        asked = time.monotonic()
        panel.wait_for_selector("#assistant-flags tr[data-reason=said_confused]",
                                timeout=5_000)
        assert time.monotonic() - asked < 5.0
        assert "Lee Learner" in panel.locator("#assistant-flags").inner_text()
    finally:
        ctx.close()
        server.stop()
