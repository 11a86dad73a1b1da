"""No per-process state: two tool processes behind one "load balancer".

Two ``branchwise serve`` processes (gunicorn) share one database, as two hosts
behind a load balancer would: the LMS's login goes to the first, its id_token
post to the second; a learner's steps alternate between them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import requests
from sqlalchemy import create_engine, text

from adaptive.samples import load_sample
from tests.support.lms_client import parse_form
from tests.support.process_stack import start_process_stack

pytestmark = pytest.mark.slow


@dataclass
class TwoTools:
    a: str  # base URL of process A
    b: str  # base URL of process B
    platform_url: str
    database_url: str


@contextmanager
def two_tools(tmp_path: Path, database_url: str) -> Iterator[TwoTools]:
    """Two tool processes on one (clean) database, and the demo LMS registered with them."""
    stack = start_process_stack(tmp_path, database_url=database_url, serves=2)
    try:
        yield TwoTools(stack.urls[0], stack.urls[1], stack.platform_url, stack.database_url)
    finally:
        stack.stop()


def _id_token_form(browser: requests.Session, tools: TwoTools, user: str = "alice"):
    """The LMS's auto-submitted id_token form after a login at process A."""
    login_url = browser.get(tools.platform_url + "/_test/launch_url",
                            params={"user": user, "link": "rl-1"}).json()["url"]
    auth = browser.get(login_url, timeout=10)  # process A: 302 to the LMS, which answers
    form = parse_form(auth.text, auth.url)
    assert form is not None and "id_token" in form.fields
    return form


def _on(base: str, url: str) -> str:
    """``url`` sent to the process at ``base`` instead (same path and query)."""
    return urlunsplit(urlsplit(url)._replace(netloc=urlsplit(base).netloc))


def test_login_on_one_process_launch_on_another(tmp_path: Path, database_url: str):
    with two_tools(tmp_path, database_url) as tools:
        browser = requests.Session()
        form = _id_token_form(browser, tools)
        # Deliver the id_token to process B (cookies ignore ports, like a load balancer).
        launched = browser.post(_on(tools.b, form.action), data=form.fields,
                                allow_redirects=False, timeout=10)
        # Two hops: B answers the id_token POST with the learner's page itself.
        assert launched.status_code == 200, launched.text[:400]
        # And the launch token minted by B is honoured by A.
        landing = browser.get(tools.a + _canonical(launched.text), timeout=10)
        assert landing.status_code == 200
        # Replaying at A is refused: the nonce was consumed in the shared database.
        again = browser.post(form.action, data=form.fields, timeout=10)
        assert again.status_code == 401 and "replayed_nonce" in again.text


def _canonical(html: str) -> str:
    """The URL a page answered straight from the launch POST gives itself."""
    m = re.search(r'name="bw-canonical-url" content="([^"]*)"', html)
    assert m, html[:400]
    return m.group(1).replace("&amp;", "&")


_HIDDEN = re.compile(r'name="(t|seq|item|page)" value="([^"]*)"')


def test_answers_on_both_processes_count_once(tmp_path: Path, database_url: str):
    """The running tool's answer step (one statement, no transaction, on PostgreSQL):
    steps alternate between the processes, and every form is also submitted a second
    time at the other process (a double click through a load balancer) — each step is
    recorded once, the repeat gets "already recorded", and every answer has its score."""
    from lti_tool.runner.answers import correct_form

    module = load_sample("fractions")
    with two_tools(tmp_path, database_url) as tools:
        browser = requests.Session()
        form = _id_token_form(browser, tools)
        launched = browser.post(form.action, data=form.fields, allow_redirects=False,
                                timeout=10)
        assert launched.status_code == 200, launched.text[:400]
        engine = create_engine(database_url)
        try:
            with engine.begin() as conn:  # the teacher picked the module (deep linking)
                conn.execute(text("UPDATE resource_links SET module_id = 'fractions'"))
            html = browser.get(tools.a + _canonical(launched.text), timeout=10).text
            answers = pages = 0
            for n in range(12):
                fields = dict(_HIDDEN.findall(html))
                if "item" in fields:
                    path, data = "/activity/answer", {**fields,
                                                      **correct_form(module.item(fields["item"]))}
                    answers += 1
                elif "page" in fields:
                    path, data = "/activity/page", fields
                    pages += 1
                else:
                    break
                first, second = (tools.a, tools.b) if n % 2 else (tools.b, tools.a)
                step = browser.post(first + path, data=data, timeout=10)
                assert step.status_code == 200, step.text[:400]
                repeat = browser.post(second + path, data=data, timeout=10)
                assert repeat.status_code in (200, 409)
                assert "already" in repeat.text.lower() or repeat.status_code == 409
                html = step.text
                if "next-form" in html:  # the answer's feedback in place: "Next"
                    token = dict(_HIDDEN.findall(html))["t"]
                    html = browser.get(first + "/activity", params={"t": token},
                                       timeout=10).text
            assert answers >= 3
            with engine.connect() as conn:
                events = conn.execute(text("SELECT seq FROM answer_events")).scalars().all()
                page_events = conn.execute(text("SELECT count(*) FROM page_events")).scalar()
                scores = conn.execute(text(
                    "SELECT activity_progress FROM score_submissions")).scalars().all()
                seq = conn.execute(text("SELECT seq FROM attempts")).scalar_one()
        finally:
            engine.dispose()
        assert len(events) == len(set(events)) == answers
        assert page_events == pages and seq == answers + pages
        assert scores.count("InProgress") + scores.count("Completed") == answers
