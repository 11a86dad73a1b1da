"""A login state as the launch reads it: one plain row, not an ORM object.

The id_token POST reads its login state once and changes it with one conditional
UPDATE (``launch.services._consume``); building and tracking a mapped ``LoginState``
for that cost more CPU than the query. ``LoginStateRow`` mirrors the table, and the
check below fails at import if a column is added to ``login_states`` without it, so
a new column cannot be silently left out of the launch's view.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import Table

from lti_tool.models import LoginState

LOGIN_STATES: Table = LoginState.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class LoginStateRow:
    """One row of ``login_states``, fields in the table's column order (so a row of
    ``select(*LOGIN_STATES.c)`` builds it positionally)."""

    state: str
    nonce: str
    binding: str
    issuer: str
    client_id: str
    target_link_uri: str
    storage_target: str | None
    storage_origin: str | None
    restart_url: str | None
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


def _check_mirrors_table() -> None:
    """Raise (not assert: ``python -O`` would skip it) if the dataclass and the table differ."""
    columns = tuple(column.name for column in LOGIN_STATES.columns)
    names = tuple(field.name for field in fields(LoginStateRow))
    if names != columns:
        raise RuntimeError(f"LoginStateRow fields {names} do not match the columns of "
                           f"login_states {columns}: update lti_tool/launch/login_state.py")


_check_mirrors_table()
