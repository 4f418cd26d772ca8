"""Scorecards computed by the worker (issue 21): the category page aggregated the 90-day window on every request.

Revision ID: 0016_scorecard_snapshots
Revises: 0015_accounts_trust
Create Date: 2026-12-06 12:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0016_scorecard_snapshots'
down_revision = '0015_accounts_trust'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'scorecard_snapshot',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=True),
        sa.Column('questions', sa.Integer(), nullable=False),
        sa.Column('due', sa.Integer(), nullable=False),
        sa.Column('replied_in_time', sa.Integer(), nullable=False),
        sa.Column('solved', sa.Integer(), nullable=False),
        sa.Column('solved_by_community', sa.Integer(), nullable=False),
        sa.Column('target_hours', sa.Float(), nullable=False),
        sa.Column('computed_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['category_id'], ['category.id'],
                                name=op.f('fk_scorecard_snapshot_category_id_category'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_scorecard_snapshot')),
        sa.UniqueConstraint('category_id', name=op.f('uq_scorecard_snapshot_category_id')),
    )


def downgrade():
    op.drop_table('scorecard_snapshot')
