"""The console fixtures (an admin account, a signed-in client) for the security tests."""

from tests.admin.conftest import admin_user, console  # noqa: F401 - pytest fixtures
