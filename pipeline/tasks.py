"""The pipeline stages as Celery tasks, chained per document.

    begin | group(ocr_page x pages) | assemble | split | extract | sign_store | reconcile

A many-document scan is cut into its documents by `split` (pipeline/split.py); the stages
after it run once per part (split.units), in the same task as the whole file's.

Embedded default (no SOHOA_BROKER_URL): tasks run in-process (eager), the
same steps and the same stage functions (`run_document`: the document's stages in
order on its thread, its pages on the batch's shared page executor). Production: workers started with
`celery -A sohoa.worker worker`, broker Redis or RabbitMQ. Tasks are
acknowledged late (a worker killed mid-task leaves its message to be
redelivered), keyed by the document's content hash (a re-run finds the
stage's output and returns), retried with backoff when a service is briefly
away, and a document whose stage fails for good is reported rejected with
the reason.

The tasks are shared tasks: the Celery app that runs them is built by the
composition root (sohoa.worker), which also hands this module the factory of
a worker's runtime.
"""
from __future__ import annotations

import logging
import random
import threading
from concurrent.futures import FIRST_EXCEPTION, Executor, wait
from typing import Any, Callable, Union

from celery import Celery, Signature, Task, chain, group, shared_task
from sohoa.core.config import Settings
from sohoa.core.errors import FatalError, StoreError
from sohoa.core.runtime import Runtime
from sohoa.core.types import SourceDocument
from sohoa.pipeline import orchestrate as stages
from sohoa.pipeline import split as splitting
from sohoa.pipeline.intake import BatchInfo
from sohoa.pipeline.profile import profiled
from sqlalchemy.exc import OperationalError

log = logging.getLogger("sohoa.tasks")


class _RuntimeUnavailable(ConnectionError):
    """The worker could not build its runtime (catalogue or store away): retried."""


TRANSIENT = (StoreError, OperationalError, ConnectionError, TimeoutError)


def configure(app: Celery, settings: Settings) -> Celery:
    eager = not settings.broker_url
    app.conf.update(
        broker_url=settings.broker_url or "memory://",
        # Chords need a result backend; the catalogue database serves, whatever the broker.
        result_backend=settings.result_backend or f"db+{settings.database_url}",
        result_extended=False,
        task_always_eager=eager,
        task_eager_propagates=True,
        task_serializer="json",
        accept_content=["json"],
        result_serializer="json",
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        task_default_queue="sohoa",
        broker_transport_options=_transport_options(settings),
        # A result (chord member) that cannot be stored while the catalogue database is
        # briefly away is retried, with backoff up to 10 s, for about a minute and a half.
        result_backend_always_retry=True,
        result_backend_max_retries=12,
        result_backend_base_sleep_between_retries_ms=200,
        result_backend_max_sleep_between_retries_ms=10000,
        broker_connection_retry=True,
        broker_connection_max_retries=None,  # a worker waits for a restarted broker
    )
    return app


