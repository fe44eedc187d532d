"""A many-document scan cut into its documents, after the whole file was OCR'd.

A dossier (hồ sơ) is often scanned as one PDF or TIFF. After `assemble` the source's page
texts are at hand; the cuts are the declared page ranges of batch.json (pipeline/dossiers.py)
or, where none are declared, those the boundary model finds (pipeline/extract/boundaries.py).
A file found to hold one document is left as it is (its document_id is the one it always had).
Each part of a file with several gets:

- its own SourceDocument (`pages` set: document_id from the source's hash and the range),
- its own work area holding what the later stages read: its pages' texts (renumbered 1..n,
  the numbers of its own signed PDF) and its pages cut from the OCR'd PDF with pikepdf,
- its own batch item (key 'source#pages=a-b'); the source's item is marked `split` and left
  out of the report, which lists the parts with the plain source and "pages".

parts.json in the source's work area says what was decided, so a run that died after the cut
resumes with the same parts, and the later stages run once per part (`units`).
"""
from __future__ import annotations

import json
import logging
import re
import subprocess
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pikepdf
from sohoa.archive.catalogue import audit, utcnow
from sohoa.archive.models import BatchItem, Document, Dossier, ReviewItem, SourceFileRow
from sohoa.core.enums import DocumentStatus, ReviewKind, ReviewStatus, Stage
from sohoa.core.runtime import Runtime
from sohoa.core.types import PageText, SourceDocument
from sohoa.core.workarea import WorkArea
from sohoa.pipeline.dossiers import DeclaredEntry, declared_for
from sohoa.pipeline.extract.boundaries import INKED_WORDS, segment, sure_words
from sohoa.pipeline.intake import BatchInfo, Rejection
from sqlalchemy import select

log = logging.getLogger("sohoa.split")

PARTS = "parts.json"  # in the source's work area: the parts decided
PART = "part.json"  # in a document's work area: its dossier and place in it
SPLIT = "split"  # the status of a source's batch item once it is cut into parts
SPLITTABLE = ("pdf_image", "pdf_text", "tiff")


def document_id_for(doc: SourceDocument) -> str:
    return "D" + doc.content_sha256[:24]


@dataclass
class PartPlan:
    first: int
    last: int
    confidence: float  # 1.0 for a declared range
    dossier: str | None = None
    dossier_title: str | None = None
    ordinal: int | None = None
    declared: bool = False
    verified: bool = False  # a verifier's cut (ui/splits.py): kept even as one document


def part_document(doc: SourceDocument, first: int, last: int) -> SourceDocument:
    return replace(doc, pages=(first, last), page_count=last - first + 1)


def derived_dossier_code(organ_code: str, source_sha256: str) -> str:
    """An undeclared many-document file's dossier: the organ's code (FileCode's first part,
    Decree 30/2020 App. VI) and the source's content hash. Stable: the same scan in any batch,
    at any station, re-run or moved, names the same dossier, and two scans never share one."""
    organ = re.sub(r"[^\w.\-]", "", organ_code)[:24] or "HS"
    return f"{organ}-HS-{source_sha256[:16].upper()}"


# -- deciding the parts --------------------------------------------------------------

def plan_parts(rt: Runtime, batch: BatchInfo, doc: SourceDocument, pages: list[PageText]) -> list[PartPlan]:
    """The documents of `doc`: declared ranges, or the boundary model's cuts. One plan
    covering the file (or none) means: not split."""
    decided = verifier_decision(rt, doc)
    if decided is not None:
        ranges, code, title, was_declared = decided
        return [PartPlan(a, b, 1.0, code, title, k, was_declared, True) for k, (a, b) in enumerate(ranges, 1)]
    declared = declared_for(batch.dossiers, doc.relpath)
    if declared and declared[0].pages is not None:
        return [_declared(e) for e in declared if e.pages]
    if doc.kind not in SPLITTABLE or doc.page_count < 2:
        return [_declared(declared[0])] if declared else []
    seg = segment(pages, ink_of_sparse_pages(rt.work(document_id_for(doc)), pages) if doc.kind != "pdf_text" else None)
    if len(seg.parts) < 2:
        return [_declared(declared[0])] if declared else []
    code = declared[0].dossier if declared else derived_dossier_code(rt.settings.organ_code, doc.content_sha256)
    title = declared[0].title if declared else None
    return [PartPlan(a, b, c, code, title, k, bool(declared)) for k, ((a, b), c)
            in enumerate(zip(seg.parts, seg.confidences), 1)]


