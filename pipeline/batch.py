"""Run a whole scan batch and build its report (contract section 4).

Intake runs here; each document then goes through the stage tasks of
pipeline.tasks: in-process (embedded default: several documents at once on
threads, the pages of all of them on one page executor of `jobs` workers made
here) or on workers (production: the Celery canvas), and the batch's items in the catalogue
track every document's stage. The report is read back from those items, so
it is the same whoever ran the stages.
"""
from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Callable, TypeVar

from kombu.exceptions import OperationalError as KombuOperationalError
from sohoa.archive.catalogue import audit, utcnow
from sohoa.archive.models import Batch, BatchItem
from sohoa.core.enums import DocumentStatus, Stage
from sohoa.core.errors import FatalError, StoreError
from sohoa.core.runtime import Runtime
from sohoa.core.types import SourceDocument
from sohoa.pipeline.dossiers import check_against_batch
from sohoa.pipeline.intake import BatchInfo, Intake, Rejection, natural_key, read_batch_info, source_name
from sohoa.pipeline.orchestrate import DocumentOutcome, finish_item
from sohoa.pipeline.split import SPLIT, is_part_key, reserve_part_names
from sohoa.reconciler.registry import all_record_ids
from sqlalchemy import func, select
from sqlalchemy.exc import InterfaceError, OperationalError

log = logging.getLogger("sohoa.batch")

ProgressFn = Callable[[int, int, DocumentOutcome], None]
T = TypeVar("T")


@dataclass
class BatchReport:
    batch_id: str
    review_threshold: float
    documents: list[DocumentOutcome]
    unmatched_registry: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id,
            "review_threshold": self.review_threshold,
            "documents": [d.to_report() for d in self.documents],
            "unmatched_registry": self.unmatched_registry,
        }


def start_batch(rt: Runtime, batch_dir: Path, batch: BatchInfo, items: list[SourceDocument | Rejection]) -> None:
    """The batch row and one item per entry, reset for this run."""
    now = utcnow()
    with rt.catalogue.session() as s:
        row = s.get(Batch, batch.batch_id)
        if row is None:
            # spelled like the sources: a parent folder's name that is not UTF-8 cannot be stored as it is
            row = Batch(batch_id=batch.batch_id, source_dir=source_name(str(batch_dir.resolve())), started_at=now)
            s.add(row)
        row.unit, row.operator, row.scanner, row.scanned_at = batch.unit, batch.operator, batch.scanner, batch.scanned_at
        row.status, row.total, row.done, row.finished_at, row.started_at = "running", len(items), 0, None, now
        existing = {it.source: it for it in s.scalars(select(BatchItem).where(BatchItem.batch_id == batch.batch_id))}
        current = set()
        for i, item in enumerate(items):
            current.add(item.relpath)
            it = existing.get(item.relpath)
            if it is None:
                it = BatchItem(batch_id=batch.batch_id, source=item.relpath, attempts=0)
                s.add(it)
            it.ordinal, it.stage, it.status, it.outcome, it.updated_at = i, Stage.QUEUED, None, None, now
        for source, it in existing.items():
            if source not in current and not any(is_part_key(source, c) for c in current if source.startswith(c)):
                # gone from the directory since the last run (a part of a cut file stays with its file)
                s.delete(it)
        audit(s, rt.actor, "batch.start", batch.batch_id, source_dir=source_name(str(batch_dir)), entries=len(items))


def batch_progress(rt: Runtime, batch_id: str) -> dict[str, int]:
    """Items per stage (and per status once done)."""
    with rt.catalogue.session() as s:
        rows = s.execute(select(BatchItem.stage, BatchItem.status, func.count())
                         .where(BatchItem.batch_id == batch_id).group_by(BatchItem.stage, BatchItem.status)).all()
    out: dict[str, int] = {}
    for stage, status, n in rows:
        key = (status or "") if stage == Stage.DONE else stage
        out[key] = out.get(key, 0) + n
    return out


def build_report(rt: Runtime, batch_id: str) -> BatchReport:
    with rt.catalogue.session() as s:
        items = list(s.scalars(select(BatchItem).where(BatchItem.batch_id == batch_id)))
    items = [it for it in items if it.status != SPLIT]  # a cut file is reported as its parts
    items.sort(key=lambda it: (it.ordinal, natural_key(it.source)))
    docs = [DocumentOutcome.from_report(it.outcome) if it.outcome else
            DocumentOutcome(source=it.source, status=DocumentStatus.REJECTED, reason=f"not finished (stopped at stage {it.stage})")
            for it in items]
    # every person's record is matched, not only the first person's (contract section 5)
    matched = {rid for d in docs for rid in [d.registry_record_id, *(p.get("registry_record_id") for p in d.persons)]
               if rid}
    unmatched = [rid for rid in all_record_ids(rt.catalogue) if rid not in matched]
    return BatchReport(batch_id, rt.settings.review_threshold, docs, unmatched)


