"""Incidents: detector alerts, incidents, their linked questions and public updates.

Revision ID: 0007_incidents
Revises: 0006_integrations
Create Date: 2026-11-23 16:17:57.391079

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_incidents'
down_revision = '0006_integrations'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('incident',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('resolution', sa.Text(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.Column('resolved_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_incident_created_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident'))
    )
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_status'), ['status'], unique=False)

    op.create_table('incident_alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('shared_terms', sa.String(length=300), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_alert_incident_id_incident'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_alert'))
    )
    with op.batch_alter_table('incident_alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_alert_status'), ['status'], unique=False)

    op.create_table('incident_thread',
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('linked_by_id', sa.Integer(), nullable=True),
    sa.Column('linked_at', sa.DateTime(), nullable=False),
    sa.Column('last_update_id', sa.Integer(), nullable=True),
    sa.Column('settled_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_thread_incident_id_incident'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['linked_by_id'], ['user.id'], name=op.f('fk_incident_thread_linked_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['thread_id'], ['thread.id'], name=op.f('fk_incident_thread_thread_id_thread'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('thread_id', name=op.f('pk_incident_thread'))
    )
    with op.batch_alter_table('incident_thread', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_thread_incident_id'), ['incident_id'], unique=False)

    op.create_table('incident_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('incident_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('body_html', sa.Text(), nullable=False),
    sa.Column('is_resolution', sa.Boolean(), nullable=False),
    sa.Column('threads_reached', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_incident_update_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['incident_id'], ['incident.id'], name=op.f('fk_incident_update_incident_id_incident'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_incident_update'))
    )
    with op.batch_alter_table('incident_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_update_incident_id'), ['incident_id'], unique=False)

    op.create_table('incident_alert_thread',
    sa.Column('thread_id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['alert_id'], ['incident_alert.id'], name=op.f('fk_incident_alert_thread_alert_id_incident_alert'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['thread_id'], ['thread.id'], name=op.f('fk_incident_alert_thread_thread_id_thread'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('thread_id', name=op.f('pk_incident_alert_thread'))
    )
    with op.batch_alter_table('incident_alert_thread', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_incident_alert_thread_alert_id'), ['alert_id'], unique=False)



def downgrade():
    with op.batch_alter_table('incident_alert_thread', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_alert_thread_alert_id'))

    op.drop_table('incident_alert_thread')
    with op.batch_alter_table('incident_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_update_incident_id'))

    op.drop_table('incident_update')
    with op.batch_alter_table('incident_thread', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_thread_incident_id'))

    op.drop_table('incident_thread')
    with op.batch_alter_table('incident_alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_alert_status'))

    op.drop_table('incident_alert')
    with op.batch_alter_table('incident', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_incident_status'))

    op.drop_table('incident')
