"""assistant: the questions learners ask, with skill and reply

Revision ID: 5e0c7a91d4b2
Revises: 8ff07acea341
Create Date: 2026-12-01 10:00:00

"""
from alembic import op
import sqlalchemy as sa


revision = '5e0c7a91d4b2'
down_revision = '8ff07acea341'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'assistant_questions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('context_pk', sa.Integer(), nullable=False),
        sa.Column('resource_link_pk', sa.Integer(), nullable=False),
        sa.Column('user_pk', sa.Integer(), nullable=False),
        sa.Column('module_id', sa.String(length=100), nullable=False),
        sa.Column('item_id', sa.String(length=100), nullable=True),
        sa.Column('skill_id', sa.String(length=100), nullable=True),
        sa.Column('question', sa.Text(), nullable=False),
        sa.Column('answer', sa.JSON(), nullable=False),
        sa.Column('asked_for_answer', sa.Boolean(), nullable=False),
        sa.Column('confused', sa.Boolean(), nullable=False),
        sa.Column('repeated', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['context_pk'], ['contexts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['resource_link_pk'], ['resource_links.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_pk'], ['users.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_assistant_questions_context_pk', 'assistant_questions', ['context_pk'])
    op.create_index('ix_assistant_questions_link_created', 'assistant_questions',
                    ['resource_link_pk', 'created_at'])
    op.create_index('ix_assistant_questions_user_link', 'assistant_questions',
                    ['user_pk', 'resource_link_pk'])


def downgrade():
    op.drop_table('assistant_questions')
