"""Helpers shared by the ``branchwise`` command line and the feature CLIs.

A leaf: ``lti_tool/cli.py`` adds the feature command groups (``admin/cli.py``,
``ags/cli.py``, ...), and they need these helpers; keeping them here, not in ``cli.py``,
means no feature CLI imports the main group back (no import cycle).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from typing import Any

import click
from flask import Flask

from lti_tool import create_app
from lti_tool.db import upgrade_database


def build_app() -> Flask:
    """The app a command works on (settings from the environment), its database migrated."""
    app = create_app()
    upgrade_database(app)
    return app


def echo_rows(
    rows: Sequence[Any], as_json: bool, empty: str, line: Callable[[Any], str]
) -> None:
    """Print a listing: the rows as JSON with ``--json``, else a line each (``empty`` if none).

    Shared by the listing commands here and in the feature CLIs, so that they agree on format.
    """
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    if not rows:
        click.echo(empty)
    for r in rows:
        click.echo(line(r))
