"""Fixtures: the demo LMS and a PyLTI1p3-based fake tool over real HTTP."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # lti_tool may not be in the editable install's mapping yet
    sys.path.insert(0, str(ROOT))

from tests.support.demo_lms_hooks import reset_platform  # noqa: E402

from .stack import Stack, start_stack  # noqa: E402


@pytest.fixture(scope="module")
def module_stack() -> Iterator[Stack]:
    """One stack per test module (state is reset before each test by ``stack``)."""
    stack = start_stack()
    yield stack
    for server in stack.servers:
        server.stop()


@pytest.fixture
def stack(module_stack: Stack) -> Stack:
    """The module's stack with freshly seeded platform state."""
    reset_platform(module_stack.platform_app)
    return module_stack
