"""Extension handles, created unbound and bound in ``create_app``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask_caching import Cache
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData

# Named constraints so Alembic migrations work the same on SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING))

if TYPE_CHECKING:
    # mypy cannot use the attribute ``db.Model`` as a base class (it is built at run time), so
    # models subclass ``Model``: to the type checker a declarative base with Flask-SQLAlchemy's
    # ``query``, at run time ``db.Model`` itself.
    from flask_sqlalchemy.model import Model as _FSAModel
    from sqlalchemy.orm import DeclarativeBase

    class Model(_FSAModel, DeclarativeBase):
        pass
else:
    Model = db.Model
migrate = Migrate()
cache = Cache()
