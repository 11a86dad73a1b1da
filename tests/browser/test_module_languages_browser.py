"""Issue 16.2 in Chromium: a learner whose LMS locale is Spanish gets the Spanish sample —
the question, its choices, the feedback and the worked solution — inside the LMS frame,
at 320 px, with no WCAG 2.2 AA violations (axe-core)."""

from __future__ import annotations

import re

import pytest

from adaptive.modules.translations import localise
from adaptive.samples import load_sample
from lti_tool.filters import plain_text
from lti_tool.runner.answers import correct_form

from .test_activity_browser import axe_violations, tool_frame

pytestmark = pytest.mark.browser

ES = localise(load_sample("fractions"), "es")


def _words(markdown: str) -> str:
    """The first words of a text before its math, as the page shows them."""
    return plain_text(markdown.split("$")[0]).strip()[:18]


def test_spanish_activity_page_is_spanish_and_axe_clean(context, demo, axe_source, tmp_path):
    page = context.new_page()
    page.set_viewport_size({"width": 320, "height": 900})
    page.goto(f"{demo.platform_url}/?as=bob&link=rl-1")  # Bob's LMS locale is es
    frame = tool_frame(page, demo)
    assert frame.evaluate("document.documentElement.lang") == "es"
    item = ES.item(frame.locator("input[name=item]").get_attribute("value"))
    main = re.sub(r"\s+", " ", frame.locator("main").inner_text())
    assert _words(item.prompt) in main
    assert "Fracciones equivalentes" in re.sub(
        r"\s+", " ", frame.locator("body").inner_text())  # progress, in Spanish
    assert "Comprobar respuesta" in main
    assert axe_violations(frame, axe_source) == []
    assert frame.evaluate("document.documentElement.scrollWidth") <= 320
    frame.locator("main").screenshot(path=str(tmp_path / "item-es.png"))

    # Answer it (right) the Spanish learner's way: the feedback and the worked solution
    # come in Spanish, and the page stays accessible.
    form = correct_form(item)
    if item.type.value == "single_choice":
        frame.locator(f"#c-{form['answer'][0]}").check()
    elif item.type.value == "multiple_choice":
        for cid in form["answer"]:
            frame.locator(f"#c-{cid}").check()
    elif item.type.value == "ordering":
        for name, (position,) in form.items():
            frame.locator(f"#{name}").select_option(position)
    else:
        frame.locator("#answer").fill(form["answer"][0].replace(".", ","))
    with frame.expect_navigation():
        frame.get_by_role("button", name="Comprobar respuesta").click()
    frame = next(f for f in page.frames if f.url.startswith(demo.tool_url))
    frame.locator("#feedback").wait_for()
    feedback = re.sub(r"\s+", " ", frame.locator("#feedback").inner_text())
    group = next(g for g in item.answer_groups if g.correct)
    assert _words(group.feedback) in feedback
    if item.solution:
        assert _words(item.solution) in re.sub(r"\s+", " ", frame.locator("main").inner_text())
    assert axe_violations(frame, axe_source) == []
    frame.locator("main").screenshot(path=str(tmp_path / "feedback-es.png"))
    print(tmp_path)
