"""The assistant's hook, the hooks' silence without an LRS, and ``branchwise xapi``."""

from __future__ import annotations

import json

from click.testing import CliRunner
from sqlalchemy import select

from lti_tool.cli import main
from lti_tool.extensions import db
from lti_tool.models import LaunchSession
from lti_tool.xapi.events import record_assistant_question
from lti_tool.xapi.models import XapiStatement
from lti_tool.xapi.services import LrsInput, set_lrs
from tests.runner.conftest import Learner, launch_token
from tests.support.fake_platform import CLIENT_ID, DEPLOYMENT_ID, ISSUER

from .test_statements import validate_with_ralph


def _launch_id() -> str:
    return db.session.scalars(select(LaunchSession.id).where(LaunchSession.role == "learner")
                              .order_by(LaunchSession.created_at.desc())).first()


def test_assistant_question_becomes_one_statement(app, client, lms):
    # The endpoint is never reached here: no consumer runs, the statement stays pending.
    set_lrs(LrsInput(ISSUER, CLIENT_ID, DEPLOYMENT_ID, "http://127.0.0.1:9/xAPI/"))
    learner = Learner(client, launch_token(client, lms)).open()
    while learner.kind == "page":
        learner.continue_page()
    item_id = learner.item_id
    sid = record_assistant_question(_launch_id(), "Why is 2/4 equal to 1/2?", item_id=item_id,
                                    event_id="question-1")
    again = record_assistant_question(_launch_id(), "Why is 2/4 equal to 1/2?",
                                      item_id=item_id, event_id="question-1")
    assert sid is not None and again == sid
    rows = list(db.session.scalars(select(XapiStatement).where(XapiStatement.verb == "asked")))
    assert len(rows) == 1 and rows[0].statement_id == sid
    statement = rows[0].statement
    validate_with_ralph(statement)
    assert statement["result"]["response"] == "Why is 2/4 equal to 1/2?"
    assert statement["object"]["id"].endswith(f"/item/{item_id}")
    assert statement["context"]["registration"]


def test_hooks_record_nothing_without_an_lrs(app, client, lms):
    Learner(client, launch_token(client, lms)).open()
    assert record_assistant_question(_launch_id(), "hello?") is None
    assert db.session.scalars(select(XapiStatement)).first() is None


def test_xapi_cli_sets_lists_and_removes_an_lrs(tmp_path):
    env = {"BRANCHWISE_INSTANCE_PATH": str(tmp_path), "BRANCHWISE_DATABASE_URL": "",
           "BRANCHWISE_BASE_URL": "https://t.example"}
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(main, list(args), env=env)

    added = run("platform", "add", "--issuer", ISSUER, "--client-id", CLIENT_ID,
                "--deployment-id", DEPLOYMENT_ID, "--auth-login-url", "https://lms.test/a",
                "--token-url", "https://lms.test/t", "--jwks-url", "https://lms.test/k")
    assert added.exit_code == 0, added.output
    target = ["--issuer", ISSUER, "--client-id", CLIENT_ID, "--deployment-id", DEPLOYMENT_ID]
    bad = run("xapi", "set", *target, "--endpoint", "ftp://lrs.example/")
    assert bad.exit_code != 0 and "http(s) URL" in bad.output
    unknown = run("xapi", "set", "--issuer", ISSUER, "--client-id", CLIENT_ID,
                  "--deployment-id", "nope", "--endpoint", "https://lrs.example/xAPI")
    assert unknown.exit_code != 0 and "no deployment" in unknown.output
    ok = run("xapi", "set", *target, "--endpoint", "https://lrs.example/xAPI",
             "--username", "key", "--password", "s3cret")
    assert ok.exit_code == 0, ok.output
    listed = run("xapi", "list", "--json")
    rows = json.loads(listed.output)
    assert rows == [{"issuer": ISSUER, "client_id": CLIENT_ID, "deployment_id": DEPLOYMENT_ID,
                     "endpoint": "https://lrs.example/xAPI/", "username": "key",
                     "enabled": True, "statements": {}}]
    assert "s3cret" not in listed.output
    replayed = run("xapi", "replay")
    assert replayed.exit_code == 0 and "0 statement(s)" in replayed.output
    removed = run("xapi", "remove", *target)
    assert removed.exit_code == 0 and "removed" in removed.output
    assert "no LRS configured" in run("xapi", "list").output


def test_a_question_asked_in_the_panel_is_sent_as_asked(app, client, lms):
    """The assistant's own ask path calls the hook: one "asked" statement per question."""
    set_lrs(LrsInput(ISSUER, CLIENT_ID, DEPLOYMENT_ID, "http://127.0.0.1:9/xAPI/"))
    learner = Learner(client, launch_token(client, lms)).open()
    while learner.kind == "page":
        learner.continue_page()
    resp = client.post("/assistant/ask", data={"t": learner.token,
                                               "q": "What does equivalent mean?"},
                       headers={"Accept": "application/json"})
    assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
    rows = list(db.session.scalars(select(XapiStatement).where(XapiStatement.verb == "asked")))
    assert len(rows) == 1
    validate_with_ralph(rows[0].statement)
    assert rows[0].statement["result"]["response"] == "What does equivalent mean?"
