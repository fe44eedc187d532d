"""The pipeline stages of one document, each idempotent and resumable.

    begin -> ocr_page (each page) -> assemble -> extract -> sign_store -> reconcile

A stage reads the previous stage's output from the document's work area
(pipeline.work) and writes its own; a stage whose output exists returns at
once. A document is keyed by the hash of its source bytes, so running a batch
again re-uses what is archived: nothing is re-signed and no row duplicated.
The same functions run in-process (embedded default) and as Celery tasks on
workers (pipeline.tasks).
"""
from __future__ import annotations

import fcntl
import logging
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Callable, Iterator, Sequence, cast

from sohoa.archive.catalogue import audit, utcnow
from sohoa.archive.models import (
    BatchItem,
    Document,
    FieldValue,
    Page,
    Person,
    PersonField,
    ReadValue,
    SourceFileRow,
    StoredObject,
)
from sohoa.archive.models import (
    Rejection as RejectionRow,
)
from sohoa.core.enums import DocumentStatus, Stage
from sohoa.core.errors import FatalError, RejectedInput
from sohoa.core.runtime import Runtime
from sohoa.core.storage import ObjectRef
from sohoa.core.types import Extraction, SourceDocument, item_key
from sohoa.core.version import SOFTWARE
from sohoa.core.workarea import WorkArea
from sohoa.pipeline import split as splitting
from sohoa.pipeline.archival import catalogue_archival, signing_archival
from sohoa.pipeline.intake import BatchInfo
from sohoa.reconciler import DocumentReconciliation, reconcile
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError as DbIntegrityError

log = logging.getLogger("sohoa.pipeline")

GROUPS = {"judgment": "judgments", "decision": "decisions", "certificate": "certificates"}
REJECTED = "rejected.json"  # in a work area: a stage rejected the document; later stages do nothing
LOCK = ".lock"  # in a work area: flock'ed while signing/storing and cataloguing


def document_id_for(doc: SourceDocument) -> str:
    return "D" + doc.content_sha256[:24]


@dataclass
class DocumentOutcome:
    """One line of the report."""

    source: str
    status: str
    document_id: str | None = None
    reason: str | None = None
    doc_type: str | None = None
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)
    registry_record_id: str | None = None
    discrepancies: list[dict[str, Any]] = field(default_factory=list)
    object: dict[str, Any] | None = None
    reused: bool = False
    # contract v2: every person, [{"fields", "registry_record_id", "status", "discrepancies"}]
    persons: list[dict[str, Any]] = field(default_factory=list)
    pages: list[int] | None = None  # one document of a many-document scan: [first, last] of the source

    @property
    def item_key(self) -> str:
        return item_key(self.source, self.pages)

    def to_report(self) -> dict[str, Any]:
        d: dict[str, Any] = {"source": self.source, "document_id": self.document_id, "status": self.status}
        if self.pages is not None:
            d["pages"] = list(self.pages)
        if self.reason is not None:
            d["reason"] = self.reason
        if self.status != DocumentStatus.REJECTED:
            d["doc_type"] = self.doc_type
            d["fields"] = self.fields
            d["registry_record_id"] = self.registry_record_id
            d["discrepancies"] = self.discrepancies
            d["object"] = self.object
            d["persons"] = self.persons
        return d

    @classmethod
    def from_report(cls, d: dict[str, Any]) -> "DocumentOutcome":
        known = {k: d[k] for k in ("source", "status", "document_id", "reason", "doc_type", "fields",
                                   "registry_record_id", "discrepancies", "object", "persons", "pages")
                 if d.get(k) is not None}
        return cls(**known, reused=bool(d.get("reused")))


def object_key(doc_type: str | None, values: dict[str, Any], document_id: str) -> str:
    group = GROUPS.get(doc_type or "", "unclassified")
    issued = values.get("issue_date")
    year = issued[:4] if isinstance(issued, str) and issued[:4].isdigit() else "undated"
    return f"{group}/{year}/{document_id}.pdf"


# -- batch items: progress and the report lines ------------------------------------

def set_stage(rt: Runtime, batch_id: str, source: str, stage: Stage, document_id: str | None = None) -> None:
    with rt.catalogue.session() as s:
        item = s.scalars(select(BatchItem).where(BatchItem.batch_id == batch_id, BatchItem.source == source)).one()
        if item.stage == Stage.DONE:
            return
        item.stage, item.updated_at = stage, utcnow()
        if document_id:
            item.document_id = document_id
        item.attempts += stage == "ocr"


