"""several persons per document (contract v2): persons, person_fields, review items
per person, registry records findable by passport number

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07 13:00:00

Hand-written. Existing data is migrated: every catalogued document gets its one
person (ordinal 0) from its fields, registry link and status, with that person's
fields copied to person_fields; review items become person 0's; each registry
record's passport number is lifted out of its data into the indexed column.
"""
import json

import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

PERSON_FIELDS = ("person_name", "birth_date", "personal_id", "passport_number", "charges", "penal_code_articles",
                 "principal_penalty", "penalty_months", "probation_months", "fine_vnd")


def _decoder(conn):
    """Raw JSON column values: text on SQLite, already decoded by PostgreSQL's driver."""
    if conn.dialect.name == 'sqlite':
        return lambda v: json.loads(v) if isinstance(v, str) else v
    return lambda v: v


def upgrade() -> None:
    op.create_table(
        'persons',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('document_id', sa.String(length=64), nullable=False),
        sa.Column('ordinal', sa.Integer(), nullable=False),
        sa.Column('person_name', sa.String(length=200), nullable=True),
        sa.Column('personal_id', sa.String(length=32), nullable=True),
        sa.Column('passport_number', sa.String(length=32), nullable=True),
        sa.Column('registry_record_id', sa.String(length=64), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('discrepancies', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['document_id'], ['documents.document_id']),
        sa.ForeignKeyConstraint(['registry_record_id'], ['registry_records.record_id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('document_id', 'ordinal'),
    )
    for col in ('document_id', 'personal_id', 'passport_number', 'registry_record_id'):
        op.create_index(f'ix_persons_{col}', 'persons', [col])
    op.create_table(
        'person_fields',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('person_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=64), nullable=False),
        sa.Column('value', sa.JSON(), nullable=False),
        sa.Column('confidence', sa.Float(), nullable=False),
        sa.Column('page', sa.Integer(), nullable=True),
        sa.Column('bbox', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['person_id'], ['persons.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('person_id', 'name'),
    )
    op.create_index('ix_person_fields_person_id', 'person_fields', ['person_id'])

    # review items: one set per person of a document
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('review_items', recreate='always',
                                  naming_convention={'uq': 'uq_%(table_name)s_%(column_0_name)s'}) as batch:
            batch.add_column(sa.Column('person', sa.Integer(), nullable=False, server_default='0'))
            batch.drop_constraint('uq_review_items_document_id', type_='unique')
            batch.create_unique_constraint('uq_review_items_person', ['document_id', 'person', 'kind', 'field'])
    else:
        op.add_column('review_items', sa.Column('person', sa.Integer(), nullable=False, server_default='0'))
        op.drop_constraint('review_items_document_id_kind_field_key', 'review_items', type_='unique')
        op.create_unique_constraint('uq_review_items_person', 'review_items', ['document_id', 'person', 'kind', 'field'])

    with op.batch_alter_table('registry_records') as batch:
        batch.add_column(sa.Column('passport_number', sa.String(length=32), nullable=True))
        batch.create_index('ix_registry_records_passport_number', ['passport_number'])

    conn = op.get_bind()
    _json = _decoder(conn)
    for rid, data in conn.execute(sa.text("SELECT record_id, data FROM registry_records")).all():
        passport = (_json(data) or {}).get("passport_number")
        if passport:
            conn.execute(sa.text("UPDATE registry_records SET passport_number = :p WHERE record_id = :r"),
                         {"p": str(passport), "r": rid})
    persons = sa.table('persons', sa.column('id', sa.Integer), sa.column('document_id', sa.String),
                       sa.column('ordinal', sa.Integer), sa.column('person_name', sa.String),
                       sa.column('personal_id', sa.String), sa.column('passport_number', sa.String),
                       sa.column('registry_record_id', sa.String), sa.column('status', sa.String),
                       sa.column('discrepancies', sa.JSON))
    person_fields = sa.table('person_fields', sa.column('person_id', sa.Integer), sa.column('name', sa.String),
                             sa.column('value', sa.JSON), sa.column('confidence', sa.Float),
                             sa.column('page', sa.Integer), sa.column('bbox', sa.JSON))
    docs = conn.execute(sa.text("SELECT document_id, registry_record_id, status FROM documents")).all()
    for doc_id, rid, status in docs:
        rows = conn.execute(sa.text("SELECT name, value, confidence, page, bbox FROM fields "
                                    "WHERE document_id = :d"), {"d": doc_id}).all()
        mine = {r[0]: r for r in rows if r[0] in PERSON_FIELDS}
        discs = [{"field": f, "document_value": _json(dv), "registry_value": _json(rv)}
                 for f, dv, rv in conn.execute(sa.text(
                     "SELECT field, document_value, registry_value FROM review_items "
                     "WHERE document_id = :d AND kind = 'discrepancy' AND status = 'open' ORDER BY field"),
                     {"d": doc_id}).all()]

        def value(name):
            return _json(mine[name][1]) if name in mine else None

        conn.execute(persons.insert().values(
            document_id=doc_id, ordinal=0, person_name=value("person_name"),
            personal_id=value("personal_id"), passport_number=value("passport_number"),
            registry_record_id=rid, status=status, discrepancies=discs))
        pid = conn.execute(sa.text("SELECT id FROM persons WHERE document_id = :d AND ordinal = 0"),
                           {"d": doc_id}).scalar()
        for name, v, conf, page, bbox in mine.values():
            conn.execute(person_fields.insert().values(person_id=pid, name=name, value=_json(v), confidence=conf,
                                                       page=page, bbox=_json(bbox)))


def downgrade() -> None:
    with op.batch_alter_table('registry_records') as batch:
        batch.drop_index('ix_registry_records_passport_number')
        batch.drop_column('passport_number')
    if op.get_bind().dialect.name == 'sqlite':
        with op.batch_alter_table('review_items', recreate='always') as batch:
            batch.drop_constraint('uq_review_items_person', type_='unique')
            batch.drop_column('person')
            batch.create_unique_constraint('uq_review_items_document_id', ['document_id', 'kind', 'field'])
    else:
        op.drop_constraint('uq_review_items_person', 'review_items', type_='unique')
        op.drop_column('review_items', 'person')
        op.create_unique_constraint('review_items_document_id_kind_field_key', 'review_items',
                                    ['document_id', 'kind', 'field'])
    op.drop_table('person_fields')
    op.drop_table('persons')
