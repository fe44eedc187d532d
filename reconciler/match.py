"""Find the registry record a document belongs to.

Document number first (several courts can issue the same number, so ties are
broken by issuer, personal ID and date); then personal ID + document kind +
issue date, the personal ID being the main key for a person (seed 002
Art. 5.2-5.3).
"""
from __future__ import annotations

from typing import Any

from sohoa.archive.models import RegistryRecord
from sohoa.reconciler.compare import norm_document_number, values_agree
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