def finish_item(rt: Runtime, batch_id: str, outcome: DocumentOutcome) -> None:
    with rt.catalogue.session() as s:
        item = s.scalars(select(BatchItem).where(BatchItem.batch_id == batch_id,
                                                 BatchItem.source == outcome.item_key)).one()
        item.stage, item.status, item.updated_at = Stage.DONE, outcome.status, utcnow()
        item.outcome = {**outcome.to_report(), "reused": outcome.reused}
        item.document_id = outcome.document_id or item.document_id
        if outcome.status == DocumentStatus.REJECTED:
            rej = s.scalars(select(RejectionRow).where(RejectionRow.batch_id == batch_id,
                                                       RejectionRow.source == outcome.item_key)).first()
            if rej is None:
                s.add(RejectionRow(batch_id=batch_id, source=outcome.item_key, reason=outcome.reason or "",
                                   at=utcnow()))
            else:
                rej.reason, rej.at = outcome.reason or "", utcnow()
            audit(s, rt.actor, "document.reject", outcome.source, outcome="rejected", batch=batch_id,
                  reason=outcome.reason)
    log.info("document done", extra={"document": outcome.source, "status": outcome.status,
                                     "document_id": outcome.document_id, "batch": batch_id})


def finished(rt: Runtime, doc: SourceDocument) -> bool:
    """The document is archived (catalogued) or done in this run."""
    if rt.work(document_id_for(doc)).has("done.json"):
        return True
    with rt.catalogue.session() as s:
        return s.scalar(select(Document.document_id).where(Document.content_sha256 == doc.content_sha256)) is not None


@contextmanager
def document_lock(rt: Runtime, doc: SourceDocument) -> Iterator[None]:
    """One holder at a time per document, across worker processes sharing the work area:
    a redelivered task's twin (the first copy still running) must not sign and store a
    second version, nor catalogue beside it. Released by the kernel if the holder dies."""
    work = rt.work(document_id_for(doc))
    work.dir.mkdir(parents=True, exist_ok=True)
    with open(work.path(LOCK), "a") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def reject(rt: Runtime, batch_id: str, doc: SourceDocument, reason: str) -> None:
    """Mark a document rejected: its report line, and a marker that stops later stages.
    A document already archived is not rejected (a late twin task failing after the
    work area was cleared)."""
    if finished(rt, doc):
        log.warning("not rejecting an archived document", extra={"document": doc.relpath, "reason": reason})
        return
    outcome = DocumentOutcome(source=doc.relpath, status=DocumentStatus.REJECTED, reason=reason,
                              document_id=None, pages=list(doc.pages) if doc.pages else None)
    rt.work(document_id_for(doc)).save_json(REJECTED, {"reason": reason})
    finish_item(rt, batch_id, outcome)


def _skip(rt: Runtime, doc: SourceDocument) -> bool:
    """Later stages do nothing once the document is rejected or catalogued."""
    work = rt.work(document_id_for(doc))
    return work.has(REJECTED) or work.has("done.json")


# -- the stages -----------------------------------------------------------------------

def begin(rt: Runtime, batch: BatchInfo, doc: SourceDocument) -> str:
    """'archived' when the document is in the archive already (then reconciled
    again against today's registry, and nothing else runs), else 'new'."""
    document_id = document_id_for(doc)
    work = rt.work(document_id)
    if not work.has(splitting.PARTS) and _begin_archived_parts(rt, batch, doc):
        return "archived"
    with rt.catalogue.session() as s:
        archived = s.scalars(select(Document).where(Document.content_sha256 == doc.content_sha256)).first()
    if archived is not None:
        work.clear()
        outcome = reconcile_archived(rt, batch, doc)
        work.save_json("done.json", {"reused": True})
        finish_item(rt, batch.batch_id, outcome)
        return "archived"
    work.path(REJECTED).unlink(missing_ok=True)  # a rejection of an earlier run is judged again
    work.path("done.json").unlink(missing_ok=True)
    set_stage(rt, batch.batch_id, doc.item_key, Stage.OCR, document_id)
    if doc.kind != "pdf_text" and not work.has("plan.pkl"):
        from sohoa.pipeline.ocr.pages import plan_pages

        try:
            work.save("plan.pkl", plan_pages(doc, rt.settings, work.dir))
        except RejectedInput as exc:
            reject(rt, batch.batch_id, doc, exc.reason)
    log.info("begin", extra={"document": doc.relpath, "document_id": document_id, "kind": doc.kind,
                             "pages": doc.page_count})
    return "new"


