"""Writing and conversation (issue 22): drafts, private conversations and their flags, ignoring members,
tag descriptions and synonyms, and revisions that record title, tag and category changes with a reason.

Existing revisions were all body edits, so field defaults to "body"; existing tags get an empty description.

Revision ID: 0017_writing_conversation
Revises: 0016_scorecard_snapshots
Create Date: 2026-12-06 14:34:51

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017_writing_conversation'
down_revision = '0016_scorecard_snapshots'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('block',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('blocker_id', sa.Integer(), nullable=False),
    sa.Column('blocked_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.CheckConstraint('blocker_id <> blocked_id', name=op.f('ck_block_not_self')),
    sa.ForeignKeyConstraint(['blocked_id'], ['user.id'], name=op.f('fk_block_blocked_id_user'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['blocker_id'], ['user.id'], name=op.f('fk_block_blocker_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_block')),
    sa.UniqueConstraint('blocker_id', 'blocked_id', name='uq_block_pair')
    )
    with op.batch_alter_table('block', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_block_blocked_id'), ['blocked_id'], unique=False)

    op.create_table('conversation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('started_by_id', sa.Integer(), nullable=True),
    sa.Column('staff_started', sa.Boolean(), server_default='0', nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_message_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['started_by_id'], ['user.id'], name=op.f('fk_conversation_started_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation'))
    )
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_last_message_at'), ['last_message_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversation_started_by_id'), ['started_by_id'], unique=False)

    op.create_table('draft',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), server_default='', nullable=False),
    sa.Column('body', sa.Text(), server_default='', nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_draft_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_draft')),
    sa.UniqueConstraint('user_id', 'key', name='uq_draft_user_key')
    )
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_draft_user_id'), ['user_id'], unique=False)

    op.create_table('tag_synonym',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=32), nullable=False),
    sa.Column('tag_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['tag_id'], ['tag.id'], name=op.f('fk_tag_synonym_tag_id_tag'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tag_synonym')),
    sa.UniqueConstraint('name', name=op.f('uq_tag_synonym_name'))
    )
    with op.batch_alter_table('tag_synonym', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tag_synonym_tag_id'), ['tag_id'], unique=False)

    op.create_table('conversation_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('renderer_version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('hidden_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_conversation_message_author_id_user')),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_conversation_message_conversation_id_conversation'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_message'))
    )
    with op.batch_alter_table('conversation_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_message_author_id'), ['author_id'], unique=False)
        batch_op.create_index('ix_conversation_message_conversation', ['conversation_id', 'created_at', 'id'], unique=False)

    op.create_table('conversation_participant',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('joined_at', sa.DateTime(), nullable=False),
    sa.Column('last_read_at', sa.DateTime(), nullable=True),
    sa.Column('left_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_conversation_participant_conversation_id_conversation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_conversation_participant_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_participant')),
    sa.UniqueConstraint('conversation_id', 'user_id', name='uq_conversation_participant')
    )
    with op.batch_alter_table('conversation_participant', schema=None) as batch_op:
        batch_op.create_index('ix_conversation_participant_user', ['user_id', 'conversation_id'], unique=False)

    op.create_table('conversation_flag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('conversation_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('reason', sa.String(length=16), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.Column('resolved_by_id', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.ForeignKeyConstraint(['conversation_id'], ['conversation.id'], name=op.f('fk_conversation_flag_conversation_id_conversation'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['message_id'], ['conversation_message.id'], name=op.f('fk_conversation_flag_message_id_conversation_message'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['resolved_by_id'], ['user.id'], name=op.f('fk_conversation_flag_resolved_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_conversation_flag_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_conversation_flag')),
    sa.UniqueConstraint('message_id', 'user_id', name='uq_conversation_flag_message_user')
    )
    with op.batch_alter_table('conversation_flag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_flag_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversation_flag_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversation_flag_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversation_flag_resolved_by_id'), ['resolved_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_conversation_flag_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('conversation_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_notification_conversation_id'), ['conversation_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_notification_conversation_id_conversation'), 'conversation', ['conversation_id'], ['id'], ondelete='CASCADE')

    with op.batch_alter_table('post_revision', schema=None) as batch_op:
        batch_op.add_column(sa.Column('field', sa.String(length=16), server_default='body', nullable=False))
        batch_op.add_column(sa.Column('reason', sa.Text(), nullable=True))

    with op.batch_alter_table('tag', schema=None) as batch_op:
        batch_op.add_column(sa.Column('description', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('description_html', sa.Text(), server_default='', nullable=False))



def downgrade():
    with op.batch_alter_table('tag', schema=None) as batch_op:
        batch_op.drop_column('description_html')
        batch_op.drop_column('description')

    with op.batch_alter_table('post_revision', schema=None) as batch_op:
        batch_op.drop_column('reason')
        batch_op.drop_column('field')

    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_notification_conversation_id_conversation'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_notification_conversation_id'))
        batch_op.drop_column('conversation_id')

    with op.batch_alter_table('conversation_flag', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_flag_user_id'))
        batch_op.drop_index(batch_op.f('ix_conversation_flag_resolved_by_id'))
        batch_op.drop_index(batch_op.f('ix_conversation_flag_message_id'))
        batch_op.drop_index(batch_op.f('ix_conversation_flag_created_at'))
        batch_op.drop_index(batch_op.f('ix_conversation_flag_conversation_id'))

    op.drop_table('conversation_flag')
    with op.batch_alter_table('conversation_participant', schema=None) as batch_op:
        batch_op.drop_index('ix_conversation_participant_user')

    op.drop_table('conversation_participant')
    with op.batch_alter_table('conversation_message', schema=None) as batch_op:
        batch_op.drop_index('ix_conversation_message_conversation')
        batch_op.drop_index(batch_op.f('ix_conversation_message_author_id'))

    op.drop_table('conversation_message')
    with op.batch_alter_table('tag_synonym', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tag_synonym_tag_id'))

    op.drop_table('tag_synonym')
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_draft_user_id'))

    op.drop_table('draft')
    with op.batch_alter_table('conversation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_started_by_id'))
        batch_op.drop_index(batch_op.f('ix_conversation_last_message_at'))

    op.drop_table('conversation')
    with op.batch_alter_table('block', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_block_blocked_id'))

    op.drop_table('block')
