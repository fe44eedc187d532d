"""evidence fusion (issue 15): what a read could not rule out, and the registry's confirmation

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-07 16:00:00

Three nullable columns on both kinds of read values (fields, person_fields):
read_evidence (alternatives, doubtful characters), confirmed_by and
confirmed_confidence (set by reconciliation). Existing rows need no data:
a value without evidence is one nothing was recorded against, and the next
reconciliation sets the confirmation.
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

TABLES = ('fields', 'person_fields')


def upgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column('read_evidence', sa.JSON(), nullable=True))
            batch.add_column(sa.Column('confirmed_by', sa.String(length=16), nullable=True))
            batch.add_column(sa.Column('confirmed_confidence', sa.Float(), nullable=True))


def downgrade() -> None:
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column('confirmed_confidence')
            batch.drop_column('confirmed_by')
            batch.drop_column('read_evidence')
