"""dossiers (hồ sơ) and a document's place in one: its dossier, ordinal, page range in its source

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 22:15:00

A paper case file holds a judgment, the decisions executing it and the certificates that
close it, often scanned as one PDF or TIFF. A document now knows its dossier, its ordinal
in it and the pages of its source it came from (contract section 1: "pages": [first, last]);
a document cut again by a verifier is kept and points at what superseded it.
"""
import sqlalchemy as sa
from alembic import op

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'dossiers',
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('title', sa.Text(), nullable=True),
        sa.Column('batch_id', sa.String(length=128), nullable=True),
        sa.Column('declared', sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column('archival', sa.JSON(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('code'),
    )
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('dossier_code', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('dossier_ordinal', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('page_first', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('page_last', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('split_confidence', sa.Float(), nullable=True))
        batch_op.add_column(sa.Column('superseded_by', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('archival', sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f('ix_documents_dossier_code'), ['dossier_code'], unique=False)
    # SQLite adds a constraint only by rebuilding the table, and a rebuild of `documents` (which
    # every other table references) is refused under foreign_keys=ON: the ORM keeps the link there.
    if op.get_bind().dialect.name != 'sqlite':
        op.create_foreign_key('fk_documents_dossier_code', 'documents', 'dossiers', ['dossier_code'], ['code'])


def downgrade() -> None:
    if op.get_bind().dialect.name != 'sqlite':
        op.drop_constraint('fk_documents_dossier_code', 'documents', type_='foreignkey')
    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_documents_dossier_code'))
        for col in ('archival', 'superseded_by', 'split_confidence', 'page_last', 'page_first',
                    'dossier_ordinal', 'dossier_code'):
            batch_op.drop_column(col)
    op.drop_table('dossiers')
