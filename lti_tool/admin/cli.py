"""``branchwise`` commands for everything the admin console does.

``register(main)`` adds ``admin create|password|list``, ``usage`` and the
``platform approve|disable|enable|add-deployment|deployment-status`` commands to
the main group (lti_tool/cli.py calls it last).
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click


def _app():
    from lti_tool.cli_support import build_app as make_app

    return make_app()


@contextmanager
def _admin_errors() -> Iterator[None]:
    """A refusal of the admin services (AdminError) ends the command as a clean CLI error."""
    from lti_tool.admin.services import AdminError

    try:
        yield
    except AdminError as exc:
        raise click.ClickException(str(exc)) from exc


_password_stdin = click.option(
    "--password-stdin", is_flag=True, help="Read the password from stdin."
)


def _read_password(password_stdin: bool) -> str:
    if password_stdin:
        # First line only, so ``echo "$PW" | branchwise admin create x --password-stdin`` works.
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _set_status(issuer: str, client_id: str, status: str) -> None:
    from lti_tool.admin.services import set_platform_status

    with _app().app_context(), _admin_errors():
        p = set_platform_status(issuer, client_id, status)
        click.echo(f"{p.issuer} client_id={p.client_id} status={p.status}")


def register(main: click.Group) -> None:
    """Attach the admin commands to the ``branchwise`` group."""

    @main.group("admin")
    def admin() -> None:
        """Accounts for the web console at /admin."""

    @admin.command("create")
    @click.argument("username")
    @_password_stdin
    def admin_create(username: str, password_stdin: bool) -> None:
        """Create a console account (prompts for the password)."""
        from lti_tool.admin.services import create_admin

        password = _read_password(password_stdin)
        with _app().app_context(), _admin_errors():
            create_admin(username, password)
        click.echo(f"admin {username} created; sign in at /admin/login")

    @admin.command("password")
    @click.argument("username")
    @_password_stdin
    def admin_password(username: str, password_stdin: bool) -> None:
        """Set a new password for a console account."""
        from lti_tool.admin.services import set_password

        password = _read_password(password_stdin)
        with _app().app_context(), _admin_errors():
            set_password(username, password)
        click.echo(f"password of {username} changed")

    @admin.command("list")
    def admin_list() -> None:
        """List console accounts."""
        from lti_tool.admin.services import list_admins

        with _app().app_context():
            admins = list_admins()
            if not admins:
                click.echo("no admin accounts; create one with: branchwise admin create NAME")
            for a in admins:
                last = f"{a.last_login_at:%Y-%m-%d %H:%M}" if a.last_login_at else "never"
                click.echo(f"{a.username}  last sign-in {last}")

    @main.command("usage")
    @click.option("--json", "as_json", is_flag=True)
    def usage_cmd(as_json: bool) -> None:
        """Launches, learners and answers per platform."""
        from lti_tool.admin.services import usage
        from lti_tool.cli_support import echo_rows

        with _app().app_context():
            rows = [u.as_dict() for u in usage()]
        echo_rows(
            rows,
            as_json,
            "no platforms registered",
            lambda r: f"{r['issuer']}  client_id={r['client_id']}  status={r['status']}  "
            f"launches={r['launches']}  learners={r['learners']}  answers={r['answers']}",
        )

    platform = main.commands["platform"]
    assert isinstance(platform, click.Group)

    @platform.command("approve")
    @click.argument("issuer")
    @click.argument("client_id")
    def platform_approve(issuer: str, client_id: str) -> None:
        """Accept launches from a pending (or disabled) registration, and apply the
        changes a re-registration proposed, if any."""
        from lti_tool.admin.services import approve_platform

        with _app().app_context(), _admin_errors():
            p = approve_platform(issuer, client_id)
            click.echo(f"{p.issuer} client_id={p.client_id} status={p.status}")

    @main.command("registration-link")
    @click.option("--hours", default=24.0, show_default=True,
                  help="How long the link stays valid (at most 168).")
    @click.option("--note", default="", help="What it is for (shown in the console).")
    @click.option("--json", "as_json", is_flag=True)
    def registration_link(hours: float, note: str, as_json: bool) -> None:
        """A single-use dynamic registration URL to paste into an LMS; a registration
        through it is active at once (any other waits for approval)."""
        import json

        from lti_tool.registration.links import LinkError, create_link

        app = _app()
        with app.app_context():
            try:
                link = create_link(app.config["BRANCHWISE"].base_url, created_by="cli",
                                   hours=hours, note=note)
            except LinkError as exc:
                raise click.ClickException(str(exc)) from exc
        if as_json:
            click.echo(json.dumps({"url": link.url, "expires_at":
                                   link.expires_at.isoformat(timespec="seconds") + "Z"}))
        else:
            click.echo(link.url)
            click.echo(f"single use, valid until {link.expires_at:%Y-%m-%d %H:%M} UTC",
                       err=True)

    @platform.command("enable")
    @click.argument("issuer")
    @click.argument("client_id")
    def platform_enable(issuer: str, client_id: str) -> None:
        """Same as approve: accept launches again."""
        _set_status(issuer, client_id, "active")

    @platform.command("disable")
    @click.argument("issuer")
    @click.argument("client_id")
    def platform_disable(issuer: str, client_id: str) -> None:
        """Refuse launches from a registration (kept, can be enabled again)."""
        _set_status(issuer, client_id, "disabled")

    @platform.command("add-deployment")
    @click.argument("issuer")
    @click.argument("client_id")
    @click.argument("deployment_id")
    def platform_add_deployment(issuer: str, client_id: str, deployment_id: str) -> None:
        """Bind a deployment id to an existing registration."""
        from lti_tool.admin.services import add_deployment

        with _app().app_context(), _admin_errors():
            said = add_deployment(issuer, client_id, deployment_id)
        click.echo(said)

    @platform.command("deployment-status")
    @click.argument("issuer")
    @click.argument("client_id")
    @click.argument("deployment_id")
    @click.argument("status", type=click.Choice(["active", "disabled"]))
    def platform_deployment_status(issuer: str, client_id: str, deployment_id: str,
                                   status: str) -> None:
        """Enable or disable one deployment."""
        from lti_tool.admin.services import set_deployment_status
        from lti_tool.registration.services import find_deployment, find_platform

        with _app().app_context():
            p = find_platform(issuer, client_id)
            d = find_deployment(p, deployment_id) if p else None
            if d is None:
                raise click.ClickException(f"no deployment {deployment_id} on {issuer} "
                                           f"{client_id}")
            with _admin_errors():
                set_deployment_status(d.id, status)
        click.echo(f"deployment {deployment_id} status={status}")
