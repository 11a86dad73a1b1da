"""answer_event_variant: the numbers a learner saw on an item with variants

Revision ID: af1d95269673
Revises: 84f20f6d165a
Create Date: 2026-12-01 17:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'af1d95269673'
down_revision = '84f20f6d165a'
branch_labels = None
depends_on = None


def upgrade():
    # Nullable, no default: rows from before have no record of the numbers shown (the
    # dashboard shows the authored text for them, with a note).
    with op.batch_alter_table('answer_events') as batch:
        batch.add_column(sa.Column('variant', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('answer_events') as batch:
        batch.drop_column('variant')
