"""Reconciliation: compare each document with its registry record and queue every
difference, every uncertain field and every unmatched document for a person."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sohoa.archive.catalogue import utcnow
from sohoa.archive.models import Document, ReviewItem
from sohoa.core.enums import DocumentStatus, ReviewKind, ReviewStatus
from sohoa.reconciler.compare import discrepancies
from sohoa.reconciler.match import find_record
from sqlalchemy import select
from sqlalchemy.orm import Session

# seed 001 Art. 8.5: a mismatch is resolved within 24 hours of receipt.
REVIEW_DEADLINE = timedelta(hours=24)


@dataclass
class Reconciliation:
    status: DocumentStatus
    record_id: str | None
    discrepancies: list[dict[str, Any]] = field(default_factory=list)
    low_confidence: list[str] = field(default_factory=list)


def decide(
    doc_type: str | None, fields: dict[str, tuple[Any, float]], record: dict[str, Any] | None, threshold: float
) -> Reconciliation:
    """The contract's status for one document (pure: no database)."""
    low = sorted(name for name, (_, conf) in fields.items() if conf < threshold)
    if doc_type is None:
        low = ["doc_type", *low]
    values = {name: v for name, (v, _) in fields.items()}
    if doc_type:
        values["doc_type"] = doc_type
    discs = discrepancies(values, record) if record is not None else []
    if low or not fields:
        status = DocumentStatus.NEEDS_REVIEW
    elif record is None:
        status = DocumentStatus.UNMATCHED
    else:
        status = DocumentStatus.MISMATCH if discs else DocumentStatus.MATCHED
    return Reconciliation(status, record.get("record_id") if record else None, discs, low)


def reconcile(session: Session, doc: Document, fields: dict[str, tuple[Any, float]], threshold: float) -> Reconciliation:
    values = {name: v for name, (v, _) in fields.items()}
    record_row = find_record(session, doc.doc_type, values)
    result = decide(doc.doc_type, fields, record_row.data if record_row else None, threshold)
    doc.registry_record_id = result.record_id
    doc.status = result.status
    _queue(session, doc, result, fields)
    return result


def _queue(session: Session, doc: Document, result: Reconciliation, fields: dict[str, tuple[Any, float]]) -> None:
    """Upsert the document's open review items; close those that no longer apply."""
    now = utcnow()
    wanted: dict[tuple[str, str], dict[str, Any]] = {}
    for d in result.discrepancies:
        wanted[(ReviewKind.DISCREPANCY, d["field"])] = {
            "document_value": d["document_value"], "registry_value": d["registry_value"],
            "confidence": fields.get(d["field"], (None, None))[1],
        }
    for name in result.low_confidence:
        value, conf = fields.get(name, (None, 0.0))
        wanted[(ReviewKind.LOW_CONFIDENCE, name)] = {"document_value": value, "registry_value": None, "confidence": conf}
    if result.record_id is None:
        wanted[(ReviewKind.UNMATCHED, "")] = {"document_value": None, "registry_value": None, "confidence": None}

    existing = {
        (it.kind, it.field): it
        for it in session.scalars(select(ReviewItem).where(ReviewItem.document_id == doc.document_id))
    }
    for key, vals in wanted.items():
        item = existing.get(key)
        if item is None:
            session.add(ReviewItem(
                document_id=doc.document_id, record_id=result.record_id, kind=key[0], field=key[1],
                status=ReviewStatus.OPEN, created_at=now, due_at=now + REVIEW_DEADLINE, **vals,
            ))
        elif item.status in (ReviewStatus.OPEN, ReviewStatus.OBSOLETE):
            if item.status == ReviewStatus.OBSOLETE:
                item.status, item.created_at, item.due_at = ReviewStatus.OPEN, now, now + REVIEW_DEADLINE
            item.record_id = result.record_id
            for k, v in vals.items():
                setattr(item, k, v)
    for key, item in existing.items():
        if key not in wanted and item.status == ReviewStatus.OPEN:
            item.status, item.resolved_at, item.resolution = ReviewStatus.OBSOLETE, now, "no longer applies after re-run"
