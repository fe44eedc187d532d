"""Pages of all documents share the page workers (issue 18, item 2): in the embedded mode a long
document's pages are OCR'd on every page worker at once, not one after another on its
document's thread; the results are those of a one-job run, and a FatalError in one page still
stops the run with its message.

Real OCR on generated scans, in this process (as `sohoa process` runs it: pipeline/batch.py);
which page ran when and on which thread comes from the stage profile (pipeline/profile.py).
With workers (a real Redis broker and a Celery worker of two pool processes) every page is a
message of its own: the long document's pages are read by both pool processes at once.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import uuid
from datetime import datetime
from pathlib import Path

import img2pdf
import pytest
from sohoa.core.config import load_settings
from sohoa.core.errors import FatalError
from sohoa.corpus import scans
from sohoa.pipeline import orchestrate
from sohoa.pipeline.batch import run_batch
from sohoa.pipeline.profile import StageRecord, collect
from sqlalchemy import text
from test_workers import redis_url, services  # noqa: F401  (fixtures: a Redis of the test's own)

from sohoa.runtime import build_runtime
from sohoa.worker import make_app

ROOT = Path(__file__).resolve().parent.parent
LONG, SHORT, LONG_PAGES = "a_long.pdf", "b_short.jpg", 5


@pytest.fixture(scope="module")
def batch(tmp_path_factory) -> Path:
    """A 5-page image PDF first, then a 1-page scan (short paragraphs: quick to read)."""
    d = tmp_path_factory.mktemp("sched") / "batch"
    d.mkdir()
    jpgs = []
    for i in range(LONG_PAGES):
        img, _ = scans.scan_page(4900 + i, paragraphs=scans.PARAGRAPHS[i % len(scans.PARAGRAPHS):][:1], gray=True)
        p = d.parent / f"p{i}.jpg"
        img.save(p, "JPEG", quality=85, dpi=(300, 300))
        jpgs.append(str(p))
    (d / LONG).write_bytes(img2pdf.convert(jpgs, layout_fun=img2pdf.get_fixed_dpi_layout_fun((300, 300))))
    img, _ = scans.scan_page(4950, paragraphs=scans.PARAGRAPHS[2:3], gray=True)
    img.save(d / SHORT, "JPEG", quality=85, dpi=(300, 300))
    return d


def _process(home: Path, batch: Path, jobs: int) -> tuple[dict, list[StageRecord], dict]:
    """(report, stage records, catalogue: pages' text and field values per document)."""
    settings = load_settings(env={"SOHOA_HOME": str(home), "SOHOA_OCR_JOBS": str(jobs)})
    rt = build_runtime(settings, need_signer=True, actor="test")
    make_app(settings)  # eager: the tasks run in this process
    try:
        with collect() as records:
            report = run_batch(rt, batch)
        assert report is not None
        with rt.catalogue.session() as s:
            pages = s.execute(text("SELECT d.source, p.number, p.text FROM pages p "
                                   "JOIN documents d USING (document_id) ORDER BY 1, 2")).all()
            fields = s.execute(text("SELECT document_id, name, value, confidence, page FROM fields ORDER BY 1, 2")).all()
        return report.to_dict(), list(records), {"pages": [tuple(r) for r in pages],
                                                 "fields": [tuple(map(str, r)) for r in fields]}
    finally:
        rt.catalogue.dispose()


def _stable(report: dict) -> str:
    """The report without what differs between two runs by design (the signed object's bytes)."""
    docs = [{k: v for k, v in d.items() if k != "object"} for d in report["documents"]]
    return json.dumps({**report, "batch_id": None, "documents": docs}, sort_keys=True, ensure_ascii=False)


@pytest.mark.slow
def test_a_long_documents_pages_run_on_both_page_workers_and_the_results_are_one_jobs(tmp_path, batch):
    report2, records, cat2 = _process(tmp_path / "two", batch, jobs=2)

    pages = sorted((r for r in records if r.stage == "ocr_page" and r.document == LONG), key=lambda r: r.start)
    assert sorted(r.page for r in pages) == list(range(LONG_PAGES)), records
    # the long document's pages went to both page workers, and two of them were read at once
    assert len({r.thread for r in pages}) == 2, [(r.page, r.thread) for r in pages]
    assert all(r.thread.startswith("sohoa-page") for r in pages), {r.thread for r in pages}
    overlapping = [(a.page, b.page) for a, b in zip(pages, pages[1:]) if b.start < a.end]
    assert overlapping, [(r.page, round(r.start, 2), round(r.end, 2)) for r in pages]
    # its other stages ran in order on its document's thread, after its last page
    own = [r for r in records if r.document == LONG and r.stage != "ocr_page"]
    assert len({r.thread for r in own}) == 1 and own[0].thread.startswith("sohoa-doc"), own
    assemble = next(r for r in own if r.stage == "assemble")
    assert assemble.start >= max(r.end for r in pages) - 0.01

    report1, _, cat1 = _process(tmp_path / "one", batch, jobs=1)
    # the report's order is the batch's (the long scan may be cut into several documents: split)
    sources = [d["source"] for d in report2["documents"]]
    assert sources[-1] == SHORT and set(sources[:-1]) == {LONG}, sources
    assert all(d["status"] != "rejected" for d in report2["documents"]), report2
    assert _stable(report2) == _stable(report1)
    assert cat2 == cat1 and cat2["pages"], cat2


@pytest.mark.slow
def test_a_fatal_error_in_one_page_stops_the_run_with_its_message(tmp_path, batch, monkeypatch):
    real = orchestrate.ocr_page

    def store_gone_on_page_3(rt, b, doc, index):
        if doc.relpath == LONG and index == 3:
            raise FatalError("object store unreachable: test fault on page 4")
        return real(rt, b, doc, index)

    monkeypatch.setattr(orchestrate, "ocr_page", store_gone_on_page_3)  # the tasks call it through the module
    with pytest.raises(FatalError, match="test fault on page 4"):
        _process(tmp_path / "fatal", batch, jobs=2)


# "[2026-12-08 01:04:05,123: INFO/ForkPoolWorker-2] stage profile: ocr_page of a_long.pdf page 3, 2.310 s wall"
_WORKER_PAGE = re.compile(r"\[(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}): \w+/(ForkPoolWorker-\d+)\] "
                          r"stage profile: ocr_page of " + re.escape(LONG) + r" page (\d+), ([\d.]+) s wall")


@pytest.mark.slow
@pytest.mark.workers
def test_on_workers_a_long_documents_pages_spread_over_the_pool(tmp_path, batch, pg_database_url, redis_url):  # noqa: F811
    env = {**os.environ, "SOHOA_HOME": str(tmp_path / "home"), "SOHOA_DB_URL": pg_database_url,
           "SOHOA_BROKER_URL": redis_url, "SOHOA_OCR_JOBS": "1", "SOHOA_RESUBMIT_AFTER": "0",
           "PYTHONUNBUFFERED": "1"}
    log = tmp_path / "worker.log"
    with log.open("w") as out:
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "sohoa.worker", "worker", "-c", "2",
             "-n", f"sched-{uuid.uuid4().hex[:6]}@%h", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--loglevel=INFO"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        proc = subprocess.run([sys.executable, "-m", "sohoa.cli", "process", str(batch), "--report",
                               str(tmp_path / "r.json"), "-q"], cwd=ROOT, env=env, capture_output=True,
                              text=True, timeout=300)
        assert proc.returncode == 0, proc.stdout + proc.stderr + log.read_text(errors="replace")[-3000:]
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
    report = json.loads((tmp_path / "r.json").read_text("utf-8"))
    sources = [d["source"] for d in report["documents"]]
    assert sources[-1] == SHORT and set(sources[:-1]) == {LONG}, sources
    assert all(d["status"] != "rejected" for d in report["documents"]), report

    text_ = log.read_text(errors="replace")
    runs = []  # (start, end, pool process, page)
    for when, process, page, wall in _WORKER_PAGE.findall(text_):
        end = datetime.strptime(when, "%Y-%m-%d %H:%M:%S,%f").timestamp()
        runs.append((end - float(wall), end, process, int(page)))
    runs.sort()
    assert sorted(r[3] for r in runs) == list(range(LONG_PAGES)), text_[-3000:]
    assert len({r[2] for r in runs}) == 2, runs  # both pool processes read the long document
    assert any(b[0] < a[1] for a, b in zip(runs, runs[1:])), runs  # two of its pages at once
