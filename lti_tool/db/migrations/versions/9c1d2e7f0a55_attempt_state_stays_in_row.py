"""attempts: keep the engine state in the row, uncompressed (PostgreSQL)

Revision ID: 9c1d2e7f0a55
Revises: 4586fc2a1e6a
Create Date: 2026-11-26 18:20:00

Every answer rewrites ``attempts.state``, a JSON document of about 2 kB. Above
PostgreSQL's default ``toast_tuple_target`` (2,032 bytes) each new row version
is compressed first, which cost the database a fifth of its CPU time per answer
in ``bench/answer_step.py``. A row of up to a page (8,160 bytes) stays as it is.
SQLite has no such setting.
"""
from alembic import op


revision = '9c1d2e7f0a55'
down_revision = '4586fc2a1e6a'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE attempts SET (toast_tuple_target = 8160)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE attempts RESET (toast_tuple_target)")