def ink_of_sparse_pages(work: WorkArea, pages: list[PageText]) -> dict[int, float]:
    """The share of dark pixels of each page with few sure words, from the OCR'd PDF (its
    cleaned page images) at 40 dpi inside the margins: whether such a page is a blank
    separator sheet is the pixels' question (boundaries.is_blank). Pages of text are not
    rendered."""
    import numpy as np
    from PIL import Image

    out: dict[int, float] = {}
    pdf = work.path("ocr.pdf")
    for p in pages:
        if sure_words(p) >= INKED_WORDS or not pdf.exists():
            continue
        with tempfile.TemporaryDirectory(dir=work.dir) as tmp:
            try:
                subprocess.run(["pdftoppm", "-f", str(p.number), "-l", str(p.number), "-r", "40", "-gray",
                                "-singlefile", str(pdf), str(Path(tmp) / "p")], check=True, capture_output=True,
                               timeout=60)
                a = np.asarray(Image.open(Path(tmp) / "p.pgm"))
            except (OSError, subprocess.SubprocessError) as exc:
                log.warning("page not rendered for its ink: %s", exc, extra={"page": p.number})
                continue
        h, w = a.shape[:2]
        inner = a[int(h * 0.06):int(h * 0.94), int(w * 0.08):int(w * 0.92)]  # edge shadows, punch holes
        out[p.number] = float((inner < 192).mean())
    return out


def _declared(e: DeclaredEntry) -> PartPlan:
    first, last = e.pages or (0, 0)
    return PartPlan(first, last, 1.0, e.dossier, e.title, e.ordinal, True)


def split_source(rt: Runtime, batch: BatchInfo, doc: SourceDocument) -> list[SourceDocument]:
    """Decide and lay out the parts of `doc` (its work area holds recognized.pkl, ocr.pdf);
    idempotent. Returns the part documents ([] when the file is one document)."""
    work = rt.work(document_id_for(doc))
    if work.has(PARTS):
        parts = [SourceDocument.from_json(d) for d in work.load_json(PARTS)["parts"]]
    else:
        rec = work.load("recognized.pkl")
        plans = plan_parts(rt, batch, doc, rec["pages"])
        whole = [p for p in plans if p.first == 0]
        if whole or (len(plans) < 2 and not (plans and plans[0].verified)):
            if plans:  # one declared document: its dossier, no cut
                work.save_json(PART, _part_json(plans[0], None))
            work.save_json(PARTS, {"parts": []})
            return []
        parts = [part_document(doc, p.first, p.last) for p in plans]
        for part, p in zip(parts, plans):
            _lay_out(rt, work, rec, part, p)
        work.save_json(PARTS, {"parts": [d.to_json() for d in parts],
                               "plans": [p.__dict__ for p in plans]})
        log.info("split", extra={"document": doc.relpath, "parts": [list(d.pages or ()) for d in parts],
                                 "confidences": [p.confidence for p in plans]})
    if parts:
        record_items(rt, batch.batch_id, doc, parts)
    return parts


def _part_json(p: PartPlan, pages: tuple[int, int] | None) -> dict[str, Any]:
    return {"dossier": p.dossier, "dossier_title": p.dossier_title, "ordinal": p.ordinal, "declared": p.declared,
            "pages": list(pages) if pages else None, "confidence": p.confidence if pages else None}


def _lay_out(rt: Runtime, src_work: WorkArea, rec: dict, part: SourceDocument, p: PartPlan) -> None:
    """The part's work area: its pages' texts and its pages of the OCR'd PDF."""
    work = rt.work(document_id_for(part))
    if work.has("recognized.pkl"):
        return
    texts = [replace(pg, number=k) for k, pg in enumerate(rec["pages"][p.first - 1:p.last], 1)]
    ink = None
    first_page = src_work.path(f"page-{p.first - 1:04d}.pkl")
    if p.first == 1:
        ink = rec.get("ink")
    elif first_page.exists():
        ink = getattr(src_work.load(first_page.name), "ink", None)
    with pikepdf.open(src_work.path("ocr.pdf")) as pdf:
        # deleting the other pages keeps the catalogue (PDF/A output intent, metadata)
        del pdf.pages[p.last:]
        del pdf.pages[:p.first - 1]
        work.dir.mkdir(parents=True, exist_ok=True)
        pdf.save(work.path("ocr.pdf"))
    work.save_json(PART, _part_json(p, (p.first, p.last)))
    work.save("recognized.pkl", {"pages": texts, "ocr_used": rec["ocr_used"], "ink": ink})


def units(rt: Runtime, doc: SourceDocument) -> list[SourceDocument]:
    """The documents the later stages run for: the parts of a cut file, else the file."""
    work = rt.work(document_id_for(doc))
    if doc.pages is None and work.has(PARTS):
        parts = [SourceDocument.from_json(d) for d in work.load_json(PARTS)["parts"]]
        if parts:
            return parts
    return [doc]


