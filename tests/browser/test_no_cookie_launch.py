"""No dead end without cookies (issue 14), in Chromium with the demo LMS.

* third-party cookies blocked and no platform storage (Moodle 4.3, Blackboard, D2L):
  the frame offers one button; the launch completes in a new top-level window, and the
  frame says what happened; the same for deep linking;
* with platform storage (today's path) the frame completes the launch itself:
  ``test_activity_browser.py`` (POST /lti/launch/confirm, no tool cookie);
* cookies allowed (the LMS on the tool's own site, so the frame's cookie is first party):
  the launch completes in the frame, no new window, no storage page.

With BRANCHWISE_SCREENSHOTS=1 the test refreshes docs/img/activity-new-window*.png.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import demo_lms_hooks

from .test_activity_browser import axe_violations, tool_frame

pytestmark = pytest.mark.browser

SHOTS = os.environ.get("BRANCHWISE_SCREENSHOTS") == "1"
IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


def _demo(tmp_path_factory, **kwargs):
    from lti_tool.demo import start_demo

    return start_demo(0, instance_path=str(tmp_path_factory.mktemp("tool-instance")),
                      platform_extensions=(demo_lms_hooks.install,), **kwargs)


@pytest.fixture(scope="module")
def no_storage(tmp_path_factory) -> Iterator:
    """Tool on localhost, LMS on 127.0.0.1 (cross-site), no platform storage."""
    stack = _demo(tmp_path_factory, tool_host="localhost", platform_storage=False)
    yield stack
    stack.stop()


@pytest.fixture(scope="module")
def same_site(tmp_path_factory) -> Iterator:
    """Tool and LMS both on 127.0.0.1: the tool's cookie is first party in the frame."""
    stack = _demo(tmp_path_factory, tool_host="127.0.0.1", platform_storage=False)
    yield stack
    stack.stop()


def _fallback_frame(page, demo):
    page.wait_for_selector("#tool-frame")
    page.wait_for_function(
        "() => { const f = document.getElementById('tool-frame');"
        " return f.contentDocument === null; }")  # cross-site: not readable from here
    for _ in range(150):
        frame = next((f for f in page.frames if f.url.startswith(demo.tool_url + "/lti/")
                      and f.locator("#nw-open").count()), None)
        if frame is not None:
            return frame
        page.wait_for_timeout(200)
    raise AssertionError("no new-window page: " + " | ".join(
        f"{f.url}: {f.locator('body').inner_text()[:200]}" for f in page.frames))


def _open_in_new_window(context, page, demo, axe_source, shot: str | None = None):
    frame = _fallback_frame(page, demo)
    assert "blocks the cookie" in frame.locator("main").inner_text()
    assert axe_violations(frame, axe_source) == []
    if shot:
        page.screenshot(path=str(IMG / f"{shot}.png"), full_page=True)
    with context.expect_page() as popup_info:
        frame.get_by_role("link", name="Open the activity in a new window").click()
    popup = popup_info.value
    # The frame says what happened.
    frame.locator("#nw-status").wait_for()
    assert "opened in a new window" in frame.locator("#nw-status").inner_text()
    return frame, popup


def test_blocked_cookie_no_storage_launch_completes_in_a_new_window(context, no_storage,
                                                                    axe_source):
    demo = no_storage
    page = context.new_page()
    requests: list[str] = []
    context.on("request", lambda r: requests.append(f"{r.method} {r.url}"))
    page.goto(f"{demo.platform_url}/?as=alice&link=rl-1")
    frame, popup = _open_in_new_window(context, page, demo, axe_source,
                                       "activity-new-window" if SHOTS else None)
    popup.wait_for_url(f"{demo.tool_url}/activity*", timeout=30000)
    popup.locator("main h1").wait_for()
    # Top level and first party; bound through the tab's own storage (plain http).
    assert popup.evaluate("window.top === window")
    assert any(r == f"POST {demo.tool_url}/lti/launch/confirm" for r in requests)
    assert popup.locator("form.step-form").count() >= 1
    assert axe_violations(popup.main_frame, axe_source) == []
    if SHOTS:
        frame_page = page
        frame_page.screenshot(path=str(IMG / "activity-new-window-opened.png"), full_page=True)
    # The frame's own launch stays unconfirmed: the frame never became a session.
    assert frame.locator("form.step-form").count() == 0


def test_deep_linking_without_cookie_or_storage_opens_in_a_new_window(context, no_storage,
                                                                      axe_source):
    demo = no_storage
    page = context.new_page()
    page.set_viewport_size({"width": 320, "height": 800})  # the frame's page at 320 px too
    page.goto(f"{demo.platform_url}/?as=tess&deep_link=1")
    frame = _fallback_frame(page, demo)
    assert frame.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    _, popup = _open_in_new_window(context, page, demo, axe_source)
    popup.wait_for_url(f"{demo.tool_url}/**picker*", timeout=30000)
    popup.locator("form.picker").wait_for()
    assert popup.evaluate("window.top === window")


def test_cookies_allowed_launch_completes_in_the_frame(context, same_site, axe_source):
    demo = same_site
    page = context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(f"{r.method} {r.url}"))
    page.goto(f"{demo.platform_url}/?as=alice&link=rl-1")
    frame = tool_frame(page, demo)
    assert frame.locator("form.step-form").count() >= 1
    assert not any(r.endswith("/lti/launch/confirm") for r in requests)
    assert len(context.pages) == 1  # no new window
    # The binding came back in the tool's state cookie (set for /lti/ only).
    assert any(c["name"].startswith("bw_state_")
               for c in context.cookies(demo.tool_url + "/lti/launch"))
