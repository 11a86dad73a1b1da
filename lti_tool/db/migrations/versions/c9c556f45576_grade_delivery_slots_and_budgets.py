"""grade delivery: per-learner sending slots and per-platform budgets

Revision ID: c9c556f45576
Revises: 2dd6384c7794
Create Date: 2026-12-01 10:05:00

"""
from alembic import op
import sqlalchemy as sa


revision = 'c9c556f45576'
down_revision = '2dd6384c7794'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('score_delivery_slots',
    sa.Column('user_pk', sa.Integer(), nullable=False),
    sa.Column('resource_link_pk', sa.Integer(), nullable=False),
    sa.Column('holder', sa.Integer(), nullable=True),
    sa.Column('lease_until', sa.Float(), nullable=False),
    sa.Column('last_sent_at', sa.Float(), nullable=False),
    sa.Column('last_stamp', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['resource_link_pk'], ['resource_links.id'], name=op.f('fk_score_delivery_slots_resource_link_pk_resource_links'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_pk'], ['users.id'], name=op.f('fk_score_delivery_slots_user_pk_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_pk', 'resource_link_pk', name=op.f('pk_score_delivery_slots'))
    )
    op.create_table('ags_platform_budgets',
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('next_slot_at', sa.Float(), nullable=False),
    sa.Column('interval', sa.Float(), nullable=False),
    sa.Column('resolution', sa.Float(), nullable=False),
    sa.Column('rate_limited', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_ags_platform_budgets_platform_id_platforms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('platform_id', name=op.f('pk_ags_platform_budgets'))
    )


def downgrade():
    op.drop_table('ags_platform_budgets')
    op.drop_table('score_delivery_slots')
