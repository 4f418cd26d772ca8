"""Stack Exchange import (issue 28): each imported record mapped to the row it became, with the source
address, author and licence its attribution shows, and the post's imported score.

Revision ID: 0024_stack_exchange_import
Revises: 0023_languages_and_themes
Create Date: 2026-12-07 12:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0024_stack_exchange_import'
down_revision = '0023_languages_and_themes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'imported_record',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=200), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('source_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=True),
        sa.Column('post_id', sa.Integer(), nullable=True),
        sa.Column('thread_id', sa.Integer(), nullable=True),
        sa.Column('source_url', sa.String(length=500), nullable=True),
        sa.Column('author', sa.String(length=150), nullable=True),
        sa.Column('licence', sa.String(length=32), nullable=True),
        sa.Column('score', sa.Integer(), server_default='0', nullable=False),
        sa.Column('imported_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['post_id'], ['post.id'], name=op.f('fk_imported_record_post_id_post'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['thread_id'], ['thread.id'], name=op.f('fk_imported_record_thread_id_thread'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_imported_record_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_imported_record')),
        sa.UniqueConstraint('source', 'kind', 'source_id', name='uq_imported_record_source_kind_id'),
    )
    with op.batch_alter_table('imported_record', schema=None) as batch_op:
        batch_op.create_index('ix_imported_record_kind_source_id', ['kind', 'source_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_imported_record_post_id'), ['post_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_imported_record_thread_id'), ['thread_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_imported_record_user_id'), ['user_id'], unique=False)


def downgrade():
    op.drop_table('imported_record')
