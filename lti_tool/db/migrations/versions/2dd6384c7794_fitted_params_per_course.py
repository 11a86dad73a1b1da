"""fitted_skill_params: scoped to the course (platform + context), rejected fits with reasons

Revision ID: 2dd6384c7794
Revises: 48b1f6f9ff20
Create Date: 2026-12-01 11:05:00

The old rows were fitted from every course's answers at once, which is exactly what this
revision forbids (one tenant's learners must never change another tenant's engine), and they
cannot be split afterwards: the table is recreated empty and each course refits
(`branchwise model fit` or the dashboard's button).
"""
from alembic import op
import sqlalchemy as sa


revision = '2dd6384c7794'
down_revision = '48b1f6f9ff20'
branch_labels = None
depends_on = None


def upgrade():
    op.drop_table('fitted_skill_params')
    op.create_table('fitted_skill_params',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('context_pk', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.String(length=100), nullable=False),
    sa.Column('skill_id', sa.String(length=100), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('n_learners', sa.Integer(), nullable=False),
    sa.Column('n_answers', sa.Integer(), nullable=False),
    sa.Column('log_likelihood', sa.Double(), nullable=True),
    sa.Column('fitted_at', sa.DateTime(), nullable=False),
    sa.Column('accepted', sa.Boolean(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['context_pk'], ['contexts.id'], name=op.f('fk_fitted_skill_params_context_pk_contexts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_fitted_skill_params_platform_id_platforms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fitted_skill_params')),
    sa.UniqueConstraint('context_pk', 'module_id', 'skill_id', name=op.f('uq_fitted_skill_params_context_pk'))
    )


def downgrade():
    op.drop_table('fitted_skill_params')
    op.create_table('fitted_skill_params',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.String(length=100), nullable=False),
    sa.Column('skill_id', sa.String(length=100), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('n_learners', sa.Integer(), nullable=False),
    sa.Column('n_answers', sa.Integer(), nullable=False),
    sa.Column('log_likelihood', sa.Double(), nullable=True),
    sa.Column('fitted_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fitted_skill_params')),
    sa.UniqueConstraint('module_id', 'skill_id', name=op.f('uq_fitted_skill_params_module_id'))
    )
