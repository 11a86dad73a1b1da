"""The admin console in headless Chromium: keyboard sign-in, every page passes axe-core
(WCAG 2.2 AA), actions work through their forms (CSRF tokens as a browser sends them),
and the pages fit a 320 px wide screen."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lti_tool.demo_platform.harness import serve_in_thread
from tests.dashboard.test_browser import axe_violations

from .conftest import PASSWORD
from .test_console import make_platform

pytestmark = pytest.mark.browser
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "img" / "admin-registration-links.png"

NAV = ["Overview", "Platforms", "Registration links", "Keys", "Grade queue", "Usage"]


def _fits(page, width: int) -> bool:
    page.set_viewport_size({"width": width, "height": 800})
    return page.evaluate("document.documentElement.scrollWidth") <= width


def test_console_in_chromium(app, admin_user, browser, axe_source):
    make_platform(status="pending")
    server = serve_in_thread(app)
    ctx = browser.new_context(viewport={"width": 1000, "height": 800})
    try:
        page = ctx.new_page()
        page.goto(f"{server.url}/admin/")
        assert page.locator("h1").inner_text() == "Sign in"  # redirected to sign in
        assert axe_violations(page, axe_source) == []

        # A wrong password is announced; then sign in with the keyboard only.
        page.get_by_label("Username").fill("root")
        page.keyboard.press("Tab")
        page.keyboard.type("wrong password")
        page.keyboard.press("Enter")
        page.get_by_role("alert").wait_for()
        assert axe_violations(page, axe_source) == []
        page.get_by_label("Password").fill(PASSWORD)
        page.keyboard.press("Enter")
        page.wait_for_url("**/admin/")
        assert "Signed in as root" in page.inner_text("header")

        for name in NAV:
            page.get_by_role("navigation", name="Console").get_by_role("link", name=name).click()
            current = page.locator("[aria-current=page]")
            assert current.inner_text() == name
            assert axe_violations(page, axe_source) == [], name
            assert _fits(page, 320), f"{name} scrolls sideways at 320 px"
            assert axe_violations(page, axe_source) == [], f"{name} at 320 px"
            page.set_viewport_size({"width": 1000, "height": 800})

        # Actions go through their forms, CSRF token included.
        page.get_by_role("link", name="Keys").click()
        keys_before = page.locator("tbody tr").count()
        page.get_by_role("button", name="Rotate: create a new signing key").click()
        page.get_by_role("status").wait_for()
        assert page.locator("tbody tr").count() == keys_before + 1
        assert axe_violations(page, axe_source) == []

        page.get_by_role("link", name="Registration links").click()
        page.get_by_label("Note (which LMS it is for)").fill("Moodle")
        page.get_by_role("button", name="Create link").click()
        assert "/lti/register/" in page.get_by_label("Registration URL").input_value()
        assert axe_violations(page, axe_source) == []
        assert _fits(page, 320), "the new link scrolls sideways at 320 px"
        page.set_viewport_size({"width": 1000, "height": 800})
        if os.environ.get("BRANCHWISE_SCREENSHOTS") == "1":  # a test run leaves docs alone
            page.screenshot(path=str(SCREENSHOT), full_page=True)

        page.get_by_role("navigation", name="Console").get_by_role("link",
                                                                   name="Platforms").click()
        assert page.locator("h2 .badge-pending").count() == 1
        page.get_by_role("button", name="Approve").click()
        page.get_by_role("status").wait_for()
        assert page.locator("h2 .badge-pending").count() == 0
        assert page.locator("h2 .badge-active").count() == 1

        page.get_by_role("button", name="Sign out").click()
        page.wait_for_url("**/admin/login**")
        page.goto(f"{server.url}/admin/keys")
        assert page.locator("h1").inner_text() == "Sign in"
    finally:
        ctx.close()
        server.stop()
