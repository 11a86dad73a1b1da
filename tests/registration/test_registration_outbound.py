"""Registration through the outbound guard: an internal address looks like no address."""

from __future__ import annotations

import re

import requests


def _message(page: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)).strip()


def test_internal_configuration_url_reads_like_an_unreachable_one(live_stack_factory):
    """With the default setting the tool never calls 127.0.0.1; its page for a live
    internal server and for a closed port are word for word the same."""
    stack = live_stack_factory(outbound_allow_private=False)
    live = requests.get(f"{stack.tool_url}/lti/register", timeout=30, params={
        "openid_configuration": f"{stack.platform_url}/.well-known/openid-configuration"})
    closed = requests.get(f"{stack.tool_url}/lti/register", timeout=30, params={
        "openid_configuration": "http://127.0.0.1:9/.well-known/openid-configuration"})
    assert live.status_code == closed.status_code == 400
    assert _message(live.text) == _message(closed.text)
    assert stack.received()["config_requests"] == []  # the LMS was never asked
