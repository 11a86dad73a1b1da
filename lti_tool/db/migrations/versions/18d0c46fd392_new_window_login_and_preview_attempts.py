"""login_states.restart_url (the "open in a new window" fallback); attempts.preview

Revision ID: 18d0c46fd392
Revises: c9c556f45576
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '18d0c46fd392'
down_revision = 'c9c556f45576'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('login_states', schema=None) as batch_op:
        batch_op.add_column(sa.Column('restart_url', sa.Text(), nullable=True))
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('preview', sa.Boolean(), nullable=False,
                                      server_default=sa.false()))


def downgrade():
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_column('preview')
    with op.batch_alter_table('login_states', schema=None) as batch_op:
        batch_op.drop_column('restart_url')
