"""End to end: the whole pipeline vs OCRmyPDF vs bare Tesseract on the same scans (issue 18).

    python bench/bench_e2e.py [--pages 32] [--seed 18000] [--jobs 2] [--keep DIR] [--no-install]
                              [--skip-ocrmypdf] [--skip-workers] [--skip-tesseract]

Makes a batch of mixed damage: `sohoa sample --variation wide` documents, light and heavy
(photocopies, skew, 90/180/270 turns, hanging seals and stamps), scanned ones only, until
--pages pages. Every page image is taken out as the generator stored it (JPEG bytes stay JPEG,
TIFF/PNG pages become PNG) and each document is rewrapped as an image-only PDF (img2pdf, no
re-encoding, 300 dpi), so the three engines read the same pixels:

  sohoa      `sohoa process BATCH --profile` with the embedded defaults (its own home; jobs =
             --jobs): intake, OCR, assemble, split, extract, sign, store, catalogue, reconcile
  ocrmypdf   Debian's `ocrmypdf -l vie --jobs N` file by file (apt-get installed when missing)
  tesseract  `tesseract PAGE out -l vie --dpi 300 txt` on the page images, N at a time

Each is timed as its own subprocesses, reaped with wait4: wall, CPU (user + system of the
process tree) and the largest peak RSS of one process of the tree (ru_maxrss; a child spawned
from this small process carries at most this process's ~20 MB into it). CER per page against
the corpus truth (bench/bench_ocr.py's CER): sohoa's page texts from its catalogue, OCRmyPDF's
text layer (pdftotext -raw), tesseract's txt. Then sohoa with 1 job vs --jobs on the same
batch (fresh homes), each with its CPU utilisation (CPU s / (wall x jobs)) and the cores left idle
at the end of the batch (from the stage lines of its log: core-seconds not covered by a running
stage after the last moment all jobs were busy). The load average is printed before and after each
run: the machine may be shared, the ratios are within one run. `--skip-ocrmypdf --skip-tesseract`
leaves the sohoa N jobs vs 1 job comparison alone.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PY = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
SOHOA = str(ROOT / ".venv" / "bin" / "sohoa") if (ROOT / ".venv" / "bin" / "sohoa").exists() else "sohoa"

# Generation runs in a child so this process stays small (a child's ru_maxrss starts from ours).
MAKE_BATCH = r"""
import json, sys, shutil
from pathlib import Path
import img2pdf, pikepdf
from PIL import Image
from sohoa.corpus import generate_batch

out, seed, want = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
batch, pages_dir = out / "batch", out / "pages"
batch.mkdir(parents=True); pages_dir.mkdir()
layout = img2pdf.get_fixed_dpi_layout_fun((300, 300))
docs, n, k = [], 0, 0
for level in ("light", "heavy") * 20:
    if n >= want:
        break
    gen = generate_batch(out / f"gen{k}", docs=6, seed=seed + k, degradation=level, bad_files=False, variation="wide")
    if not (batch / "batch.json").exists():
        shutil.copy(gen.batch_dir / "batch.json", batch / "batch.json")
    k += 1
    for line in gen.truth_path.read_text("utf-8").splitlines():
        t = json.loads(line)
        if t.get("bad") or t["degradation"] == "born_digital" or n >= want:
            continue
        src, name = gen.batch_dir / t["source"], f"d{len(docs) + 1:02d}_{level}"
        imgs = []
        if src.is_dir():
            frames = [Image.open(p) for p in sorted(src.iterdir())]
        elif t["format"].startswith("pdf"):
            frames = []
            with pikepdf.open(src) as pdf:
                for i, page in enumerate(pdf.pages):
                    (im_name, raw), = page.images.items()
                    p = pikepdf.PdfImage(raw).extract_to(fileprefix=str(pages_dir / f"{name}_p{i + 1}"))
                    imgs.append(Path(p))
        else:
            im = Image.open(src)
            frames = []
            for i in range(getattr(im, "n_frames", 1)):
                im.seek(i); frames.append(im.copy())
        for i, im in enumerate(frames):
            p = pages_dir / f"{name}_p{i + 1}.png"
            im.save(p, dpi=(300, 300)); imgs.append(p)
        (batch / f"{name}.pdf").write_bytes(img2pdf.convert([str(p) for p in imgs], layout_fun=layout))
        metas, marks = t["page_meta"], t.get("marks") or [[] for _ in imgs]
        for i, p in enumerate(imgs):
            kinds = {m.get("kind") for m in (marks[i] if i < len(marks) else [])}
            kind = ("rotated" if metas[i].get("rotation") else
                    "sealed" if kinds & {"hanging_seal", "stamp_over_date", "received_stamp"} else level)
            docs.append({"doc": name + ".pdf", "page": i + 1, "image": str(p), "kind": kind,
                         "level": level, "truth": t["pages"][i]})
        n += len(imgs)
    shutil.rmtree(out / f"gen{k - 1}")
