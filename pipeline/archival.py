"""A document's archival metadata at the two moments it is written -- into the signed
PDF's XMP (sign stage) and into the catalogue (Document.archival, Dossier.archival, at
cataloguing) -- and the backfill of documents archived before there was any.

What goes in: the extracted values, the batch (unit, scan time; the dossier batch.json
declares or the split found: the work area's part.json), the signing certificate
(SignerInfo) and the catalogue (the document's rank among those sharing its FileCode).
The sets themselves: archive/archival.py; their upkeep in the catalogue:
archive/archival_catalogue.py.

DocOrdinal in the signed XMP is the document's place as known when it was signed; the
catalogue's is recomputed each time a document joins the file (a decision archived
before its judgment moves down one when the judgment comes).
"""
from __future__ import annotations

import logging
from typing import Any

from sohoa.archive.archival import document_archival
from sohoa.archive.archival_catalogue import ordinal_in_file, refresh_file
from sohoa.archive.models import Batch, Document, Page, StoredObject
from sohoa.core.runtime import Runtime
from sohoa.core.types import Extraction, SourceDocument
from sohoa.core.workarea import WorkArea
from sohoa.pipeline.intake import BatchInfo
from sqlalchemy import select

log = logging.getLogger("sohoa.pipeline.archival")

PART = "part.json"  # pipeline/split.py: a document's dossier and place in it
ARCHIVAL = "archival.json"  # in a work area: the set written into the signed XMP


def _part(work: WorkArea) -> dict[str, Any]:
    try:
        return dict(work.load_json(PART)) if work.has(PART) else {}
    except (OSError, ValueError):
        return {}


def _ocr_confidence(pages: list[Any]) -> float | None:
    confs = [w.confidence for p in pages for w in getattr(p, "words", [])]
    return sum(confs) / len(confs) if confs else None


def signer_info_of(rt: Runtime) -> dict[str, Any] | None:
    from sohoa.pipeline.sign.signer_info import signer_info

    cert = getattr(rt.signer, "certificate", None)
    return signer_info(cert) if cert is not None else None


def signing_archival(rt: Runtime, batch: BatchInfo, doc: SourceDocument, document_id: str,
                     extraction: Extraction) -> dict[str, Any]:
    """The document's set for its signed XMP; kept in the work area for the catalogue."""
    work = rt.work(document_id)
    values = {k: f.value for k, f in extraction.fields.items()}
    part = _part(work)
    pages: list[Any] = []
    try:
        pages = list(work.load("recognized.pkl").get("pages") or [])
    except (OSError, KeyError, AttributeError, EOFError):
        pass
    a = document_archival(
        document_id=document_id, organ_code=rt.settings.organ_code, doc_type=extraction.doc_type, values=values,
        page_count=doc.page_count, born_digital=doc.kind == "pdf_text", dossier_code=part.get("dossier"),
        signer_info=signer_info_of(rt), unit=batch.unit or rt.settings.unit, scanned_at=batch.scanned_at,
        ocr_confidence=_ocr_confidence(pages) if doc.kind != "pdf_text" else None)
    if a.FileCode:
        with rt.catalogue.session() as s:
            a.DocOrdinal = ordinal_in_file(s, a.FileCode, document_id, a.IssuedDate, part.get("ordinal"))
        a.ArchiveCode = f"{a.FileCode}.{a.DocOrdinal:03d}"
    out = a.to_dict()
    work.save_json(ARCHIVAL, out)
    return out


def catalogue_archival(s: Any, rt: Runtime, row: Document, work: WorkArea | None = None) -> None:
    """Document.archival for a new catalogue row (the signed set, else built anew), then
    its file's ordinals and its dossier's set (refresh_file)."""
    archival: dict[str, Any] | None = None
    if work is not None and work.has(ARCHIVAL):
        archival = dict(work.load_json(ARCHIVAL))
    part = _part(work) if work is not None else {}
    if archival is None:
        archival = rebuilt_archival(s, rt, row)
    link = file_link(s, row.document_id)
    if link:
        archival["FileLink"] = link
    code = row.dossier_code or part.get("dossier")
    if code and archival.get("FileCode") != code:
        archival["FileCode"] = code
    row.archival = archival
    s.flush()
    if archival.get("FileCode"):
        refresh_file(s, archival["FileCode"], rt.settings, declared=bool(part.get("declared")),
                     title=part.get("dossier_title"))
    log.info("archival metadata", extra={"document": row.document_id, "file_code": archival.get("FileCode")})


