"""An anonymous flood of /lti/login is rate-limited, and what logins leave behind is pruned."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from lti_tool.extensions import cache, db
from lti_tool.jobs.housekeeping import prune
from lti_tool.models import LaunchSession, LoginState, UsedNonce
from lti_tool.models.base import utcnow
from tests.support.fake_platform import CLIENT_ID, DEPLOYMENT_ID, ISSUER


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _login(client, ip: str = "203.0.113.9"):
    return client.get("/lti/login", environ_base={"REMOTE_ADDR": ip}, query_string={
        "iss": ISSUER, "login_hint": "anyone", "client_id": CLIENT_ID,
        "target_link_uri": "http://localhost/lti/launch", "lti_deployment_id": DEPLOYMENT_ID})


def test_login_flood_is_rate_limited_per_address(client, lms):
    cache.clear()
    limit = client.application.config["BRANCHWISE"].login_rate_limit
    codes = [_login(client).status_code for _ in range(limit + 30)]
    assert codes[:limit] == [302] * limit
    assert set(codes[limit:]) == {429}
    assert _count(LoginState) == limit  # refused logins wrote nothing
    refused = _login(client)
    assert "rate_limited" in refused.get_data(as_text=True) and refused.headers["Retry-After"]
    assert _login(client, ip="203.0.113.10").status_code == 302  # another school still works


def test_pruning_bounds_what_logins_and_launches_leave(client, lms, app):
    cache.clear()
    settings = app.config["BRANCHWISE"]
    assert lms.launch(client).status_code == 200  # a used state, a nonce, a launch
    for _ in range(5):
        assert _login(client).status_code == 302  # abandoned logins
    assert (_count(LoginState), _count(UsedNonce), _count(LaunchSession)) == (6, 1, 1)

    assert prune(settings) == {"login_states": 0, "used_nonces": 0, "launch_sessions": 0}
    later = utcnow() + timedelta(seconds=settings.login_state_ttl + 1)
    assert prune(settings, now=later)["login_states"] == 6
    assert _count(LaunchSession) == 1  # the launch is still live
    much_later = utcnow() + timedelta(days=settings.launch_retention_days + 2)
    done = prune(settings, now=much_later)
    assert done == {"login_states": 0, "used_nonces": 1, "launch_sessions": 1}
    assert (_count(LoginState), _count(UsedNonce), _count(LaunchSession)) == (0, 0, 0)


def test_pruning_is_a_periodic_job_on_the_queue(app):
    from datetime import datetime

    from lti_tool.jobs.queue import get_queue

    huey = get_queue(app)
    due = {t.name for t in huey.read_periodic(datetime(2026, 12, 1, 10, 20))}
    assert "prune_housekeeping" in due
    assert "prune_housekeeping" not in {t.name for t in
                                        huey.read_periodic(datetime(2026, 12, 1, 10, 21))}
