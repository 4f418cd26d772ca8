"""Category thread counts kept in the row, and an index for pinned threads (issue 10: nothing grows with size).

The home page counted every thread per request; category.thread_count is now kept exact by
forum.services.category_counts, and this revision fills it from the thread table. Pinned threads
above a category's list are found through ix_thread_category_pinned instead of a category scan.

Revision ID: 0012_category_counts
Revises: 0011_foreign_key_indexes
Create Date: 2026-11-23 20:45:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0012_category_counts'
down_revision = '0011_foreign_key_indexes'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('category', schema=None) as batch_op:
        batch_op.add_column(sa.Column('thread_count', sa.Integer(), server_default='0', nullable=False))
    op.execute(
        "UPDATE category SET thread_count = (SELECT count(thread.id) FROM thread WHERE thread.category_id = category.id"
        " AND thread.deleted_at IS NULL AND thread.visibility = 'public')"
    )
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.create_index('ix_thread_category_pinned', ['category_id', 'pinned', 'last_activity_at'], unique=False)


def downgrade():
    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.drop_index('ix_thread_category_pinned')
    with op.batch_alter_table('category', schema=None) as batch_op:
        batch_op.drop_column('thread_count')
