"""Helpers: an instructor's deep-linking launch (the editor's usual way in)."""

from __future__ import annotations

import pytest

from tests.deep_linking.conftest import INSTRUCTOR, LEARNER, DeepLinkActions

__all__ = ["INSTRUCTOR", "LEARNER"]


@pytest.fixture
def dl(client, lms) -> DeepLinkActions:
    return DeepLinkActions(client, lms)
