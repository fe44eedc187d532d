"""Find the registry record a document belongs to.

Document number first (several courts can issue the same number, so ties are
broken by issuer, personal ID and date); then personal ID + document kind +
issue date, the personal ID being the main key for a person (seed 002
Art. 5.2-5.3).

A document with several persons (contract section 5) has one record per
person under the same document number: each person gets the record whose
person agrees with theirs (personal ID, passport, name, birth date), each
record at most one person, and a tie is left for a person to decide.
"""
from __future__ import annotations

from typing import Any

from sohoa.archive.models import RegistryRecord
from sohoa.reconciler.compare import norm_document_number, norm_passport, values_agree
from sqlalchemy import select
from sqlalchemy.orm import Session

_TIEBREAK_FIELDS = ("issuer", "personal_id", "issue_date", "person_name", "decision_kind")


def _agreement(doc: dict[str, Any], rec: dict[str, Any]) -> int:
    return sum(
        1 for f in _TIEBREAK_FIELDS if f in doc and rec.get(f) is not None and values_agree(f, doc[f], rec[f])
    )


def find_record(session: Session, doc_type: str | None, doc: dict[str, Any]) -> RegistryRecord | None:
    number = doc.get("document_number")
    if number:
        rows = list(
            session.scalars(
                select(RegistryRecord).where(RegistryRecord.document_number == norm_document_number(number))
            )
        )
        if doc_type:
            rows = [r for r in rows if r.doc_type == doc_type] or rows
        if len(rows) == 1:
            return rows[0]
        if rows:
            ranked = sorted(rows, key=lambda r: (-_agreement(doc, r.data), r.record_id))
            # Only a clear winner: two equally good records is a question for a person.
            if _agreement(doc, ranked[0].data) > _agreement(doc, ranked[1].data):
                return ranked[0]
            return None
    pid, issued = doc.get("personal_id"), doc.get("issue_date")
    if pid and issued and doc_type:
        rows = list(
            session.scalars(
                select(RegistryRecord).where(
                    RegistryRecord.personal_id == str(pid),
                    RegistryRecord.doc_type == doc_type,
                    RegistryRecord.issue_date == str(issued),
                )
            )
        )
        if len(rows) == 1:
            return rows[0]
    return None


# How much a record's person agrees with a document's person; an identity number
# that disagrees rules the record out (None).
_IDENTITY_WEIGHTS = (("personal_id", 4), ("passport_number", 4), ("person_name", 2), ("birth_date", 1))
_MIN_IDENTITY = 2  # a name or an identity number: a birth date alone links nobody


def identity_agreement(person: dict[str, Any], rec: dict[str, Any]) -> int | None:
    score = 0
    for name, weight in _IDENTITY_WEIGHTS:
        a, b = person.get(name), rec.get(name)
        if a is None or b is None:
            continue
        if values_agree(name, a, b):
            score += weight
        elif name in ("personal_id", "passport_number"):
            return None
    return score


def _by_number(session: Session, doc_type: str | None, number: Any) -> list[RegistryRecord]:
    rows = list(session.scalars(select(RegistryRecord)
                                .where(RegistryRecord.document_number == norm_document_number(number))
                                .order_by(RegistryRecord.record_id)))
    if doc_type:
        rows = [r for r in rows if r.doc_type == doc_type] or rows
    return rows


def _by_identity(session: Session, doc_type: str | None, doc: dict[str, Any], person: dict[str, Any],
                 taken: set[str]) -> RegistryRecord | None:
    issued = doc.get("issue_date")
    if not (issued and doc_type):
        return None
    for column, key, norm in ((RegistryRecord.personal_id, "personal_id", str),
                              (RegistryRecord.passport_number, "passport_number", norm_passport)):
        value = person.get(key)
        if not value:
            continue
        rows = [r for r in session.scalars(select(RegistryRecord).where(
            column == norm(value), RegistryRecord.doc_type == doc_type, RegistryRecord.issue_date == str(issued)))
            if r.record_id not in taken]
        if len(rows) == 1:
            return rows[0]
    return None


def match_persons(session: Session, doc_type: str | None, doc: dict[str, Any],
                  persons: list[dict[str, Any]]) -> list[RegistryRecord | None]:
    """Each person's own registry record (or None), no record given to two persons.
    doc: the document's fields; persons: each person's fields."""
    if len(persons) <= 1:
        return [find_record(session, doc_type, {**doc, **(persons[0] if persons else {})})]
    found: list[RegistryRecord | None] = [None] * len(persons)
    taken: set[str] = set()
    number = doc.get("document_number")
    rows = _by_number(session, doc_type, number) if number else []
    scored: dict[int, list[tuple[int, RegistryRecord]]] = {}
    for i, person in enumerate(persons):
        for r in rows:
            score = identity_agreement(person, r.data)
            if score is not None and score >= _MIN_IDENTITY:
                scored.setdefault(i, []).append((score, r))
    # best pairs first; a person whose two best records score alike is left for a person
    pairs = sorted(((score, i, r) for i, cands in scored.items() for score, r in cands),
                   key=lambda t: (-t[0], t[1], t[2].record_id))
    undecided: set[int] = set()
    for score, i, r in pairs:
        if found[i] is not None or i in undecided or r.record_id in taken:
            continue
        rivals = [s for s, other in scored[i] if other.record_id not in taken and other is not r]
        if rivals and max(rivals) == score:
            undecided.add(i)
            continue
        found[i] = r
        taken.add(r.record_id)
    for i, person in enumerate(persons):
        if found[i] is None and i not in undecided:
            other = _by_identity(session, doc_type, doc, person, taken)
            if other is not None:
                found[i] = other
                taken.add(other.record_id)
    return found
