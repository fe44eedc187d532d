"""OCR throughput: sohoa's recognize vs bare tesseract CLI vs ocrmypdf, same pages.

    python bench/bench_ocr.py [--pages 10] [--jobs N] [--keep DIR]

Generates N scanned A4 pages at 300 dpi (Vietnamese text, some with a red
seal, one skewed, one upside down), saves them as JPEG, and times:
  sohoa     recognize() on the pages as an image_dir document (preprocess +
            OCR + searchable PDF), settings.jobs workers
  tesseract `tesseract PAGE out -l vie --psm 3 txt` per page, N in parallel
            (OMP_THREAD_LIMIT=1), no clean-up, no PDF
  ocrmypdf  `ocrmypdf -l vie --jobs N` on an image-only PDF of the same pages
            (skipped when not installed)
and prints pages/min of each, the ratios to bare tesseract, and the CER of
sohoa and bare tesseract against the rendered text.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pipeline.ocr import recognize, synth  # noqa: E402
from pipeline.types import SourceDocument, SourceFile  # noqa: E402
from sohoa.config import Settings  # noqa: E402


def make_pages(n: int, outdir: Path) -> tuple[list[Path], list[str]]:
    paths, truths = [], []
    for i in range(n):
        kw = {}
        if i % 3 == 1:
            kw["seal"] = True
        if i == 2:
            kw["skew_deg"] = 1.8
        if i == 4:
            kw["rotate"] = 180
        img, truth = synth.scan_page(i, paragraphs=synth.varied_paragraphs(i), **kw)
        p = outdir / f"page{i + 1:03d}.jpg"
        img.save(p, "JPEG", quality=85, dpi=(300, 300))
        paths.append(p)
        truths.append(truth)
    return paths, truths


def bench_sohoa(paths: list[Path], jobs: int, work: Path):
    files = [SourceFile(p, p.name, hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_size) for p in paths]
    doc = SourceDocument("bench", "image_dir", files, len(files))
    t = time.perf_counter()
    rec = recognize(doc, Settings(ocr_jobs=jobs), work)
    return time.perf_counter() - t, [p.text for p in rec.pages], rec.pdf_path


def bench_tesseract(paths: list[Path], jobs: int, work: Path):
    env = dict(os.environ, OMP_THREAD_LIMIT="1")

    def one(p: Path) -> str:
        out = work / p.stem
        subprocess.run(["tesseract", str(p), str(out), "-l", "vie", "--psm", "3", "txt"],
                       check=True, capture_output=True, env=env)
        return out.with_suffix(".txt").read_text("utf-8")

    t = time.perf_counter()
    with ThreadPoolExecutor(jobs) as ex:
        texts = list(ex.map(one, paths))
    return time.perf_counter() - t, texts


def bench_ocrmypdf(paths: list[Path], jobs: int, work: Path):
    exe = shutil.which("ocrmypdf")
    if not exe:
        return None
    import img2pdf

    src = work / "in.pdf"
    src.write_bytes(img2pdf.convert([str(p) for p in paths]))
    out = work / "out.pdf"
    t = time.perf_counter()
    proc = subprocess.run([exe, "-l", "vie", "--jobs", str(jobs), "--output-type", "pdf", "--quiet",
                           str(src), str(out)], capture_output=True, text=True)
    dt = time.perf_counter() - t
    if proc.returncode != 0:
        print("ocrmypdf failed:", proc.stderr.strip().splitlines()[-1:] or proc.returncode)
        return None
    return dt, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=10)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--keep", type=Path, help="keep the generated pages and outputs here")
    args = ap.parse_args(argv)
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench_ocr_"))
    for sub in ("pages", "sohoa", "tess", "ocrmypdf"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    print(f"generating {args.pages} pages ...", flush=True)
    paths, truths = make_pages(args.pages, root / "pages")
    n = len(paths)

    rows = []
    dt_t, tess_texts = bench_tesseract(paths, args.jobs, root / "tess")
    rows.append(("tesseract CLI", dt_t, ""))
    dt_s, sohoa_texts, pdf = bench_sohoa(paths, args.jobs, root / "sohoa")
    rows.append(("sohoa recognize", dt_s, f"pdf {pdf.stat().st_size / n / 1e6:.2f} MB/page"))
    om = bench_ocrmypdf(paths, args.jobs, root / "ocrmypdf")
    if om:
        rows.append(("ocrmypdf", om[0], f"pdf {om[1].stat().st_size / n / 1e6:.2f} MB/page"))
    else:
        rows.append(("ocrmypdf", None, "not installed / failed"))

    print(f"\n{n} pages, A4 300 dpi JPEG, jobs={args.jobs}, cpus={os.cpu_count()}")
    print(f"{'engine':18} {'seconds':>8} {'pages/min':>10} {'vs tesseract':>13}  note")
    for name, dt, note in rows:
        if dt is None:
            print(f"{name:18} {'-':>8} {'-':>10} {'-':>13}  {note}")
            continue
        print(f"{name:18} {dt:8.1f} {n / dt * 60:10.1f} {dt_t / dt:12.2f}x  {note}")
    cer_s = sum(synth.cer(t, h) for t, h in zip(truths, sohoa_texts)) / n
    cer_t = sum(synth.cer(t, h) for t, h in zip(truths, tess_texts)) / n
    print(f"\nmean CER (reading order included): sohoa {cer_s:.2%}, bare tesseract {cer_t:.2%}")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
