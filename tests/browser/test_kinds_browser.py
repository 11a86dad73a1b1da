"""Issue 16.3 in Chromium: the finish page reports first tries per kind of thinking, fits
320 px and has no WCAG 2.2 AA violations (axe-core). Spanish: tests/runner/test_kinds_finish.py."""

from __future__ import annotations

import re

import pytest

from .test_activity_browser import FRACTIONS, answer_step, axe_violations, next_step, tool_frame

pytestmark = pytest.mark.browser


def test_finish_page_by_kind_at_320(context, demo, axe_source, tmp_path):
    page = context.new_page()
    page.set_viewport_size({"width": 320, "height": 900})
    page.goto(f"{demo.platform_url}/?as=chen&link=rl-1")
    frame = tool_frame(page, demo)
    seen: list[str] = []  # items answered, in order; every answer is right
    for _ in range(200):
        frame.locator("main h1").wait_for()
        item_id = (frame.locator("input[name=item]").get_attribute("value")
                   if frame.locator("input[name=item]").count() else None)
        if answer_step(frame) == "finish":
            break
        frame = next(f for f in page.frames if f.url.startswith(demo.tool_url))
        frame.wait_for_load_state()
        if item_id is not None:
            seen.append(item_id)
            next_step(frame)
            frame = next(f for f in page.frames if f.url.startswith(demo.tool_url))
    applied = sum(FRACTIONS.item(i).kind == "apply" for i in dict.fromkeys(seen))
    assert applied >= 5  # fractions is mostly "apply": enough first tries to report
    section = frame.locator("section.kinds")
    section.wait_for()
    text = re.sub(r"\s+", " ", section.inner_text())
    assert "Kinds of thinking" in text
    assert f"Applying: {applied} of {applied} first tries right" in text
    assert "weakest" not in text  # all right: no weakest kind
    assert axe_violations(frame, axe_source) == []
    assert frame.evaluate("document.documentElement.scrollWidth") <= 320
    section.screenshot(path=str(tmp_path / "kinds.png"))
    print(tmp_path / "kinds.png")
