"""module_drafts: modules being edited in the browser editor

Revision ID: 84f20f6d165a
Revises: 0b34a217d635
Create Date: 2026-12-01 13:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '84f20f6d165a'
down_revision = '0b34a217d635'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'module_drafts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('platform_id', sa.Integer(), nullable=False),
        sa.Column('context_pk', sa.Integer(), nullable=True),
        sa.Column('author_user_pk', sa.Integer(), nullable=True),
        sa.Column('data', sa.JSON(), nullable=False),
        sa.Column('published_version', sa.String(length=40), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['context_pk'], ['contexts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['author_user_pk'], ['users.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_module_drafts_context_pk', 'module_drafts', ['context_pk'])


def downgrade():
    op.drop_table('module_drafts')
