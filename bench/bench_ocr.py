"""OCR throughput and accuracy: sohoa's recognize vs bare tesseract CLI vs OCRmyPDF, same pages.

    python bench/bench_ocr.py [--pages 30] [--jobs N] [--keep DIR] [--no-install]
                              [--ocrmypdf-output-type pdf|pdfa-2] [--skip-ocrmypdf] [--upright]

Generates N scanned A4 pages at 300 dpi (Vietnamese text; every third page
with a red seal over text; one page in ten skewed 1.8 deg, one in ten upside
down), saves them as JPEG q85, and times, one engine after the other:
  tesseract `tesseract PAGE out -l vie --psm 3 txt` per page, N in parallel
            (OMP_THREAD_LIMIT=1), no clean-up, no PDF
  sohoa     recognize() on the pages as an image_dir document (preprocess +
            OCR + second read of digits + searchable PDF/A-2b), jobs workers
  ocrmypdf  `ocrmypdf -l vie --jobs N --output-type pdf` on an image-only PDF
            of the same pages (img2pdf, no re-encoding). OCRmyPDF is taken
            from Debian (`apt-get install -y ocrmypdf`) when it is missing and
            we are root, unless --no-install.
Prints pages/min of each, the speed ratios, sohoa's overhead over bare
tesseract, and the mean CER of each engine against the rendered truth
(reading order included): tesseract's txt output, sohoa's page text and the
text layer of sohoa's PDF, OCRmyPDF's text layer (pdftotext -raw, one page
per form feed). The load average before and after each engine is printed: on a
shared machine wall time depends on the other work, so the CPU seconds each
engine used (this process and its children, RUSAGE) are printed too, with
the overhead computed both ways.
"""
from __future__ import annotations

import argparse
import hashlib
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sohoa.core.config import Settings  # noqa: E402
from sohoa.core.types import SourceDocument, SourceFile  # noqa: E402
from sohoa.corpus import scans  # noqa: E402
from sohoa.pipeline.ocr.document import recognize  # noqa: E402


def make_pages(n: int, outdir: Path, upright: bool = False) -> tuple[list[Path], list[str]]:
    paths, truths = [], []
    for i in range(n):
        kw = {}
        if i % 3 == 1:
            kw["seal"] = True
        if i % 10 == 2:
            kw["skew_deg"] = 1.8
        if i % 10 == 4 and not upright:
            kw["rotate"] = 180
        img, truth = scans.scan_page(i, paragraphs=scans.varied_paragraphs(i), **kw)
        p = outdir / f"page{i + 1:03d}.jpg"
        img.save(p, "JPEG", quality=85, dpi=(300, 300))
        paths.append(p)
        truths.append(truth)
    return paths, truths


def _norm(s: str) -> str:
    return " ".join(unicodedata.normalize("NFC", s).split())


def levenshtein(a: str, b: str) -> int:
    """Edit distance, bit-parallel (Myers/Hyyrö) on Python ints: exact, ~100x faster than the DP."""
    if not a:
        return len(b)
    m = len(a)
    peq: dict[str, int] = {}
    for i, c in enumerate(a):
        peq[c] = peq.get(c, 0) | (1 << i)
    mask = (1 << m) - 1
    top = 1 << (m - 1)
    pv, mv, score = mask, 0, m
    for c in b:
        eq = peq.get(c, 0)
        xv = eq | mv
        xh = (((eq & pv) + pv) ^ pv) | eq
        ph = mv | (~(xh | pv) & mask)
        mh = pv & xh
        if ph & top:
            score += 1
        elif mh & top:
            score -= 1
        ph = ((ph << 1) | 1) & mask
        mh = (mh << 1) & mask
        pv = mh | (~(xv | ph) & mask)
        mv = ph & xv
    return score


def cer(truth: str, hyp: str) -> float:
    """scans.cer's definition (whitespace-normalised NFC, distance / len(truth)), computed fast."""
    t, h = _norm(truth), _norm(hyp)
    if not t:
        return 0.0 if not h else 1.0
    return levenshtein(t, h) / len(t)


def cpu() -> float:
    """CPU seconds (user + system) of this process and of its finished children (and theirs)."""
    a, b = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return a.ru_utime + a.ru_stime + b.ru_utime + b.ru_stime


def load() -> str:
    return "/".join(f"{v:.2f}" for v in os.getloadavg())


def pdf_page_texts(pdf: Path, n: int) -> list[str]:
    # -raw: the text in content-stream order, i.e. the order the engine wrote it (Tesseract's
    # reading order for both PDFs); pdftotext's own layout analysis scrambled OCRmyPDF's
    # baseline-rotated text on the skewed page (50 % CER there, 5 % with -raw)
    out = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True,
                         check=True).stdout
    pages = out.decode("utf-8").split("\f")
    return (pages + [""] * n)[:n]


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


