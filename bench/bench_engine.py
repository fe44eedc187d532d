"""Tesseract in the worker process (tesserocr) vs a tesseract subprocess per call, same pages.

    python bench/bench_engine.py [--seeds 4800,4801] [--pages 30] [--jobs 2] [--out DIR]

Generates heavy, wide-variation samples (`sohoa sample --degradation heavy --variation wide`,
10 documents a seed), takes their scanned pages (born-digital ones have no OCR), and runs:

  pipeline  process_page (ocrpage.py: clean-up, OCR, OSD where needed, second reads) on every
            page, `--jobs` pages at a time, once with each engine; the subprocess run records
            every engine call (the page images and strips exactly as the OCR sees them);
  engine    those recorded calls replayed with each engine alone, `--jobs` threads, each engine
            in a fresh forked process (so its peak RSS and its children's are its own).

Prints for each: wall, CPU s/page (this process and its children), peak RSS (the worker; for the
subprocess also the largest tesseract child), the pages' CER against the generator's truth, and
how many pages (pipeline) or calls (engine) read identically; then the ratios api / subprocess.
"""
from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import resource
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import json  # noqa: E402

import numpy as np  # noqa: E402
from bench_ocr import _norm, levenshtein  # noqa: E402
from sohoa.core.config import load_settings  # noqa: E402
from sohoa.core.types import SourceDocument  # noqa: E402
from sohoa.pipeline.intake import Intake, Rejection  # noqa: E402
from sohoa.pipeline.ocr import engine, ocrpage, tessapi  # noqa: E402
from sohoa.pipeline.ocr.pages import PageSource, plan_pages  # noqa: E402


@dataclass
class Page:
    doc: SourceDocument
    src: PageSource
    truth: str


@dataclass
class Call:
    page: int
    kind: str  # "ocr" | "osd"
    image: np.ndarray
    kw: dict[str, Any]


@dataclass
class Run:
    wall: float
    cpu: float
    peak_rss_mb: float
    child_rss_mb: float = 0.0  # the largest tesseract child (subprocess engine)
    start_rss_mb: float = 0.0  # the worker's RSS when the run started
    outputs: list[Any] = field(default_factory=list)

    @property
    def added_mb(self) -> float:
        return self.peak_rss_mb - self.start_rss_mb


def _hwm_reset() -> None:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")  # resets VmHWM (Linux >= 4.0)
    except OSError:
        pass


def _hwm_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def _cpu() -> float:
    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime


def generate(out: Path, seeds: list[int]) -> list[Path]:
    sohoa = Path(sys.executable).parent / "sohoa"
    dirs = []
    for seed in seeds:
        d = out / f"s{seed}"
        if not (d / "truth.jsonl").is_file():
            subprocess.run([str(sohoa), "sample", str(d), "--docs", "10", "--seed", str(seed), "--degradation",
                            "heavy", "--variation", "wide", "--no-bad-files"], check=True, capture_output=True)
        dirs.append(d)
    return dirs


def scanned_pages(dirs: list[Path], limit: int, work: Path, settings) -> list[Page]:
    pages: list[Page] = []
    for d in dirs:
        truth = {}
        for line in (d / "truth.jsonl").read_text("utf-8").splitlines():
            t = json.loads(line)
            if t.get("pages"):
                truth[t["source"]] = t["pages"]
        for doc in Intake(settings).scan(d / "batch"):
            if isinstance(doc, Rejection) or doc.kind == "pdf_text" or doc.relpath not in truth:
                continue
            for src in plan_pages(doc, settings, work / d.name / doc.relpath.replace("/", "_")):
                if src.number <= len(truth[doc.relpath]):
                    pages.append(Page(doc, src, truth[doc.relpath][src.number - 1]))
                if len(pages) >= limit:
                    return pages
    return pages


