"""A learner completes a module inside the demo LMS's cross-site iframe, by clicking.

Also checks: the launch needed no tool cookie (platform-storage confirm path), the frame is
resized by lti.frameResize, the pages have no WCAG 2.2 AA violations (axe-core), work at
320 px width, and a Spanish launch gives the Spanish interface.
"""

from __future__ import annotations

import contextlib
import json
import re
import sys
import threading
import time
import traceback
from pathlib import Path

import pytest

from adaptive.modules.loader import parse_module
from adaptive.samples import sample_text
from lti_tool.demo_platform.app import get_platform
from lti_tool.filters import plain_text
from lti_tool.runner.answers import correct_form
from tests.support.browser import EVENTS

from .conftest import ARTIFACTS, WCAG_TAGS

pytestmark = pytest.mark.browser

FRACTIONS, _ = parse_module(sample_text("fractions"), "fractions.yaml")


def tool_frame(page, demo):
    """The Frame of the tool inside the course page (waits for it to show a step).

    A launch that does not reach the activity in 30 s fails with a report in
    test-artifacts/: each frame's URL and text, the browser's last network, navigation and
    console events, and every thread's stack (the tool's and the LMS's servers run in this
    process)."""
    page.wait_for_selector("#tool-frame")
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        frame = next((f for f in page.frames if f.url.startswith(demo.tool_url + "/activity")),
                     None)
        if frame is not None:
            frame.locator("main h1").wait_for(timeout=20000)
            return frame
        page.wait_for_timeout(200)
    texts = []
    for f in page.frames:  # a frame still navigating has no body: say so, do not wait on it
        try:
            texts.append(f"{f.url}: {f.locator('body').inner_text(timeout=5000)[:300]}")
        except Exception as exc:  # noqa: BLE001 - only for the failure message
            texts.append(f"{f.url}: ({type(exc).__name__})")
    dump = _dump_threads(" | ".join(texts))
    raise AssertionError("the tool never showed the activity: " + " | ".join(texts)
                         + f" (report: {dump})")


