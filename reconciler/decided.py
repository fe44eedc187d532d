"""Nothing reverts a decision (issue 16, item 3).

A registry field a person decided -- its newest history row carries `approved_by` (ui/workflow.py
approve: a correction, or a record created by a verifier), or a person confirmed its value on a
document of the record (a verified value decided as read or as the registry held it) -- is not
changed by a later import or sync. The incoming value is kept out, and a `conflict` review item
puts both values before a verifier: the decided value as `document_value`, the incoming one as
`registry_value`.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Iterable

from sohoa.archive.catalogue import audit
from sohoa.archive.models import Document, FieldValue, Person, RegistryHistory, ReviewItem, VerifiedValue
from sohoa.core.enums import ReviewKind, ReviewStatus, VerificationState
from sohoa.reconciler.deadlines import review_due_at
from sqlalchemy import and_, select
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)


def decided_fields(s: Session, record_ids: Iterable[str]) -> dict[str, dict[str, Any]]:
    """record_id -> {field: the decided value} for the fields whose newest change a person approved,
    and the fields a person confirmed on a document of the record without changing it (kept the
    registry's value, accepted a read it agreed with: the verified values, ui/verification.py)."""
    ids = list(record_ids)
    if not ids:
        return {}
    out = _approved(s, ids)
    confirmed = s.execute(
        select(Person.registry_record_id, VerifiedValue.name, VerifiedValue.value)
        .join(Person, and_(Person.document_id == VerifiedValue.document_id, Person.ordinal == VerifiedValue.person))
        .where(Person.registry_record_id.in_(ids), VerifiedValue.decided_by.is_not(None),
               VerifiedValue.decision.in_(("as_read", "registry")))
        .order_by(VerifiedValue.id.desc()))
    for rid, name, value in confirmed:
        if rid is not None:
            out.setdefault(rid, {}).setdefault(name, value)
    return out


def _approved(s: Session, ids: list[str]) -> dict[str, dict[str, Any]]:
    approved = set(s.scalars(select(RegistryHistory.record_id).where(
        RegistryHistory.record_id.in_(ids), RegistryHistory.approved_by.is_not(None))))
    out: dict[str, dict[str, Any]] = {}
    if not approved:
        return out
    rows = s.scalars(select(RegistryHistory).where(RegistryHistory.record_id.in_(sorted(approved)))
                     .order_by(RegistryHistory.id))
    newest: dict[str, dict[str, tuple[Any, bool]]] = {}
    for h in rows:
        fields = newest.setdefault(h.record_id, {})
        if h.field == "*":  # a whole record: approved when a verifier created it
            for k, v in (h.new_value or {}).items() if isinstance(h.new_value, dict) else ():
                fields[k] = (v, h.approved_by is not None)
        elif h.field != "document":  # a link's row names a document, no field
            fields[h.field] = (h.new_value, h.approved_by is not None)
    for rid, fields in newest.items():
        kept = {k: v for k, (v, by_person) in fields.items() if by_person and k != "record_id"}
        if kept:
            out[rid] = kept
    return out


def _where(s: Session, record_id: str, field: str) -> tuple[str, int] | None:
    """The document and person a conflict on this record's field is shown on: the item the
    decision came from, else a person or document linked to the record."""
    item = s.scalars(select(ReviewItem).where(ReviewItem.record_id == record_id, ReviewItem.field == field,
                                              ReviewItem.kind != ReviewKind.CONFLICT)
                     .order_by(ReviewItem.id.desc()).limit(1)).first()
    if item is not None:
        return item.document_id, item.person
    person = s.scalars(select(Person).where(Person.registry_record_id == record_id).limit(1)).first()
    if person is not None:
        return person.document_id, person.ordinal
    doc = s.scalars(select(Document).where(Document.registry_record_id == record_id).limit(1)).first()
    return (doc.document_id, 0) if doc is not None else None


def raise_conflict(s: Session, record_id: str, field: str, decided: Any, incoming: Any, source: str,
                   actor: str, now: datetime, where: tuple[str, int] | None = None) -> ReviewItem | None:
    """An open `conflict` item for the record's field (one per document, person and field: an
    open one is updated), and its audit event. None when no document shows the record (audited)."""
    place = where or _where(s, record_id, field)
    if place is None:
        audit(s, actor, "registry.conflict", f"registry:{record_id}", outcome="unrouted", field=field,
              decided=decided, incoming=incoming, source=source)
        log.warning("registry conflict on %s.%s with no document to show it on", record_id, field,
                    extra={"record": record_id})
        return None
    document_id, person = place
    # due by the document's law in working time, as every other item (reconciler/deadlines.py);
    # asked before an item is added, so no half-made row is autoflushed
    doc = s.get(Document, document_id)
    kind = s.scalar(select(FieldValue.value).where(FieldValue.document_id == document_id,
                                                   FieldValue.name == "decision_kind"))
    due = review_due_at(now, doc.doc_type if doc is not None else None, kind if isinstance(kind, str) else None)
    item = s.scalars(select(ReviewItem).where(ReviewItem.document_id == document_id, ReviewItem.person == person,
                                              ReviewItem.kind == ReviewKind.CONFLICT,
                                              ReviewItem.field == field)).first()
    if item is not None and item.status == ReviewStatus.OPEN and item.registry_value == incoming \
            and item.document_value == decided:
        return item  # already before a verifier, as it stands
    if item is None:
        item = ReviewItem(document_id=document_id, person=person, kind=ReviewKind.CONFLICT, field=field)
        s.add(item)
    item.record_id, item.document_value, item.registry_value, item.confidence = record_id, decided, incoming, None
    item.status, item.created_at, item.due_at = ReviewStatus.OPEN, now, due
    item.resolved_at = item.resolution = None
    # a decided value is in question again: the person and the document are pending until a person
    # settles it (ui/verification.py works the state out anew after that decision)
    if doc is not None:
        doc.verification_state = VerificationState.PENDING
        for p in doc.persons:
            if p.ordinal == person:
                p.verification_state = VerificationState.PENDING
    s.flush()
    audit(s, actor, "registry.conflict", f"registry:{record_id}", field=field, decided=decided, incoming=incoming,
          source=source, review_item=item.id)
    log.info("registry conflict on %s.%s: item %s", record_id, field, item.id,
             extra={"record": record_id, "document": document_id})
    return item