def run_pipeline(pages: list[Page], name: str, jobs: int, settings, work: Path,
                 record: list[Call] | None = None) -> Run:
    """process_page on every page with engine `name`; the engine calls recorded when asked."""
    engine.use_engine(name)
    real_ocr, real_osd = engine.ocr, engine.osd
    page_of: dict[int, int] = {}  # thread id -> page index

    if record is not None:
        import threading

        def ocr(gray, **kw):
            record.append(Call(page_of[threading.get_ident()], "ocr", gray.copy(), kw))
            return real_ocr(gray, **kw)

        def osd(gray, **kw):
            record.append(Call(page_of[threading.get_ident()], "osd", gray.copy(), kw))
            return real_osd(gray, **kw)

        engine.ocr, engine.osd = ocr, osd  # type: ignore[assignment]

    def one(i: int) -> str:
        import threading

        page_of[threading.get_ident()] = i
        p = pages[i]
        r = ocrpage.process_page(p.doc, p.src, settings, work / name / f"p{i:03d}")
        return r.text.text

    try:
        _hwm_reset()
        start = _hwm_mb()
        cpu0, t0 = _cpu(), time.perf_counter()
        with ThreadPoolExecutor(jobs) as ex:
            texts = list(ex.map(one, range(len(pages))))
        return Run(time.perf_counter() - t0, _cpu() - cpu0, _hwm_mb(), outputs=texts, start_rss_mb=start)
    finally:
        engine.ocr, engine.osd = real_ocr, real_osd  # type: ignore[assignment]
        engine.use_engine(None)


def _measure_children(out: Path) -> Path | None:
    """Route the CLI through /usr/bin/time (a few ms a call) to log each tesseract's peak RSS:
    the children's ru_maxrss would count the worker itself (the fork before exec)."""
    gnu_time = Path("/usr/bin/time")
    if not gnu_time.is_file():
        return None
    log, wrapper = out / "tesseract_rss.log", out / "tesseract_rss.sh"
    log.unlink(missing_ok=True)
    wrapper.write_text(f'#!/bin/sh\nexec {gnu_time} -a -o "{log}" -f %M "{engine.tesseract_cmd()}" "$@"\n')
    wrapper.chmod(0o755)
    os.environ["SOHOA_TESSERACT"] = str(wrapper)
    engine.tesseract_cmd.cache_clear()
    return log


def _replay(calls: list[Call], name: str, jobs: int, out: Path, conn) -> None:
    rss_log = _measure_children(out) if name == "subprocess" else None
    engine.use_engine(name)
    engine.ocr(np.full((64, 64), 255, dtype=np.uint8))  # engine resolved, CLI version read
    _hwm_reset()
    base = _hwm_mb()
    cpu0, t0 = _cpu(), time.perf_counter()

    def one(c: Call) -> Any:
        return engine.ocr(c.image, **c.kw) if c.kind == "ocr" else engine.osd(c.image, **c.kw)

    with ThreadPoolExecutor(jobs) as ex:
        result = list(ex.map(one, calls))
    wall, cpu = time.perf_counter() - t0, _cpu() - cpu0
    child = 0.0
    if rss_log is not None and rss_log.is_file():
        child = max((int(x) for x in rss_log.read_text().split() if x.isdigit()), default=0) / 1024
    conn.send(Run(wall, cpu, _hwm_mb(), child, base, result))
    conn.close()


def replay(calls: list[Call], name: str, jobs: int, out: Path) -> Run:
    ctx = mp.get_context("fork")
    rx, tx = ctx.Pipe(duplex=False)
    p = ctx.Process(target=_replay, args=(calls, name, jobs, out, tx))
    p.start()
    run = rx.recv()
    p.join()
    return run


