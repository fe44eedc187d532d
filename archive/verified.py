"""The current (verified) values of a document, as its newest verification record holds them
(ui/verification.py writes them; the API, the workbench and `sohoa status` read them here)."""
from __future__ import annotations

from datetime import timezone
from typing import Any

from sohoa.archive.models import VerificationRecord, VerifiedValue
from sqlalchemy import func, select
from sqlalchemy.orm import Session


def latest_record(s: Session, document_id: str) -> VerificationRecord | None:
    return s.scalar(select(VerificationRecord).where(VerificationRecord.document_id == document_id)
                    .order_by(VerificationRecord.n.desc()).limit(1))


def current_values(s: Session, document_id: str) -> dict[int, list[VerifiedValue]]:
    """person ordinal -> the current values (the newest record's rows); empty before any record."""
    last = latest_record(s, document_id)
    if last is None:
        return {}
    out: dict[int, list[VerifiedValue]] = {}
    for v in s.scalars(select(VerifiedValue).where(VerifiedValue.record_id == last.id).order_by(VerifiedValue.id)):
        out.setdefault(v.person, []).append(v)
    return out


def provenance(v: VerifiedValue) -> dict[str, Any]:
    """One current value with where it comes from, as the API and the workbench show it."""
    at = v.decided_at.replace(tzinfo=timezone.utc) if v.decided_at is not None and v.decided_at.tzinfo is None \
        else v.decided_at
    return {"value": v.value, "decision": v.decision, "read_value": v.read_value,
            "read_confidence": v.read_confidence, "registry_value": v.registry_value,
            "registry_corrected": v.registry_corrected, "decided_by": v.decided_by, "approved_by": v.approved_by,
            "decided_at": at.isoformat() if at is not None else None, "legal_basis": v.legal_basis,
            "review_item": v.review_item_id, "correction": v.correction_id,
            "registry_history": v.registry_history_id, "audit_event": v.audit_event_id}


def record_summary(r: VerificationRecord) -> dict[str, Any]:
    def iso(dt: Any) -> str | None:
        if dt is None:
            return None
        return (dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).isoformat()

    return {"n": r.n, "verification_state": r.state, "sha256": r.sha256, "original_sha256": r.original_sha256,
            "created_at": iso(r.created_at), "created_by": r.created_by, "sealed": r.sealed_at is not None,
            "sealed_at": iso(r.sealed_at), "signer": r.signer, "timestamp": iso(r.timestamp_at)}


def state_counts(s: Session, document_ids: list[str] | None = None, batch_id: str | None = None) -> dict[str, int]:
    """How many documents are in each verification state (None: nobody had to decide anything)."""
    from sohoa.archive.models import Document

    q = select(Document.verification_state, func.count()).group_by(Document.verification_state)
    if batch_id is not None:
        q = q.where(Document.batch_id == batch_id)
    if document_ids is not None:
        q = q.where(Document.document_id.in_(document_ids))
    return {str(k) if k else "none": int(n) for k, n in s.execute(q)}
