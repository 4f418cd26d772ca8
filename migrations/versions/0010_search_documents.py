"""Search documents: the PostgreSQL search backend's weighted tsvector per thread, with a GIN index.

Written only by the worker's search jobs when HORSESHOE_SEARCH_BACKEND=postgres (the
ensure_index job fills it after this migration on existing data). On SQLite the document
column is TEXT and the table stays empty: it exists so one set of migrations fits both.

Revision ID: 0010_search_documents
Revises: 0009_analytics_indexes
Create Date: 2026-11-24 10:00:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0010_search_documents'
down_revision = '0009_analytics_indexes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'search_documents',
        sa.Column('thread_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('document', postgresql.TSVECTOR().with_variant(sa.Text(), 'sqlite'), nullable=False),
        sa.Column('title', sa.Text(), nullable=False),
        sa.Column('excerpt', sa.Text(), nullable=False),
        sa.Column('category', sa.String(length=64), nullable=False),
        sa.Column('tags', sa.Text(), nullable=False),
        sa.Column('author', sa.String(length=32), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('solved', sa.Boolean(), nullable=False),
        sa.Column('answered', sa.Boolean(), nullable=False),
        sa.Column('votes', sa.Integer(), nullable=False),
        sa.Column('created', sa.DateTime(), nullable=False),
        sa.Column('last_activity', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['thread_id'], ['thread.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('thread_id'),
    )
    op.create_index('ix_search_documents_document', 'search_documents', ['document'], unique=False,
                    postgresql_using='gin')


def downgrade():
    op.drop_index('ix_search_documents_document', table_name='search_documents', postgresql_using='gin')
    op.drop_table('search_documents')
