"""verified values: a verification state beside the report status, signed verification records, the values they hold

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-07 22:20:00

When people have decided every item of a document's person, the person (and then the document) is
`verified` or `corrected` (ui/verification.py). The decision is a write-once verification record
(canonical JSON, sealed with a detached CMS signature, stored beside the signed original); the
values it holds, with their provenance, are rows of verified_values (the newest record's are the
current values, earlier ones the history).
"""
import sqlalchemy as sa
from alembic import op

revision = '0012'
down_revision = '0010'  # 0011 was not needed
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verification_state', sa.String(length=16), nullable=True))
        batch_op.create_index(batch_op.f('ix_documents_verification_state'), ['verification_state'], unique=False)
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.add_column(sa.Column('verification_state', sa.String(length=16), nullable=True))
    op.create_table(
        'verification_records',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.String(length=64), nullable=False),
        sa.Column('n', sa.Integer(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('content', sa.Text(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('original_sha256', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.Column('sealed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('signer', sa.Text(), nullable=True),
        sa.Column('timestamp_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('json_object_id', sa.Integer(), nullable=True),
        sa.Column('sig_object_id', sa.Integer(), nullable=True),
        sa.Column('seal_error', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['document_id'], ['documents.document_id']),
        sa.ForeignKeyConstraint(['json_object_id'], ['objects.id']),
        sa.ForeignKeyConstraint(['sig_object_id'], ['objects.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('document_id', 'n'),
    )
    op.create_index(op.f('ix_verification_records_document_id'), 'verification_records', ['document_id'])
    op.create_index(op.f('ix_verification_records_sealed_at'), 'verification_records', ['sealed_at'])
    op.create_table(
        'verified_values',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('record_id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.String(length=64), nullable=False),
        sa.Column('person', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('value', sa.JSON(), nullable=True),
        sa.Column('decision', sa.String(length=16), nullable=False),
        sa.Column('read_value', sa.JSON(), nullable=True),
        sa.Column('read_confidence', sa.Float(), nullable=True),
        sa.Column('registry_value', sa.JSON(), nullable=True),
        sa.Column('registry_corrected', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('decided_by', sa.String(length=200), nullable=True),
        sa.Column('approved_by', sa.String(length=200), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('legal_basis', sa.Text(), nullable=True),
        sa.Column('review_item_id', sa.Integer(), nullable=True),
        sa.Column('correction_id', sa.Integer(), nullable=True),
        sa.Column('registry_history_id', sa.Integer(), nullable=True),
        sa.Column('audit_event_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['record_id'], ['verification_records.id']),
        sa.ForeignKeyConstraint(['document_id'], ['documents.document_id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('record_id', 'person', 'name'),
    )
    op.create_index(op.f('ix_verified_values_record_id'), 'verified_values', ['record_id'])
    op.create_index(op.f('ix_verified_values_document_id'), 'verified_values', ['document_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_verified_values_document_id'), table_name='verified_values')
    op.drop_index(op.f('ix_verified_values_record_id'), table_name='verified_values')
    op.drop_table('verified_values')
    op.drop_index(op.f('ix_verification_records_sealed_at'), table_name='verification_records')
    op.drop_index(op.f('ix_verification_records_document_id'), table_name='verification_records')
    op.drop_table('verification_records')
    with op.batch_alter_table('persons', schema=None) as batch_op:
        batch_op.drop_column('verification_state')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_verification_state'))
        batch_op.drop_column('verification_state')