def rebuilt_archival(s: Any, rt: Runtime, row: Document, signer_info: dict[str, Any] | None = None) -> dict[str, Any]:
    """A catalogued document's set from its rows (the backfill, or a row whose signing
    left no set in its work area): its fields, batch, pages and signing certificate."""
    values = {f.name: f.value for f in row.fields}
    batch = s.get(Batch, row.batch_id)
    confs = [p.mean_confidence for p in s.scalars(select(Page).where(Page.document_id == row.document_id))
             if p.mean_confidence is not None]
    if signer_info is None:
        signer_info = _stored_signer_info(rt, row)
    born_digital = row.source_kind == "pdf_text"
    a = document_archival(
        document_id=row.document_id, organ_code=rt.settings.organ_code, doc_type=row.doc_type, values=values,
        page_count=row.page_count, born_digital=born_digital, dossier_code=row.dossier_code,
        ordinal=row.dossier_ordinal, signer_info=signer_info,
        unit=(batch.unit if batch is not None else None) or rt.settings.unit,
        scanned_at=batch.scanned_at if batch is not None else None,
        ocr_confidence=(sum(confs) / len(confs)) if confs and not born_digital else None)
    a.FileLink = file_link(s, row.document_id)
    return a.to_dict()


def file_link(s: Any, document_id: str) -> str | None:
    """Decree 113/2025's link to the archival document itself: its newest signed object."""
    obj = s.scalars(select(StoredObject).where(StoredObject.document_id == document_id,
                                               StoredObject.role == "signed")
                    .order_by(StoredObject.id.desc())).first()
    if obj is None:
        return None
    return f"s3://{obj.bucket}/{obj.key}" + (f"?versionId={obj.version_id}" if obj.version_id else "")


def _stored_signer_info(rt: Runtime, row: Document) -> dict[str, Any] | None:
    """SignerInfo from the archived signed PDF's own signature (what actually signed it)."""
    from sohoa.pipeline.sign.signer_info import signer_info_from_pdf

    obj = row.latest_signed
    if obj is None:
        return None
    try:
        return signer_info_from_pdf(rt.store.get(obj.ref))
    except Exception as exc:  # unreadable or missing object: SignerInfo stays unknown, with why
        log.warning("signer info unreadable", extra={"document": row.document_id, "error": str(exc)[:200]})
        return None


def backfill(rt: Runtime, *, all_documents: bool = False) -> int:
    """Archival metadata for documents catalogued before it existed (archival NULL), or for
    every document (all_documents): the set from the rows, then each file's ordinals and
    dossier set. Returns how many documents got a new set."""
    with rt.catalogue.session() as s:
        # SQL NULL or JSON null (a JSON column set to None holds 'null'): told apart here, not in SQL
        rows = s.execute(select(Document.document_id, Document.archival)
                         .order_by(Document.created_at, Document.document_id)).all()
        ids = [doc_id for doc_id, archival in rows if all_documents or not archival]
    codes: set[str] = set()
    for document_id in ids:
        with rt.catalogue.session() as s:
            row = s.get(Document, document_id)
            if row is None:
                continue
            a = rebuilt_archival(s, rt, row)
            row.archival = a
            if a.get("FileCode"):
                codes.add(a["FileCode"])
    for code in sorted(codes):
        with rt.catalogue.session() as s:
            refresh_file(s, code, rt.settings)
    log.info("archival backfill", extra={"documents": len(ids), "files": len(codes)})
    return len(ids)