(out / "pages.json").write_text(json.dumps(docs, ensure_ascii=False), "utf-8")
"""


@dataclass
class Run:
    name: str
    wall: float = 0.0
    cpu: float = 0.0
    rss_mb: float = 0.0
    texts: dict[tuple[str, int], str] = field(default_factory=dict)
    load_before: str = ""
    load_after: str = ""
    note: str = ""


def load() -> str:
    return "/".join(f"{v:.2f}" for v in os.getloadavg())


def run_reaped(cmd: list[str], env: dict | None = None, stdout=subprocess.DEVNULL) -> tuple[int, float, float]:
    """(exit status, CPU s of the process tree, largest peak RSS MB of one of its processes)."""
    proc = subprocess.Popen(cmd, env=env, stdout=stdout, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        err = proc.stderr.read().decode("utf-8", "replace").strip().splitlines() if proc.stderr else []
        print(f"  {cmd[0]} failed ({proc.returncode}): {err[-3:]}", flush=True)
    if proc.stderr:
        proc.stderr.close()
    return proc.returncode, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024


def bench_sohoa(batch: Path, home: Path, jobs: int, pages: list[dict], name: str) -> Run:
    r = Run(name, load_before=load())
    env = dict(os.environ, SOHOA_HOME=str(home), SOHOA_OCR_JOBS=str(jobs))
    env.pop("SOHOA_CONFIG", None)
    env.pop("SOHOA_DATABASE_URL", None)
    out = home.parent / f"{home.name}.out"
    t = time.perf_counter()
    with open(out, "wb") as fh:
        rc, r.cpu, r.rss_mb = run_reaped([SOHOA, "process", str(batch), "--report", str(home / "report.json"),
                                          "-q", "--profile"], env=env, stdout=fh)
    r.wall, r.load_after = time.perf_counter() - t, load()
    r.note = out.read_text("utf-8", "replace")
    with sqlite3.connect(home / "catalogue.sqlite3") as db:
        for source, number, text in db.execute(
                "SELECT d.source, p.number, p.text FROM pages p JOIN documents d USING (document_id)"):
            r.texts[(source, number)] = text or ""
    return r


def bench_tesseract(pages: list[dict], jobs: int, work: Path) -> Run:
    r = Run("tesseract", load_before=load())
    env = dict(os.environ, OMP_THREAD_LIMIT="1")
    rss: list[float] = []

    def one(p: dict) -> None:
        img = Path(p["image"])
        base = work / img.stem
        _, cpu, mb = run_reaped(["tesseract", str(img), str(base), "-l", "vie", "--dpi", "300", "txt"], env=env)
        r.cpu += cpu  # float += under the GIL: fine for two threads
        rss.append(mb)
        r.texts[(p["doc"], p["page"])] = base.with_suffix(".txt").read_text("utf-8")

    t = time.perf_counter()
    with ThreadPoolExecutor(jobs) as ex:
        list(ex.map(one, pages))
    r.wall, r.load_after, r.rss_mb = time.perf_counter() - t, load(), max(rss)
    return r


def bench_ocrmypdf(exe: str, batch: Path, jobs: int, work: Path, pages: list[dict]) -> Run:
    r = Run("ocrmypdf", load_before=load())
    docs = sorted({p["doc"] for p in pages})
    t = time.perf_counter()
    for d in docs:
        rc, cpu, mb = run_reaped([exe, "-l", "vie", "--jobs", str(jobs), "--quiet", str(batch / d), str(work / d)])
        r.cpu, r.rss_mb = r.cpu + cpu, max(r.rss_mb, mb)
    r.wall, r.load_after = time.perf_counter() - t, load()
    for d in docs:
        n = sum(1 for p in pages if p["doc"] == d)
        out = work / d
        if not out.exists():
            continue
        raw = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(out), "-"], capture_output=True).stdout
        for i, text in enumerate((raw.decode("utf-8").split("\f") + [""] * n)[:n]):
            r.texts[(d, i + 1)] = text
    return r


def stage_intervals(home: Path) -> list[tuple[float, float]]:
    """(start, end) epoch seconds of every stage run in sohoa's structured log."""
    from datetime import datetime

    out = []
    for line in (home / "logs" / "sohoa.jsonl").read_text("utf-8").splitlines():
        x = json.loads(line)
        if x.get("logger") == "sohoa.profile":
            end = datetime.fromisoformat(x["time"]).timestamp()
            out.append((x.get("start", end - x["wall_s"]), end))
    return out


