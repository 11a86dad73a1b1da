"""``branchwise model fit [--module M]``: fit BKT and item difficulties from logged answers."""

from __future__ import annotations

import sys

import click


def register(main: click.Group) -> None:
    """Add the ``model`` command group to the ``branchwise`` CLI."""

    @main.group()
    def model() -> None:
        """Mastery model parameters fitted from the data."""

    @model.command("fit")
    @click.option("--module", "module_ids", multiple=True,
                  help="Module id (repeatable); default: every module with answers.")
    @click.option("--row-limit", type=click.IntRange(min=1), default=None,
                  help="Use only the newest N answers per module.")
    def model_fit(module_ids: tuple[str, ...], row_limit: int | None) -> None:
        """Fit BKT per skill and item difficulties, per course; the engine uses accepted fits."""
        from flask import current_app

        from lti_tool.dashboard.fitting import courses_with_answers

        app = _app_or_current(current_app)
        with app.app_context():
            from lti_tool.dashboard.views import run_fit

            # Each course is fitted from its own answers only (fits never cross tenants).
            targets = courses_with_answers(module_ids)
            if not targets:
                click.echo("No answers logged yet: nothing to fit.")
                return
            for context_pk, module_id in targets:
                click.echo(f"course {context_pk}: {run_fit(module_id, context_pk, row_limit)}")
        sys.stdout.flush()


def _app_or_current(current_app):
    """The running app under ``flask``/test runners, else a new one (``branchwise`` CLI)."""
    try:
        return current_app._get_current_object()
    except RuntimeError:
        from lti_tool.cli_support import build_app

        return build_app()
