"""Reconciliation: compare each document with its registry record and queue every
difference, every uncertain field and every unmatched document for a person."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from importlib import resources
from typing import Any, Iterable, Mapping, Sequence

from sohoa.archive.catalogue import utcnow
from sohoa.archive.models import Document, Person, ReadValue, ReviewItem
from sohoa.core.enums import DocumentStatus, ReviewKind, ReviewStatus, most_severe
from sohoa.core.types import PERSON_FIELDS, ExtractedField
from sohoa.reconciler.compare import discrepancies, norm_passport
from sohoa.reconciler.confirm import CONFIRMED_BY_REGISTRY, confirmed_confidence, read_may_have_slipped_to
from sohoa.reconciler.deadlines import review_due_at
from sohoa.reconciler.match import match_persons, score
from sqlalchemy import select
from sqlalchemy.orm import Session

# seed 001 Art. 8.5: a mismatch is resolved within 24 hours of receipt (the due time itself:
# reconciler/deadlines.py, in working time).
REVIEW_DEADLINE = timedelta(hours=24)


@dataclass
class Reconciliation:
    status: DocumentStatus
    record_id: str | None
    discrepancies: list[dict[str, Any]] = field(default_factory=list)
    low_confidence: list[str] = field(default_factory=list)
    missing: list[str] = field(default_factory=list)  # required fields not read
    confirmed: dict[str, float] = field(default_factory=dict)  # field -> confidence the record lifted it to


@cache
def _required() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(resources.files(__package__).joinpath("required_fields.json").read_text("utf-8"))
    return data


def required_fields(doc_type: str | None, values: dict[str, Any]) -> list[str]:
    """The fields a document of this kind must have read (reconciler/required_fields.json)."""
    spec = _required().get(doc_type or "")
    if not spec:
        return []
    out = list(spec.get("always", []))
    for on, by_value in spec.get("when", {}).items():
        out += by_value.get(str(values.get(on)), [])
    return out


Read = ExtractedField | tuple[Any, float]
Fields = Mapping[str, Read]


def as_read(value: Read) -> ExtractedField:
    return value if isinstance(value, ExtractedField) else ExtractedField(value[0], value[1])


def decide(doc_type: str | None, fields: Fields, record: dict[str, Any] | None, threshold: float,
           confirm: bool = True) -> Reconciliation:
    """The contract's status for one document (pure: no database). `matched` needs every
    required field read, confident (on its own or confirmed by the record, reconciler.confirm)
    and agreeing; a required field not read is no agreement."""
    reads = {name: as_read(v) for name, v in fields.items()}
    values = {name: r.value for name, r in reads.items()}
    if doc_type:
        values["doc_type"] = doc_type
    confirmed: dict[str, float] = {}
    uncertain = [name for name, r in reads.items() if r.confidence < threshold]
    if record is not None and confirm and uncertain:
        link = score(values, record)  # the same for every field: weighed once
        for name in uncertain:
            lifted = confirmed_confidence(name, reads[name], record, link)
            if lifted is not None and lifted >= threshold:
                confirmed[name] = round(lifted, 4)
    # a disagreement on a confidently read field is a discrepancy; on an uncertain one, or where the
    # read may be the OCR's slip of the record's value (reconciler.confirm.read_may_have_slipped_to),
    # which side is wrong the scan decides: the field's low-confidence item says so (it shows the
    # record's value)
    discs, disputed = [], []
    for d in discrepancies(values, record) if record is not None else []:
        read = reads.get(d["field"])  # (none: the kind, classified)
        if read is not None and read.confidence < threshold:
            continue
        if read is not None and read_may_have_slipped_to(d["field"], read, d["registry_value"]):
            disputed.append(d["field"])
            continue
        discs.append(d)
    low = sorted({name for name in uncertain if name not in confirmed} | set(disputed))
    if doc_type is None:
        low = ["doc_type", *low]
    missing = [name for name in required_fields(doc_type, values) if values.get(name) in (None, "", [])]
    if low or missing or not fields:
        status = DocumentStatus.NEEDS_REVIEW
    elif record is None:
        status = DocumentStatus.UNMATCHED
    else:
        status = DocumentStatus.MISMATCH if discs else DocumentStatus.MATCHED
    return Reconciliation(status, record.get("record_id") if record else None, discs, low, missing, confirmed)


@dataclass
class DocumentReconciliation:
    """Every person's reconciliation; the document takes the most severe status, and its
    record and discrepancies are persons[0]'s (contract section 5, v1 readers)."""

    persons: list[Reconciliation]

    @property
    def status(self) -> DocumentStatus:
        return most_severe([p.status for p in self.persons])

    @property
    def record_id(self) -> str | None:
        return self.persons[0].record_id if self.persons else None

    @property
    def discrepancies(self) -> list[dict[str, Any]]:
        return self.persons[0].discrepancies if self.persons else []


