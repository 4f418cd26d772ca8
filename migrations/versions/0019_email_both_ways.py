"""Email both ways (issue 24): messages received by email, the health of each address mail goes to,
threading and reply addresses on outbound mail, a category's address and accounts staged from email.

Revision ID: 0019_email_both_ways
Revises: 0018_look_and_feel
Create Date: 2026-12-06 19:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0019_email_both_ways'
down_revision = '0018_look_and_feel'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'inbound_mail',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=False),
        sa.Column('message_id', sa.String(length=255), nullable=False),
        sa.Column('channel', sa.String(length=8), nullable=False),
        sa.Column('from_address', sa.String(length=254), nullable=False),
        sa.Column('to_address', sa.String(length=254), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('body_text', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=12), nullable=False),
        sa.Column('outcome', sa.String(length=300), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('category_id', sa.Integer(), nullable=True),
        sa.Column('thread_id', sa.Integer(), nullable=True),
        sa.Column('post_id', sa.Integer(), nullable=True),
        sa.Column('case_message_id', sa.Integer(), nullable=True),
        sa.Column('conversation_message_id', sa.Integer(), nullable=True),
        sa.Column('raw', sa.LargeBinary(), nullable=True),
        sa.Column('received_at', sa.DateTime(), nullable=False),
        sa.Column('processed_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_inbound_mail_user_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_inbound_mail_category_id_category'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['thread_id'], ['thread.id'], name=op.f('fk_inbound_mail_thread_id_thread'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_inbound_mail_post_id_post'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['case_message_id'], ['case_message.id'], name=op.f('fk_inbound_mail_case_message_id_case_message'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['conversation_message_id'], ['conversation_message.id'], name=op.f('fk_inbound_mail_conversation_message_id_conversation_message'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_inbound_mail')),
        sa.UniqueConstraint('digest', name=op.f('uq_inbound_mail_digest')),
    )
    with op.batch_alter_table('inbound_mail', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_inbound_mail_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbound_mail_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbound_mail_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbound_mail_received_at'), ['received_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbound_mail_category_id'), ['category_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbound_mail_thread_id'), ['thread_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbound_mail_post_id'), ['post_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbound_mail_case_message_id'), ['case_message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_inbound_mail_conversation_message_id'), ['conversation_message_id'], unique=False)
    op.create_table(
        'mail_address_health',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('address', sa.String(length=254), nullable=False),
        sa.Column('bounce_count', sa.Integer(), nullable=False),
        sa.Column('last_bounced_at', sa.DateTime(), nullable=True),
        sa.Column('last_reason', sa.Text(), nullable=False),
        sa.Column('suppressed_at', sa.DateTime(), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_address_health')),
        sa.UniqueConstraint('address', name=op.f('uq_mail_address_health_address')),
    )
    with op.batch_alter_table('outbound_email', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reply_to', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('in_reply_to', sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column('references', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('essential', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('discarded_at', sa.DateTime(), nullable=True))
    with op.batch_alter_table('category', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email_address', sa.String(length=254), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_category_email_address'), ['email_address'])
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('staged_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('staged_at')
    with op.batch_alter_table('category', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_category_email_address'), type_='unique')
        batch_op.drop_column('email_address')
    with op.batch_alter_table('outbound_email', schema=None) as batch_op:
        for column in ('discarded_at', 'essential', 'references', 'in_reply_to', 'reply_to'):
            batch_op.drop_column(column)
    op.drop_table('mail_address_health')
    op.drop_table('inbound_mail')
