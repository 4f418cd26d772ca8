"""Analytics: a covering index on post (thread, author, time, …) for first replies and sentiment shift.

Measured on the 40,000-post corpus (bench/RESULTS.md): PostgreSQL read the whole post table for the
per-thread first-reply and asker-sentiment windows; with this index it reads only the index
(summary for 90 days 189 → 72 ms); SQLite 1.3–1.5× faster.

Revision ID: 0009_analytics_indexes
Revises: 0008_tokens_identities
Create Date: 2026-11-23 17:02:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0009_analytics_indexes'
down_revision = '0008_tokens_identities'
branch_labels = None
depends_on = None

COLUMNS = ["thread_id", "author_id", "created_at", "id", "is_question", "deleted_at", "visibility", "sentiment"]


def upgrade():
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.create_index('ix_post_thread_author', COLUMNS, unique=False)


def downgrade():
    with op.batch_alter_table('post', schema=None) as batch_op:
        batch_op.drop_index('ix_post_thread_author')
