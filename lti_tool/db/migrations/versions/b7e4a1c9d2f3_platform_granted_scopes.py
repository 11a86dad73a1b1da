"""platforms: the scopes granted at dynamic registration

Revision ID: b7e4a1c9d2f3
Revises: 9c1d2e7f0a55
Create Date: 2026-11-26 19:35:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'b7e4a1c9d2f3'
down_revision = '9c1d2e7f0a55'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('platforms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('granted_scopes', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('platforms', schema=None) as batch_op:
        batch_op.drop_column('granted_scopes')
