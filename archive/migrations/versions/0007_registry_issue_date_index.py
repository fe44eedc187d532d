"""registry records: an index on (doc_type, issue_date), linkage's kind + issue date block

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 18:00:00

Without it the block scanned the whole registry table on every link (bench/linkage.py:
~20 ms a document at 100,000 records, growing with the registry).
"""
from alembic import op

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_registry_records_doc_type_issue_date', 'registry_records', ['doc_type', 'issue_date'])


def downgrade() -> None:
    op.drop_index('ix_registry_records_doc_type_issue_date', table_name='registry_records')