def _begin_archived_parts(rt: Runtime, batch: BatchInfo, doc: SourceDocument) -> bool:
    """A many-document file whose parts are all archived (its work area long cleared):
    each part is reconciled again, nothing else runs -- unless a verifier moved a cut since
    (ui/splits.py): then the file is processed again and cut where the verifier said."""
    parts = splitting.archived_parts(rt, doc)
    if not parts or splitting.verifier_decision(rt, doc) is not None:
        return False
    splitting.record_items(rt, batch.batch_id, doc, parts)
    for part in parts:
        finish_item(rt, batch.batch_id, reconcile_archived(rt, batch, part))
    work = rt.work(document_id_for(doc))
    work.clear()
    work.save_json("done.json", {"reused": True, "split": True})
    return True


def ocr_page(rt: Runtime, batch: BatchInfo, doc: SourceDocument, index: int) -> None:
    work = rt.work(document_id_for(doc))
    name = f"page-{index:04d}.pkl"
    if _skip(rt, doc) or work.has(name):
        return
    from sohoa.pipeline.ocr.ocrpage import process_page
    from sohoa.pipeline.ocr.pages import plan_pages

    plan = work.load("plan.pkl") if work.has("plan.pkl") else plan_pages(doc, rt.settings, work.dir)
    try:
        work.save(name, process_page(doc, plan[index], rt.settings, work.dir))
    except RejectedInput as exc:
        reject(rt, batch.batch_id, doc, exc.reason)
        return
    _touch(rt, batch.batch_id, doc.item_key)


def _touch(rt: Runtime, batch_id: str, source: str) -> None:
    """Progress between stage changes (a page done): the batch's submitter watches
    updated_at to tell a slow batch from one whose messages were lost. Best effort."""
    try:
        with rt.catalogue.session() as s:
            s.execute(update(BatchItem).where(BatchItem.batch_id == batch_id, BatchItem.source == source,
                                              BatchItem.stage != Stage.DONE).values(updated_at=utcnow()))
    except Exception as exc:  # the page is saved; progress is only a hint
        log.debug("progress not recorded: %s", exc)


def assemble(rt: Runtime, batch: BatchInfo, doc: SourceDocument) -> None:
    """The searchable PDF and page texts, from the OCR'd pages or the PDF's own text layer."""
    work = rt.work(document_id_for(doc))
    if _skip(rt, doc) or work.has("recognized.pkl"):
        return
    from sohoa.pipeline.ocr.document import assemble as assemble_pdf
    from sohoa.pipeline.ocr.document import read_text_document

    out_pdf = work.path("ocr.pdf")
    try:
        if doc.kind == "pdf_text":
            rec = read_text_document(doc, out_pdf)
        else:
            results = [work.load(f"page-{i:04d}.pkl") for i in range(len(work.load("plan.pkl")))]
            rec = assemble_pdf(results, out_pdf, work.dir)
    except RejectedInput as exc:
        reject(rt, batch.batch_id, doc, exc.reason)
        return
    # ink: page 1's ink mask, from the OCR'd pixels (a text PDF has none)
    work.save("recognized.pkl", {"pages": rec.pages, "ocr_used": rec.ocr_used, "ink": rec.ink})


def split(rt: Runtime, batch: BatchInfo, doc: SourceDocument) -> list[SourceDocument]:
    """Cut a many-document scan into its documents (pipeline/split.py); the later stages
    then run once per part (`splitting.units`). Returns the documents they run for."""
    if doc.pages is None and not _skip(rt, doc) and rt.work(document_id_for(doc)).has("recognized.pkl"):
        try:
            splitting.split_source(rt, batch, doc)
        except RejectedInput as exc:
            reject(rt, batch.batch_id, doc, exc.reason)
    return splitting.units(rt, doc)