def finish_source(rt: Runtime, doc: SourceDocument) -> None:
    """Every part is catalogued: earlier parts a verifier's cut replaced are superseded, and
    the source's work area is done too."""
    work = rt.work(document_id_for(doc))
    if doc.pages is None and work.has(PARTS) and work.load_json(PARTS)["parts"]:
        parts = [SourceDocument.from_json(d) for d in work.load_json(PARTS)["parts"]]
        supersede(rt, doc, {p.pages: document_id_for(p) for p in parts if p.pages})
        work.save_json("done.json", {"split": True})
        work.clear(keep=("done.json", ".lock"))


# -- batch items ----------------------------------------------------------------------

def record_items(rt: Runtime, batch_id: str, doc: SourceDocument, parts: list[SourceDocument]) -> None:
    """One batch item per part (the source's ordinal, so the report keeps the batch's order);
    the source's own item marked split, out of the report; items of earlier cuts removed."""
    keys = {p.item_key for p in parts}
    now = utcnow()
    with rt.catalogue.session() as s:
        items = {it.source: it for it in s.scalars(select(BatchItem).where(
            BatchItem.batch_id == batch_id, BatchItem.source.startswith(doc.relpath, autoescape=True)))}
        parent = items.get(doc.relpath)
        ordinal = parent.ordinal if parent is not None else 0
        for key in keys - set(items):
            s.add(BatchItem(batch_id=batch_id, source=key, ordinal=ordinal, attempts=0, stage=Stage.QUEUED,
                            updated_at=now))
        for key, it in items.items():
            if key.startswith(doc.relpath + "#pages=") and key not in keys:
                s.delete(it)  # a cut moved since: the superseded part is no document of this batch
        if parent is not None:
            parent.stage, parent.status, parent.outcome, parent.updated_at = Stage.DONE, SPLIT, None, now


def is_part_key(source: str, parent: str) -> bool:
    return source.startswith(parent + "#pages=")


_PART_KEY = re.compile(r"#pages=\d+-\d+$")


def reserve_part_names(item: SourceDocument | Rejection) -> SourceDocument | Rejection:
    """An entry named like a part's key ('x.pdf#pages=1-2') would take a part's batch item."""
    if isinstance(item, SourceDocument) and _PART_KEY.search(item.relpath):
        return Rejection(item.relpath, "a name ending in '#pages=FIRST-LAST' is reserved for the documents "
                                       "cut from a dossier scan; rename the file")
    return item


# -- the catalogue ------------------------------------------------------------------------

def archived_parts(rt: Runtime, doc: SourceDocument) -> list[SourceDocument]:
    """The current (not superseded) parts of `doc` already catalogued, in page order; [] when
    the file was never cut. Read from the catalogue: the work area is gone after a run."""
    if doc.pages is not None or len(doc.files) != 1 or doc.kind not in SPLITTABLE:
        return []
    with rt.catalogue.session() as s:
        rows = s.execute(select(Document.content_sha256, Document.page_first, Document.page_last)
                         .join(SourceFileRow, SourceFileRow.document_id == Document.document_id)
                         .where(SourceFileRow.sha256 == doc.files[0].sha256, Document.page_first.is_not(None),
                                Document.split_confidence.is_not(None), Document.superseded_by.is_(None))).all()
    out = []
    for sha, first, last in rows:
        part = part_document(doc, first or 0, last or 0)
        if part.content_sha256 == sha:  # this very source's part, not another scan of the same bytes' twin
            out.append(part)
    return sorted(out, key=lambda d: d.pages or (0, 0))


def annotate(s: Any, rt: Runtime, batch: BatchInfo, row: Document, work: WorkArea, doc: SourceDocument) -> None:
    """A new catalogue row's dossier and place in it (part.json of its work area), the
    dossier's row, and a split review item when its cut is uncertain."""
    if not work.has(PART):
        return
    info = work.load_json(PART)
    if info.get("dossier"):
        _dossier_row(s, rt, batch, info["dossier"], info.get("dossier_title"), bool(info.get("declared")))
        row.dossier_code, row.dossier_ordinal = info["dossier"], info.get("ordinal")
    if info.get("pages"):
        row.page_first, row.page_last = info["pages"]
        row.split_confidence = info.get("confidence")
    s.flush()


def _dossier_row(s: Any, rt: Runtime, batch: BatchInfo, code: str, title: str | None, declared: bool) -> None:
    now = utcnow()
    d = s.get(Dossier, code)
    if d is None:
        s.add(Dossier(code=code, title=title, batch_id=batch.batch_id, declared=declared, created_at=now,
                      updated_at=now))
        s.flush()
        audit(s, rt.actor, "dossier.create", code, batch=batch.batch_id, declared=declared)
    elif declared and (d.title != title or not d.declared):
        d.title, d.declared, d.updated_at = title or d.title, True, now


