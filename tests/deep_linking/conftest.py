"""Helpers: a deep-linking launch through the fake platform, ending on the picker."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from lti_tool.protocol import claims

INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def token_of(location: str) -> str:
    return parse_qs(urlsplit(location).query)["t"][0]


class DeepLinkActions:
    """``dl.launch(roles=...)`` → the picker's launch token."""

    def __init__(self, client, lms) -> None:
        self.client = client
        self.lms = lms

    def launch(self, roles: list[str] | None = None, **overrides) -> str:
        resp = self.lms.launch(self.client, path="/lti/deep-link",
                               message_type=claims.DEEP_LINKING_REQUEST,
                               roles=roles or [INSTRUCTOR], **overrides)
        assert resp.status_code == 303, resp.get_data(True)[:500]
        landing = self.client.get(resp.headers["Location"])
        assert landing.status_code == 303
        assert "/lti/deep-link/picker" in landing.headers["Location"]
        return token_of(landing.headers["Location"])


@pytest.fixture
def dl(client, lms) -> DeepLinkActions:
    return DeepLinkActions(client, lms)