def _dump_threads(frames: str) -> Path:
    """Every thread's stack of this process (the tool's and the LMS's servers run here)."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"launch-hang-{time.strftime('%H%M%S')}-{time.monotonic_ns()}.txt"
    names = {t.ident: t.name for t in threading.enumerate()}
    with path.open("w") as out:
        out.write(f"frames: {frames}\n\nbrowser events:\n" + "\n".join(EVENTS) + "\n\n")
        for ident, stack in sys._current_frames().items():
            out.write(f"--- thread {names.get(ident, ident)}\n")
            out.write("".join(traceback.format_stack(stack)) + "\n")
    return path


def axe_violations(frame, axe_source: str) -> list[dict]:
    frame.evaluate(axe_source)
    result = frame.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags}}))"
        ".violations.map(v => ({id: v.id, impact: v.impact, help: v.help,"
        " nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 5)}))",
        WCAG_TAGS,
    )
    return list(result)


def answer_step(frame) -> str:
    """Read or answer the current step like a learner; returns its kind."""
    if frame.locator("input[name=page]").count():
        with frame.expect_navigation():
            frame.get_by_role("button", name="Continue").click()
        return "page"
    if not frame.locator("input[name=item]").count():
        return "finish"
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
        frame.locator("#answer").fill(form["answer"][0])
    with frame.expect_navigation():
        frame.get_by_role("button", name="Check answer").click()
    return "item"


def check_feedback_in_place(frame, item_id: str) -> None:
    """After "Check answer": the same question, the feedback focused, then "Next"."""
    frame.locator("#feedback").wait_for()
    assert frame.evaluate("document.activeElement.id") == "feedback"
    assert frame.locator("#feedback").get_attribute("role") == "status"
    assert frame.get_by_role("button", name="Check answer").count() == 0
    prompt = plain_text(FRACTIONS.item(item_id).prompt.split("$")[0])[:15]
    assert prompt in frame.locator("#prompt").inner_text()


def next_step(frame) -> None:
    with frame.expect_navigation():
        frame.get_by_role("button", name=re.compile("^(Next|See your results)$")).click()


def test_learner_completes_module_in_cross_site_frame(context, demo, axe_source):
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(f"{r.method} {r.url}"))
    page.goto(f"{demo.platform_url}/?as=alice&link=rl-1")
    frame = tool_frame(page, demo)

    # The launch went through platform storage: the tool's cookie never reached the frame.
    assert any(r.startswith("POST ") and r.endswith("/lti/launch/confirm") for r in requests)
    assert context.cookies(demo.tool_url) == []
    # The frame told the LMS its height.
    page.wait_for_function("document.getElementById('tool-frame').style.height !== ''")

    assert axe_violations(frame, axe_source) == []
    checked = {"item"}
    steps = 0
    while True:
        frame.locator("main h1").wait_for()
        item_id = (frame.locator("input[name=item]").get_attribute("value")
                   if frame.locator("input[name=item]").count() else None)
        kind = answer_step(frame)
        if kind == "finish":
            break
        steps += 1
        assert steps < 200, "the module did not finish"
        frame = next(f for f in page.frames if f.url.startswith(demo.tool_url))
        frame.wait_for_load_state()
        current = ("feedback" if frame.locator("#feedback").count() else
                   "page" if frame.locator("input[name=page]").count() else "other")
        if current not in checked:  # axe once per kind of page
            checked.add(current)
            assert axe_violations(frame, axe_source) == [], current
        if kind == "item":
            check_feedback_in_place(frame, item_id)
            next_step(frame)
            frame = next(f for f in page.frames if f.url.startswith(demo.tool_url))
    assert "You have finished this activity" in frame.locator("main").inner_text()
    assert axe_violations(frame, axe_source) == []
    assert frame.get_by_role("link", name="Return to course").count() >= 1

    # Progress view: every skill listed, accessible.
    with frame.expect_navigation():
        frame.get_by_role("link", name="Your progress").click()
    frame = next(f for f in page.frames if f.url.startswith(demo.tool_url))
    frame.locator("table.progress-table").wait_for()
    assert axe_violations(frame, axe_source) == []

    # Launching again resumes: the summary, not a new attempt.
    page.goto(f"{demo.platform_url}/?as=alice&link=rl-1")
    frame = tool_frame(page, demo)
    assert "You have finished this activity" in frame.locator("main").inner_text()


def test_slow_platform_storage_still_launches_in_the_frame(context, demo):
    """A busy LMS page answers platform storage after 3.5 s (the tool used to give up at
    2 s and send the learner to "your browser blocked the check"): the page says it is
    still checking and shows the way out meanwhile, and the late answer completes the
    launch in the frame."""
    settings = get_platform(demo.platform_app).settings
    settings.storage_reply_delay_ms = 3500
    try:
        page = context.new_page()
        page.goto(f"{demo.platform_url}/?as=chen&link=rl-1")
        said_slow = False
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not said_slow:
            for f in page.frames:
                if f.url.startswith(demo.tool_url + "/lti/launch"):
                    # The frame may navigate away meanwhile.
                    with contextlib.suppress(Exception):
                        said_slow = ("taking a while" in f.locator("#status").inner_text(
                            timeout=500) and f.locator("#fallback").is_visible())
            page.wait_for_timeout(100)
        assert said_slow, "the confirm page never said it was still checking"
        frame = tool_frame(page, demo)
        assert frame.locator("input[name=item], input[name=page]").count() >= 1
        assert context.cookies(demo.tool_url) == []
    finally:
        settings.storage_reply_delay_ms = 0


@pytest.mark.parametrize("subjects", ["old", "new"])
def test_platform_storage_under_either_subject_name(context, demo, subjects):
    """A platform that speaks only the older org.imsglobal.lti.* names (D2L) or only the
    lti.* ones answers the other with "unsupported_subject": the launch still completes in
    the frame through platform storage, with no tool cookie."""
    settings = get_platform(demo.platform_app).settings
    settings.storage_subjects = subjects
    try:
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(f"{r.method} {r.url}"))
        page.goto(f"{demo.platform_url}/?as=chen&link=rl-1")
        frame = tool_frame(page, demo)
        assert frame.locator("main h1").count() == 1
        assert any(r.startswith("POST ") and r.endswith("/lti/launch/confirm")
                   for r in requests)
        assert context.cookies(demo.tool_url) == []
    finally:
        settings.storage_subjects = "both"


def test_canvas_style_forwarding_frame_answers_platform_storage(context, demo):
    """Canvas names a hidden platform frame in lti_storage_target
    ("post_message_forwarding"); only that frame answers storage, the course page does not:
    the launch still completes in the frame, with no tool cookie."""
    settings = get_platform(demo.platform_app).settings
    settings.storage_target = "post_message_forwarding"
    try:
        page = context.new_page()
        requests: list[str] = []
        page.on("request", lambda r: requests.append(f"{r.method} {r.url}"))
        page.goto(f"{demo.platform_url}/?as=chen&link=rl-1")
        assert page.locator("iframe[name=post_message_forwarding]").count() == 1
        frame = tool_frame(page, demo)
        assert frame.locator("main h1").count() == 1
        assert any("lti_storage_target=post_message_forwarding" in r for r in requests)
        assert any(r.startswith("POST ") and r.endswith("/lti/launch/confirm")
                   for r in requests)
        assert context.cookies(demo.tool_url) == []
    finally:
        settings.storage_target = "_parent"


def test_small_screen_keyboard_and_spanish(context, demo, axe_source):
    """Bob's LMS locale is Spanish; the page fits 320 px and works from the keyboard."""
    page = context.new_page()
    page.goto(f"{demo.platform_url}/?as=bob&link=rl-1")
    frame = tool_frame(page, demo)
    assert frame.evaluate("document.documentElement.lang") == "es"
    assert "Volver al curso" in frame.locator("nav").inner_text()

    small = context.new_page()
    small.set_viewport_size({"width": 320, "height": 640})
    small.goto(frame.url)
    small.locator("main h1").wait_for()
    assert small.evaluate("document.documentElement.scrollWidth") <= 320
    assert axe_violations(small.main_frame, axe_source) == []

    # Keyboard only: Tab to the first control of the step and use it.
    seen = []
    for _ in range(12):
        small.keyboard.press("Tab")
        info = small.evaluate(
            "(() => { const e = document.activeElement; const s = getComputedStyle(e);"
            " return {tag: e.tagName, type: e.type || '', name: e.name || '',"
            " outline: s.outlineStyle + ' ' + s.outlineWidth}; })()")
        seen.append(info)
        if info["tag"] in ("INPUT", "SELECT", "BUTTON") and info["name"] not in ("t", "seq"):
            break
    focused = seen[-1]
    assert focused["tag"] in ("INPUT", "SELECT", "BUTTON"), json.dumps(seen)
    assert focused["outline"].startswith("solid"), "focus must be visible"
    # The focused control works from the keyboard; Tab reaches the submit button, Enter sends.
    before = small.locator("input[name=seq]").get_attribute("value")
    if focused["type"] in ("radio", "checkbox"):
        small.keyboard.press("Space")
        assert small.evaluate("document.activeElement.checked")
    for _ in range(20):
        if small.evaluate("document.activeElement.type") == "submit":
            break
        small.keyboard.press("Tab")
    with small.expect_navigation():
        small.keyboard.press("Enter")
    small.locator("main h1").wait_for()
    assert small.locator("input[name=seq]").count() == 0 or (
        small.locator("input[name=seq]").get_attribute("value") != before
        or small.locator(".error-text").count() == 1)
