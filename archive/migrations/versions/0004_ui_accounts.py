"""verifier workbench: forced password change, escalations sent back

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 10:00:00

Hand-written: adds only the workbench's columns (ui/models.py).
"""
import sqlalchemy as sa
from alembic import op

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ui_users') as batch:
        batch.add_column(sa.Column('must_change_password', sa.Boolean(), nullable=False,
                                   server_default=sa.false()))
    with op.batch_alter_table('ui_item_states') as batch:
        batch.add_column(sa.Column('returned_by', sa.String(length=64), nullable=True))
        batch.add_column(sa.Column('returned_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('return_comment', sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('ui_item_states') as batch:
        batch.drop_column('return_comment')
        batch.drop_column('returned_at')
        batch.drop_column('returned_by')
    with op.batch_alter_table('ui_users') as batch:
        batch.drop_column('must_change_password')
