"""verifier workbench

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-23 16:00:00

Hand-written: creates only the workbench's tables (ui/models.py).
"""
import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'ui_users',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('username', sa.String(length=64), nullable=False),
        sa.Column('full_name', sa.String(length=200), nullable=True),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=False),
        sa.Column('active', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('username'),
    )
    op.create_table(
        'ui_sessions',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('csrf', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['ui_users.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash'),
    )
    op.create_index('ix_ui_sessions_user_id', 'ui_sessions', ['user_id'], unique=False)
    op.create_table(
        'ui_corrections',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('record_id', sa.String(length=64), nullable=False),
        sa.Column('document_id', sa.String(length=64), nullable=True),
        sa.Column('review_item_id', sa.Integer(), nullable=True),
        sa.Column('field', sa.String(length=64), nullable=False),
        sa.Column('old_value', sa.JSON(), nullable=True),
        sa.Column('new_value', sa.JSON(), nullable=True),
        sa.Column('legal_basis', sa.Text(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.Column('author', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('approver', sa.String(length=64), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('decision_comment', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['review_item_id'], ['review_items.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_ui_corrections_status', 'ui_corrections', ['status'], unique=False)
    op.create_index('ix_ui_corrections_record_id', 'ui_corrections', ['record_id'], unique=False)
    op.create_index('ix_ui_corrections_review_item_id', 'ui_corrections', ['review_item_id'], unique=False)
    op.create_table(
        'ui_item_states',
        sa.Column('review_item_id', sa.Integer(), nullable=False),
        sa.Column('assigned_to', sa.String(length=64), nullable=True),
        sa.Column('assigned_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('escalated_by', sa.String(length=64), nullable=True),
        sa.Column('escalated_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('escalation_comment', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['review_item_id'], ['review_items.id']),
        sa.PrimaryKeyConstraint('review_item_id'),
    )
    op.create_index('ix_ui_item_states_assigned_to', 'ui_item_states', ['assigned_to'], unique=False)
    op.create_table(
        'ui_follow_ups',
        sa.Column('record_id', sa.String(length=64), nullable=False),
        sa.Column('marked_by', sa.String(length=64), nullable=False),
        sa.Column('marked_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['record_id'], ['registry_records.record_id']),
        sa.PrimaryKeyConstraint('record_id'),
    )


def downgrade() -> None:
    op.drop_table('ui_follow_ups')
    op.drop_index('ix_ui_item_states_assigned_to', table_name='ui_item_states')
    op.drop_table('ui_item_states')
    op.drop_index('ix_ui_corrections_review_item_id', table_name='ui_corrections')
    op.drop_index('ix_ui_corrections_record_id', table_name='ui_corrections')
    op.drop_index('ix_ui_corrections_status', table_name='ui_corrections')
    op.drop_table('ui_corrections')
    op.drop_index('ix_ui_sessions_user_id', table_name='ui_sessions')
    op.drop_table('ui_sessions')
    op.drop_table('ui_users')
