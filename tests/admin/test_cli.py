"""``branchwise admin|usage|platform approve|disable|...`` on a fresh instance."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from lti_tool.cli import main


@pytest.fixture
def cli(tmp_path):
    runner = CliRunner()
    env = {"BRANCHWISE_INSTANCE_PATH": str(tmp_path), "BRANCHWISE_DATABASE_URL": "",
           "BRANCHWISE_BASE_URL": "https://t.example"}

    def run(*args: str, input: str | None = None):
        return runner.invoke(main, list(args), env=env, input=input)

    return run


def test_admin_create_from_stdin_and_prompt(cli):
    made = cli("admin", "create", "root", "--password-stdin", input="a long password 1\n")
    assert made.exit_code == 0, made.output
    again = cli("admin", "create", "root", "--password-stdin", input="a long password 1\n")
    assert again.exit_code != 0 and "already exists" in again.output
    short = cli("admin", "create", "ann", "--password-stdin", input="short\n")
    assert short.exit_code != 0 and "at least 12" in short.output
    prompted = cli("admin", "create", "bea", input="another password!\nanother password!\n")
    assert prompted.exit_code == 0, prompted.output
    listed = cli("admin", "list")
    assert "root" in listed.output and "bea" in listed.output
    changed = cli("admin", "password", "bea", "--password-stdin", input="third password!!\n")
    assert changed.exit_code == 0


def test_platform_status_deployments_and_usage(cli):
    added = cli("platform", "add", "--preset", "moodle", "--issuer", "https://m.example",
                "--client-id", "abc")
    assert added.exit_code == 0, added.output
    for command, status in (("disable", "disabled"), ("approve", "active"),
                            ("disable", "disabled"), ("enable", "active")):
        out = cli("platform", command, "https://m.example", "abc")
        assert out.exit_code == 0 and f"status={status}" in out.output
    missing = cli("platform", "approve", "https://m.example", "nope")
    assert missing.exit_code != 0 and "no platform" in missing.output
    first = cli("platform", "add-deployment", "https://m.example", "abc", "7")
    assert first.exit_code == 0 and "deployment 7 added" in first.output
    again = cli("platform", "add-deployment", "https://m.example", "abc", "7")
    assert again.exit_code == 0 and "already" in again.output and "added" not in again.output
    out = cli("platform", "deployment-status", "https://m.example", "abc", "7", "disabled")
    assert out.exit_code == 0, out.output
    # Adding a disabled deployment again does not enable it; the command must not say
    # "added" as if launches now worked, and says how to enable it.
    disabled = cli("platform", "add-deployment", "https://m.example", "abc", "7")
    assert disabled.exit_code == 0 and "disabled" in disabled.output
    assert "deployment-status https://m.example abc 7 active" in disabled.output
    rows = json.loads(cli("usage", "--json").output)
    assert rows[0]["client_id"] == "abc" and rows[0]["deployments"] == 1
    assert rows[0]["launches"] == 0
    assert "launches=0" in cli("usage").output


def test_new_presets_are_offered(cli):
    out = cli("platform", "add", "--preset", "schoology", "--client-id", "42")
    assert out.exit_code == 0, out.output
    rows = json.loads(cli("platform", "list", "--json").output)
    assert rows[0]["issuer"] == "https://schoology.schoology.com"
    sakai = cli("platform", "add", "--preset", "sakai", "--issuer", "https://s.example",
                "--client-id", "c")
    assert sakai.exit_code != 0 and "token_url" in sakai.output


def test_registration_link_prints_a_single_use_url(cli, tmp_path):
    made = cli("registration-link", "--hours", "1", "--note", "Moodle", "--json")
    assert made.exit_code == 0, made.output
    url = json.loads(made.output)["url"]
    assert url.startswith("https://t.example/lti/register/")
    assert cli("registration-link", "--hours", "1000").exit_code != 0  # at most a week

    from lti_tool import create_app
    from lti_tool.extensions import db
    from lti_tool.registration.links import claim

    app = create_app({"instance_path": str(tmp_path), "database_url": ""})
    with app.app_context():
        token = url.rsplit("/", 1)[1]
        assert claim(token) is not None
        assert claim(token) is None  # single use
        db.engine.dispose()
