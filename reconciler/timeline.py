"""A person's judicial record as the archive holds it: every archived document about
them, in time order, and what does not add up (seed 002: the judicial record is
kept per person; Law on Judicial Records Art. 41-44 for expungement).

A person is found by their personal ID or passport number, on any document where
they are one of its persons (contract section 5).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sohoa.archive.models import Document, Person
from sohoa.core.types import PERSON_FIELDS
from sohoa.reconciler.compare import norm_document_number, norm_passport
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

# In the order a sentence runs its course, for documents of the same date.
_STEP = {("judgment", "ST"): 0, ("judgment", "PT"): 1, ("decision", "execute_sentence"): 2,
         ("decision", "postpone"): 3, ("decision", "suspend"): 3, ("decision", "reduce"): 4,
         ("decision", "shorten_probation"): 4, ("decision", "exempt"): 4, ("decision", "parole"): 5,
         ("certificate", "completion"): 6, ("certificate", "expunge"): 7, ("decision", "expunge"): 7}


@dataclass
class TimelineEntry:
    document_id: str
    doc_type: str | None
    kind: str | None  # trial level of a judgment, decision_kind otherwise
    document_number: str | None
    issue_date: str | None
    issuer: str | None
    status: str  # the person's reconciliation status on this document
    registry_record_id: str | None
    judgment_ref: str | None
    penalty_months: Any
    fields: dict[str, Any]  # the document's fields and this person's
    signed: dict[str, Any] | None  # bucket, key, version_id, sha256 of the signed original

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class Timeline:
    key: str
    person_name: str | None
    entries: list[TimelineEntry] = field(default_factory=list)
    flags: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "person_name": self.person_name,
                "documents": [e.to_dict() for e in self.entries], "flags": self.flags}


def _signed(doc: Document) -> dict[str, Any] | None:
    o = doc.latest_signed
    return o.ref.to_report() if o else None


def person_timeline(session: Session, key: str) -> Timeline | None:
    """Every archived document whose persons include the one with this personal ID or
    passport number, oldest first; None when the archive holds none."""
    digits = key.strip()
    rows = list(session.scalars(select(Person).where(or_(Person.personal_id == digits,
                                                         Person.passport_number == norm_passport(digits)))))
    if not rows:
        return None
    entries: list[TimelineEntry] = []
    for p in rows:
        doc = p.document
        # the document's own fields (the `fields` table's person fields are persons[0]'s) and this person's
        allv = {**{f.name: f.value for f in doc.fields if f.name not in PERSON_FIELDS},
                **{f.name: f.value for f in p.fields}}
        kind = allv.get("trial_level") if doc.doc_type == "judgment" else allv.get("decision_kind")
        entries.append(TimelineEntry(
            document_id=doc.document_id, doc_type=doc.doc_type, kind=kind,
            document_number=allv.get("document_number"), issue_date=allv.get("issue_date"),
            issuer=allv.get("issuer"), status=p.status, registry_record_id=p.registry_record_id,
            judgment_ref=allv.get("judgment_ref"), penalty_months=allv.get("penalty_months"), fields=allv,
            signed=_signed(doc)))
    entries.sort(key=lambda e: (str(e.issue_date or "9999"), _STEP.get((e.doc_type or "", e.kind or ""), 9),
                                e.document_id))
    names = [str(p.person_name) for p in rows if p.person_name]
    timeline = Timeline(key=digits, person_name=max(set(names), key=names.count) if names else None,
                        entries=entries)
    timeline.flags = inconsistencies(entries)
    return timeline


def inconsistencies(entries: list[TimelineEntry]) -> list[dict[str, Any]]:
    """What does not add up in one person's record."""
    flags: list[dict[str, Any]] = []
    judgments = {norm_document_number(e.document_number): e for e in entries
                 if e.doc_type == "judgment" and e.document_number}
    completions = [e for e in entries if e.kind == "completion"]
    for e in entries:
        if e.kind == "expunge":
            before = [c for c in completions if (c.issue_date or "") <= (e.issue_date or "")]
            if not before:
                flags.append({"kind": "expungement_before_completion", "document_id": e.document_id,
                              "detail": f"expungement {e.document_number} of {e.issue_date} and no completion "
                                        "certificate dated on or before it"})
        ref = norm_document_number(e.judgment_ref) if e.judgment_ref else None
        if e.kind == "completion" and ref and ref not in judgments:
            flags.append({"kind": "completion_without_judgment", "document_id": e.document_id,
                          "detail": f"completion {e.document_number} completes judgment {e.judgment_ref}, "
                                    "which the archive does not hold for this person"})
        if e.kind == "execute_sentence" and ref and ref in judgments:
            j = judgments[ref]
            if j.penalty_months is not None and e.penalty_months is not None and j.penalty_months != e.penalty_months:
                flags.append({"kind": "penalty_differs", "document_id": e.document_id,
                              "detail": f"execution decision {e.document_number}: {e.penalty_months} months; "
                                        f"judgment {j.document_number}: {j.penalty_months} months"})
    return flags
