"""Fixtures: an admin account and a signed-in console client."""

from __future__ import annotations

import re

import pytest

from lti_tool.admin import services
from lti_tool.extensions import cache

PASSWORD = "correct horse battery"


def csrf_from(page: bytes | str) -> str:
    """The CSRF token of the first form in ``page``."""
    text = page.decode() if isinstance(page, bytes) else page
    match = re.search(r'name="csrf_token" value="([^"]+)"', text)
    assert match, "no csrf_token in the page"
    return match.group(1)


class Console:
    """Drives the console with Flask's test client (``login``, ``post`` with CSRF)."""

    def __init__(self, client) -> None:
        self.client = client

    def token(self, path: str = "/admin/login") -> str:
        return csrf_from(self.client.get(path).data)

    def login(self, username: str = "root", password: str = PASSWORD, **extra):
        data = {"username": username, "password": password,
                "csrf_token": self.token(), **extra}
        return self.client.post("/admin/login", data=data)

    def post(self, path: str, data: dict | None = None, page: str = "/admin/"):
        return self.client.post(path, data={"csrf_token": self.token(page), **(data or {})})


@pytest.fixture
def admin_user(app):
    cache.clear()  # throttle counters from another test must not leak in
    return services.create_admin("root", PASSWORD)


@pytest.fixture
def console(client, admin_user) -> Console:
    c = Console(client)
    response = c.login()
    assert response.status_code == 302, response.data[:300]
    return c
