"""deadline notifications: what was sent to whom for each review item and stage; accounts' mail address, unit, head of unit

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-07 22:10:00

Hand-written. `sohoa notify` (ui/deadline_alerts.py) tells the holder or the unit's verifiers
of an item due soon or overdue, and escalates an overdue one to the head of unit, by mail and
webhook: each at most once per item, stage, channel and recipient (the unique key), retried
while it failed. The workbench's accounts gain where mail reaches them, their unit, and the
head-of-unit flag.
"""
import sqlalchemy as sa
from alembic import op

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'notifications',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('review_item_id', sa.Integer(), nullable=False),
        sa.Column('stage', sa.String(length=16), nullable=False),
        sa.Column('channel', sa.String(length=16), nullable=False),
        sa.Column('recipient', sa.String(length=320), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('last_error', sa.Text(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['review_item_id'], ['review_items.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('review_item_id', 'stage', 'channel', 'recipient', name='uq_notifications_once'),
    )
    op.create_index('ix_notifications_review_item_id', 'notifications', ['review_item_id'], unique=False)
    op.create_index('ix_notifications_status', 'notifications', ['status'], unique=False)
    # plain ADD COLUMN, not a batch: SQLite's batch copies ui_users, which sessions reference
    op.add_column('ui_users', sa.Column('email', sa.String(length=320), nullable=True))
    op.add_column('ui_users', sa.Column('unit', sa.String(length=500), nullable=True))
    op.add_column('ui_users', sa.Column('head_of_unit', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    op.drop_column('ui_users', 'head_of_unit')
    op.drop_column('ui_users', 'unit')
    op.drop_column('ui_users', 'email')
    op.drop_index('ix_notifications_status', table_name='notifications')
    op.drop_index('ix_notifications_review_item_id', table_name='notifications')
    op.drop_table('notifications')
