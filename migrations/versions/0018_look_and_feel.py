"""Look and feel (issue 23): each member's accepted-solution count and best badge, shown on every post, and
the scorecard's target share stored with its counts.

Both are running totals filled here from what already exists: the solution count from the member's
REPLY_ACCEPTED ledger rows net of their reversals, the best badge from their grants (highest tier,
then the badge fewest members hold) by the worker's periodic badge backfill. Stored scorecards get their
target share on the worker's next pass (pages read the setting until then).

Revision ID: 0018_look_and_feel
Revises: 0017_writing_conversation
Create Date: 2026-12-06 16:40:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0018_look_and_feel'
down_revision = '0017_writing_conversation'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('solution_count', sa.Integer(), server_default='0', nullable=False))
        batch_op.add_column(sa.Column('top_badge', sa.String(length=48), nullable=True))
    with op.batch_alter_table('scorecard_snapshot', schema=None) as batch_op:
        batch_op.add_column(sa.Column('target_percent', sa.Integer(), nullable=True))
    op.execute(
        'UPDATE "user" SET solution_count = COALESCE((SELECT SUM(CASE WHEN e.delta > 0 THEN 1 ELSE -1 END) '
        "FROM reputation_event e WHERE e.user_id = \"user\".id AND e.reason = 'reply_accepted'), 0)"
    )


def downgrade():
    with op.batch_alter_table('scorecard_snapshot', schema=None) as batch_op:
        batch_op.drop_column('target_percent')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('top_badge')
        batch_op.drop_column('solution_count')
