"""verifier workbench: account lockout, who reset an account, login failures, notices

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-07 19:00:00

Hand-written: adds only the workbench's columns and tables (ui/models.py). Issue 17:
a login flood locks the account and throttles the address (counted here, so that
every server worker sees the same count); the two-person rule needs who reset an
account and when; the head of unit's notices.
"""
import sqlalchemy as sa
from alembic import op

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('ui_users') as batch:
        batch.add_column(sa.Column('reset_by', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('reset_at', sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
        batch.add_column(sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True))
    op.create_table(
        'ui_login_failures',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('address', sa.String(length=64), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_ui_login_failures_at', 'ui_login_failures', ['at'], unique=False)
    op.create_index('ix_ui_login_failures_address', 'ui_login_failures', ['address'], unique=False)
    op.create_index('ix_ui_login_failures_username', 'ui_login_failures', ['username'], unique=False)
    op.create_table(
        'ui_notices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('subject', sa.String(length=64), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('actor', sa.String(length=200), nullable=False),
        sa.Column('acknowledged_by', sa.String(length=64), nullable=True),
        sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_ui_notices_acknowledged_by', 'ui_notices', ['acknowledged_by'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_ui_notices_acknowledged_by', table_name='ui_notices')
    op.drop_table('ui_notices')
    op.drop_index('ix_ui_login_failures_username', table_name='ui_login_failures')
    op.drop_index('ix_ui_login_failures_address', table_name='ui_login_failures')
    op.drop_index('ix_ui_login_failures_at', table_name='ui_login_failures')
    op.drop_table('ui_login_failures')
    with op.batch_alter_table('ui_users') as batch:
        batch.drop_column('locked_until')
        batch.drop_column('failed_logins')
        batch.drop_column('reset_at')
        batch.drop_column('reset_by')