def run_batch(rt: Runtime, batch_dir: Path, progress: ProgressFn | None = None, wait: bool = True,
              poll_seconds: float = 1.0) -> BatchReport | None:
    from sohoa.pipeline import tasks

    batch = read_batch_info(batch_dir)
    items = [reserve_part_names(it) for it in Intake(rt.settings).scan(batch_dir)]
    check_against_batch(batch.dossiers, items)  # declared files and page ranges exist (pipeline/dossiers.py)
    if not items:
        log.warning("empty batch: no files to process", extra={"batch": batch.batch_id, "dir": source_name(str(batch_dir))})
    start_batch(rt, batch_dir, batch, items)
    for item in items:
        if isinstance(item, Rejection):
            finish_item(rt, batch.batch_id, DocumentOutcome(source=item.relpath, status=DocumentStatus.REJECTED, reason=item.reason))
    docs = [item for item in items if isinstance(item, SourceDocument)]
    seen: set[str] = set()

    def report_new() -> None:
        if not progress:
            return
        with rt.catalogue.session() as s:
            finished = list(s.scalars(select(BatchItem).where(BatchItem.batch_id == batch.batch_id,
                                                              BatchItem.stage == Stage.DONE)
                                      .order_by(BatchItem.ordinal)))
        for it in finished:
            if it.source not in seen and it.status != SPLIT:
                seen.add(it.source)
                # a cut file reports several documents: the total grows with its parts
                progress(len(seen), max(len(items), len(seen)), DocumentOutcome.from_report(it.outcome or {}))

    if tasks.begin.app.conf.task_always_eager:
        jobs = max(1, rt.settings.jobs)
        # Pages of every document share `jobs` page workers (the heavy work, tesseract and the
        # codecs, leaves the GIL); each document's other stages run on a thread of its own, one
        # more document than page workers so that pages are queued while documents finish.
        with ThreadPoolExecutor(max_workers=jobs, thread_name_prefix="sohoa-page") as pages, \
                ThreadPoolExecutor(max_workers=max(1, min(jobs + 1, len(docs))),
                                   thread_name_prefix="sohoa-doc") as pool:
            futures = [pool.submit(tasks.run_document, rt, batch, d, pages) for d in docs]
            for f in futures:
                f.result()  # FatalError (no key, store gone) stops the run here
                report_new()
    else:
        for doc in docs:
            tasks.document_workflow(batch, doc).apply_async()
        if not wait:
            return None
        _wait_for_workers(rt, batch, docs, report_new, poll_seconds)
    _retrying(report_new)
    _retrying(lambda: finish_batch(rt, batch.batch_id))
    return _retrying(lambda: build_report(rt, batch.batch_id))


# A catalogue database that restarts, or a broker that does, must not end the wait.
_TRANSIENT = (OperationalError, InterfaceError, ConnectionError, TimeoutError, KombuOperationalError)


def _retrying(fn: Callable[[], T], what: str = "catalogue", give_up_after: float = 600.0) -> T:
    """fn(), again with backoff (0.5 s doubling to 10 s) while the service is briefly away."""
    deadline, delay = time.monotonic() + give_up_after, 0.5
    while True:
        try:
            return fn()
        except _TRANSIENT as exc:
            if time.monotonic() > deadline:
                raise FatalError(f"{what} unreachable for {give_up_after:.0f} s: "
                                 f"{' '.join(str(exc).split())[:200]}") from None
            log.warning("%s unreachable, retrying in %.1f s: %s", what, delay, " ".join(str(exc).split())[:200])
            time.sleep(delay)
            delay = min(10.0, delay * 2)


def _wait_for_workers(rt: Runtime, batch: BatchInfo, docs: list[SourceDocument], report_new: Callable[[], None],
                      poll_seconds: float) -> None:
    """Poll the batch's items until every one is done. When none has moved for
    settings.resubmit_after seconds, submit the unfinished documents again: a broker
    restarted without persistence loses the messages it held, and every stage is
    idempotent (a document already archived is not archived twice)."""

    by_source = {d.relpath: d for d in docs}
    resubmit_after = rt.settings.resubmit_after
    last_change, last_seen = time.monotonic(), None

    def poll() -> tuple[list[str], Any]:
        with rt.catalogue.session() as s:
            pending = list(s.scalars(select(BatchItem.source).where(BatchItem.batch_id == batch.batch_id,
                                                                    BatchItem.stage != Stage.DONE)))
            # any item changing stage or status, or a page OCR'd (ocr_page touches updated_at)
            moved = tuple(s.execute(select(func.max(BatchItem.updated_at), func.count(BatchItem.status))
                                    .where(BatchItem.batch_id == batch.batch_id)).one())
        return pending, moved

    while True:
        _retrying(report_new)
        pending, seen = _retrying(poll)
        if not pending:
            return
        now = time.monotonic()
        if seen != last_seen:
            last_seen, last_change = seen, now
        elif resubmit_after > 0 and now - last_change >= resubmit_after:
            # a part's item is its file's: the file's workflow runs again (every stage idempotent)
            parents = {src.split("#pages=")[0] if src not in by_source else src for src in pending}
            again = [by_source[src] for src in parents if src in by_source]
            log.warning("no progress for %d s: submitting %d unfinished document(s) again",
                        resubmit_after, len(again), extra={"batch": batch.batch_id})
            for doc in again:
                _retrying(partial(_submit, batch, doc), what="broker")
            last_change = time.monotonic()
        time.sleep(poll_seconds)


def _submit(batch: BatchInfo, doc: SourceDocument) -> None:
    from sohoa.pipeline import tasks

    tasks.document_workflow(batch, doc).apply_async()


def finish_batch(rt: Runtime, batch_id: str) -> None:
    with rt.catalogue.session() as s:
        row = s.get(Batch, batch_id)
        if row is None:
            raise StoreError(f"batch {batch_id}: not in the catalogue")
        done = s.scalar(select(func.count()).where(BatchItem.batch_id == batch_id, BatchItem.stage == Stage.DONE))
        row.status, row.finished_at, row.done = "done", utcnow(), done or 0
        audit(s, rt.actor, "batch.finish", batch_id, documents=done)


__all__ = ["BatchReport", "run_batch", "build_report", "batch_progress"]
