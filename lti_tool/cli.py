"""The ``branchwise`` command line (contract: shared/guide/interfaces.md)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import cast

import click

from lti_tool.cli_support import build_app as _app
from lti_tool.cli_support import echo_rows


@click.group()
def main() -> None:
    """Branchwise: adaptive branching modules for any LMS (LTI 1.3)."""


# -- running ------------------------------------------------------------------
@main.command()
@click.option("--port", default=5000, show_default=True,
              help="Tool port; the demo LMS uses port+1.")
@click.option("--no-browser", is_flag=True, help="Do not try to open a browser.")
def demo(port: int, no_browser: bool) -> None:
    """Run the tool and a demo LMS on 127.0.0.1 and print the course page URL."""
    from lti_tool.demo import run_demo

    run_demo(port=port, open_browser=not no_browser)


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
@click.option("--workers", default=2, show_default=True)
def serve(host: str, port: int, workers: int) -> None:
    """Run the tool alone on gunicorn (production WSGI server)."""
    from lti_tool.wsgi_server import run_gunicorn

    app = _app()
    with app.app_context():
        from lti_tool.db import migration_lock
        from lti_tool.extensions import db as database
        from lti_tool.keys.services import signing_key

        # Create the first key before workers fork, so they agree; under the start-up
        # lock so that several ``serve`` processes starting together make only one.
        with migration_lock(database.engine):
            signing_key()
        database.engine.dispose()
    run_gunicorn(host=host, port=port, workers=workers)


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every pending migration."""
    _app()
    click.echo("database is up to date")


# -- platforms ----------------------------------------------------------------
@main.group()
def platform() -> None:
    """Register LMS platforms and deployments."""


@platform.command("add")
@click.option("--issuer")
@click.option("--client-id", required=True)
@click.option("--deployment-id", "deployment_ids", multiple=True, help="Repeat for several.")
@click.option("--auth-login-url")
@click.option("--token-url")
@click.option("--jwks-url")
@click.option("--token-audience")
@click.option("--name")
@click.option("--preset", type=click.Choice(["canvas", "moodle", "blackboard", "d2l",
                                              "schoology", "sakai"]))
def platform_add(**kw) -> None:
    """Register a platform and its deployments (a preset fills what is fixed)."""
    from lti_tool.registration.services import PlatformInput, RegistrationError, add_platform

    kw["deployment_ids"] = tuple(kw["deployment_ids"])
    with _app().app_context():
        try:
            p = add_platform(PlatformInput(**kw))
        except RegistrationError as exc:
            raise click.UsageError(str(exc)) from exc
        click.echo(f"registered {p.issuer} client_id={p.client_id} "
                   f"deployments={[d.deployment_id for d in p.deployments]}")


@platform.command("list")
@click.option("--json", "as_json", is_flag=True)
def platform_list(as_json: bool) -> None:
    """List registered platforms."""
    from lti_tool.registration.services import list_platforms

    with _app().app_context():
        rows = [p.as_dict() for p in list_platforms()]
    echo_rows(
        rows,
        as_json,
        "no platforms registered",
        lambda r: f"{r['issuer']}  client_id={r['client_id']}  status={r['status']}  "
        f"deployments={','.join(r['deployments']) or '-'}",
    )


@platform.command("remove")
@click.argument("issuer")
@click.argument("client_id")
def platform_remove(issuer: str, client_id: str) -> None:
    """Remove a registration and everything recorded under it."""
    from lti_tool.registration.services import remove_platform

    with _app().app_context():
        if not remove_platform(issuer, client_id):
            raise click.ClickException(f"no platform {issuer} with client_id {client_id}")
    click.echo(f"removed {issuer} {client_id}")


@main.command("tool-config")
@click.option("--base-url", help="Public origin of the tool (default: BRANCHWISE_BASE_URL).")
@click.option("--json", "as_json", is_flag=True)
def tool_config(base_url: str | None, as_json: bool) -> None:
    """Print the URLs an admin pastes into an LMS."""
    from lti_tool.settings import load_settings
    from lti_tool.tool_urls import tool_urls

    urls = tool_urls(base_url or load_settings().base_url)
    if as_json:
        click.echo(json.dumps(urls, indent=2))
        return
    for key, value in urls.items():
        # Every value is a str but redirect_uris, a list of str.
        shown = value if isinstance(value, str) else " ".join(cast("list[str]", value))
        click.echo(f"{key:18} {shown}")


# -- keys ---------------------------------------------------------------------
@main.group()
def keys() -> None:
    """The tool's signing keys."""


@keys.command("list")
def keys_list() -> None:
    from lti_tool.keys.services import list_keys, signing_key

    with _app().app_context():
        signing_key()
        for k in list_keys():
            click.echo(f"{k.kid}  {k.status:9}  created {k.created_at:%Y-%m-%d %H:%M}")


@keys.command("rotate")
def keys_rotate() -> None:
    """Add a new signing key; the old one stays published until retired."""
    from lti_tool.keys.services import rotate

    with _app().app_context():
        key = rotate()
        click.echo(f"new signing key {key.kid}")


@keys.command("retire")
@click.argument("kid")
def keys_retire(kid: str) -> None:
    """Stop publishing an old key."""
    from lti_tool.keys.services import retire

    with _app().app_context():
        try:
            retire(kid)
        except (LookupError, ValueError) as exc:
            raise click.ClickException(str(exc)) from exc
    click.echo(f"retired {kid}")


# -- modules ------------------------------------------------------------------
@main.group()
def module() -> None:
    """Adaptive module files."""


@module.command("validate")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
def module_validate(files: tuple[Path, ...]) -> None:
    """Print every problem with file:line; exit 1 if any is an error."""
    from adaptive.modules import format_problems, validate_files

    problems = validate_files(list(files))
    if problems:
        click.echo(format_problems(problems))
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        sys.exit(1)
    warnings = f", {len(problems)} warning(s)" if problems else ""
    click.echo(f"{len(files)} file(s) valid{warnings}")


def _register_features() -> None:
    """Feature packages add their own command groups (admin, grades, model fitting)."""
    from lti_tool.admin.cli import register as register_admin
    from lti_tool.ags.cli import register as register_grades
    from lti_tool.assistant.cli import register as register_assistant
    from lti_tool.dashboard.cli import register as register_dashboard
    from lti_tool.modules.cli import register as register_module_io
    from lti_tool.xapi.cli import register as register_xapi

    for register in (register_admin, register_grades, register_dashboard, register_module_io,
                     register_xapi, register_assistant):
        register(main)
    from lti_tool.doctor import doctor

    main.add_command(doctor)


_register_features()

if __name__ == "__main__":  # pragma: no cover
    main()
