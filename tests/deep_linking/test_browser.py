"""The deep-linking picker in headless Chromium, as a teacher uses it inside the LMS.

The picker, the learner preview and the settings pass axe-core (WCAG 2.2 AA) and fit
320 px; the teacher picks a module and changes a setting with the keyboard, and the
signed response page posts itself to the platform's return URL (captured here), where
the JWT verifies and carries the choice.
"""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest

from lti_tool.demo_platform.harness import serve_in_thread
from tests.dashboard.test_browser import axe_violations
from tests.support.fake_platform import ISSUER

from .test_views import _decode, _dl_settings

pytestmark = pytest.mark.browser


def _fits(page, width: int) -> bool:
    page.set_viewport_size({"width": width, "height": 800})
    fits = page.evaluate("document.documentElement.scrollWidth") <= width
    page.set_viewport_size({"width": 1000, "height": 800})
    return fits


def test_picker_in_chromium(app, dl, browser, axe_source):
    token = dl.launch(**_dl_settings(data="opaque"))
    server = serve_in_thread(app)
    ctx = browser.new_context(viewport={"width": 1000, "height": 800})
    returned: list[str] = []

    def the_lms(route, request):  # the platform's deep_link_return_url
        returned.append(request.post_data or "")
        route.fulfill(status=200, content_type="text/html",
                      body="<!doctype html><html lang='en'><title>LMS</title><p>Added</p>")

    ctx.route(ISSUER + "/dl-return", the_lms)
    try:
        page = ctx.new_page()
        page.goto(f"{server.url}/lti/deep-link/picker?t={token}")
        assert axe_violations(page, axe_source) == []
        assert _fits(page, 320), "the picker scrolls sideways at 320 px"

        page.get_by_role("link", name="Preview as a learner").filter(has_text="Fractions").click()
        assert axe_violations(page, axe_source) == []
        assert _fits(page, 320), "the preview scrolls sideways at 320 px"
        page.go_back()

        # Keyboard only: tick Fractions, open its settings, change the threshold.
        page.get_by_label("Fractions", exact=True).focus()
        page.keyboard.press("Space")
        assert page.get_by_label("Fractions", exact=True).is_checked()
        page.locator("#module-fractions summary").focus()
        page.keyboard.press("Enter")
        page.get_by_label("Mastery threshold").first.focus()
        page.keyboard.press("Control+A")
        page.keyboard.type("0.9")
        assert axe_violations(page, axe_source) == []  # with the settings open
        page.get_by_role("button", name="Add to course").focus()
        page.keyboard.press("Enter")

        page.wait_for_url(ISSUER + "/dl-return")  # the response page submitted itself
        [body] = returned
        claims_ = _decode(parse_qs(body)["JWT"][0])
        [item] = claims_["https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
        assert item["custom"]["module"] == "fractions"
        assert item["custom"]["mastery_threshold"] == "0.9"
        assert claims_["https://purl.imsglobal.org/spec/lti-dl/claim/data"] == "opaque"
    finally:
        ctx.close()
        server.stop()
