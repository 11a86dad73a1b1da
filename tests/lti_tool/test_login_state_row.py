"""The launch reads its login state as a plain row (``launch.login_state``): the row
must keep every column of ``login_states``, or a new column would be silently missing
from the launch's view of it."""

from __future__ import annotations

from dataclasses import fields

import pytest
from sqlalchemy import Column, MetaData, String

from lti_tool.launch import login_state


def test_the_row_has_the_tables_columns_in_order() -> None:
    assert [f.name for f in fields(login_state.LoginStateRow)] == [
        c.name for c in login_state.LOGIN_STATES.columns]


def test_a_column_added_to_the_table_but_not_the_row_fails_the_check(
        monkeypatch: pytest.MonkeyPatch) -> None:
    grown = login_state.LOGIN_STATES.to_metadata(MetaData())
    grown.append_column(Column("platform_hint", String(100), nullable=True))
    monkeypatch.setattr(login_state, "LOGIN_STATES", grown)
    with pytest.raises(RuntimeError, match="platform_hint"):
        login_state._check_mirrors_table()