def ensure_ocrmypdf(install: bool) -> str | None:
    exe = shutil.which("ocrmypdf")
    if exe or not install:
        return exe
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        print("ocrmypdf missing and not root: skipped (apt-get install ocrmypdf)", flush=True)
        return None
    print("installing ocrmypdf from Debian (apt-get install -y ocrmypdf) ...", flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    proc = subprocess.run(["apt-get", "install", "-y", "-q", "ocrmypdf"], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        subprocess.run(["apt-get", "update", "-q"], capture_output=True, env=env)
        proc = subprocess.run(["apt-get", "install", "-y", "-q", "ocrmypdf"], capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        print("apt-get install ocrmypdf failed:", (proc.stderr.strip().splitlines() or ["?"])[-1], flush=True)
    return shutil.which("ocrmypdf")


def ocrmypdf_version(exe: str) -> str:
    out = subprocess.run([exe, "--version"], capture_output=True, text=True)
    return (out.stdout.strip() or out.stderr.strip()).splitlines()[0] if out.returncode == 0 else "?"


def bench_ocrmypdf(exe: str, paths: list[Path], jobs: int, work: Path, output_type: str):
    import img2pdf

    src = work / "in.pdf"
    src.write_bytes(img2pdf.convert([str(p) for p in paths]))
    out = work / "out.pdf"
    t = time.perf_counter()
    proc = subprocess.run([exe, "-l", "vie", "--jobs", str(jobs), "--output-type", output_type, "--quiet",
                           str(src), str(out)], capture_output=True, text=True)
    dt = time.perf_counter() - t
    if proc.returncode != 0:
        print("ocrmypdf failed:", proc.stderr.strip().splitlines()[-1:] or proc.returncode)
        return None
    return dt, out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=30)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--keep", type=Path, help="keep the generated pages and outputs here")
    ap.add_argument("--no-install", action="store_true", help="do not apt-get install ocrmypdf when missing")
    ap.add_argument("--skip-ocrmypdf", action="store_true", help="only bare tesseract and sohoa")
    ap.add_argument("--upright", action="store_true",
                    help="no upside-down pages: the overhead where bare tesseract has the same job "
                         "(an upside-down page costs sohoa an OSD pass and a second OCR pass)")
    ap.add_argument("--ocrmypdf-output-type", default="pdf", choices=["pdf", "pdfa", "pdfa-1", "pdfa-2", "pdfa-3"])
    args = ap.parse_args(argv)
    root = args.keep or Path(tempfile.mkdtemp(prefix="bench_ocr_"))
    for sub in ("pages", "sohoa", "tess", "ocrmypdf"):
        (root / sub).mkdir(parents=True, exist_ok=True)
    om_exe = None if args.skip_ocrmypdf else ensure_ocrmypdf(not args.no_install)
    print(f"generating {args.pages} pages ...", flush=True)
    paths, truths = make_pages(args.pages, root / "pages", upright=args.upright)
    n = len(paths)

    rows = []  # (name, wall seconds or None, cpu seconds, note, texts or None)
    print(f"tesseract ... (load {load()})", flush=True)
    c0 = cpu()
    dt_t, tess_texts = bench_tesseract(paths, args.jobs, root / "tess")
    cpu_t = cpu() - c0
    rows.append(("tesseract CLI", dt_t, cpu_t, "", tess_texts))
    print(f"sohoa ... (load {load()})", flush=True)
    c0 = cpu()
    dt_s, sohoa_texts, pdf = bench_sohoa(paths, args.jobs, root / "sohoa")
    cpu_s = cpu() - c0
    rows.append(("sohoa recognize", dt_s, cpu_s, f"PDF/A-2b {pdf.stat().st_size / n / 1e6:.2f} MB/page",
                 sohoa_texts))
    om = None
    if om_exe:
        print(f"ocrmypdf ({ocrmypdf_version(om_exe)}) ... (load {load()})", flush=True)
        c0 = cpu()
        om = bench_ocrmypdf(om_exe, paths, args.jobs, root / "ocrmypdf", args.ocrmypdf_output_type)
        cpu_o = cpu() - c0
    if om:
        rows.append(("ocrmypdf", om[0], cpu_o,
                     f"{args.ocrmypdf_output_type} {om[1].stat().st_size / n / 1e6:.2f} MB/page",
                     pdf_page_texts(om[1], n)))
    else:
        rows.append(("ocrmypdf", None, None, "skipped" if args.skip_ocrmypdf else "not installed / failed", None))
    print(f"done (load {load()})", flush=True)

    print(f"\n{n} pages, A4 300 dpi JPEG, jobs={args.jobs}, cpus={os.cpu_count()}")
    print(f"{'engine':18} {'wall s':>7} {'pages/min':>10} {'vs tess':>8} {'CPU s':>7} {'CPU vs tess':>11} "
          f"{'CER':>7}  output")
    for name, dt, cs, note, texts in rows:
        c = f"{sum(cer(t, h) for t, h in zip(truths, texts)) / n:7.2%}" if texts is not None else f"{'-':>7}"
        if dt is None:
            print(f"{name:18} {'-':>7} {'-':>10} {'-':>8} {'-':>7} {'-':>11} {c}  {note}")
            continue
        print(f"{name:18} {dt:7.1f} {n / dt * 60:10.1f} {dt_t / dt:7.2f}x {cs:7.1f} {cpu_t / cs:10.2f}x {c}  {note}")
    layer = pdf_page_texts(pdf, n)
    print(f"{'  sohoa PDF layer':18} {'':>7} {'':>10} {'':>8} {'':>7} {'':>11} "
          f"{sum(cer(t, h) for t, h in zip(truths, layer)) / n:7.2%}  (pdftotext -raw of sohoa's PDF)")
    print(f"\nsohoa overhead over bare tesseract: {dt_s / dt_t - 1:+.1%} wall time, {cpu_s / cpu_t - 1:+.1%} CPU time")
    if om:
        print(f"sohoa vs ocrmypdf: {om[0] / dt_s:.2f}x the pages/min (wall), {cpu_o / cpu_s:.2f}x less CPU")
    if abs(cer(truths[0], sohoa_texts[0]) - scans.cer(truths[0], sohoa_texts[0])) > 1e-9:
        raise SystemExit("fast CER disagrees with scans.cer")
    if not args.keep:
        shutil.rmtree(root, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