def hold_for_review(s: Any, row: Document, threshold: float) -> bool:
    """A part whose cut is below the threshold has an open split review item (opened once;
    a verifier's decision is never reopened by a re-run). True: the document waits for it."""
    if row.split_confidence is None or row.split_confidence >= threshold:
        return False
    item = s.scalars(select(ReviewItem).where(ReviewItem.document_id == row.document_id,
                                              ReviewItem.kind == ReviewKind.SPLIT)).first()
    if item is None:
        from sohoa.reconciler.deadlines import review_due_at

        now = utcnow()  # due by the document's law in working time, as every other item
        item = ReviewItem(document_id=row.document_id, person=0, kind=ReviewKind.SPLIT, field="pages",
                          document_value=[row.page_first, row.page_last], confidence=row.split_confidence,
                          status=ReviewStatus.OPEN, created_at=now, due_at=review_due_at(now, row.doc_type, None))
        s.add(item)
        s.flush()
    if item.status == ReviewStatus.OPEN:
        row.status = DocumentStatus.NEEDS_REVIEW
        return True
    return False



# -- a verifier's cuts ------------------------------------------------------------------

def _current_rows(s: Any, doc: SourceDocument) -> list[Document]:
    """Catalogue rows of `doc`'s parts (superseded ones too), checked to be this source's."""
    rows = s.scalars(select(Document).join(SourceFileRow, SourceFileRow.document_id == Document.document_id)
                     .where(SourceFileRow.sha256 == doc.files[0].sha256, Document.page_first.is_not(None),
                            Document.split_confidence.is_not(None)))
    return [r for r in rows
            if part_document(doc, r.page_first or 0, r.page_last or 0).content_sha256 == r.content_sha256]


def verifier_decision(rt: Runtime, doc: SourceDocument) -> tuple[list[tuple[int, int]], str | None, str | None,
                                                                  bool] | None:
    """The ranges a verifier chose for `doc` (ui/splits.py: a resolved split item holding
    {"ranges": ...}) when they differ from its current parts; with the parts' dossier."""
    if doc.pages is not None or len(doc.files) != 1 or doc.kind not in SPLITTABLE:
        return None
    with rt.catalogue.session() as s:
        rows = [r for r in _current_rows(s, doc) if r.superseded_by is None]
        if not rows:
            return None
        item = s.scalars(select(ReviewItem).where(ReviewItem.document_id.in_([r.document_id for r in rows]),
                                                  ReviewItem.kind == ReviewKind.SPLIT,
                                                  ReviewItem.status == ReviewStatus.RESOLVED,
                                                  ReviewItem.resolution.startswith('{"ranges"'))
                         .order_by(ReviewItem.resolved_at.desc(), ReviewItem.id.desc())).first()
        if item is None or item.resolution is None:
            return None
        try:
            ranges = [(int(a), int(b)) for a, b in json.loads(item.resolution)["ranges"]]
        except (ValueError, KeyError, TypeError) as exc:
            log.warning("a verifier's cut unreadable: %s", exc, extra={"document": doc.relpath})
            return None
        current = sorted((r.page_first, r.page_last) for r in rows)
        ok = all(1 <= a <= b <= doc.page_count for a, b in ranges) and all(
            b1 < a2 for (_, b1), (a2, _) in zip(ranges, ranges[1:]))
        if not ok or ranges == current:
            return None
        first = min(rows, key=lambda r: r.page_first or 0)
        dossier = s.get(Dossier, first.dossier_code) if first.dossier_code else None
        return ranges, first.dossier_code, dossier.title if dossier else None, bool(dossier and dossier.declared)


def supersede(rt: Runtime, doc: SourceDocument, new: dict[tuple[int, int], str]) -> None:
    """Parts of `doc` not among `new` (a verifier moved a cut) point at the new document holding
    their first page; kept, never deleted, their open items obsolete. A part cut again as it
    was once before is current again."""
    now = utcnow()
    with rt.catalogue.session() as s:
        for row in _current_rows(s, doc):
            rng = (row.page_first or 0, row.page_last or 0)
            if rng in new:
                if row.superseded_by is not None:
                    row.superseded_by, row.updated_at = None, now
                    audit(s, rt.actor, "document.current", row.document_id, source=doc.relpath, pages=list(rng))
                continue
            if row.superseded_by is not None:
                continue
            target = next((d for (a, b), d in sorted(new.items()) if a <= rng[0] <= b),
                          min(new.items(), key=lambda kv: abs(kv[0][0] - rng[0]))[1])
            row.superseded_by, row.updated_at = target, now
            for it in s.scalars(select(ReviewItem).where(ReviewItem.document_id == row.document_id,
                                                         ReviewItem.status == ReviewStatus.OPEN)):
                it.status, it.resolved_at, it.resolution = ReviewStatus.OBSOLETE, now, f"superseded by {target}"
            audit(s, rt.actor, "document.supersede", row.document_id, source=doc.relpath, pages=list(rng),
                  superseded_by=target)
