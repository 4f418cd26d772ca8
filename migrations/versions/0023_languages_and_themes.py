"""Languages and themes (issue 27): each member's language (None follows the browser) and light, dark or
automatic theme. Their time zone column already existed (default UTC) and is now used.

Revision ID: 0023_languages_and_themes
Revises: 0022_similar_question_vectors
Create Date: 2026-12-07 09:10:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0023_languages_and_themes'
down_revision = '0022_similar_question_vectors'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('theme', sa.String(length=8), server_default='auto', nullable=False))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('theme')
        batch_op.drop_column('language')
