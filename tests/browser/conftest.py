"""Browser tests: the real tool + the demo LMS on two sites.

The demo LMS runs on http://127.0.0.1:P and embeds the tool from http://localhost:Q,
a different site, so the tool is in a cross-site iframe with third-party cookies
blocked, as in a real LMS. Chromium, axe-core and screenshots: tests/support/browser.py.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.support import demo_lms_hooks
from tests.support.browser import ARTIFACTS, CHROMIUM_ARGS, WCAG_TAGS  # noqa: F401 (re-export)


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Iterator:
    """The Branchwise tool (localhost) and the demo LMS (127.0.0.1) over real HTTP."""
    from lti_tool.demo import start_demo

    stack = start_demo(0, instance_path=str(tmp_path_factory.mktemp("tool-instance")),
                       tool_host="localhost", platform_extensions=(demo_lms_hooks.install,))
    yield stack
    stack.stop()