def extract_fields(rt: Runtime, batch: BatchInfo, doc: SourceDocument) -> None:
    """Fields of the document. A defect here must not lose the scan: it is archived
    with no fields and goes to a person (needs_review)."""
    work = rt.work(document_id_for(doc))
    if _skip(rt, doc) or work.has("extraction.pkl"):
        return
    set_stage(rt, batch.batch_id, doc.item_key, Stage.EXTRACT)
    from sohoa.pipeline.extract import extract

    pages = work.load("recognized.pkl")["pages"]
    try:
        extraction = extract(pages)
    except Exception as exc:
        log.exception("extraction failed", extra={"document": doc.relpath})
        extraction = Extraction(doc_type=None, doc_type_confidence=0.0,
                                warnings=[f"extraction failed: {type(exc).__name__}: {exc}"])
    work.save("extraction.pkl", extraction)


def sign_store(rt: Runtime, batch: BatchInfo, doc: SourceDocument) -> None:
    """Mark, sign and store write-once. A version already under the key (a run that
    died before cataloguing it) is adopted, not signed again."""
    document_id = document_id_for(doc)
    work = rt.work(document_id)
    if _skip(rt, doc) or work.has("object.json"):
        return
    with document_lock(rt, doc):
        if _skip(rt, doc) or work.has("object.json"):  # a twin finished while we waited
            return
        _sign_store(rt, batch, doc, document_id, work)


def _sign_store(rt: Runtime, batch: BatchInfo, doc: SourceDocument, document_id: str, work: WorkArea) -> None:
    set_stage(rt, batch.batch_id, doc.item_key, Stage.SIGN)
    extraction: Extraction = work.load("extraction.pkl")
    values = {k: f.value for k, f in extraction.fields.items()}
    key = object_key(extraction.doc_type, values, document_id)
    prior = rt.store.versions(rt.bucket, key)
    if prior:
        ref, adopted = prior[-1], True
    else:
        converted_at = datetime.now(timezone.utc)
        signed = _sign(rt, doc, document_id, batch, work.path("ocr.pdf").read_bytes(), extraction, converted_at)
        set_stage(rt, batch.batch_id, doc.item_key, Stage.STORE)
        meta = {"document-id": document_id, "batch-id": batch.batch_id, "software": SOFTWARE}
        ref, adopted = rt.store.put(rt.bucket, key, signed, meta), False
    work.save_json("object.json", {"bucket": ref.bucket, "key": ref.key, "version_id": ref.version_id,
                                   "sha256": ref.sha256, "size": ref.size, "adopted": adopted,
                                   "converted_at": datetime.now(timezone.utc).isoformat()})


def _sign(rt: Runtime, doc: SourceDocument, document_id: str, batch: BatchInfo, pdf_bytes: bytes,
          extraction: Extraction, converted_at: datetime) -> bytes:
    from sohoa.pipeline.sign import ConversionMarker, prepare_pdf, sign_pdf, source_medium_for
    from sohoa.pipeline.sign.keys import LoadedSigner

    marker = ConversionMarker(
        document_id=document_id,
        unit=batch.unit or rt.settings.unit,
        operator=batch.operator or rt.settings.operator,
        converted_at=converted_at,
        batch_id=batch.batch_id,
        scanner=batch.scanner,
        sources=[(f.relpath, f.sha256) for f in doc.files],
        software=SOFTWARE,
        source_medium=source_medium_for(doc.kind),  # a born-digital PDF is no paper conversion
    )
    archival = signing_archival(rt, batch, doc, document_id, extraction)  # pipeline/archival.py
    fields: dict[str, object] = {"doc_type": extraction.doc_type,
                                 **{k: f.to_report() for k, f in extraction.fields.items()}}
    # page 1's word boxes and ink mask: the visible marker goes where it covers neither
    words, ink = None, None
    try:
        recognized = rt.work(document_id).load("recognized.pkl")
        ink = recognized.get("ink")
        if recognized["pages"]:
            words = [w.bbox for w in recognized["pages"][0].words]
    except (OSError, KeyError, IndexError, AttributeError):
        pass  # nothing recognised at hand: the scan's ink alone decides
    if rt.signer is None:
        raise FatalError("no signing key loaded: this runtime was built without a signer")
    return sign_pdf(prepare_pdf(pdf_bytes, marker, fields, archival, words=words, ink=ink),
                    cast(LoadedSigner, rt.signer), marker)