def cer(texts: list[str], pages: list[Page]) -> float:
    errs = sum(levenshtein(_norm(t), _norm(p.truth)) for t, p in zip(texts, pages, strict=True))
    return errs / max(1, sum(len(_norm(p.truth)) for p in pages))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seeds", default="4800,4801")
    ap.add_argument("--pages", type=int, default=30)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--repeat", type=int, default=2, help="replays of the engine calls per engine")
    ap.add_argument("--out", type=Path, default=Path(__file__).resolve().parent / "out" / "engine")
    args = ap.parse_args()
    if not tessapi.available():
        sys.exit("tesserocr is not installed: nothing to compare (scripts/bootstrap.sh installs it)")
    args.out.mkdir(parents=True, exist_ok=True)
    settings = load_settings(home=args.out / "home")
    dirs = generate(args.out, [int(s) for s in args.seeds.split(",")])
    pages = scanned_pages(dirs, args.pages, args.out / "work", settings)
    print(f"{len(pages)} scanned pages from seeds {args.seeds} (heavy, wide); jobs {args.jobs}; "
          f"tesserocr {tessapi.version()}; load {os.getloadavg()[0]:.2f}", flush=True)

    for name in ("subprocess", "api"):  # warm-up, untimed: first-use costs (imports, codecs, caches)
        run_pipeline(pages[:1], name, 1, settings, args.out / "work")
    calls: list[Call] = []
    pipe_sub = run_pipeline(pages, "subprocess", args.jobs, settings, args.out / "work", record=calls)
    pipe_api = run_pipeline(pages, "api", args.jobs, settings, args.out / "work")
    calls.sort(key=lambda c: c.page)  # page order; each page's own calls keep their order
    n_ocr = sum(c.kind == "ocr" for c in calls)
    print(f"engine calls: {n_ocr} OCR ({sum(c.kind == 'ocr' and c.kw.get('psm') == 6 for c in calls)} "
          f"second-read strips), {len(calls) - n_ocr} OSD; load {os.getloadavg()[0]:.2f}", flush=True)
    # alternated, each engine's best of --repeat (the machine is shared: the least disturbed run)
    tries: dict[str, list[Run]] = {"subprocess": [], "api": []}
    for _ in range(args.repeat):
        for name in tries:
            tries[name].append(replay(calls, name, args.jobs, args.out))
    eng_sub, eng_api = (min(tries[n], key=lambda r: r.cpu) for n in tries)
    for name, ts in tries.items():
        print(f"engine {name:10} runs: " + ", ".join(f"{r.wall:.1f} s wall / {r.cpu:.1f} s CPU" for r in ts))
    load = os.getloadavg()[0]

    n = len(pages)
    same_pages = sum(a == b for a, b in zip(pipe_sub.outputs, pipe_api.outputs, strict=True))
    same_calls = sum(a == b for a, b in zip(eng_sub.outputs, eng_api.outputs, strict=True))
    cer_sub, cer_api = cer(pipe_sub.outputs, pages), cer(pipe_api.outputs, pages)
    print(f"\n{'':22}{'wall s':>8}{'CPU s/page':>12}{'peak RSS MB':>13}{'added MB':>10}{'tess child MB':>15}")
    for label, r in (("pipeline  subprocess", pipe_sub), ("pipeline  api", pipe_api),
                     ("engine    subprocess", eng_sub), ("engine    api", eng_api)):
        print(f"{label:22}{r.wall:8.1f}{r.cpu / n:12.2f}{r.peak_rss_mb:13.0f}{r.added_mb:10.0f}"
              f"{(f'{r.child_rss_mb:.0f}' if r.child_rss_mb else '-'):>15}")
    print(f"\npipeline: {same_pages}/{n} pages read identically; CER subprocess {cer_sub:.4f}, api {cer_api:.4f}")
    print(f"engine:   {same_calls}/{len(calls)} calls gave identical words/OSD")
    print("(added: the worker's peak over its RSS at the start of the run, which holds the pages and the recorded "
          "calls; a subprocess run's tesseract children, up to --jobs at a time, come on top)")
    print("\nratios api / subprocess (lower is better):")
    print(f"  pipeline: wall {pipe_api.wall / pipe_sub.wall:.3f}, CPU {pipe_api.cpu / pipe_sub.cpu:.3f}")
    print(f"  engine:   wall {eng_api.wall / eng_sub.wall:.3f}, CPU {eng_api.cpu / eng_sub.cpu:.3f}, "
          f"memory the engine adds (api: worker; subprocess: worker + jobs x largest child) "
          f"{eng_api.added_mb / max(1.0, eng_sub.added_mb + args.jobs * eng_sub.child_rss_mb):.3f}")
    print(f"load average at the end: {load:.2f} (1 min)")


if __name__ == "__main__":
    main()
