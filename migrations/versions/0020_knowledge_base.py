"""Knowledge base (issue 25): articles with versions, tags, feedback and the threads that link to them;
suggestions opened from the ask page (deflection); an article's attachments, ledger rows and notifications;
the published article born from a thread.

Revision ID: 0020_knowledge_base
Revises: 0019_email_both_ways
Create Date: 2026-12-06 22:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0020_knowledge_base'
down_revision = '0019_email_both_ways'
branch_labels = None
depends_on = None

OLD_ONE_TARGET = "(post_id IS NULL) <> (case_message_id IS NULL)"
ONE_TARGET = ("(CASE WHEN post_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN case_message_id IS NULL THEN 0 ELSE 1 END)"
              " + (CASE WHEN article_id IS NULL THEN 0 ELSE 1 END) = 1")


def upgrade():
    op.create_table(
        'article',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('slug', sa.String(length=80), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=False),
        sa.Column('owner_id', sa.Integer(), nullable=True),
        sa.Column('source_thread_id', sa.Integer(), nullable=True),
        sa.Column('source_case_id', sa.Integer(), nullable=True),
        sa.Column('version_count', sa.Integer(), server_default='1', nullable=False),
        sa.Column('helpful_count', sa.Integer(), server_default='0', nullable=False),
        sa.Column('not_helpful_count', sa.Integer(), server_default='0', nullable=False),
        sa.Column('view_count', sa.Integer(), server_default='0', nullable=False),
        sa.Column('deflection_count', sa.Integer(), server_default='0', nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('published_at', sa.DateTime(), nullable=True),
        sa.Column('reviewed_at', sa.DateTime(), nullable=True),
        sa.Column('review_reminded_at', sa.DateTime(), nullable=True),
        sa.Column('archived_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_article_author_id_user')),
        sa.ForeignKeyConstraint(['category_id'], ['category.id'], name=op.f('fk_article_category_id_category')),
        sa.ForeignKeyConstraint(['owner_id'], ['user.id'], name=op.f('fk_article_owner_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['source_case_id'], ['case.id'], name=op.f('fk_article_source_case_id_case'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['source_thread_id'], ['thread.id'], name=op.f('fk_article_source_thread_id_thread'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_article')),
    )
    with op.batch_alter_table('article', schema=None) as batch_op:
        batch_op.create_index('ix_article_status_category', ['status', 'category_id', 'published_at'], unique=False)
        batch_op.create_index('ix_article_status_reviewed', ['status', 'reviewed_at'], unique=False)
        for column in ('category_id', 'author_id', 'owner_id', 'source_thread_id', 'source_case_id'):
            batch_op.create_index(batch_op.f(f'ix_article_{column}'), [column], unique=False)

    op.create_table(
        'article_tag',
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('tag_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['article_id'], ['article.id'], name=op.f('fk_article_tag_article_id_article'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['tag_id'], ['tag.id'], name=op.f('fk_article_tag_tag_id_tag'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('article_id', 'tag_id', name=op.f('pk_article_tag')),
    )
    with op.batch_alter_table('article_tag', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_tag_tag_id'), ['tag_id'], unique=False)

    op.create_table(
        'article_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('title', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('editor_id', sa.Integer(), nullable=True),
        sa.Column('note', sa.String(length=200), server_default='', nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['article_id'], ['article.id'], name=op.f('fk_article_version_article_id_article'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['editor_id'], ['user.id'], name=op.f('fk_article_version_editor_id_user'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_article_version')),
        sa.UniqueConstraint('article_id', 'number', name='uq_article_version_number'),
    )
    with op.batch_alter_table('article_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_version_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_article_version_editor_id'), ['editor_id'], unique=False)

    op.create_table(
        'article_feedback',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('helpful', sa.Boolean(), nullable=False),
        sa.Column('comment', sa.Text(), server_default='', nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['article_id'], ['article.id'], name=op.f('fk_article_feedback_article_id_article'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_article_feedback_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_article_feedback')),
        sa.UniqueConstraint('article_id', 'user_id', name='uq_article_feedback_member'),
    )
    with op.batch_alter_table('article_feedback', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_feedback_article_id'), ['article_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_article_feedback_user_id'), ['user_id'], unique=False)

    op.create_table(
        'article_link',
        sa.Column('article_id', sa.Integer(), nullable=False),
        sa.Column('thread_id', sa.Integer(), nullable=False),
        sa.Column('first_seen_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['article_id'], ['article.id'], name=op.f('fk_article_link_article_id_article'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['thread_id'], ['thread.id'], name=op.f('fk_article_link_thread_id_thread'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('article_id', 'thread_id', name=op.f('pk_article_link')),
    )
    with op.batch_alter_table('article_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_article_link_thread_id'), ['thread_id'], unique=False)

    op.create_table(
        'suggestion_open',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('visit', sa.String(length=32), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('thread_id', sa.Integer(), nullable=True),
        sa.Column('article_id', sa.Integer(), nullable=True),
        sa.Column('opened_at', sa.DateTime(), nullable=False),
        sa.Column('settled_at', sa.DateTime(), nullable=True),
        sa.Column('deflected', sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(['article_id'], ['article.id'], name=op.f('fk_suggestion_open_article_id_article'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['thread_id'], ['thread.id'], name=op.f('fk_suggestion_open_thread_id_thread'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_suggestion_open_user_id_user'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_suggestion_open')),
        sa.UniqueConstraint('user_id', 'visit', name='uq_suggestion_open_visit'),
    )
    with op.batch_alter_table('suggestion_open', schema=None) as batch_op:
        batch_op.create_index('ix_suggestion_open_settled_opened', ['settled_at', 'opened_at'], unique=False)
        for column in ('user_id', 'thread_id', 'article_id'):
            batch_op.create_index(batch_op.f(f'ix_suggestion_open_{column}'), [column], unique=False)

    with op.batch_alter_table('thread', schema=None) as batch_op:
        batch_op.add_column(sa.Column('article_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_thread_article_id'), ['article_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_thread_article_id_article'), 'article', ['article_id'], ['id'],
                                    ondelete='SET NULL')
    for table in ('reputation_event', 'notification'):
        ondelete = 'SET NULL' if table == 'reputation_event' else 'CASCADE'
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('article_id', sa.Integer(), nullable=True))
            batch_op.create_index(batch_op.f(f'ix_{table}_article_id'), ['article_id'], unique=False)
            batch_op.create_foreign_key(batch_op.f(f'fk_{table}_article_id_article'), 'article', ['article_id'],
                                        ['id'], ondelete=ondelete)
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.add_column(sa.Column('article_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_attachment_article_id'), ['article_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_attachment_article_id_article'), 'article', ['article_id'],
                                    ['id'], ondelete='CASCADE')
        batch_op.drop_constraint('ck_attachment_one_target', type_='check')
        batch_op.create_check_constraint('ck_attachment_one_target', ONE_TARGET)


def downgrade():
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_constraint('ck_attachment_one_target', type_='check')
        batch_op.drop_constraint(batch_op.f('fk_attachment_article_id_article'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_attachment_article_id'))
        batch_op.drop_column('article_id')
        batch_op.create_check_constraint('ck_attachment_one_target', OLD_ONE_TARGET)
    for table in ('notification', 'reputation_event', 'thread'):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_constraint(batch_op.f(f'fk_{table}_article_id_article'), type_='foreignkey')
            batch_op.drop_index(batch_op.f(f'ix_{table}_article_id'))
            batch_op.drop_column('article_id')
    for table in ('suggestion_open', 'article_link', 'article_feedback', 'article_version', 'article_tag', 'article'):
        op.drop_table(table)