def catalogue_reconcile(rt: Runtime, batch: BatchInfo, doc: SourceDocument) -> None:
    """Catalogue rows in one transaction (the point of no return), then reconcile,
    then clear the work area. Run again after a crash anywhere, it finishes the job."""
    document_id = document_id_for(doc)
    work = rt.work(document_id)
    if work.has(REJECTED):
        return
    with document_lock(rt, doc):
        if work.has(REJECTED) or _item_done(rt, batch.batch_id, doc.item_key):
            return  # a twin of this task (a redelivered message) did it
        _catalogue_reconcile(rt, batch, doc, document_id, work)


def _item_done(rt: Runtime, batch_id: str, source: str) -> bool:
    with rt.catalogue.session() as s:
        return s.scalar(select(BatchItem.stage).where(BatchItem.batch_id == batch_id,
                                                      BatchItem.source == source)) == Stage.DONE


def _catalogue_reconcile(rt: Runtime, batch: BatchInfo, doc: SourceDocument, document_id: str,
                         work: WorkArea) -> None:
    with rt.catalogue.session() as s:
        catalogued = s.scalar(select(Document.document_id).where(Document.content_sha256 == doc.content_sha256))
    if catalogued is not None:
        outcome = reconcile_archived(rt, batch, doc)
    else:
        set_stage(rt, batch.batch_id, doc.item_key, Stage.RECONCILE)
        rec = work.load("recognized.pkl")
        extraction: Extraction = work.load("extraction.pkl")
        obj = work.load_json("object.json")
        ref = ObjectRef(obj["bucket"], obj["key"], obj["version_id"], obj["sha256"], obj["size"])
        try:
            with rt.catalogue.session() as s:
                row = _catalogue_document(s, rt, doc, document_id, batch, rec, extraction, ref,
                                          datetime.fromisoformat(obj["converted_at"]))
                splitting.annotate(s, rt, batch, row, work, doc)
                catalogue_archival(s, rt, row, work)  # Document/Dossier.archival (pipeline/archival.py)
                recon = reconcile(s, row, dict(extraction.fields), rt.settings.review_threshold,
                                  [dict(p) for p in extraction.all_persons()], rt.settings.registry_confirms)
                held = splitting.hold_for_review(s, row, rt.settings.review_threshold)
                audit(s, rt.actor, "document.archive", document_id, source=doc.relpath, batch=batch.batch_id,
                      key=ref.key, version_id=ref.version_id, sha256=ref.sha256, status=recon.status)
                s.flush()
                s.refresh(row)
                outcome = _outcome_from_rows(row, recon, reused=obj["adopted"])
                if held:  # an uncertain cut: the part waits for a person (pipeline/split.py)
                    outcome.status = DocumentStatus.NEEDS_REVIEW
        except DbIntegrityError:
            # Catalogued by a twin task that got there first (a redelivered message): reconcile that.
            outcome = reconcile_archived(rt, batch, doc)
    finish_item(rt, batch.batch_id, outcome)
    work.save_json("done.json", {"reused": outcome.reused})
    work.clear(keep=("done.json", LOCK))


def reconcile_archived(rt: Runtime, batch: BatchInfo, doc: SourceDocument) -> DocumentOutcome:
    with rt.catalogue.session() as s:
        row = s.scalars(select(Document).where(Document.content_sha256 == doc.content_sha256)).one()
        recon = reconcile(s, row, {f.name: f.extracted() for f in row.fields}, rt.settings.review_threshold,
                          [{f.name: f.extracted() for f in p.fields} for p in row.persons] or None,
                          rt.settings.registry_confirms)
        held = splitting.hold_for_review(s, row, rt.settings.review_threshold)
        row.updated_at = utcnow()
        audit(s, rt.actor, "document.reprocess", row.document_id, source=doc.relpath, batch=batch.batch_id)
        out = _outcome_from_rows(row, recon, reused=True)
        if held:
            out.status = DocumentStatus.NEEDS_REVIEW
    out.source = doc.relpath  # the same scan may sit under another name in this batch
    return out


def each_unit(rt: Runtime, batch: BatchInfo, doc: SourceDocument,
              stage: Callable[[Runtime, BatchInfo, SourceDocument], None],
              transient: tuple[type[BaseException], ...] = ()) -> None:
    """`stage` for the document, or for each part of a cut file: a part that fails for good is
    rejected on its own (its line says why), the other parts go on. Transient faults and fatal
    ones are the caller's (retried, or the run stops)."""
    not_ours: tuple[type[BaseException], ...] = (FatalError, *transient)
    for unit in splitting.units(rt, doc):
        if unit.pages is None:
            stage(rt, batch, unit)
            continue
        try:
            stage(rt, batch, unit)
        except not_ours:
            raise
        except RejectedInput as exc:
            reject(rt, batch.batch_id, unit, exc.reason)
        except Exception as exc:
            log.exception("a part failed", extra={"document": unit.item_key})
            reject(rt, batch.batch_id, unit, f"processing failed: {type(exc).__name__}: {exc}")


