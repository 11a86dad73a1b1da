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


def test_spanish_picker_and_preview_in_chromium(app, dl, browser, axe_source):
    """A Spanish teacher's picker and preview (es-MX): Spanish, marked lang="es",
    axe-clean with a settings panel open, and an English-only module marked lang="en"."""
    from lti_tool.deep_linking import authoring
    from lti_tool.protocol import claims

    from .test_languages import ONE

    assert authoring.save_module(ONE, owner_user_pk=None).saved is not None
    token = dl.launch(**{claims.LAUNCH_PRESENTATION: {"locale": "es-MX"}})
    server = serve_in_thread(app)
    ctx = browser.new_context(viewport={"width": 1000, "height": 800})
    try:
        page = ctx.new_page()
        page.goto(f"{server.url}/lti/deep-link/picker?t={token}")
        assert page.get_attribute("html", "lang") == "es"
        assert page.get_by_role("button", name="Añadir al curso").is_visible()
        page.locator("#module-fractions summary").click()
        assert page.get_by_label("Umbral de dominio (0,5–0,99)").first.is_visible()
        assert page.get_attribute("label[for=pick-one-skill]", "lang") == "en"
        assert axe_violations(page, axe_source) == []
        assert _fits(page, 320), "the Spanish picker scrolls sideways at 320 px"
        page.get_by_role("link", name="Vista como alumno").filter(has_text="Fracciones").click()
        assert page.get_by_role("heading", level=2, name="Preguntas de muestra").is_visible()
        assert axe_violations(page, axe_source) == []
    finally:
        ctx.close()
        server.stop()
