"""line item maximum read from the LMS; the assistant's language model per course

Revision ID: 0b34a217d635
Revises: 28c211baa0d9
Create Date: 2026-12-01 13:30:00

"""
from alembic import op
import sqlalchemy as sa


revision = '0b34a217d635'
down_revision = '28c211baa0d9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('resource_links') as batch:
        batch.add_column(sa.Column('lineitem_max', sa.Float(), nullable=True))
        batch.add_column(sa.Column('lineitem_checked_at', sa.DateTime(), nullable=True))
    op.create_table(
        'assistant_course_models',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('context_pk', sa.Integer(), nullable=False),
        sa.Column('base_url', sa.String(length=1024), nullable=False),
        sa.Column('model', sa.String(length=255), nullable=False),
        sa.Column('key_encrypted', sa.Text(), nullable=True),
        sa.Column('timeout', sa.Float(), nullable=True),
        sa.Column('updated_by', sa.String(length=255), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['context_pk'], ['contexts.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('context_pk'),
    )


def downgrade():
    op.drop_table('assistant_course_models')
    with op.batch_alter_table('resource_links') as batch:
        batch.drop_column('lineitem_checked_at')
        batch.drop_column('lineitem_max')