def run_document(rt: Runtime, batch: BatchInfo, doc: SourceDocument) -> None:
    """All stages in this thread, in order (used where no queue is wanted)."""
    if begin(rt, batch, doc) == "archived":
        return
    for i in range(doc.page_count if doc.kind != "pdf_text" else 0):
        ocr_page(rt, batch, doc, i)
    assemble(rt, batch, doc)
    split(rt, batch, doc)
    for stage in (extract_fields, sign_store, catalogue_reconcile):
        each_unit(rt, batch, doc, stage)
    splitting.finish_source(rt, doc)


# -- catalogue rows ---------------------------------------------------------------------

def _field_reports(rows: Sequence[ReadValue]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for fv in sorted(rows, key=lambda f: f.name):
        out[fv.name] = fv.reported().to_report()
    return out


def _outcome_from_rows(doc: Document, recon: DocumentReconciliation, reused: bool) -> DocumentOutcome:
    obj = doc.latest_signed
    persons = [{"fields": _field_reports(p.fields), "registry_record_id": r.record_id, "status": r.status,
                "discrepancies": r.discrepancies}
               for p, r in zip(sorted(doc.persons, key=lambda p: p.ordinal), recon.persons)]
    return DocumentOutcome(
        source=doc.source, status=recon.status, document_id=doc.document_id, doc_type=doc.doc_type,
        fields=_field_reports(doc.fields), registry_record_id=recon.record_id, discrepancies=recon.discrepancies,
        object=obj.ref.to_report() if obj else None,
        reused=reused, persons=persons,
        pages=[doc.page_first or 0, doc.page_last or 0] if doc.split_confidence is not None else None,
    )


def _catalogue_document(s, rt: Runtime, doc: SourceDocument, document_id: str, batch: BatchInfo, rec: dict,
                        extraction: Extraction, ref: ObjectRef, converted_at: datetime) -> Document:
    now = utcnow()
    row = Document(
        document_id=document_id, content_sha256=doc.content_sha256, batch_id=batch.batch_id, source=doc.relpath,
        source_kind=doc.kind, page_count=doc.page_count, ocr_used=rec["ocr_used"], doc_type=extraction.doc_type,
        doc_type_confidence=extraction.doc_type_confidence, status=DocumentStatus.PENDING,
        signer=getattr(rt.signer, "subject", None), converted_at=converted_at, created_at=now, updated_at=now,
    )
    s.add(row)
    s.flush()  # a twin already catalogued this document: IntegrityError here, before anything else
    for i, f in enumerate(doc.files):
        s.add(SourceFileRow(document_id=document_id, ordinal=i, relpath=f.relpath, sha256=f.sha256, size=f.size))
    for p in rec["pages"]:
        confs = [w.confidence for w in p.words]
        s.add(Page(document_id=document_id, number=p.number, width=p.width, height=p.height, text_source=p.source,
                   mean_confidence=sum(confs) / len(confs) if confs else None, text=p.text))
    for name, fv in extraction.fields.items():
        s.add(FieldValue(document_id=document_id, name=name, value=fv.value, confidence=fv.confidence, page=fv.page,
                         bbox=list(fv.bbox) if fv.bbox else None, read_evidence=fv.read_evidence()))
    for ordinal, person_fields in enumerate(extraction.all_persons()):
        person = Person(document_id=document_id, ordinal=ordinal, status=DocumentStatus.PENDING, discrepancies=[])
        s.add(person)
        s.flush()
        for name, fv in person_fields.items():
            s.add(PersonField(person_id=person.id, name=name, value=fv.value, confidence=fv.confidence,
                              page=fv.page, bbox=list(fv.bbox) if fv.bbox else None,
                              read_evidence=fv.read_evidence()))
    s.add(StoredObject(document_id=document_id, role="signed", bucket=ref.bucket, key=ref.key,
                       version_id=ref.version_id, sha256=ref.sha256, size=ref.size, created_at=now))
    s.flush()
    return row
