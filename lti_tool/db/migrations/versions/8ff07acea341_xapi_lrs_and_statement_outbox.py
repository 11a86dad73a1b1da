"""xAPI: an LRS per deployment and the outbox of statements to send

Revision ID: 8ff07acea341
Revises: bcf7c4ad0362
Create Date: 2026-12-01 10:15:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '8ff07acea341'
down_revision = 'bcf7c4ad0362'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('xapi_lrs',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('deployment_pk', sa.Integer(), nullable=False),
    sa.Column('endpoint', sa.String(length=1024), nullable=False),
    sa.Column('username', sa.String(length=255), nullable=False),
    sa.Column('password', sa.Text(), nullable=False),
    sa.Column('enabled', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['deployment_pk'], ['deployments.id'], name=op.f('fk_xapi_lrs_deployment_pk_deployments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_xapi_lrs')),
    sa.UniqueConstraint('deployment_pk', name=op.f('uq_xapi_lrs_deployment_pk'))
    )
    op.create_table('xapi_statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('statement_id', sa.String(length=36), nullable=False),
    sa.Column('deployment_pk', sa.Integer(), nullable=False),
    sa.Column('user_pk', sa.Integer(), nullable=False),
    sa.Column('verb', sa.String(length=40), nullable=False),
    sa.Column('statement', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('tries', sa.Integer(), nullable=False),
    sa.Column('next_try_at', sa.DateTime(), nullable=False),
    sa.Column('claimed_at', sa.DateTime(), nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('sent_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['deployment_pk'], ['deployments.id'], name=op.f('fk_xapi_statements_deployment_pk_deployments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_pk'], ['users.id'], name=op.f('fk_xapi_statements_user_pk_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_xapi_statements')),
    sa.UniqueConstraint('statement_id', name=op.f('uq_xapi_statements_statement_id'))
    )
    op.create_index('ix_xapi_statements_learner_status', 'xapi_statements', ['deployment_pk', 'user_pk', 'status'], unique=False)
    op.create_index('ix_xapi_statements_status_next', 'xapi_statements', ['status', 'next_try_at'], unique=False)


def downgrade():
    op.drop_index('ix_xapi_statements_status_next', table_name='xapi_statements')
    op.drop_index('ix_xapi_statements_learner_status', table_name='xapi_statements')
    op.drop_table('xapi_statements')
    op.drop_table('xapi_lrs')
