"""Foreign-key indexes: every foreign key used to list or join by leads an index.

tests/test_foreign_key_indexes.py checks the models; the one key that lacked an index is an incident's
alerts (incident_alert.incident_id), read by incident and nulled by ON DELETE SET NULL. The remaining
unindexed keys only record who did something and are listed, with reasons, in that test.

Revision ID: 0011_foreign_key_indexes
Revises: 0010_search_documents
Create Date: 2026-11-24 10:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0011_foreign_key_indexes'
down_revision = '0010_search_documents'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('incident_alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_alert_incident_id'), ['incident_id'], unique=False)


def downgrade():
    with op.batch_alter_table('incident_alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_alert_incident_id'))
