"""The module editor in headless Chromium: a teacher builds a two-skill module from nothing
with the keyboard (checked while typing, a circle refused as it is made), publishes it,
adds it to the course through deep linking, and a learner completes it. Every page passes
axe-core (WCAG 2.2 AA) at 1000 px and fits 320 px."""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import pytest

from lti_tool.demo_platform.harness import serve_in_thread
from lti_tool.modules import library
from lti_tool.protocol import claims
from lti_tool.runner.answers import correct_form
from tests.dashboard.test_browser import axe_violations
from tests.deep_linking.test_views import _decode, _dl_settings
from tests.runner.conftest import launch_token
from tests.support.fake_platform import ISSUER

pytestmark = pytest.mark.browser


def _fits(page, width: int = 320) -> bool:
    page.set_viewport_size({"width": width, "height": 800})
    fits = page.evaluate("document.documentElement.scrollWidth") <= width
    page.set_viewport_size({"width": 1000, "height": 800})
    return fits


def _type(page, field_id: str, text: str) -> None:
    page.locator(f"#{field_id}").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type(text)


def _press(page, name: str | re.Pattern[str]) -> None:
    """Focus a button by its name and press Enter, as a keyboard user does."""
    with page.expect_navigation():
        page.get_by_role("button", name=name, exact=isinstance(name, str)).first.focus()
        page.keyboard.press("Enter")


def _wait(page, condition, seconds: float = 10) -> None:
    """Poll (the page's CSP forbids the string evaluation ``wait_for_function`` uses)."""
    for _ in range(int(seconds * 10)):
        if condition():
            return
        page.wait_for_timeout(100)
    raise AssertionError("the page never got there")


def _accessible(page, axe_source: str, what: str) -> None:
    assert axe_violations(page, axe_source) == [], what
    assert _fits(page), f"{what} scrolls sideways at 320 px"


