"""Tool keys, JWKS, registrations, tool-config, roles and settings."""

from __future__ import annotations

import json

import pytest

from lti_tool.keys import services as keys
from lti_tool.protocol.roles import ADMIN, INSTRUCTOR, LEARNER, map_roles
from lti_tool.registration.services import (
    PlatformInput,
    RegistrationError,
    add_platform,
    find_platform,
    list_platforms,
)
from lti_tool.registration.tool_config import DbToolConf
from lti_tool.settings import load_settings, read_defaults


def test_first_jwks_request_creates_a_key_and_never_serves_private_parts(client):
    resp = client.get("/.well-known/jwks.json")
    data = resp.get_json()
    assert resp.status_code == 200 and len(data["keys"]) == 1
    jwk = data["keys"][0]
    assert jwk["kid"] and jwk["alg"] == "RS256" and jwk["kty"] == "RSA"
    assert not {"d", "p", "q", "dp", "dq", "qi"} & set(jwk)


def test_rotation_keeps_old_key_published_until_retired(client):
    first = keys.signing_key()
    second = keys.rotate()
    kids = {k["kid"] for k in client.get("/.well-known/jwks.json").get_json()["keys"]}
    assert kids == {first.kid, second.kid}
    assert keys.signing_key().kid == second.kid
    with pytest.raises(ValueError):
        keys.retire(second.kid)
    keys.retire(first.kid)
    kids = {k["kid"] for k in client.get("/.well-known/jwks.json").get_json()["keys"]}
    assert kids == {second.kid}


def test_presets_fill_fixed_values(app):
    p = add_platform(
        PlatformInput(client_id="10000000000042", deployment_ids=("1:abc",), preset="canvas")
    )
    assert p.issuer == "https://canvas.instructure.com"
    assert p.auth_login_url.startswith("https://sso.canvaslms.com/")
    m = add_platform(
        PlatformInput(
            issuer="https://moodle.school.edu/",
            client_id="xyz",
            deployment_ids=("3",),
            preset="moodle",
        )
    )
    assert m.auth_token_url == "https://moodle.school.edu/mod/lti/token.php"
    b = add_platform(PlatformInput(client_id="app-9", deployment_ids=("d",), preset="blackboard"))
    assert b.key_set_url.endswith("/applications/app-9/jwks.json")
    d = add_platform(PlatformInput(issuer="https://u.brightspace.com", client_id="c", preset="d2l"))
    assert d.token_audience == "https://api.brightspace.com/auth/token"


def test_many_clients_per_issuer_resolve_by_client_id(app):
    for cid in ("a", "b"):
        add_platform(
            PlatformInput(client_id=cid, deployment_ids=(f"dep-{cid}",), preset="blackboard")
        )
    conf = DbToolConf()
    reg = conf.find_registration_by_params("https://blackboard.com", "b")
    assert reg.get_client_id() == "b"
    assert conf.find_deployment_by_params("https://blackboard.com", "dep-b", "b")
    assert conf.find_deployment_by_params("https://blackboard.com", "dep-a", "b") is None
    assert find_platform("https://blackboard.com", None) is None  # ambiguous without client_id
    assert len(list_platforms()) == 2


def test_missing_fields_are_named(app):
    with pytest.raises(RegistrationError, match="auth_login_url"):
        add_platform(
            PlatformInput(
                issuer="https://x.example",
                client_id="c",
                token_url="https://x.example/t",
                jwks_url="https://x/j",
            )
        )


@pytest.mark.parametrize(
    "roles,expected",
    [
        (["http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"], LEARNER),
        (["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"], INSTRUCTOR),
        (
            ["http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"],
            INSTRUCTOR,
        ),
        (["Instructor"], INSTRUCTOR),
        (
            [
                "http://purl.imsglobal.org/vocab/lis/v2/institution/person#Instructor",
                "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner",
            ],
            LEARNER,
        ),
        (["http://purl.imsglobal.org/vocab/lis/v2/system/person#Administrator"], ADMIN),
        ([], LEARNER),
    ],
)
def test_role_mapping(roles, expected):
    assert map_roles(roles) == expected


def test_instructor_launch_maps_role(client, lms):
    from sqlalchemy import select

    from lti_tool.extensions import db
    from lti_tool.models import LaunchSession

    lms.launch(client, roles=["http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"])
    assert db.session.scalars(select(LaunchSession)).one().role == INSTRUCTOR


def test_settings_env_overrides_defaults(tmp_path):
    env = {
        "BRANCHWISE_BASE_URL": "https://tool.example/",
        "BRANCHWISE_LAUNCH_TOKEN_TTL": "60",
        "BRANCHWISE_INSTANCE_PATH": str(tmp_path),
        "BRANCHWISE_REQUIRE_REGISTRATION_APPROVAL": "yes",
    }
    s = load_settings(environ=env)
    assert s.base_url == "https://tool.example" and s.launch_token_ttl == 60
    assert s.require_registration_approval is True
    assert s.sqlalchemy_url == f"sqlite:///{tmp_path / 'branchwise.sqlite3'}"
    assert (tmp_path / "secret_key").read_text() == s.secret_key
    assert load_settings(environ=env).secret_key == s.secret_key  # stable across workers


def test_readme_documents_every_setting():
    from lti_tool.settings import PROJECT_ROOT

    readme = (PROJECT_ROOT / "README.md").read_text()
    for name in read_defaults():
        assert f"BRANCHWISE_{name.upper()}" in readme, name


def test_cli_platform_and_tool_config(tmp_path):
    from click.testing import CliRunner

    from lti_tool.cli import main

    cli = CliRunner()
    env = {"BRANCHWISE_INSTANCE_PATH": str(tmp_path), "BRANCHWISE_BASE_URL": "https://t.example"}
    out = cli.invoke(main, ["tool-config", "--json"], env=env)
    assert out.exit_code == 0, out.output
    urls = json.loads(out.output)
    assert urls["oidc_login_url"] == "https://t.example/lti/login"
    assert {"launch_url", "deep_link_url", "jwks_url"} <= set(urls)
    added = cli.invoke(
        main,
        [
            "platform",
            "add",
            "--preset",
            "moodle",
            "--issuer",
            "https://m.example",
            "--client-id",
            "abc",
            "--deployment-id",
            "2",
        ],
        env=env,
    )
    assert added.exit_code == 0, added.output
    listed = json.loads(cli.invoke(main, ["platform", "list", "--json"], env=env).output)
    assert listed[0]["deployments"] == ["2"] and listed[0]["product"] == "moodle"
    bad = cli.invoke(main, ["platform", "add", "--client-id", "x"], env=env)
    assert bad.exit_code != 0 and "missing" in bad.output
    assert len(cli.invoke(main, ["keys", "list"], env=env).output.strip().splitlines()) == 1
    rotated = cli.invoke(main, ["keys", "rotate"], env=env)
    assert rotated.exit_code == 0 and "new signing key" in rotated.output
    assert len(cli.invoke(main, ["keys", "list"], env=env).output.strip().splitlines()) == 2
    removed = cli.invoke(main, ["platform", "remove", "https://m.example", "abc"], env=env)
    assert removed.exit_code == 0
