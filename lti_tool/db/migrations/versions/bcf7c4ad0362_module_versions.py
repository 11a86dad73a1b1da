"""module_versions: a teacher's module as courses linked to it

Revision ID: bcf7c4ad0362
Revises: 18d0c46fd392
Create Date: 2026-12-01 10:20:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'bcf7c4ad0362'
down_revision = '18d0c46fd392'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'module_versions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('module_id', sa.String(length=100), nullable=False),
        sa.Column('version', sa.String(length=40), nullable=False),
        sa.Column('source', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_module_versions')),
        sa.UniqueConstraint('module_id', 'version',
                            name=op.f('uq_module_versions_module_id')),
    )


def downgrade():
    op.drop_table('module_versions')