def _transport_options(settings: Settings) -> dict:
    """Redis redelivers an unacknowledged message (its worker died) once it is older than
    the visibility timeout, but kombu only looks every interval x throttle seconds
    (10 x 10 by default): look every quarter of the timeout, so a lost task is back
    within about 1.25 x the timeout."""
    vt = settings.broker_visibility_timeout
    opts: dict = {"visibility_timeout": vt}
    if settings.broker_url.startswith(("redis://", "rediss://", "redis+socket://")):
        opts.update(unacked_restore_interval=max(1, min(10, vt // 4)), unacked_restore_throttle=1,
                    socket_timeout=30, socket_connect_timeout=5, health_check_interval=10)
    return opts


_local = threading.local()
_worker_runtime: Runtime | None = None
_runtime_factory: Callable[[], Runtime] | None = None
_lock = threading.Lock()


def bind_runtime(rt: Runtime | None) -> None:
    """In-process runs hand their runtime to the tasks (per thread)."""
    _local.rt = rt


def use_runtime_factory(factory: Callable[[], Runtime]) -> None:
    """A worker process builds its runtime with this, once, on its first task (sohoa.worker)."""
    global _runtime_factory, _worker_runtime
    with _lock:
        _runtime_factory, _worker_runtime = factory, None


def runtime() -> Runtime:
    rt: Runtime | None = getattr(_local, "rt", None)
    if rt is not None:
        return rt
    global _worker_runtime
    with _lock:
        if _worker_runtime is None:
            if _runtime_factory is None:
                raise FatalError("no runtime for the pipeline tasks: start workers with `celery -A sohoa.worker`")
            _worker_runtime = _runtime_factory()
        return _worker_runtime


class StageTask(Task):
    """Late ack, retry with backoff on transient faults, reject the document on a permanent one."""

    acks_late = True
    max_retries = 8
    stage = "?"

    def __call__(self, batch: dict, doc: dict, *args):
        try:
            if not self.app.conf.task_always_eager:
                try:
                    runtime()
                except FatalError as exc:  # e.g. a worker started while the catalogue was away
                    raise _RuntimeUnavailable(str(exc)) from None
            with profiled(self.name, doc, args):  # wall, CPU, peak RSS of the stage (pipeline/profile.py)
                return self.run(batch, doc, *args)
        except TRANSIENT as exc:
            if self.app.conf.task_always_eager:
                raise
            countdown = retry_countdown(self.request.retries, runtime().settings.retry_max_delay)
            log.warning("transient fault, retrying", extra={"document": doc.get("relpath"), "stage": self.stage,
                                                            "error": str(exc), "retry": self.request.retries,
                                                            "countdown": countdown})
            raise self.retry(exc=exc, countdown=countdown)
        except FatalError:
            raise
        except Exception as exc:
            if self.app.conf.task_always_eager and not isinstance(exc, (ValueError, KeyError, OSError)):
                raise
            source = SourceDocument.from_json(doc)
            if stages.finished(runtime(), source):
                # A twin of a redelivered task, late: the document was archived meanwhile
                # (and its work area cleared under this task's feet). Nothing to undo.
                log.warning("stage failed after the document was finished; ignored",
                            extra={"document": doc.get("relpath"), "stage": self.stage,
                                   "error": f"{type(exc).__name__}: {exc}"})
                return None
            log.exception("stage failed", extra={"document": doc.get("relpath"), "stage": self.stage})
            stages.reject(runtime(), batch["batch_id"], source,
                          f"processing failed in stage {self.stage}: {type(exc).__name__}: {exc}")
            return None


def retry_countdown(retries: int, max_delay: float) -> float:
    """Exponential backoff with jitter: 1, 2, 4 ... seconds, at most max_delay."""
    return round(min(max_delay, 2 ** retries) * random.uniform(0.75, 1.25), 2)


def _args(batch: dict, doc: dict) -> tuple[Runtime, BatchInfo, SourceDocument]:
    return runtime(), BatchInfo(**batch), SourceDocument.from_json(doc)


@shared_task(base=StageTask, bind=True, name="sohoa.begin", stage="begin")
def begin(self, batch: dict, doc: dict) -> str:
    return stages.begin(*_args(batch, doc))


@shared_task(base=StageTask, bind=True, name="sohoa.ocr_page", stage="ocr")
def ocr_page(self, batch: dict, doc: dict, index: int) -> None:
    stages.ocr_page(*_args(batch, doc), index)


@shared_task(base=StageTask, bind=True, name="sohoa.assemble", stage="ocr")
def assemble(self, batch: dict, doc: dict) -> None:
    stages.assemble(*_args(batch, doc))


@shared_task(base=StageTask, bind=True, name="sohoa.split", stage="split")
def split(self, batch: dict, doc: dict) -> None:
    stages.split(*_args(batch, doc))


@shared_task(base=StageTask, bind=True, name="sohoa.extract", stage="extract")
def extract(self, batch: dict, doc: dict) -> None:
    stages.each_unit(*_args(batch, doc), stages.extract_fields, TRANSIENT)


@shared_task(base=StageTask, bind=True, name="sohoa.sign_store", stage="sign")
def sign_store(self, batch: dict, doc: dict) -> None:
    stages.each_unit(*_args(batch, doc), stages.sign_store, TRANSIENT)


@shared_task(base=StageTask, bind=True, name="sohoa.reconcile", stage="reconcile")
def reconcile(self, batch: dict, doc: dict) -> None:
    rt, b, d = _args(batch, doc)
    stages.each_unit(rt, b, d, stages.catalogue_reconcile, TRANSIENT)
    splitting.finish_source(rt, d)


# A step of a document: one stage task, or a list of page tasks that may run at once.
Step = Union[Signature, list[Signature]]


def document_steps(batch: BatchInfo, doc: SourceDocument) -> list[Step]:
    """One document's stage tasks in order; its pages are one step of parallel tasks."""
    b, d = batch.__dict__, doc.to_json()
    steps: list[Step] = [begin.si(b, d)]
    if doc.kind != "pdf_text":
        steps.append([ocr_page.si(b, d, i) for i in range(doc.page_count)])
    steps += [assemble.si(b, d), split.si(b, d), extract.si(b, d), sign_store.si(b, d), reconcile.si(b, d)]
    return steps


def document_workflow(batch: BatchInfo, doc: SourceDocument) -> Any:
    """The canvas for one document (on the current Celery app, sohoa.worker's): on workers
    every page is a message of its own, so a document's pages spread over the workers."""
    return chain(*(group(step) if isinstance(step, list) else step for step in document_steps(batch, doc)))


def run_document(rt: Runtime, batch: BatchInfo, doc: SourceDocument, pages: Executor) -> None:
    """The embedded (eager) run of one document: its stages in order on this thread, its pages
    handed to `pages`, the page executor the whole batch shares (pipeline/batch.py), and waited
    for. The executor takes pages first come, first served, so the pages of a document started
    earlier go first and a long document's pages use every page worker. A page that raises
    (FatalError, or any exception eager runs propagate) stops its document: its pages not yet
    started are cancelled, the ones running are waited for, and the exception goes up."""
    for step in document_steps(batch, doc):
        if not isinstance(step, list):
            _apply(rt, step)
            continue
        futures = [pages.submit(_apply, rt, sig) for sig in step]
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        failed = next((f for f in futures if f in done and f.exception() is not None), None)
        if failed is not None:
            for f in futures:
                f.cancel()
            wait(futures)
            failed.result()  # raises the page's exception


def _apply(rt: Runtime, sig: Signature) -> None:
    """One stage task, eagerly, on the calling thread (the runtime bound to it meanwhile):
    the task's own retry/reject handling and its profile line, exceptions propagated."""
    outer = getattr(_local, "rt", None)
    bind_runtime(rt)
    try:
        sig.apply()
    finally:
        bind_runtime(outer)

