"""registry records: the person's folded name (name_key), linkage's block when nothing else was read

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 19:20:00

A document whose number, date and IDs sat under a seal or a stamp shared no key with its
record, so linkage never scored the record although the name and the court agreed
(reconciler/match.py: candidates). Existing rows are filled from their data.
"""
import json

import sqlalchemy as sa
from alembic import op
from sohoa.core.text import name_key

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('registry_records', schema=None) as batch_op:
        batch_op.add_column(sa.Column('name_key', sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f('ix_registry_records_name_key'), ['name_key'], unique=False)
    conn = op.get_bind()
    table = sa.table('registry_records', sa.column('record_id', sa.String), sa.column('data', sa.JSON),
                     sa.column('name_key', sa.String))
    rows = conn.execute(sa.select(table.c.record_id, table.c.data)).all()
    keys = []
    for record_id, data in rows:
        rec = json.loads(data) if isinstance(data, str) else data
        name = rec.get('person_name') if isinstance(rec, dict) else None
        if isinstance(name, str) and name.strip():
            keys.append({'rid': record_id, 'key': name_key(name)[:200]})
    if keys:
        conn.execute(table.update().where(table.c.record_id == sa.bindparam('rid'))
                     .values(name_key=sa.bindparam('key')), keys)


def downgrade() -> None:
    with op.batch_alter_table('registry_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registry_records_name_key'))
        batch_op.drop_column('name_key')