def test_build_publish_add_and_complete_in_chromium(app, client, lms, dl, browser,
                                                      axe_source):
    token = dl.launch(**_dl_settings())
    server = serve_in_thread(app)
    ctx = browser.new_context(viewport={"width": 1000, "height": 800})
    returned: list[str] = []

    def the_lms(route, request):
        returned.append(request.post_data or "")
        route.fulfill(status=200, content_type="text/html",
                      body="<!doctype html><html lang='en'><title>LMS</title><p>Added</p>")

    ctx.route(ISSUER + "/dl-return", the_lms)
    try:
        page = ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text))
        page.goto(f"{server.url}/lti/deep-link/author?t={token}")
        page.get_by_role("link", name=re.compile("module editor")).click()
        _accessible(page, axe_source, "the editor's start page")
        _press(page, "New module")
        _accessible(page, axe_source, "a new module")
        status = page.locator("#ed-status")
        before = status.inner_text()

        # Checked while typing: the title's problem goes before anything is saved.
        assert page.locator("#f-title-p").inner_text().strip() != ""
        _type(page, "f-id", "two-skills")
        _type(page, "f-title", "Counting and adding")
        _wait(page, lambda: page.locator("#f-title-p").inner_text().strip() == "")
        assert status.inner_text() != before
        # The status is the live region: it says the problem of the field being typed in.
        assert status.get_attribute("aria-live") == "polite"
        _type(page, "f-estimated_minutes", "ten")
        _wait(page, lambda: "This field: This has the wrong kind of value"
              in status.inner_text())
        assert "wrong kind of value" in page.locator("#f-estimated_minutes-p").inner_text()
        _type(page, "f-estimated_minutes", "10")
        _wait(page, lambda: "This field:" not in status.inner_text())
        # The lesson's live preview: Markdown and math from the server's renderer.
        _type(page, "f-pages_0__title", "Counting")
        _type(page, "f-pages_0__body", "One and one: $1 + 1 = 2$")
        page.wait_for_selector("#f-pages_0__body-v math")
        _type(page, "f-skills_0__title", "Counting")

        _press(page, "Add a skill")
        _wait(page, lambda: page.evaluate("document.activeElement.id") == "f-skills_1__id")
        _type(page, "f-skills_1__title", "Adding")
        page.locator("#f-skills_1__prerequisites input[value='skill-1']").focus()
        page.keyboard.press("Space")
        for _ in range(2):
            _press(page, "Add a one-choice question")
        _type(page, "f-items_0__prompt", "How many: one?")
        _type(page, "f-items_0__choices_0__text", "1")
        _type(page, "f-items_0__choices_1__text", "2")
        page.locator("#f-items_0__diagnostic").focus()
        page.keyboard.press("Space")
        page.locator("#f-items_1__skills").select_option("skill-2")
        _type(page, "f-items_1__prompt", "What is $1 + 1$?")
        _type(page, "f-items_1__choices_0__text", "2")
        _type(page, "f-items_1__choices_1__text", "11")
        _press(page, "Save draft")
        assert "Adding: builds on skill-1" in page.locator(".ed-graph-list").inner_text()
        _accessible(page, axe_source, "the module with two skills")

        # A circle is refused as it is made: Counting cannot build on Adding.
        box = page.locator("#f-skills_0__prerequisites input[value='skill-2']")
        box.focus()
        page.keyboard.press("Space")
        assert not box.is_checked()
        assert "would make a circle" in page.locator("#f-skills_0__prerequisites-p").inner_text()

        # Reordering by keyboard: the button keeps the focus, so it can be pressed again.
        _press(page, "Move down: question 1")
        _wait(page, lambda: page.evaluate("document.activeElement.id") == "f-items_1-up")
        assert page.locator("#f-items_0__prompt").input_value() == "What is $1 + 1$?"
        _press(page, "Move up: question 2")
        _wait(page, lambda: page.evaluate("document.activeElement.id") == "f-items_0-down")
        assert page.locator("#f-items_0__prompt").input_value() == "How many: one?"
        # Removing a hint puts the focus on the entry now in its place.
        _press(page, "Add a hint")
        _wait(page, lambda: page.evaluate("document.activeElement.id") == "f-items_0__hints_0")
        _type(page, "f-items_0__hints_0", "Count the fingers.")
        _press(page, "Add a hint")
        _type(page, "f-items_0__hints_1", "One finger.")
        _press(page, "Remove hint 1")
        _wait(page, lambda: page.evaluate("document.activeElement.id") == "f-items_0__hints_0")
        assert page.locator("#f-items_0__hints_0").input_value() == "One finger."
        assert page.locator("#f-items_0__hints_1").count() == 0

        # A translation by form: Spanish added, a text typed beside its original.
        page.locator("#tr-new-language").select_option("es")
        _press(page, "Add the translation")
        _wait(page, lambda: page.evaluate("document.activeElement.id") == "tr-es-1-t")
        assert "Counting and adding" in page.locator("#tr-es-1-s").inner_text()
        page.keyboard.type("Contar y sumar")
        _accessible(page, axe_source, "the translations form")
        _press(page, "Save draft")
        assert page.locator("#tr-es-1-t").input_value() == "Contar y sumar"
        assert "ed-tr-ok" in page.locator("#tr-es-1").get_attribute("class")

        # The whole module as a learner, with the real engine.
        page.get_by_role("link", name="Try the whole module as a learner").click()
        assert page.locator("#run-current").get_attribute("data-phase") == "diagnostic"
        _accessible(page, axe_source, "the learner run")
        page.locator("#c-b").focus()
        page.keyboard.press("Space")
        _press(page, "Check")
        assert "Not right" in page.locator("#run-live").inner_text()
        _accessible(page, axe_source, "the learner run after an answer")
        page.get_by_role("link", name="Back to the editor").click()

        # The learner's-eye preview of a question, and the YAML view, are accessible too.
        page.get_by_role("link", name="Preview this question as a learner").first.click()
        _accessible(page, axe_source, "the question preview")
        page.locator("#c-b").focus()  # the runner's own answer controls
        page.keyboard.press("Space")
        _press(page, "Check")
        assert "Not right" in page.locator("#pv-result").inner_text()
        page.get_by_role("link", name="Back to the editor").click()
        page.get_by_role("link", name="Expert view (YAML)").click()
        assert "title: Counting and adding" in page.locator("#yaml-source").input_value()
        _accessible(page, axe_source, "the YAML view")
        page.get_by_role("link", name="Back to the forms").click()

        _press(page, "Publish")
        assert "Published as version" in page.locator("#published").inner_text()
        _accessible(page, axe_source, "the published module")
        page.get_by_role("link", name="Add it to your course").click()
        page.get_by_label("Counting and adding", exact=True).focus()
        page.keyboard.press("Space")
        page.get_by_role("button", name="Add to course").focus()
        page.keyboard.press("Enter")
        page.wait_for_url(ISSUER + "/dl-return")
        [body] = returned
        items = _decode(parse_qs(body)["JWT"][0])[
            "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"]
        assert [i["custom"]["module"] for i in items] == ["two-skills"]

        # A learner launches the new activity and completes it in the browser.
        module = library.get_module("two-skills")
        learner = launch_token(client, lms, module=None,
                               **{claims.CUSTOM: items[0]["custom"], "sub": "learner-9"})
        page.goto(f"{server.url}/activity?t={learner}")
        for _ in range(60):
            page.locator("main h1").wait_for()
            if page.locator("input[name=page]").count():
                _press(page, "Continue")
            elif page.locator("#feedback").count():
                _press(page, re.compile("^(Next|See your results)$"))
            elif page.locator("input[name=item]").count():
                item = module.item(page.locator("input[name=item]").get_attribute("value"))
                page.locator(f"#c-{correct_form(item)['answer'][0]}").check()
                _press(page, "Check answer")
            else:
                break
        assert "You have finished this activity" in page.locator("main").inner_text()
        assert axe_violations(page, axe_source) == []
    finally:
        ctx.close()
        server.stop()

