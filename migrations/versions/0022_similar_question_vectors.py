"""Similar questions on PostgreSQL pick and rank their candidates on the question as asked (title and question
text, a small tsvector with its own GIN index) and read BM25's field lengths from stored counts (issue 26:
working on the whole thread's tsvector decompressed every matching thread, 285-487 ms p95 at 40,000 posts).
Existing rows get theirs here; `flask search reindex` writes the same.

Revision ID: 0022_similar_question_vectors
Revises: 0021_similar_questions
Create Date: 2026-12-07 05:20:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0022_similar_question_vectors'
down_revision = '0021_similar_questions'
branch_labels = None
depends_on = None

# The stored text has no separate question part: the row's title and excerpt (the question's first words) stand in
# until the next `flask search reindex` or the next change to the thread writes the whole question.
FILL_QUESTION_DOCUMENTS = """
UPDATE search_documents SET question_document = setweight(to_tsvector('english'::regconfig, title), 'A')
                                               || setweight(to_tsvector('english'::regconfig, excerpt), 'C')
"""
FILL_LENGTHS = """
UPDATE search_documents d SET title_length = l.a, accepted_length = l.b, document_length = l.total
FROM (
    SELECT s.thread_id, count(*) FILTER (WHERE w = 'A') AS a, count(*) FILTER (WHERE w = 'B') AS b,
           count(*) AS total
    FROM search_documents s, unnest(s.document) u, unnest(u.weights) w
    GROUP BY s.thread_id
) AS l
WHERE d.thread_id = l.thread_id
"""


def upgrade():
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('question_document', postgresql.TSVECTOR().with_variant(sa.Text(), 'sqlite'),
                                      nullable=True))
        batch_op.add_column(sa.Column('title_length', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('accepted_length', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('document_length', sa.Integer(), server_default='0', nullable=False))
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(FILL_QUESTION_DOCUMENTS)
        op.execute(FILL_LENGTHS)
    op.create_index('ix_search_documents_question_document', 'search_documents', ['question_document'],
                    unique=False, postgresql_using='gin')


def downgrade():
    op.drop_index('ix_search_documents_question_document', table_name='search_documents', postgresql_using='gin')
    with op.batch_alter_table('search_documents', schema=None) as batch_op:
        batch_op.drop_column('document_length')
        batch_op.drop_column('accepted_length')
        batch_op.drop_column('title_length')
        batch_op.drop_column('question_document')
