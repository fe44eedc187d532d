"""The workbench's tables, on the catalogue's metadata (archive.models.Base).

Created by the hand-written migrations archive/migrations/versions/0003_ui.py,
0004_ui_accounts.py (forced password change, escalations sent back) and
0008_ui_login_guard.py (lockout, who reset an account, login failures, notices).
Passwords are stored as Argon2id hashes; sessions as the SHA-256 of their
random token (the cookie holds the token, the database only its hash).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sohoa.archive.models import Base
from sqlalchemy import JSON, Boolean, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

ROLES = ("scanner", "verifier", "approver", "admin")


class UiUser(Base):
    __tablename__ = "ui_users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))  # scanner | verifier | approver | admin
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)  # set by an admin's reset
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    reset_by: Mapped[str | None] = mapped_column(String(200))  # the actor of the last password reset
    reset_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)  # in a row, since the last success
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # deadline notifications (ui/deadline_alerts.py, migration 0014): where mail reaches them, the unit
    # they work for (None: every unit) and whether they are its head (escalations go to them)
    email: Mapped[str | None] = mapped_column(String(320))
    unit: Mapped[str | None] = mapped_column(String(500))
    head_of_unit: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")


class LoginFailure(Base):
    """One refused password (kept for the login window): the per-address throttle counts these,
    in the database so that every server worker sees the same count."""

    __tablename__ = "ui_login_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    username: Mapped[str] = mapped_column(String(64), index=True)


class Notice(Base):
    """A notice for the head of unit (approvers), shown in their workbench until acknowledged:
    an admin created or reset an account, an approval refused under the two-person rule."""

    __tablename__ = "ui_notices"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    kind: Mapped[str] = mapped_column(String(32))
    subject: Mapped[str] = mapped_column(String(64))  # the account concerned
    text: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(200))
    acknowledged_by: Mapped[str | None] = mapped_column(String(64), index=True)
    acknowledged_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class UiSession(Base):
    __tablename__ = "ui_sessions"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("ui_users.id"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_seen: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Correction(Base):
    """A proposed change to the registry: takes effect only when another person approves it.

    kind: field (one field of record_id), link (attach document_id to record_id),
    create (a new record, new_value = the whole record)."""

    __tablename__ = "ui_corrections"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)  # pending|approved|rejected
    record_id: Mapped[str] = mapped_column(String(64), index=True)
    document_id: Mapped[str | None] = mapped_column(String(64))
    review_item_id: Mapped[int | None] = mapped_column(ForeignKey("review_items.id"), index=True)
    field: Mapped[str] = mapped_column(String(64), default="")
    old_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    legal_basis: Mapped[str] = mapped_column(Text)
    comment: Mapped[str | None] = mapped_column(Text)
    author: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    approver: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decision_comment: Mapped[str | None] = mapped_column(Text)


class ItemState(Base):
    """Who holds a review item, and whether it was escalated."""

    __tablename__ = "ui_item_states"
    review_item_id: Mapped[int] = mapped_column(ForeignKey("review_items.id"), primary_key=True)
    assigned_to: Mapped[str | None] = mapped_column(String(64), index=True)
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalated_by: Mapped[str | None] = mapped_column(String(64))
    escalated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    escalation_comment: Mapped[str | None] = mapped_column(Text)
    returned_by: Mapped[str | None] = mapped_column(String(64))  # the head who sent it back
    returned_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    return_comment: Mapped[str | None] = mapped_column(Text)


class FollowUp(Base):
    """A registry record with no document, marked for follow-up."""

    __tablename__ = "ui_follow_ups"
    record_id: Mapped[str] = mapped_column(ForeignKey("registry_records.record_id"), primary_key=True)
    marked_by: Mapped[str] = mapped_column(String(64))
    marked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(Text)
