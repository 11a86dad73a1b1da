"""Issue 16.2 in Chromium: a learner whose LMS locale is fr-CA gets the activity in French.

The activity page (a question, then its feedback in place) is in French, has no WCAG 2.2 AA
violations (axe-core) at 1000 px and fits 320 px. Same demo LMS and launch helpers as
test_activity_browser.py; the French learner is added to the demo course here.
"""

from __future__ import annotations

import pytest

from lti_tool.demo_platform.app import get_platform
from lti_tool.demo_platform.store import User
from lti_tool.runner.answers import correct_form

from .test_activity_browser import FRACTIONS, axe_violations, tool_frame

pytestmark = pytest.mark.browser


@pytest.fixture
def camille(demo) -> str:
    store = get_platform(demo.platform_app).store
    with store.lock:
        store.users["camille"] = User("camille", "Camille Caron", "Camille", "Caron",
                                      "camille@example.edu", "learner", "fr-CA")
    return "camille"


def _frame(page, demo):
    return next(f for f in page.frames if f.url.startswith(demo.tool_url))


def test_activity_page_in_french(context, demo, axe_source, camille):
    page = context.new_page()
    page.goto(f"{demo.platform_url}/?as={camille}&link=rl-1")
    frame = tool_frame(page, demo)
    assert frame.evaluate("document.documentElement.lang") == "fr"
    nav = frame.locator("nav").inner_text()
    assert "Retour au cours" in nav and "Votre progression" in nav
    for _ in range(10):  # lesson pages first, if any: "Continuer"
        if not frame.locator("input[name=page]").count():
            break
        with frame.expect_navigation():
            frame.get_by_role("button", name="Continuer").click()
        frame = _frame(page, demo)
        frame.locator("main h1").wait_for()
    assert frame.locator("input[name=item]").count() == 1, "no question reached"
    main = frame.locator("main").inner_text()
    assert "Check answer" not in main and "Ask about this" not in main
    assert frame.get_by_role("button", name="Vérifier la réponse").count() == 1
    assert axe_violations(frame, axe_source) == [], "question"
    question_url = frame.url

    item = FRACTIONS.item(frame.locator("input[name=item]").get_attribute("value"))
    form = correct_form(item)
    kind = item.type.value
    if kind == "single_choice":
        frame.locator(f"#c-{form['answer'][0]}").check()
    elif kind == "multiple_choice":
        for cid in form["answer"]:
            frame.locator(f"#c-{cid}").check()
    elif kind == "ordering":
        for name, (position,) in form.items():
            frame.locator(f"#{name}").select_option(position)
    else:
        frame.locator("#answer").fill(form["answer"][0].replace(".", ","))  # decimal comma
    with frame.expect_navigation():
        frame.get_by_role("button", name="Vérifier la réponse").click()
    frame = _frame(page, demo)
    frame.locator("#feedback").wait_for()
    assert "Bonne réponse!" in frame.locator("#feedback").inner_text()
    assert frame.get_by_role("button", name="Suivant").count() == 1
    assert axe_violations(frame, axe_source) == [], "feedback"

    # The same question at 320 px, on its own page (the step has moved on by now:
    # the page shows where the learner is, still in French).
    small = context.new_page()
    small.set_viewport_size({"width": 320, "height": 640})
    small.goto(question_url)
    small.locator("main h1").wait_for()
    assert small.evaluate("document.documentElement.lang") == "fr"
    assert small.evaluate("document.documentElement.scrollWidth") <= 320
    assert axe_violations(small.main_frame, axe_source) == [], "question at 320 px"
    small.close()


def test_module_content_in_french(context, demo, axe_source, camille):
    """With the translation loader of issue 16.2 (branch j16) the sample's texts are French
    too (fractions.fr.yaml), and the page stays axe-clean; skipped until it is merged."""
    pytest.importorskip("adaptive.modules.translations", reason=(
        "needs the translation loader of issue 16.2 (branch j16)"))
    page = context.new_page()
    page.goto(f"{demo.platform_url}/?as={camille}&link=rl-1")
    frame = tool_frame(page, demo)
    main = frame.locator("main").inner_text()
    assert "Fractions équivalentes" in main and "Equivalent fractions" not in main
    assert axe_violations(frame, axe_source) == []