def idle_at_end(intervals: list[tuple[float, float]], jobs: int) -> tuple[float, float]:
    """(seconds, idle core-seconds) from the last moment `jobs` stages ran at once to the last
    stage's end: the tail of the batch where cores waited for one long document."""
    if not intervals:
        return 0.0, 0.0
    events = sorted([(s, 1) for s, _ in intervals] + [(e, -1) for _, e in intervals])
    running, last_full, t_prev, idle = 0, events[0][0], events[0][0], []
    for t, d in events:
        idle.append((t_prev, t, max(0, jobs - running)))
        if running >= jobs > running + d:
            last_full = t  # a full stretch ends here
        running += d
        t_prev = t
    end = events[-1][0]
    return end - last_full, sum((b - max(a, last_full)) * n for a, b, n in idle if b > last_full)


def profile_by_truth_kind(home: Path, pages: list[dict]) -> str:
    """sohoa's ocr_page profile lines (its structured log) grouped by the corpus truth's page kind."""
    kind = {(p["doc"], p["page"] - 1): p["kind"] for p in pages}
    rows: dict[str, list[tuple[float, float, float]]] = {}
    for line in (home / "logs" / "sohoa.jsonl").read_text("utf-8").splitlines():
        x = json.loads(line)
        if x.get("logger") == "sohoa.profile" and x.get("stage") == "ocr_page":
            k = kind.get((x["document"], x["page"]), "?")
            rows.setdefault(k, []).append((x["wall_s"], x["cpu_s"], x.get("child_cpu_s", float("nan"))))
    out = [f"{'truth kind':<12}{'pages':>6}{'wall s/page':>13}{'cpu s/page':>12}{'of which subprocesses':>23}"]
    for k, v in sorted(rows.items()):
        n = len(v)
        out.append(f"{k:<12}{n:>6}{sum(r[0] for r in v) / n:>13.2f}{sum(r[1] for r in v) / n:>12.2f}"
                   f"{sum(r[2] for r in v) / n:>23.2f}")
    return "\n".join(out)


def ensure_ocrmypdf(install: bool) -> str | None:
    sys.path.insert(0, str(ROOT / "bench"))
    from bench_ocr import ensure_ocrmypdf as ensure  # apt-get install -y ocrmypdf when missing and root

    return ensure(install)