def reconcile(session: Session, doc: Document, fields: Fields, threshold: float,
              persons: Sequence[Fields] | None = None, confirm: bool = True) -> DocumentReconciliation:
    """Match and compare each person of the document, store each person's outcome and
    the document's, queue what a person must look at.
    fields: the v1 view (document fields and persons[0]'s); persons: each person's own
    fields (default: persons[0]'s, taken from `fields`)."""
    doc_fields = {k: as_read(v) for k, v in fields.items() if k not in PERSON_FIELDS}
    if not persons:
        persons = [{k: v for k, v in fields.items() if k in PERSON_FIELDS}]
    people = [{k: as_read(v) for k, v in p.items()} for p in persons]
    values = {name: r.value for name, r in doc_fields.items()}
    records = match_persons(session, doc.doc_type, values,
                            [{name: r.value for name, r in p.items()} for p in people])
    results = [decide(doc.doc_type, {**doc_fields, **person}, row.data if row else None, threshold, confirm)
               for person, row in zip(people, records)]
    outcome = DocumentReconciliation(results)
    doc.registry_record_id = outcome.record_id
    doc.status = outcome.status
    _store_persons(session, doc, people, results)
    if results:
        mark_confirmed(doc.fields, results[0].confirmed)  # the v1 view: document fields and persons[0]'s
    for i, (result, row) in enumerate(zip(results, records)):
        queue_items(session, doc, i, result, {**doc_fields, **people[i]}, row.data if row else None)
    _close_departed(session, doc, len(results))
    return outcome


def mark_confirmed(rows: Iterable[ReadValue], confirmed: dict[str, float]) -> None:
    """Set (or clear: a re-run may no longer confirm it) each row's confirmation from one
    reconciliation's `confirmed`."""
    for row in rows:
        lifted = confirmed.get(row.name)
        row.confirmed_by = CONFIRMED_BY_REGISTRY if lifted is not None else None
        row.confirmed_confidence = lifted


def _store_persons(session: Session, doc: Document, persons: list[dict[str, ExtractedField]],
                   results: list[Reconciliation]) -> None:
    rows = {p.ordinal: p for p in session.scalars(select(Person).where(Person.document_id == doc.document_id))}
    for i, (fields, result) in enumerate(zip(persons, results)):
        row = rows.get(i)
        if row is None:
            row = Person(document_id=doc.document_id, ordinal=i)
            session.add(row)
        for key in ("person_name", "personal_id", "passport_number"):
            read = fields.get(key)
            value = read.value if read is not None else None
            setattr(row, key, None if value is None else norm_passport(value) if key == "passport_number"
                    else str(value))
        row.registry_record_id, row.status, row.discrepancies = result.record_id, result.status, result.discrepancies
        mark_confirmed(row.fields, result.confirmed)
    session.flush()


def queue_items(session: Session, doc: Document, person: int, result: Reconciliation, fields: Fields,
                record: dict[str, Any] | None = None) -> None:
    """Upsert one person's open review items; close those that no longer apply. A doubtful value
    carries the linked record's value: the verifier sees whether the record agrees (but could not
    confirm it: reconciler.confirm) or holds what the scan may say instead."""
    now = utcnow()
    reads = {name: as_read(v) for name, v in fields.items()}
    due = review_due_at(now, doc.doc_type, reads["decision_kind"].value if "decision_kind" in reads else None)
    wanted: dict[tuple[str, str], dict[str, Any]] = {}
    for d in result.discrepancies:
        read = reads.get(d["field"])
        wanted[(ReviewKind.DISCREPANCY, d["field"])] = {
            "document_value": d["document_value"], "registry_value": d["registry_value"],
            "confidence": read.confidence if read is not None else None,
        }
    for name in result.low_confidence:
        if person > 0 and name not in PERSON_FIELDS:
            continue  # a document field is read once: its doubt is queued with the first person
        read = reads.get(name, ExtractedField(None, 0.0))
        wanted[(ReviewKind.LOW_CONFIDENCE, name)] = {"document_value": read.value,
                                                     "registry_value": record.get(name) if record else None,
                                                     "confidence": read.confidence}
    for name in result.missing:
        if person > 0 and name not in PERSON_FIELDS:
            continue
        wanted[(ReviewKind.MISSING, name)] = {"document_value": None, "registry_value": None, "confidence": None}
    if result.record_id is None:
        wanted[(ReviewKind.UNMATCHED, "")] = {"document_value": None, "registry_value": None, "confidence": None}

    existing = {
        (it.kind, it.field): it
        for it in session.scalars(select(ReviewItem).where(ReviewItem.document_id == doc.document_id,
                                                           ReviewItem.person == person))
        if it.kind != ReviewKind.SPLIT  # a cut's question is the splitter's (pipeline/split.py)
    }
    for key, vals in wanted.items():
        item = existing.get(key)
        if item is None:
            session.add(ReviewItem(
                document_id=doc.document_id, person=person, record_id=result.record_id, kind=key[0], field=key[1],
                status=ReviewStatus.OPEN, created_at=now, due_at=due, **vals,
            ))
        elif item.status in (ReviewStatus.OPEN, ReviewStatus.OBSOLETE):
            if item.status == ReviewStatus.OBSOLETE:
                item.status, item.created_at, item.due_at = ReviewStatus.OPEN, now, due
            item.record_id = result.record_id
            for k, v in vals.items():
                setattr(item, k, v)
    for key, item in existing.items():
        if key not in wanted and item.status == ReviewStatus.OPEN:
            _obsolete(item, now)


def _obsolete(item: ReviewItem, now: datetime) -> None:
    """Closed, not deleted: a later run that finds the question again reopens it."""
    item.status, item.resolved_at, item.resolution = ReviewStatus.OBSOLETE, now, "no longer applies after re-run"


def _close_departed(session: Session, doc: Document, count: int) -> None:
    """Items of persons a re-run no longer finds are obsolete, not lost."""
    now = utcnow()
    for item in session.scalars(select(ReviewItem).where(ReviewItem.document_id == doc.document_id,
                                                         ReviewItem.person >= count,
                                                         ReviewItem.kind != ReviewKind.SPLIT,
                                                         ReviewItem.status == ReviewStatus.OPEN)):
        _obsolete(item, now)
