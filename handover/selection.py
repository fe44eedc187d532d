"""Which documents a hand-over package holds, and how they are grouped into dossiers.

A selection is one of: a dossier code, a batch id, or a range of conversion dates
(inclusive, Vietnam time: the day the paper was digitised and signed). Only current
documents are taken: one a verifier cut again (``superseded_by`` set) is left out.

Grouping (one METS document per group):
  1. a document with ``dossier_code`` goes into that dossier;
  2. without one, the FileCode (mã hồ sơ) of its archival metadata in the catalogue
     (``Document.archival``, filled at archiving from the judgment the document executes);
  3. without either, a judgment and the decisions and certificates executing it go together
     (the judgment's number, or ``judgment_ref`` of a decision/certificate): the paper file
     such a set was kept in; its code is ``BA-<judgment number>`` ("bản án");
  4. what has none of these goes into one group ``KHONG-HO-SO`` ("không có hồ sơ": no dossier).
The placeholder FileCode archive/metadata.py makes when the catalogue has none is not used
to group: it is one document's number, not a dossier's.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sohoa.archive.metadata import archival_metadata
from sohoa.archive.models import Document, Dossier
from sqlalchemy import select
from sqlalchemy.orm import Session

from .errors import EmptySelection, ExportError

VN = timezone(timedelta(hours=7))
NO_DOSSIER = "KHONG-HO-SO"
JUDGMENT_GROUP = "BA-"


@dataclass(frozen=True)
class Selection:
    kind: str  # dossier | batch | dates
    dossier: str | None = None
    batch: str | None = None
    date_from: date | None = None
    date_to: date | None = None

    def describe(self) -> dict[str, Any]:
        if self.kind == "dossier":
            return {"dossier": self.dossier}
        if self.kind == "batch":
            return {"batch": self.batch}
        return {"from": str(self.date_from), "to": str(self.date_to)}


@dataclass
class DocEntry:
    """One selected document, detached from the session."""

    document_id: str
    batch_id: str
    source: str
    doc_type: str | None
    page_count: int
    ocr_used: bool
    signer: str | None
    converted_at: datetime
    created_at: datetime
    dossier_code: str | None
    dossier_ordinal: int | None
    page_first: int | None
    page_last: int | None
    fields: dict[str, Any]
    archival: dict[str, Any]
    file_code: str | None = None  # the catalogue's archival FileCode, when it has one
    group: str = ""
    ordinal: int = 0  # in its group, 1 first


@dataclass
class Group:
    code: str  # as the catalogue or the rule above names it
    title: str
    kind: str  # dossier | file_code | judgment | none
    archival: dict[str, Any]
    documents: list[DocEntry] = field(default_factory=list)

    @property
    def slug(self) -> str:
        return safe_name(self.code)


_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(code: str) -> str:
    """A file name for a code: its safe characters, plus a short hash of the code when any
    character was replaced (two codes never share a file; '../x' never leaves the folder)."""
    cleaned = _SAFE.sub("_", code).strip("._-") or "hoso"
    if cleaned != code:
        cleaned = f"{cleaned[:80]}-{hashlib.sha256(code.encode('utf-8')).hexdigest()[:10]}"
    return cleaned[:100]


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _query(sel: Selection) -> Any:
    q = select(Document).where(Document.superseded_by.is_(None))
    if sel.kind == "dossier":
        return q.where(Document.dossier_code == sel.dossier)
    if sel.kind == "batch":
        return q.where(Document.batch_id == sel.batch)
    if sel.date_from is None or sel.date_to is None or sel.date_from > sel.date_to:
        raise ExportError(f"date range {sel.date_from} .. {sel.date_to}: the start is after the end")
    start = datetime.combine(sel.date_from, time(0), VN).astimezone(timezone.utc)
    end = datetime.combine(sel.date_to + timedelta(days=1), time(0), VN).astimezone(timezone.utc)
    return q.where(Document.converted_at >= start, Document.converted_at < end)


def _entry(doc: Document, organ_code: str) -> DocEntry:
    values = {f.name: f.value for f in doc.fields}
    archival = dict(doc.archival or {}) or archival_metadata(
        organ_code=organ_code, doc_type=doc.doc_type, values=values, page_count=doc.page_count,
        ordinal=doc.dossier_ordinal or 1)
    return DocEntry(document_id=doc.document_id, batch_id=doc.batch_id, source=doc.source, doc_type=doc.doc_type,
                    page_count=doc.page_count, ocr_used=bool(doc.ocr_used), signer=doc.signer,
                    converted_at=_aware(doc.converted_at), created_at=_aware(doc.created_at),
                    dossier_code=doc.dossier_code, dossier_ordinal=doc.dossier_ordinal,
                    page_first=doc.page_first, page_last=doc.page_last, fields=values, archival=archival,
                    file_code=str((doc.archival or {}).get("FileCode") or "") or None)


def _judgment_number(d: DocEntry) -> str | None:
    ref = d.fields.get("document_number") if d.doc_type == "judgment" else d.fields.get("judgment_ref")
    return str(ref) if ref else None


def _sort_key(d: DocEntry) -> tuple[Any, ...]:
    return (d.dossier_ordinal if d.dossier_ordinal is not None else 10**6,
            {"judgment": 0, "decision": 1, "certificate": 2}.get(d.doc_type or "", 3),
            str(d.fields.get("issue_date") or ""), d.source, d.page_first or 0, d.document_id)


def select_groups(session: Session, sel: Selection, organ_code: str) -> list[Group]:
    """The selected documents grouped as the module says, groups and documents in a stable order."""
    docs = [_entry(d, organ_code) for d in session.scalars(_query(sel).order_by(Document.document_id))]
    if not docs:
        raise EmptySelection(f"selection {sel.describe()}: no archived document matches "
                             "(superseded documents are not handed over)")
    groups: dict[str, Group] = {}
    for d in docs:
        if d.dossier_code:
            key = d.dossier_code
            if key not in groups:
                row = session.get(Dossier, key)
                groups[key] = Group(code=key, title=(row.title if row and row.title else f"Hồ sơ {key}"),
                                    kind="dossier", archival=dict((row.archival if row else None) or {}))
        elif d.file_code:
            key = d.file_code
            num = _judgment_number(d)
            groups.setdefault(key, Group(code=key, title=(f"Hồ sơ thi hành bản án số {num}" if num
                                                          else f"Hồ sơ {key}"), kind="file_code", archival={}))
        elif (num := _judgment_number(d)) is not None:
            key = JUDGMENT_GROUP + num
            groups.setdefault(key, Group(code=key, title=f"Hồ sơ thi hành bản án số {num}", kind="judgment",
                                         archival={}))
        else:
            key = NO_DOSSIER
            groups.setdefault(key, Group(code=key, title="Tài liệu không thuộc hồ sơ nào", kind="none",
                                         archival={}))
        d.group = key
        groups[key].documents.append(d)
    out = [groups[k] for k in sorted(groups)]
    seen: dict[str, str] = {}
    for g in out:
        if g.slug in seen:  # safe_name is injective up to its hash; say so if it ever is not
            raise ExportError(f"dossiers {seen[g.slug]!r} and {g.code!r} map to one file name {g.slug!r}")
        seen[g.slug] = g.code
        g.documents.sort(key=_sort_key)
        for i, d in enumerate(g.documents, 1):
            d.ordinal = i
    return out


def dossier_metadata(g: Group, unit: str | None) -> dict[str, Any]:
    """The file-level (hồ sơ) metadata of a group: what the catalogue holds for the dossier,
    completed from its documents (Decree 30/2020 App. VI: Title, Maintenance, Language,
    StartDate/EndDate, DocTotal, PageTotal, Creator)."""
    dates = sorted(str(d.fields.get("issue_date")) for d in g.documents if d.fields.get("issue_date"))
    derived: dict[str, Any] = {
        "FileCode": g.code,
        "Title": g.title,
        "Maintenance": "Vĩnh viễn",
        "Language": "vi",
        "StartDate": dates[0] if dates else None,
        "EndDate": dates[-1] if dates else None,
        "DocTotal": len(g.documents),
        "PageTotal": sum(d.page_count for d in g.documents),
        "Creator": unit,
    }
    return {**derived, **{k: v for k, v in g.archival.items() if v not in (None, "", [])}}
