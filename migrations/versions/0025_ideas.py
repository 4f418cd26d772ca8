"""Ideas board (issue 29): categories gain a kind, ideas (a thread's idea row), idea votes, status changes and
links to the questions and cases that mention an idea; search documents gain a kind.

Revision ID: 0025_ideas
Revises: 0024_stack_exchange_import
Create Date: 2026-12-07 16:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0025_ideas'
down_revision = '0024_stack_exchange_import'
branch_labels = None
depends_on = None

IDEA_STATUSES = "'new', 'under_review', 'planned', 'in_progress', 'shipped', 'declined', 'duplicate'"


def _fk(table, column, target, ondelete):
    referred = target.split('.')[0]
    return sa.ForeignKeyConstraint([column], [target], name=op.f(f'fk_{table}_{column}_{referred}'), ondelete=ondelete)


def _create_idea():
    op.create_table(
        'idea',
        sa.Column('thread_id', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=16), server_default='new', nullable=False),
        sa.Column('status_note', sa.Text(), server_default='', nullable=False),
        sa.Column('vote_count', sa.Integer(), server_default='0', nullable=False),
        sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
        sa.Column('status_changed_at', sa.DateTime(), nullable=True),
        sa.Column('status_changed_by_id', sa.Integer(), nullable=True),
        sa.Column('votes_released_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint(f'status IN ({IDEA_STATUSES})', name=op.f('ck_idea_status')),
        sa.CheckConstraint('vote_count >= 0', name=op.f('ck_idea_vote_count')),
        sa.CheckConstraint("(status = 'duplicate') = (duplicate_of_id IS NOT NULL)", name=op.f('ck_idea_duplicate')),
        sa.CheckConstraint('duplicate_of_id <> thread_id', name=op.f('ck_idea_not_self')),
        _fk('idea', 'thread_id', 'thread.id', 'CASCADE'),
        _fk('idea', 'duplicate_of_id', 'idea.thread_id', 'SET NULL'),
        _fk('idea', 'status_changed_by_id', 'user.id', 'SET NULL'),
        sa.PrimaryKeyConstraint('thread_id', name=op.f('pk_idea')),
    )
    with op.batch_alter_table('idea', schema=None) as batch_op:
        batch_op.create_index('ix_idea_status_votes', ['status', 'vote_count', 'thread_id'], unique=False)
        batch_op.create_index('ix_idea_votes', ['vote_count', 'thread_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_duplicate_of_id'), ['duplicate_of_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_status_changed_by_id'), ['status_changed_by_id'], unique=False)


def _create_idea_vote():
    op.create_table(
        'idea_vote',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('idea_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('released_at', sa.DateTime(), nullable=True),
        sa.Column('moved_from_id', sa.Integer(), nullable=True),
        _fk('idea_vote', 'user_id', 'user.id', 'CASCADE'),
        _fk('idea_vote', 'idea_id', 'idea.thread_id', 'CASCADE'),
        _fk('idea_vote', 'moved_from_id', 'idea.thread_id', 'SET NULL'),
        sa.PrimaryKeyConstraint('user_id', 'idea_id', name=op.f('pk_idea_vote')),
    )
    with op.batch_alter_table('idea_vote', schema=None) as batch_op:
        batch_op.create_index('ix_idea_vote_user_open', ['user_id', 'released_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_vote_idea_id'), ['idea_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_vote_moved_from_id'), ['moved_from_id'], unique=False)


def _create_idea_status_change():
    op.create_table(
        'idea_status_change',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('idea_id', sa.Integer(), nullable=False),
        sa.Column('from_status', sa.String(length=16), nullable=True),
        sa.Column('to_status', sa.String(length=16), nullable=False),
        sa.Column('note', sa.Text(), server_default='', nullable=False),
        sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
        sa.Column('moved_votes', sa.Integer(), server_default='0', nullable=False),
        sa.Column('returned_votes', sa.Integer(), server_default='0', nullable=False),
        sa.Column('actor_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        _fk('idea_status_change', 'idea_id', 'idea.thread_id', 'CASCADE'),
        _fk('idea_status_change', 'duplicate_of_id', 'idea.thread_id', 'SET NULL'),
        _fk('idea_status_change', 'actor_id', 'user.id', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_status_change')),
    )
    with op.batch_alter_table('idea_status_change', schema=None) as batch_op:
        batch_op.create_index('ix_idea_status_change_idea', ['idea_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_status_change_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_status_change_duplicate_of_id'), ['duplicate_of_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_status_change_actor_id'), ['actor_id'], unique=False)


def _create_idea_link():
    op.create_table(
        'idea_link',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('idea_id', sa.Integer(), nullable=False),
        sa.Column('thread_id', sa.Integer(), nullable=True),
        sa.Column('case_id', sa.Integer(), nullable=True),
        sa.Column('added_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('(thread_id IS NULL) <> (case_id IS NULL)', name=op.f('ck_idea_link_one_target')),
        _fk('idea_link', 'idea_id', 'idea.thread_id', 'CASCADE'),
        _fk('idea_link', 'thread_id', 'thread.id', 'CASCADE'),
        _fk('idea_link', 'case_id', 'case.id', 'CASCADE'),
        _fk('idea_link', 'added_by_id', 'user.id', 'SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_idea_link')),
        sa.UniqueConstraint('idea_id', 'thread_id', name='uq_idea_link_thread'),
        sa.UniqueConstraint('idea_id', 'case_id', name='uq_idea_link_case'),
    )
    with op.batch_alter_table('idea_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_idea_link_idea_id'), ['idea_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_link_thread_id'), ['thread_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_link_case_id'), ['case_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_idea_link_added_by_id'), ['added_by_id'], unique=False)


def upgrade():
    with op.batch_alter_table('category', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='threads', nullable=False))
        batch_op.create_check_constraint(op.f('ck_category_kind'), "kind IN ('threads', 'ideas')")
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('kind', sa.String(length=16), server_default='thread', nullable=False))
    _create_idea()
    _create_idea_vote()
    _create_idea_status_change()
    _create_idea_link()


def downgrade():
    op.drop_table('idea_link')
    op.drop_table('idea_status_change')
    op.drop_table('idea_vote')
    op.drop_table('idea')
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_column('kind')
    with op.batch_alter_table('category', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_category_kind'), type_='check')
        batch_op.drop_column('kind')
