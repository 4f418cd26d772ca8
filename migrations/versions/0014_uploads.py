"""Uploads (issue 19): uploads and their renditions, attachments to posts and case messages, avatars.

Revision ID: 0014_uploads
Revises: 0013_sign_in_failures
Create Date: 2026-11-26 10:00:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014_uploads'
down_revision = '0013_sign_in_failures'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'upload',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('uploader_id', sa.Integer(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('kind', sa.String(length=8), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=True),
        sa.Column('height', sa.Integer(), nullable=True),
        sa.Column('alt', sa.Text(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('removed_at', sa.DateTime(), nullable=True),
        sa.Column('removed_by_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['removed_by_id'], ['user.id'], ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['uploader_id'], ['user.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('upload', schema=None) as batch_op:
        batch_op.create_index('ix_upload_uploader_created', ['uploader_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_upload_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_upload_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_upload_removed_by_id'), ['removed_by_id'], unique=False)

    op.create_table(
        'upload_rendition',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('upload_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=16), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('content_type', sa.String(length=100), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('width', sa.Integer(), nullable=False),
        sa.Column('height', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['upload_id'], ['upload.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('upload_id', 'name', name='uq_upload_rendition_upload_name'),
    )
    with op.batch_alter_table('upload_rendition', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_upload_rendition_sha256'), ['sha256'], unique=False)

    op.create_table(
        'attachment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('upload_id', sa.Integer(), nullable=False),
        sa.Column('post_id', sa.Integer(), nullable=True),
        sa.Column('case_message_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.CheckConstraint('(post_id IS NULL) <> (case_message_id IS NULL)', name='ck_attachment_one_target'),
        sa.ForeignKeyConstraint(['case_message_id'], ['case_message.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['post_id'], ['post.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['upload_id'], ['upload.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index('ix_attachment_upload_id', ['upload_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachment_post_id'), ['post_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_attachment_case_message_id'), ['case_message_id'], unique=False)

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('avatar_upload_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_user_avatar_upload_id'), ['avatar_upload_id'], unique=False)
        batch_op.create_foreign_key('fk_user_avatar_upload_id', 'upload', ['avatar_upload_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_constraint('fk_user_avatar_upload_id', type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_user_avatar_upload_id'))
        batch_op.drop_column('avatar_upload_id')
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_case_message_id'))
        batch_op.drop_index(batch_op.f('ix_attachment_post_id'))
        batch_op.drop_index('ix_attachment_upload_id')
    op.drop_table('attachment')
    with op.batch_alter_table('upload_rendition', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_upload_rendition_sha256'))
    op.drop_table('upload_rendition')
    with op.batch_alter_table('upload', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_upload_removed_by_id'))
        batch_op.drop_index(batch_op.f('ix_upload_created_at'))
        batch_op.drop_index(batch_op.f('ix_upload_sha256'))
        batch_op.drop_index('ix_upload_uploader_created')
    op.drop_table('upload')
