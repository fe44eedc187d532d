"""Verifiers' fixes to a document's persons, applied once a second person approved
them (ui/workflow.py): a person the extractor missed, and two persons whose values
were mixed up. Each fix re-reconciles the document from what the catalogue then
holds; the values a person typed carry confidence 1.0 (read by a person, checked by
another).
"""
from __future__ import annotations

from typing import Any

from sohoa.archive.catalogue import utcnow
from sohoa.archive.models import Document, FieldValue, Person, PersonField, RegistryRecord
from sohoa.core.enums import DocumentStatus, most_severe
from sohoa.core.types import PERSON_FIELDS
from sohoa.reconciler import DocumentReconciliation, decide, mark_confirmed, queue_items, reconcile

HUMAN = 1.0  # confidence of a value a verifier entered and an approver accepted


class AmendError(ValueError):
    """The fix does not fit the document as it now is."""


def _persons(doc: Document) -> list[Person]:
    return sorted(doc.persons, key=lambda p: p.ordinal)


def rereconcile(session: Any, doc: Document, threshold: float, confirm: bool = True) -> DocumentReconciliation:
    """Reconcile the document again from its catalogued fields and persons; the v1 view
    (the `fields` table's person fields) follows persons[0]."""
    persons = _persons(doc)
    if persons:
        first = {f.name: f for f in persons[0].fields}
        for fv in list(doc.fields):
            if fv.name in PERSON_FIELDS and fv.name not in first:
                session.delete(fv)
        have = {fv.name: fv for fv in doc.fields}
        for name, pf in first.items():
            row = have.get(name)
            if row is None:
                session.add(FieldValue(document_id=doc.document_id, name=name, value=pf.value,
                                       confidence=pf.confidence, page=pf.page, bbox=pf.bbox,
                                       read_evidence=pf.read_evidence))
            else:
                row.value, row.confidence, row.page, row.bbox = pf.value, pf.confidence, pf.page, pf.bbox
                row.read_evidence = pf.read_evidence
        session.flush()
        session.refresh(doc)
    v1 = {f.name: f.extracted() for f in doc.fields}
    people = [{f.name: f.extracted() for f in p.fields} for p in persons]
    result = reconcile(session, doc, v1, threshold, people or None, confirm)
    doc.updated_at = utcnow()
    return result


def add_person(session: Any, document_id: str, fields: dict[str, Any], threshold: float,
               confirm: bool = True) -> Person:
    """A person the document concerns and the extractor did not find."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise AmendError(f"document {document_id}: not in the archive")
    unknown = sorted(set(fields) - set(PERSON_FIELDS))
    if unknown or not fields.get("person_name"):
        raise AmendError(f"a person needs a name and only person fields (not {unknown})")
    ordinal = max((p.ordinal for p in doc.persons), default=-1) + 1
    person = Person(document_id=document_id, ordinal=ordinal, status="pending", discrepancies=[])
    session.add(person)
    session.flush()
    for name, value in fields.items():
        session.add(PersonField(person_id=person.id, name=name, value=value, confidence=HUMAN))
    session.flush()
    session.refresh(doc)
    rereconcile(session, doc, threshold, confirm)
    return person


def swap_fields(session: Any, document_id: str, a: int, b: int, names: list[str], threshold: float,
                confirm: bool = True) -> None:
    """Persons a and b (ordinals) each get the other's values of `names`: the extractor
    gave one person's term (name, ID ...) to the other."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise AmendError(f"document {document_id}: not in the archive")
    by_ordinal = {p.ordinal: p for p in doc.persons}
    if a == b or a not in by_ordinal or b not in by_ordinal:
        raise AmendError(f"document {document_id} has no persons {a} and {b} to swap")
    bad = [n for n in names if n not in PERSON_FIELDS]
    if bad or not names:
        raise AmendError(f"only person fields can be swapped (not {bad})")
    pa, pb = by_ordinal[a], by_ordinal[b]
    fa, fb = {f.name: f for f in pa.fields}, {f.name: f for f in pb.fields}
    for name in names:
        x, y = fa.get(name), fb.get(name)
        if x is not None and y is not None:
            (x.value, x.page, x.bbox), (y.value, y.page, y.bbox) = (y.value, y.page, y.bbox), (x.value, x.page, x.bbox)
        elif x is not None:
            x.person_id = pb.id  # the other has none: it moves (no row of that name to collide with)
        elif y is not None:
            y.person_id = pa.id
    session.flush()
    for p in (pa, pb):
        session.refresh(p)
        for f in p.fields:
            if f.name in names:
                f.confidence, f.read_evidence = HUMAN, None  # a person's reading: no doubt left
        if "person_name" in names or "personal_id" in names or "passport_number" in names:
            values = {f.name: f.value for f in p.fields}
            p.person_name, p.personal_id = values.get("person_name"), values.get("personal_id")
            p.passport_number = values.get("passport_number")
    session.flush()
    session.refresh(doc)
    rereconcile(session, doc, threshold, confirm)


def link_person(session: Any, document_id: str, ordinal: int, record_id: str, threshold: float,
                confirm: bool = True) -> None:
    """A person's registry record, as a verifier linked it and an approver approved: it
    stands (no linkage second-guesses it); the person is compared with it, their items
    queued, and the document takes its persons' most severe status."""
    doc = session.get(Document, document_id)
    rec = session.get(RegistryRecord, record_id)
    if doc is None or rec is None:
        raise AmendError(f"document {document_id} or record {record_id}: not in the archive")
    persons = {p.ordinal: p for p in doc.persons}
    doc_fields = {f.name: f.extracted() for f in doc.fields if f.name not in PERSON_FIELDS}
    person = persons.get(ordinal)
    mine = ({f.name: f.extracted() for f in person.fields} if person is not None
            else {f.name: f.extracted() for f in doc.fields if f.name in PERSON_FIELDS})
    fields = {**doc_fields, **mine}
    result = decide(doc.doc_type, fields, rec.data, threshold, confirm)
    result.record_id = record_id
    if person is not None:
        person.registry_record_id, person.status, person.discrepancies = record_id, result.status, result.discrepancies
        mark_confirmed(person.fields, result.confirmed)
    if ordinal == 0:
        doc.registry_record_id = record_id
        mark_confirmed(doc.fields, result.confirmed)
    session.flush()
    statuses = [DocumentStatus(p.status) for p in doc.persons if p.status != DocumentStatus.PENDING] or [result.status]
    doc.status = most_severe(statuses)
    doc.updated_at = utcnow()
    queue_items(session, doc, ordinal, result, fields, rec.data)
