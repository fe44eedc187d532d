"""`sohoa process --profile`: where the time went, per stage and per page kind.

The stage lines come from pipeline/profile.py (one per stage task run in this process:
the embedded default runs them all here; with workers they are in the workers' logs).
"""
from __future__ import annotations

from collections import defaultdict
from contextlib import contextmanager
from typing import Iterable, Iterator

from sohoa.pipeline.profile import PAGE_KINDS, StageRecord, collect

STAGE_ORDER = ("begin", "ocr_page", "assemble", "split", "extract", "sign_store", "reconcile")


@contextmanager
def profiling(enabled: bool) -> Iterator[list[StageRecord]]:
    """The stage records of the block when enabled, else an empty list (nothing collected)."""
    if not enabled:
        yield []
        return
    with collect() as records:
        yield records


def _row(label: str, rs: list[StageRecord], total_wall: float) -> str:
    wall, cpu = sum(r.wall_s for r in rs), sum(r.cpu_s for r in rs)
    share = 100 * wall / total_wall if total_wall else 0.0
    rss = max((r.rss_mb for r in rs), default=0.0)
    return (f"{label:<22}{len(rs):>6}{wall:>10.2f}{wall / len(rs):>9.3f}{cpu:>10.2f}{cpu / len(rs):>9.3f}"
            f"{share:>7.1f}%{rss:>9.0f}")


def profile_table(records: Iterable[StageRecord], elapsed_s: float | None = None) -> str:
    """Per stage, then per OCR'd page kind: runs, wall (total, mean), CPU (total, mean), share of
    the summed stage wall time, peak RSS of the process so far (MB). CPU counts the stage's
    thread and the subprocesses (tesseract) it waited for."""
    recs = list(records)
    if not recs:
        return "profile: no stage ran in this process (with workers, read the stage lines in their logs)"
    total = sum(r.wall_s for r in recs)
    head = (f"{'stage':<22}{'runs':>6}{'wall s':>10}{'mean':>9}{'cpu s':>10}{'mean':>9}{'share':>8}"
            f"{'rss MB':>9}")
    lines = ["profile (wall and CPU summed over stage runs; stages of several documents overlap)", head]
    by_stage: dict[str, list[StageRecord]] = defaultdict(list)
    for r in recs:
        by_stage[r.stage].append(r)
    for stage in sorted(by_stage, key=lambda s: (STAGE_ORDER.index(s) if s in STAGE_ORDER else 99, s)):
        lines.append(_row(stage, by_stage[stage], total))
    # OCR'd pages by kind, and born-digital documents (their assemble reads the text layer)
    pages = [r for r in recs if r.stage == "ocr_page" or r.kind == "born-digital"]
    if pages:
        lines.append("by page kind (ocr_page; born-digital: assemble per document)")
        by_kind: dict[str, list[StageRecord]] = defaultdict(list)
        for r in pages:
            by_kind[r.kind or "unknown"].append(r)
        for kind in sorted(by_kind, key=lambda k: (PAGE_KINDS.index(k) if k in PAGE_KINDS else 99, k)):
            lines.append(_row(f"  {kind}", by_kind[kind], total))
    docs = {r.document for r in recs}
    peak = max(r.rss_mb for r in recs)
    tail = f"{len(docs)} document(s), stage wall {total:.1f} s"
    if elapsed_s is not None:
        tail += f", elapsed {elapsed_s:.1f} s"
    lines.append(f"{tail}; peak RSS of this process {peak:.0f} MB")
    return "\n".join(lines)
