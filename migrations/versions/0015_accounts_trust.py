"""Accounts and trust (issue 20): email verification, two-factor sign-in, server-side sessions,
data exports, self-service deletion and suspension appeals.

API tokens gain `limited` (a suspended account's read-only token that still reaches its open routes).
Every account that exists when this lands counts as verified, and keeps its digest choice; new
accounts get digests only when they ask. Sessions move from a per-user generation in the signed
cookie to a table keyed by a random id, so existing cookies stop working once (everyone signs in again).

Revision ID: 0015_accounts_trust
Revises: 0014_uploads
Create Date: 2026-12-06 07:30:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015_accounts_trust'
down_revision = '0014_uploads'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_verified_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('deletion_scheduled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('deletion_removes_unanswered', sa.Boolean(), server_default='0',
                                      nullable=False))
        batch_op.create_index('ix_user_deletion_scheduled_at', ['deletion_scheduled_at'], unique=False)
        batch_op.alter_column('weekly_digest', server_default='0')
        batch_op.drop_column('session_generation')
    op.execute(sa.text('UPDATE "user" SET email_verified_at = created_at'))
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('limited', sa.Boolean(), server_default='0', nullable=False))

    op.create_table(
        'user_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.Column('ip_address', sa.String(length=45), nullable=True),
        sa.Column('user_agent', sa.String(length=255), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('key_hash'),
    )
    with op.batch_alter_table('user_session', schema=None) as batch_op:
        batch_op.create_index('ix_user_session_user_id', ['user_id'], unique=False)

    op.create_table(
        'recovery_code',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('code_hash', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('recovery_code', schema=None) as batch_op:
        batch_op.create_index('ix_recovery_code_user_id', ['user_id'], unique=False)

    op.create_table(
        'data_export',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('progress', sa.Integer(), nullable=False),
        sa.Column('file_name', sa.String(length=100), nullable=True),
        sa.Column('size', sa.Integer(), nullable=True),
        sa.Column('requested_at', sa.DateTime(), nullable=False),
        sa.Column('ready_at', sa.DateTime(), nullable=True),
        sa.Column('expires_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('data_export', schema=None) as batch_op:
        batch_op.create_index('ix_data_export_user_id', ['user_id'], unique=False)
        batch_op.create_index('ix_data_export_expires_at', ['expires_at'], unique=False)

    op.create_table(
        'appeal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('suspension_id', sa.Integer(), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('resolved_at', sa.DateTime(), nullable=True),
        sa.Column('resolved_by_id', sa.Integer(), nullable=True),
        sa.Column('outcome', sa.String(length=16), nullable=True),
        sa.Column('note', sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['suspension_id'], ['suspension.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['resolved_by_id'], ['user.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('appeal', schema=None) as batch_op:
        batch_op.create_index('ix_appeal_user_id', ['user_id'], unique=False)
        batch_op.create_index('ix_appeal_suspension_id', ['suspension_id'], unique=False)
        batch_op.create_index('ix_appeal_created_at', ['created_at'], unique=False)
        batch_op.create_index('ix_appeal_resolved_by_id', ['resolved_by_id'], unique=False)


def downgrade():
    op.drop_table('appeal')
    op.drop_table('data_export')
    op.drop_table('recovery_code')
    op.drop_table('user_session')
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('limited')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False))
        batch_op.alter_column('weekly_digest', server_default='1')
        batch_op.drop_index('ix_user_deletion_scheduled_at')
        batch_op.drop_column('deletion_removes_unanswered')
        batch_op.drop_column('deletion_scheduled_at')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_secret')
        batch_op.drop_column('email_verified_at')
