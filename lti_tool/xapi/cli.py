"""``branchwise xapi``: per-deployment LRS settings, the statement outbox, replays."""

from __future__ import annotations

import json
from datetime import datetime

import click


def register(main: click.Group) -> None:
    """Add the ``xapi`` group to the ``branchwise`` CLI."""
    from lti_tool.cli_support import build_app as _app
    from lti_tool.cli_support import echo_rows

    @main.group()
    def xapi() -> None:
        """xAPI statements to a learning record store (docs/xapi.md)."""

    @xapi.command("set")
    @click.option("--issuer", required=True)
    @click.option("--client-id", required=True)
    @click.option("--deployment-id", required=True)
    @click.option("--endpoint", required=True, help="The LRS's xAPI base URL (…/xAPI/).")
    @click.option("--username", default="", help="Basic auth user (key) at the LRS.")
    @click.option("--password", default="", envvar="BRANCHWISE_XAPI_LRS_PASSWORD",
                  help="Basic auth secret (or env BRANCHWISE_XAPI_LRS_PASSWORD).")
    @click.option("--disabled", is_flag=True, help="Store the settings but send nothing.")
    def xapi_set(issuer: str, client_id: str, deployment_id: str, endpoint: str,
                 username: str, password: str, disabled: bool) -> None:
        """Send this deployment's learning events to an LRS."""
        from lti_tool.xapi.services import LrsError, LrsInput, set_lrs

        with _app().app_context():
            try:
                set_lrs(LrsInput(issuer, client_id, deployment_id, endpoint, username,
                                 password, enabled=not disabled))
            except LrsError as exc:
                raise click.UsageError(str(exc)) from exc
        click.echo(f"deployment {deployment_id} of {issuer}: statements go to {endpoint}"
                   + (" (disabled)" if disabled else ""))

    @xapi.command("remove")
    @click.option("--issuer", required=True)
    @click.option("--client-id", required=True)
    @click.option("--deployment-id", required=True)
    def xapi_remove(issuer: str, client_id: str, deployment_id: str) -> None:
        """Stop sending statements for a deployment."""
        from lti_tool.xapi.services import LrsError, remove_lrs

        with _app().app_context():
            try:
                removed = remove_lrs(issuer, client_id, deployment_id)
            except LrsError as exc:
                raise click.UsageError(str(exc)) from exc
        click.echo("removed" if removed else "no LRS was set for that deployment")

    @xapi.command("list")
    @click.option("--json", "as_json", is_flag=True)
    def xapi_list(as_json: bool) -> None:
        """Configured LRSs and their statements per status."""
        from lti_tool.xapi.services import list_lrs

        with _app().app_context():
            rows = list_lrs()
        echo_rows(rows, as_json, "no LRS configured",
                  lambda r: f"{r['issuer']} {r['client_id']} {r['deployment_id']} -> "
                            f"{r['endpoint']} {'on' if r['enabled'] else 'off'} "
                            f"{json.dumps(r['statements'])}")

    @xapi.command("replay")
    @click.option("--since", type=click.DateTime(), default=None,
                  help="Also send again the statements sent since this UTC time.")
    def xapi_replay(since: datetime | None) -> None:
        """Send failed statements again (idempotent: the LRS keeps one per id)."""
        from lti_tool.xapi.services import replay

        app = _app()
        with app.app_context():
            count = replay(app, since=since)
        click.echo(f"{count} statement(s) queued again")
