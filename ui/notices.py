"""Notices for the head of unit (approvers and admins see them in their workbench until one
acknowledges each): there is no mail system yet, so a notice is a row here plus an audit
event of kind `ui.notice` (issue 17: an admin creating or resetting an account, which could
otherwise give them a second identity for the two-person rule, is told to someone else)."""
from __future__ import annotations

from sohoa.archive.catalogue import audit, utcnow
from sohoa.ui.models import Notice
from sqlalchemy import func, select
from sqlalchemy.orm import Session


def notify_head(s: Session, kind: str, subject: str, text: str, actor: str) -> Notice:
    notice = Notice(created_at=utcnow(), kind=kind[:32], subject=subject[:64], text=text, actor=actor[:200])
    s.add(notice)
    s.flush()
    audit(s, actor, "ui.notice", subject, kind=kind, notice=notice.id, to="head of unit")
    return notice


def open_notices(s: Session, limit: int = 100) -> list[Notice]:
    return list(s.scalars(select(Notice).where(Notice.acknowledged_by.is_(None))
                          .order_by(Notice.id.desc()).limit(limit)))


def open_count(s: Session) -> int:
    return s.scalar(select(func.count()).select_from(Notice).where(Notice.acknowledged_by.is_(None))) or 0


def acknowledge(s: Session, notice_id: int, username: str) -> Notice | None:
    """Marks the notice read by `username`; an admin's own notice needs someone else."""
    notice = s.get(Notice, notice_id)
    if notice is None or notice.acknowledged_by is not None or notice.actor == f"ui:{username}":
        return None
    notice.acknowledged_by, notice.acknowledged_at = username, utcnow()
    audit(s, f"ui:{username}", "ui.notice.acknowledge", notice.subject, notice=notice.id)
    return notice
