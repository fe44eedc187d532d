"""The archival metadata kept in the catalogue: a document's place in its file
(DocOrdinal, ArchiveCode) and the dossier's set (Dossier.archival), recomputed when a
document joins. archive/archival.py builds the sets; this module knows the rows.

A file's members: the current documents (not superseded) whose FileCode is the code,
or that the splitting put in the dossier of that code.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sohoa.archive.archival import dossier_archival, iso_now
from sohoa.archive.models import AuditEvent, Batch, Document, Dossier
from sohoa.core.config import Settings
from sqlalchemy import or_, select
from sqlalchemy.orm import Session


def file_members(s: Session, code: str) -> list[Document]:
    rows = s.scalars(select(Document).where(
        or_(Document.archival["FileCode"].as_string() == code, Document.dossier_code == code),
        Document.superseded_by.is_(None))).all()
    return list(rows)


def _order_key(doc_id: str, archival: dict[str, Any] | None, declared: int | None) -> tuple:
    a = archival or {}
    # declared/split ordinals first as given, then by issue date (an unread date last)
    return (declared is None, declared or 0, a.get("IssuedDate") or "9999-99-99", doc_id)


def ordinal_in_file(s: Session, code: str, document_id: str, issued: str | None,
                    dossier_ordinal: int | None = None) -> int:
    """The document's DocOrdinal: its dossier ordinal when set, else its rank by issue date
    among the documents already sharing the FileCode, itself included."""
    if dossier_ordinal:
        return dossier_ordinal
    keys = [_order_key(d.document_id, d.archival, None) for d in file_members(s, code)
            if d.document_id != document_id and not d.dossier_ordinal]
    mine = _order_key(document_id, {"IssuedDate": issued}, None)
    return 1 + sum(1 for k in keys if k < mine)


def backup_mode_for(settings: Settings) -> str | None:
    """The backup regime (chế độ lập tài liệu lưu trữ dự phòng), from the settings; None: none set."""
    if not settings.backup_target:
        return None
    return (f"Hai bản: kho chính và bản sao lưu độc lập ({'S3' if settings.backup_target.startswith('s3://') else 'đĩa riêng'}); "
            f"sao lưu tăng dần theo lịch '{settings.backup_incremental_schedule}', toàn bộ hằng tuần "
            f"'{settings.backup_weekly_schedule}' và hằng tháng '{settings.backup_monthly_schedule}'; "
            "phục hồi thử định kỳ (Nghị định 216/2026/NĐ-CP Điều 20)")


def _aware(t: datetime) -> datetime:
    return t.replace(tzinfo=timezone.utc) if t.tzinfo is None else t


def backup_status(s: Session, members: list[Document]) -> str | None:
    """Whether the newest backup run (audit log, 'backup.run') came after every member was
    archived (tình trạng lập tài liệu lưu trữ dự phòng); None: no backup run recorded."""
    last = s.scalars(select(AuditEvent).where(AuditEvent.action == "backup.run", AuditEvent.outcome == "ok")
                     .order_by(AuditEvent.id.desc()).limit(1)).first()
    if last is None:
        return None
    after = [d for d in members if _aware(d.created_at) > _aware(last.at)]
    run = (last.detail or {}).get("run_id") or last.object
    if not after:
        return f"Đã sao lưu: mọi tài liệu có trong lần sao lưu {run} ({_aware(last.at).isoformat(timespec='seconds')})"
    return f"Chưa sao lưu đủ: {len(after)}/{len(members)} tài liệu lưu sau lần sao lưu gần nhất {run}"


def refresh_file(s: Session, code: str, settings: Settings, *, declared: bool = False,
                 title: str | None = None) -> Dossier:
    """Recompute the members' DocOrdinal/ArchiveCode and the dossier's set; the Dossier row
    is made when missing (a judgment's code; or a declared/split dossier's, with the
    declared/title its part.json gives, when the split has not made it yet)."""
    members = file_members(s, code)
    undeclared = sorted((d for d in members if not d.dossier_ordinal),
                        key=lambda d: _order_key(d.document_id, d.archival, None))
    rank = {d.document_id: i for i, d in enumerate(undeclared, 1)}
    for d in members:
        a = dict(d.archival or {})
        if not a:
            continue
        ordinal = d.dossier_ordinal or rank[d.document_id]
        a["FileCode"], a["DocOrdinal"], a["ArchiveCode"] = code, ordinal, f"{code}.{ordinal:03d}"
        unknown = {k: v for k, v in (a.get("Unknown") or {}).items() if k not in ("DocOrdinal", "FileCode")}
        if unknown:
            a["Unknown"] = unknown
        else:
            a.pop("Unknown", None)
        if a != d.archival:
            d.archival = a
    row = s.get(Dossier, code)
    now = datetime.now(timezone.utc)
    if row is None:
        first = min(members, key=lambda d: _aware(d.created_at)) if members else None
        row = Dossier(code=code, title=title, batch_id=first.batch_id if first else None, declared=declared,
                      created_at=now, updated_at=now)
        s.add(row)
    unit = None
    if members:
        batch = s.get(Batch, members[0].batch_id)
        unit = batch.unit if batch is not None and batch.unit else None
    dossier = dossier_archival(
        code=code, members=[d.archival for d in members if d.archival], title=row.title, declared=row.declared,
        creator=unit or settings.unit or None, backup_mode=backup_mode_for(settings),
        backup_status=backup_status(s, members))
    out = dossier.to_dict()
    out["ComputedAt"] = iso_now()
    row.archival, row.updated_at = out, now
    s.flush()
    return row
