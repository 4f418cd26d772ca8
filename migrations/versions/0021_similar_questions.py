"""Similar questions and duplicates (issue 26): a thread marked as a duplicate points to where it is answered;
each marked pair is kept as a labelled example.

Revision ID: 0021_similar_questions
Revises: 0020_knowledge_base
Create Date: 2026-12-07 01:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0021_similar_questions'
down_revision = '0020_knowledge_base'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.add_column(sa.Column('duplicate_of_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_thread_duplicate_of_id'), ['duplicate_of_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_thread_duplicate_of_id_thread'), 'thread', ['duplicate_of_id'],
                                    ['id'])
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('staff_answered', sa.Boolean(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('best_reply_votes', sa.Integer(), server_default='0', nullable=False))
    op.create_table(
        'duplicate_pair',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('thread_id', sa.Integer(), nullable=False),
        sa.Column('target_id', sa.Integer(), nullable=False),
        sa.Column('marked_by_id', sa.Integer(), nullable=True),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('target_title', sa.String(length=200), nullable=False),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['marked_by_id'], ['user.id'], name=op.f('fk_duplicate_pair_marked_by_id_user'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['target_id'], ['thread.id'], name=op.f('fk_duplicate_pair_target_id_thread'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['thread_id'], ['thread.id'], name=op.f('fk_duplicate_pair_thread_id_thread'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_duplicate_pair')),
        sa.UniqueConstraint('thread_id', name='uq_duplicate_pair_thread'),
    )
    with op.batch_alter_table('duplicate_pair', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_duplicate_pair_marked_by_id'), ['marked_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duplicate_pair_target_id'), ['target_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_duplicate_pair_thread_id'), ['thread_id'], unique=False)


def downgrade():
    op.drop_table('duplicate_pair')
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_column('best_reply_votes')
        batch_op.drop_column('staff_answered')
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_thread_duplicate_of_id_thread'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_thread_duplicate_of_id'))
        batch_op.drop_column('duplicate_of_id')
