"""registration links (single-use, expiring), pending re-registration updates, admin session epochs

Revision ID: 48b1f6f9ff20
Revises: b7e4a1c9d2f3
Create Date: 2026-12-01 10:10:00

"""
from alembic import op
import sqlalchemy as sa


revision = '48b1f6f9ff20'
down_revision = 'b7e4a1c9d2f3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'registration_links',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('note', sa.String(length=200), nullable=False),
        sa.Column('created_by', sa.String(length=100), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.Column('platform_id', sa.Integer(), nullable=True),
        sa.Column('revoked', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'],
                                name=op.f('fk_registration_links_platform_id_platforms'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_registration_links')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_registration_links_token_hash')),
    )
    with op.batch_alter_table('platforms', schema=None) as batch_op:
        batch_op.add_column(sa.Column('pending_update', sa.JSON(), nullable=True))
    with op.batch_alter_table('admin_users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_epoch', sa.Integer(), nullable=False,
                                      server_default='0'))


def downgrade():
    with op.batch_alter_table('admin_users', schema=None) as batch_op:
        batch_op.drop_column('session_epoch')
    with op.batch_alter_table('platforms', schema=None) as batch_op:
        batch_op.drop_column('pending_update')
    op.drop_table('registration_links')
