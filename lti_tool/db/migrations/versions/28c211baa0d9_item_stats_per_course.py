"""item_stats: scoped to the course (platform + context), like fitted_skill_params

Revision ID: 28c211baa0d9
Revises: 5e0c7a91d4b2
Create Date: 2026-12-01 13:30:00

The old rows held the difficulty from whichever course was fitted last, keyed by module only,
so every course's dashboard showed it as "all courses". They cannot be split by course
afterwards: the table is recreated empty and each course's next fit (`branchwise model fit`
or the dashboard's button) fills its own rows.
"""
from alembic import op
import sqlalchemy as sa


revision = '28c211baa0d9'
down_revision = '5e0c7a91d4b2'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table('item_stats')
    op.create_table('item_stats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('context_pk', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.String(length=100), nullable=False),
    sa.Column('item_id', sa.String(length=100), nullable=False),
    sa.Column('difficulty', sa.Double(), nullable=False),
    sa.Column('first_attempts', sa.Integer(), nullable=False),
    sa.Column('first_correct', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['context_pk'], ['contexts.id'], name=op.f('fk_item_stats_context_pk_contexts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_item_stats_platform_id_platforms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_stats')),
    sa.UniqueConstraint('context_pk', 'module_id', 'item_id', name=op.f('uq_item_stats_context_pk'))
    )


def downgrade():
    op.drop_table('item_stats')
    op.create_table('item_stats',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.String(length=100), nullable=False),
    sa.Column('item_id', sa.String(length=100), nullable=False),
    sa.Column('difficulty', sa.Double(), nullable=False),
    sa.Column('first_attempts', sa.Integer(), nullable=False),
    sa.Column('first_correct', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_item_stats')),
    sa.UniqueConstraint('module_id', 'item_id', name=op.f('uq_item_stats_module_id'))
    )
