"""Where the time goes: wall, CPU and peak memory of every pipeline stage, in the structured log.

    with profiled("sohoa.ocr_page", doc_json, (index,)):
        ...the stage...

logs one line on the "sohoa.profile" logger, extra = {"document", "stage", "page", "wall_s",
"cpu_s", "child_cpu_s", "rss_mb", "start", "thread_name"} (and "kind" while someone collects):

- start: when the stage began (epoch seconds; it ended at start + wall_s), thread_name: the thread
  that ran it -- which page ran beside which, on which page worker (pipeline/batch.py).

- cpu_s: this thread's CPU (stages run on threads in-process, so process CPU would count the
  neighbours') plus the CPU of the subprocesses this thread waited for (tesseract, pdftoppm),
  taken from wait4's rusage of each child -- RUSAGE_CHILDREN is process-wide and would mix
  the children of concurrent stages. child_cpu_s is the subprocesses' part.
- rss_mb: the process's peak resident memory so far (VmHWM; a worker's high-water mark, which
  is what bounds it). A child's own peak is not reported: Linux carries the spawning process's
  high-water mark into the child's ru_maxrss at exec, so it says nothing about tesseract.

pipeline/tasks.py wraps every Celery stage task's run in `profiled` (StageTask.__call__), so
in-process (eager) runs and workers log alike. `collect()` gathers the lines of this process
for `sohoa process --profile` (sohoa/cli_profile.py); for an OCR'd page it also notes the
page's kind, from what the OCR stage found (turn, mean confidence, text layer).
"""
from __future__ import annotations

import logging
import os
import resource
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

log = logging.getLogger("sohoa.profile")

HEAVY_BELOW_CONF = 0.80  # mean word confidence under which an OCR'd page counts as heavy
PAGE_KINDS = ("light", "heavy", "rotated", "sealed", "born-digital")

_tls = threading.local()


def _child_cpu() -> float:
    """CPU seconds of the children this thread has waited for."""
    return getattr(_tls, "child_cpu", 0.0)


def _note_child(ru: resource.struct_rusage) -> None:
    _tls.child_cpu = _child_cpu() + ru.ru_utime + ru.ru_stime


def _install_wait4() -> None:
    """Reap subprocesses with wait4 so each child's own rusage is known to the thread that
    waited for it. Same contract as CPython's Popen._try_wait (3.8+: (pid, status))."""
    popen: Any = subprocess.Popen
    if getattr(popen, "_sohoa_wait4", False) or not hasattr(popen, "_try_wait") or not hasattr(os, "wait4"):
        return

    def _try_wait(self, wait_flags):
        try:
            pid, sts, ru = os.wait4(self.pid, wait_flags)
        except ChildProcessError:  # SIGCHLD ignored: the status is lost, as in CPython
            return self.pid, 0
        if pid == self.pid:
            _note_child(ru)
        return pid, sts

    popen._try_wait = _try_wait
    popen._sohoa_wait4 = True


_install_wait4()


def peak_rss_mb() -> float:
    """This process's peak resident memory since exec (VmHWM), MB. ru_maxrss would do on
    Linux too, but VmHWM is also right after a fork (ru_maxrss keeps the parent's)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class StageRecord:
    document: str
    stage: str
    page: int | None
    wall_s: float
    cpu_s: float
    rss_mb: float
    kind: str | None = None  # an OCR'd page's kind (PAGE_KINDS), when collected
    start: float = 0.0  # epoch seconds; the stage ended at start + wall_s
    thread: str = ""

    @property
    def end(self) -> float:
        return self.start + self.wall_s


class _Collector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[StageRecord] = []
        self._mu = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        if not hasattr(record, "wall_s"):
            return
        r = StageRecord(record.document, record.stage, record.page, record.wall_s, record.cpu_s,  # type: ignore[attr-defined]
                        record.rss_mb, getattr(record, "kind", None),  # type: ignore[attr-defined]
                        getattr(record, "start", 0.0), getattr(record, "thread_name", ""))
        with self._mu:
            self.records.append(r)


_collectors: list[_Collector] = []


@contextmanager
def collect() -> Iterator[list[StageRecord]]:
    """The stage records logged in this process while the block runs (and page kinds noted)."""
    c = _Collector()
    log.addHandler(c)
    if log.getEffectiveLevel() > logging.INFO:
        log.setLevel(logging.INFO)  # the lines must reach the handler whatever the root level
    _collectors.append(c)
    try:
        yield c.records
    finally:
        _collectors.remove(c)
        log.removeHandler(c)


def page_kind(result: Any) -> str:
    """light / heavy / rotated / born-digital from an OCR stage's PageResult (pipeline/ocr/ocrpage.py)."""
    text = getattr(result, "text", None)
    if text is not None and getattr(text, "source", "ocr") not in ("ocr", None):
        return "born-digital"
    if getattr(result, "rotated", 0):
        return "rotated"
    words = getattr(text, "words", None) or []
    confs = [w.confidence for w in words]
    mean = sum(confs) / len(confs) if confs else 0.0
    return "heavy" if mean < HEAVY_BELOW_CONF else "light"


def _kind_of_page(doc: dict, index: int) -> str | None:
    """Read back the page the OCR stage just saved (only when someone collects: it costs a load)."""
    try:
        from sohoa.core.types import SourceDocument
        from sohoa.pipeline.orchestrate import document_id_for

        # the caller's runtime: pipeline.tasks, which imports this module (no import back: no loop)
        tasks = sys.modules["sohoa.pipeline.tasks"]
        work = tasks.runtime().work(document_id_for(SourceDocument.from_json(doc)))
        name = f"page-{index:04d}.pkl"
        return page_kind(work.load(name)) if work.has(name) else None
    except Exception as exc:  # the profile must never fail a stage
        log.debug("page kind unknown: %s", exc)
        return None


@contextmanager
def profiled(task_name: str, doc: dict, args: tuple = ()) -> Iterator[None]:
    """Time one stage task (name 'sohoa.<stage>', its document's JSON, its extra args)."""
    stage = task_name.rsplit(".", 1)[-1]
    page = args[0] if stage == "ocr_page" and args and isinstance(args[0], int) else None
    cpu0, child0 = time.thread_time(), _child_cpu()
    t0, start = time.perf_counter(), time.time()
    try:
        yield
    finally:
        wall = time.perf_counter() - t0
        child = _child_cpu() - child0
        extra: dict[str, Any] = {
            "document": doc.get("relpath"), "stage": stage, "page": page,
            "wall_s": round(wall, 4), "cpu_s": round(time.thread_time() - cpu0 + child, 4),
            "child_cpu_s": round(child, 4), "rss_mb": round(peak_rss_mb(), 1),
            "start": round(start, 4), "thread_name": threading.current_thread().name,
        }
        if page is not None and _collectors:
            extra["kind"] = _kind_of_page(doc, page)
        elif stage == "assemble" and doc.get("kind") == "pdf_text":
            extra["kind"] = "born-digital"  # its text layer is read here, no page is OCR'd
        # the message names the stage too: a Celery worker's plain log shows it with its pool process
        log.info("stage profile: %s of %s%s, %.3f s wall", stage, extra["document"],
                 "" if page is None else f" page {page}", wall, extra=extra)
