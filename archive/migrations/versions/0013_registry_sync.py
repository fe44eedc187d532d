"""registry sync: a source database's sync state, what was read of each record, the push-back outbox

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-07 22:30:00

`sohoa registry sync` reads the registry from another system's SQL database through a mapping
(reconciler/sync/). Each source keeps its high-water mark (incremental sync by an updated-at
column) and the mapping it was read with; each record read keeps the source's keys and the raw
column values as read (the push's optimistic concurrency compares with them); approved
corrections wait in an outbox, written in the approval's transaction, until pushed.
"""
import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'registry_sources',
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('mapping', sa.JSON(), nullable=False),
        sa.Column('mapping_sha256', sa.String(length=64), nullable=False),
        sa.Column('high_water', sa.String(length=40), nullable=True),
        sa.Column('last_sync_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_full_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('name'),
    )
    op.create_table(
        'registry_source_rows',
        sa.Column('record_id', sa.String(length=64), nullable=False),
        sa.Column('source', sa.String(length=64), nullable=False),
        sa.Column('keys', sa.JSON(), nullable=False),
        sa.Column('read', sa.JSON(), nullable=False),
        sa.Column('read_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['record_id'], ['registry_records.record_id']),
        sa.ForeignKeyConstraint(['source'], ['registry_sources.name']),
        sa.PrimaryKeyConstraint('record_id'),
    )
    op.create_index('ix_registry_source_rows_source', 'registry_source_rows', ['source'])
    op.create_table(
        'registry_outbox',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('idempotency_key', sa.String(length=200), nullable=False),
        sa.Column('source', sa.String(length=64), nullable=False),
        sa.Column('record_id', sa.String(length=64), nullable=False),
        sa.Column('field', sa.String(length=64), nullable=False),
        sa.Column('new_value', sa.JSON(), nullable=True),
        sa.Column('expected', sa.JSON(), nullable=False),
        sa.Column('document_id', sa.String(length=64), nullable=True),
        sa.Column('person', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('decided_by', sa.String(length=200), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('pushed_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['record_id'], ['registry_records.record_id']),
        sa.ForeignKeyConstraint(['source'], ['registry_sources.name']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('idempotency_key', name='uq_registry_outbox_key'),
    )
    op.create_index('ix_registry_outbox_status', 'registry_outbox', ['status', 'next_attempt_at'])


def downgrade() -> None:
    op.drop_index('ix_registry_outbox_status', table_name='registry_outbox')
    op.drop_table('registry_outbox')
    op.drop_index('ix_registry_source_rows_source', table_name='registry_source_rows')
    op.drop_table('registry_source_rows')
    op.drop_table('registry_sources')
