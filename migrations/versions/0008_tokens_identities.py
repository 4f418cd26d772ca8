"""Tokens and identities: personal vs service API tokens; OpenID Connect identity links and spent nonces.

Revision ID: 0008_tokens_identities
Revises: 0007_incidents
Create Date: 2026-11-23 16:35:14.462816

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008_tokens_identities'
down_revision = '0007_incidents'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('spent_nonce',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('nonce_hash', sa.String(length=64), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spent_nonce')),
    sa.UniqueConstraint('nonce_hash', name=op.f('uq_spent_nonce_nonce_hash'))
    )
    with op.batch_alter_table('spent_nonce', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_spent_nonce_used_at'), ['used_at'], unique=False)

    op.create_table('user_identity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('issuer', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_sign_in_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_identity_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_identity')),
    sa.UniqueConstraint('issuer', 'subject', name=op.f('uq_user_identity_issuer'))
    )
    with op.batch_alter_table('user_identity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_identity_user_id'), ['user_id'], unique=False)

    # Every token minted so far was a person's own: "personal" is right for all existing rows.
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='personal', nullable=False))


def downgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('kind')

    with op.batch_alter_table('user_identity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_identity_user_id'))

    op.drop_table('user_identity')
    with op.batch_alter_table('spent_nonce', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_spent_nonce_used_at'))

    op.drop_table('spent_nonce')