def cer_of(run: Run, pages: list[dict]) -> tuple[float, dict[str, float]]:
    from bench_ocr import cer  # imported late: it loads the OCR modules (this process's RSS)

    by_kind: dict[str, list[float]] = {}
    all_: list[float] = []
    for p in pages:
        c = cer(p["truth"], run.texts.get((p["doc"], p["page"]), ""))
        all_.append(c)
        by_kind.setdefault(p["kind"], []).append(c)
    return sum(all_) / len(all_), {k: sum(v) / len(v) for k, v in by_kind.items()}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=32)
    ap.add_argument("--seed", type=int, default=18000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--keep", type=Path, help="work here and keep it; a kept batch is used again")
    ap.add_argument("--no-install", action="store_true")
    ap.add_argument("--skip-ocrmypdf", action="store_true")
    ap.add_argument("--skip-workers", action="store_true", help="no 1-job vs N-job sohoa comparison")
    ap.add_argument("--skip-tesseract", action="store_true", help="no bare Tesseract run")
    args = ap.parse_args(argv)
    sys.path.insert(0, str(ROOT / "bench"))

    tmp = Path(tempfile.mkdtemp(prefix="bench_e2e_")) if not args.keep else args.keep
    tmp.mkdir(parents=True, exist_ok=True)
    print(f"cores {os.cpu_count()}, jobs {args.jobs}, load {load()} (1/5/15 min), work {tmp}", flush=True)
    t = time.perf_counter()
    if (tmp / "pages.json").exists():  # --keep DIR of an earlier run: the same batch again, fresh homes
        for home in ("home_jobs", "home_1"):
            shutil.rmtree(tmp / home, ignore_errors=True)
    else:
        subprocess.run([PY, "-c", MAKE_BATCH, str(tmp), str(args.seed), str(args.pages)], check=True)
    pages = json.loads((tmp / "pages.json").read_text("utf-8"))
    kinds: dict[str, int] = {}
    for p in pages:
        kinds[p["kind"]] = kinds.get(p["kind"], 0) + 1
    n = len(pages)
    print(f"batch: {len({p['doc'] for p in pages})} image PDFs, {n} pages {kinds}, made in "
          f"{time.perf_counter() - t:.0f} s", flush=True)

    runs: list[Run] = []
    print("sohoa process ...", flush=True)
    runs.append(bench_sohoa(tmp / "batch", tmp / "home_jobs", args.jobs, pages, "sohoa"))
    exe = None if args.skip_ocrmypdf else ensure_ocrmypdf(not args.no_install)
    if exe:
        print("ocrmypdf ...", flush=True)
        (tmp / "ocrmypdf").mkdir(exist_ok=True)
        runs.append(bench_ocrmypdf(exe, tmp / "batch", args.jobs, tmp / "ocrmypdf", pages))
    if not args.skip_tesseract:
        print("tesseract ...", flush=True)
        (tmp / "tess").mkdir(exist_ok=True)
        runs.append(bench_tesseract(pages, args.jobs, tmp / "tess"))
    one = None
    if not args.skip_workers and args.jobs > 1:
        print("sohoa process, 1 job ...", flush=True)
        one = bench_sohoa(tmp / "batch", tmp / "home_1", 1, pages, "sohoa 1 job")

    print()
    print(f"{'engine':<14}{'wall s':>8}{'pages/min':>11}{'cpu s/page':>12}{'peak RSS MB':>13}{'CER':>8}  "
          f"load before -> after   CER by page kind")
    by = {}
    for r in runs + ([one] if one else []):
        mean, per_kind = cer_of(r, pages)
        by[r.name] = r
        pk = " ".join(f"{k} {v:.3f}" for k, v in sorted(per_kind.items()))
        print(f"{r.name:<14}{r.wall:>8.1f}{n / r.wall * 60:>11.1f}{r.cpu / n:>12.2f}{r.rss_mb:>13.0f}{mean:>8.4f}  "
              f"{r.load_before} -> {r.load_after}   {pk}")
    s = by["sohoa"]
    print()
    if "ocrmypdf" in by:
        o = by["ocrmypdf"]
        print(f"sohoa / ocrmypdf pages/min: {o.wall / s.wall:.2f}x (target >= 3x); CPU/page ratio {s.cpu / o.cpu:.2f}")
    if "tesseract" in by:
        tz = by["tesseract"]
        print(f"sohoa wall / tesseract wall: {s.wall / tz.wall:.2f} (target <= 1.25); CPU ratio {s.cpu / tz.cpu:.2f}")
    if one:
        print(f"sohoa {args.jobs} jobs vs 1 job: {one.wall / s.wall:.2f}x (target >= 1.8x)")
    for r, home, jobs in ((s, tmp / "home_jobs", args.jobs), (one, tmp / "home_1", 1)):
        if r is not None:
            tail, idle = idle_at_end(stage_intervals(home), jobs)
            print(f"{r.name}: CPU utilisation {r.cpu / (r.wall * jobs):.0%} of {jobs} core(s); idle at the "
                  f"batch's end: {idle:.1f} core-s over the last {tail:.1f} s")
    print()
    print("sohoa --profile (the run with", args.jobs, "jobs):")
    print(s.note.strip())
    print()
    print("sohoa ocr_page by the corpus truth's page kind:")
    print(profile_by_truth_kind(tmp / "home_jobs", pages))
    if not args.keep:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
