"""The same id_token posted several times at once: exactly one launch (issue 20 item 4).

The launch writes its state, nonce and records in one transaction (one commit); the
conditional UPDATE of the login state must still let only one of simultaneous posts
through, on SQLite and PostgreSQL, over real HTTP to a threaded server.
"""

from __future__ import annotations

import threading
from urllib.parse import urljoin

import requests
from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.models import LaunchSession, UsedNonce
from tests.ags.conftest import make_stack  # noqa: F401  (the fixture)
from tests.support.lms_client import parse_form

POSTS = 4


def test_simultaneous_posts_of_one_id_token_make_one_launch(make_stack):  # noqa: F811
    stack = make_stack()
    http = requests.Session()
    url = requests.get(f"{stack.platform_url}/_test/launch_url",
                       params={"user": "alice", "link": "rl-1"}, timeout=10).json()["url"]
    login = http.get(url, allow_redirects=False, timeout=10)
    assert login.status_code == 302
    auth = http.get(urljoin(login.url, login.headers["Location"]), timeout=10)
    form = parse_form(auth.text, auth.url)
    assert form is not None and "id_token" in form.fields

    barrier = threading.Barrier(POSTS)
    codes: list[int] = []

    def post() -> None:
        client = requests.Session()
        client.cookies.update(http.cookies)  # the same browser, several tabs at once
        barrier.wait()
        resp = client.post(form.action, data=form.fields, allow_redirects=False, timeout=30)
        codes.append(resp.status_code)

    threads = [threading.Thread(target=post) for _ in range(POSTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(codes)[0] == 200 and codes.count(200) == 1, codes
    assert all(c == 401 for c in codes if c != 200), codes  # "already used"
    with stack.tool_app.app_context():
        assert db.session.scalar(select(func.count()).select_from(LaunchSession)) == 1
        assert db.session.scalar(select(func.count()).select_from(UsedNonce)) == 1
