"""Shared browser fixtures (a pytest plugin loaded by tests/conftest.py).

One headless Chromium (Debian's, /usr/bin/chromium) for the whole session, driven by
Playwright's sync API, which allows only one running instance per process: every
browser test uses the ``browser`` fixture here instead of starting its own. axe-core
comes from npm into a cache folder. Screenshots of failed tests go to test-artifacts/.
"""

from __future__ import annotations

import collections
import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
INSTALL_AXE = ROOT / "tests" / "browser" / "install_axe.sh"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
    # Block third-party cookies as browsers now do by default (the tool must not need them).
    "--test-third-party-cookie-phaseout",
    # One renderer process for all frames. With site isolation the tool's frame changes
    # process at every hop of the launch (tool, then the LMS's /auth, then the tool), and
    # Playwright can lose such a frame: in about one fresh stack in three on a loaded
    # 2-core machine the browser finished the launch (every request answered, the
    # activity drawn) while Playwright still reported the frame at /auth and could not
    # evaluate in it (the race of puppeteer/puppeteer#10715). The process model changes
    # no web behaviour the tests check: cookies stay partitioned and blocked, postMessage
    # and origins are the same.
    "--disable-site-isolation-trials", "--disable-features=IsolateOrigins,site-per-process",
]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
REQUIRE = os.environ.get("BRANCHWISE_REQUIRE_SERVERS") == "1"


def _missing(reason: str):
    if REQUIRE:
        pytest.fail(reason + " (BRANCHWISE_REQUIRE_SERVERS=1)")
    pytest.skip(reason)


def axe_dir() -> Path:
    default = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "branchwise/axe"
    return Path(os.environ.get("BRANCHWISE_AXE_DIR", default))


@pytest.fixture(scope="session")
def axe_source() -> str:
    """axe.min.js: from node_modules, the cache folder, or installed there with npm now."""
    candidates = [ROOT / "node_modules/axe-core/axe.min.js",
                  axe_dir() / "node_modules/axe-core/axe.min.js"]
    found = next((p for p in candidates if p.is_file()), None)
    if found is None and shutil.which("npm"):
        subprocess.run([str(INSTALL_AXE)], check=False,
                       capture_output=True, timeout=300)
        found = next((p for p in candidates if p.is_file()), None)
    if found is None:
        _missing("axe-core is not installed (tests/browser/install_axe.sh)")
    return found.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def browser() -> Iterator:
    if not Path(CHROMIUM).exists():
        _missing(f"{CHROMIUM} is missing")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"rep_{report.when}", report)


EVENTS: collections.deque[str] = collections.deque(maxlen=200)


def watch_events(ctx) -> None:
    """Keep the last network, navigation and console events of ``ctx`` (with times) in
    EVENTS, for the report of a launch that hangs (tests/browser/test_activity_browser.py)."""
    start = time.monotonic()

    def note(text: str) -> None:
        EVENTS.append(f"{time.monotonic() - start:8.3f}s {text}")

    EVENTS.clear()
    ctx.on("request", lambda r: note(f"request {r.method} {r.url[:120]}"))
    ctx.on("response", lambda r: note(f"response {r.status} {r.url[:120]}"))
    ctx.on("requestfinished", lambda r: note(f"finished {r.url[:120]}"))
    ctx.on("requestfailed", lambda r: note(f"failed {r.url[:120]} {r.failure}"))
    ctx.on("console", lambda m: note(f"console {m.type}: {m.text[:200]}"))

    def on_page(page) -> None:
        page.on("framenavigated", lambda f: note(f"navigated {f.name or '-'} {f.url[:120]}"))
        page.on("crash", lambda p: note("page crashed"))

    ctx.on("page", on_page)


@pytest.fixture
def context(browser, request) -> Iterator:
    """A fresh browser context; a failing test leaves a full-page screenshot behind."""
    ctx = browser.new_context(viewport={"width": 1000, "height": 900})
    watch_events(ctx)
    yield ctx
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        for n, page in enumerate(ctx.pages):
            # A crashed page must not hide the real failure.
            with contextlib.suppress(Exception):
                page.screenshot(path=str(ARTIFACTS / f"{request.node.name}-{n}.png"),
                                full_page=True)
    ctx.close()
