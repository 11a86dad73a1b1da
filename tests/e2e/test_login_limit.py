"""The per-address login limit counts every process's logins (lti_tool.launch.login_limit).

Two apps on one instance folder stand for two gunicorn workers: they share the file
cache, and each keeps its own not-yet-flushed logins. A login is counted at once in its
own process and reaches the other within ``SYNC_SECONDS``.
"""

from __future__ import annotations

import time

from lti_tool.extensions import cache
from lti_tool.launch import login_limit
from tests.conftest import make_app

WINDOW = 60


def test_two_processes_share_one_limit(database_url, tmp_path):
    one = make_app(database_url, tmp_path / "instance")
    two = make_app(database_url, tmp_path / "instance")
    key = "lti-login:198.51.100.7"
    with one.app_context():
        cache.clear()
        assert all(login_limit.admit(key, 10, WINDOW) for _ in range(6))
    time.sleep(login_limit.SYNC_SECONDS + 0.05)
    with one.app_context():
        assert login_limit.admit(key, 10, WINDOW)  # 7th: flushes the six before it
    with two.app_context():
        # It sees the six flushed ones; the 7th is still one's own (at most SYNC_SECONDS
        # of another process's logins can slip past the limit).
        assert all(login_limit.admit(key, 10, WINDOW) for _ in range(4))
        assert not login_limit.admit(key, 10, WINDOW)
        assert login_limit.retry_after(key, WINDOW) >= 1
        assert login_limit.admit("lti-login:198.51.100.8", 10, WINDOW)  # another address


def test_refused_logins_are_not_counted(database_url, tmp_path):
    app = make_app(database_url, tmp_path / "instance")
    key = "lti-login:198.51.100.9"
    with app.app_context():
        cache.clear()
        results = [login_limit.admit(key, 3, WINDOW) for _ in range(10)]
        assert results == [True] * 3 + [False] * 7
        time.sleep(login_limit.SYNC_SECONDS + 0.05)
        assert not login_limit.admit(key, 3, WINDOW)  # still three in the window, not ten
        assert login_limit.admit(key, 4, WINDOW)
