"""The id_token POST reads its login state and registration in one query
(``launch.services._READ_LOGIN_STATE``) and every later look-up of that registration
in the request answers from the request's memo; a registration removed or disabled
between the login and the launch is still refused."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import event, func, select

from lti_tool.extensions import db
from lti_tool.models import LaunchSession, Platform
from lti_tool.registration.services import find_platform
from tests.support.fake_platform import CLIENT_ID, ISSUER


@contextmanager
def _statements() -> Iterator[list[str]]:
    seen: list[str] = []

    def note(conn, cursor, statement, params, context, executemany) -> None:
        seen.append(" ".join(statement.split()))

    engine = db.engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", note)


def _launches() -> int:
    return db.session.scalar(select(func.count()).select_from(LaunchSession)) or 0


def test_the_launch_reads_its_registration_once_with_its_login_state(client, lms) -> None:
    login = lms.login(client)
    token = lms.sign(lms.claims(login.nonce))
    with _statements() as seen:
        resp = lms.post_launch(client, login, token)
    assert resp.status_code == 200, resp.get_data(as_text=True)[:400]
    reads = [s for s in seen if s.startswith("SELECT") and "FROM login_states" in s]
    assert len(reads) == 1 and "LEFT OUTER JOIN platforms" in reads[0]
    assert not [s for s in seen if s.startswith("SELECT") and "FROM platforms" in s]
    assert _launches() == 1


def test_a_registration_removed_after_the_login_is_refused(client, lms) -> None:
    login = lms.login(client)
    db.session.delete(find_platform(ISSUER, CLIENT_ID))
    db.session.commit()
    resp = lms.post_launch(client, login, lms.sign(lms.claims(login.nonce)))
    assert resp.status_code == 401 and "<code>unknown_platform</code>" in resp.get_data(
        as_text=True)
    assert _launches() == 0


def test_a_registration_disabled_after_the_login_is_refused(client, lms) -> None:
    login = lms.login(client)
    db.session.execute(Platform.__table__.update().values(status="disabled"))
    db.session.commit()
    resp = lms.post_launch(client, login, lms.sign(lms.claims(login.nonce)))
    assert resp.status_code == 401 and "<code>unknown_platform</code>" in resp.get_data(
        as_text=True)
    assert _launches() == 0


def test_the_first_page_carries_the_launchs_own_token(client, lms, monkeypatch) -> None:
    from lti_tool.launch import tokens

    issued: list[str] = []
    real_issue = tokens.issue

    def issue(secret: str, launch_session_id: str) -> str:
        issued.append(real_issue(secret, launch_session_id))
        return issued[-1]

    monkeypatch.setattr(tokens, "issue", issue)
    login = lms.login(client)
    resp = lms.post_launch(client, login, lms.sign(lms.claims(login.nonce)))
    assert resp.status_code == 200
    # One token minted in the request: the one the page names as its own URL's.
    assert len(issued) == 1
    assert f"/activity?t={issued[0]}" in resp.get_data(as_text=True)
