"""Storage per page: sohoa's searchable PDF/A vs OCRmyPDF -O1 / -O2 on the same scans, with CER and legibility.

    python bench/bench_storage.py [--jobs N] [--keep DIR] [--no-install] [--no-reread] [--per-group N]

Generates 32 pages with corpus/ (scans.render_page for the text and its truth,
corpus.degrade for the scanner, corpus.outputs for the files a scanner writes):

    light colour  6  RGB JPEG q88 (degrade light: skewed 0.3-1 deg)
    heavy grey    6  grey JPEG q65 (degrade heavy: skewed 1.5-4 deg, some sideways)
    red seal      6  RGB JPEG q85 with a red seal over the text (light)
    bitonal fax   6  black-and-white G4 TIFF at 200 dpi (light)
    grey PNG      4  grey lossless PNG (light)
    grey TIFF     4  one multi-page TIFF of grey JPEG frames q80 (medium)

Each group is one document. sohoa: `recognize` (the production OCR stage) and the
same PDF signed with a throw-away DEMO key (prepare_pdf + sign_pdf, level B-B: no
timestamp or revocation data, which add a fixed few KB per document).
OCRmyPDF (Debian's; installed with apt-get when missing and root, unless
--no-install): `ocrmypdf -l vie -O1|-O2 --jobs N` (its default output, PDF/A-2b)
on an img2pdf PDF of the same files.

Printed per group and in total: source and output bytes per page; CER of the
engine's text against the truth (bench_ocr.cer; OCRmyPDF's from pdftotext -raw);
legibility of the archived page image against the scan (both decoded, grey, in
the scan's orientation: PSNR and SSIM, minimum over the group, and SSIM at ~150 dpi,
the measure storage_policy chooses a re-encode's quality by); and CER of a
fresh Tesseract read (`--psm 1`, orientation detected) of the archived image vs
the same read of the scan (identical pixels are read once; the first
--reread-per-group pages of each group). The load average
before and after is printed: the machine is shared.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_ocr import cer, ensure_ocrmypdf, load, ocrmypdf_version, pdf_page_texts  # noqa: E402
from PIL import Image  # noqa: E402
from sohoa.core.config import Settings  # noqa: E402
from sohoa.core.types import SourceDocument, SourceFile  # noqa: E402
from sohoa.corpus import degrade, outputs, scans  # noqa: E402
from sohoa.pipeline.ocr.document import recognize  # noqa: E402
from sohoa.pipeline.ocr.pageimage import dqt_tables, jpeg_quality  # noqa: E402


@dataclass
class Group:
    name: str
    n: int
    color: str  # rgb | gray | bilevel
    level: str  # corpus.degrade level
    fmt: str  # jpeg | png | tiff (G4 per page) | tiffjpeg (one multi-page JPEG TIFF)
    quality: int
    dpi: int = 300
    seal: bool = False
    files: list[Path] = field(default_factory=list)
    truths: list[str] = field(default_factory=list)


GROUPS = [
    Group("light colour", 6, "rgb", "light", "jpeg", 88),
    Group("heavy grey", 6, "gray", "heavy", "jpeg", 65),
    Group("red seal", 6, "rgb", "light", "jpeg", 85, seal=True),
    Group("bitonal fax", 6, "bilevel", "light", "tiff", 0, dpi=200),
    Group("grey PNG", 4, "gray", "light", "png", 0),
    Group("grey TIFF", 4, "gray", "medium", "tiffjpeg", 80),
]


def make_group(g: Group, seed: int, outdir: Path) -> None:
    rng = random.Random(seed)
    dplan = degrade.plan(rng, g.level)
    images = []
    for i in range(g.n):
        img, truth = scans.render_page(scans.varied_paragraphs(seed * 100 + i), dpi=g.dpi)
        if g.seal:
            img = scans.add_seal(img, seed=i)
        arr, _ = degrade.apply(np.asarray(img.convert("RGB")), dplan, rng, i + 1)
        images.append(outputs.to_mode(arr, g.color))
        g.truths.append(truth)
    d = outdir / g.name.replace(" ", "_")
    if g.fmt == "tiffjpeg":
        d.mkdir(parents=True, exist_ok=True)
        path = d / "scan.tif"
        outputs.write_tiff(path, images, g.dpi, g.quality)
        g.files = [path]
    else:
        names = outputs.write_image_dir(d, images, g.dpi, g.fmt, "page_{i:03d}", g.quality)
        g.files = [d / n for n in names]


def source_pages(g: Group) -> list[Image.Image]:
    pages = []
    for p in g.files:
        with Image.open(p) as im:
            for k in range(getattr(im, "n_frames", 1)):
                im.seek(k)
                pages.append(im.convert("L"))
    return pages


def pdf_images(pdf_path: Path) -> list[Image.Image]:
    """The largest image of every page, decoded as stored (grey)."""
    import pikepdf

    out = []
    with pikepdf.open(pdf_path) as pdf:
        for page in pdf.pages:
            imgs = [pikepdf.PdfImage(x) for x in page.get_images().values()]
            big = max(imgs, key=lambda im: im.width * im.height)
            out.append(big.as_pil_image().convert("L"))
    return out


def pdf_filters(pdf_path: Path) -> list[str]:
    import pikepdf

    out = []
    with pikepdf.open(pdf_path) as pdf:
        for page in pdf.pages:
            x = max(page.get_images().values(), key=lambda x: int(x.Width) * int(x.Height))
            f = x.get("/Filter")
            name = str(f[0] if isinstance(f, pikepdf.Array) else f).lstrip("/").replace("Decode", "")
            if name == "DCT":  # the stored JPEG's quality (IJG scale): the scan's, or the one sohoa chose
                q = jpeg_quality(dqt_tables(x.read_raw_bytes()))
                name += f" q{q}" if q else ""
            out.append(name)
    return out


def psnr_ssim(a: Image.Image, b: Image.Image) -> tuple[float, float]:
    import cv2

    if a.size != b.size:
        return float("nan"), float("nan")
    x, y = np.asarray(a, np.float32), np.asarray(b, np.float32)
    mse = float(((x - y) ** 2).mean())
    psnr = float("inf") if mse == 0 else 10 * np.log10(255.0**2 / mse)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    blur = lambda z: cv2.GaussianBlur(z, (11, 11), 1.5)  # noqa: E731
    mx, my = blur(x), blur(y)
    sxx, syy, sxy = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
    ssim = ((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))
    return psnr, float(ssim.mean())


def ssim_at_policy_dpi(a: Image.Image, b: Image.Image, dpi: float) -> float:
    """SSIM of the whole page as storage_policy measures its bands: luma area-averaged to ~SSIM_DPI."""
    import cv2
    from sohoa.pipeline.ocr.storage_policy import SSIM_DPI, ssim

    if a.size != b.size:
        return float("nan")
    f = max(1, round(dpi / SSIM_DPI))
    size = (a.size[0] // f, a.size[1] // f)
    x, y = (cv2.resize(np.asarray(im), size, interpolation=cv2.INTER_AREA) for im in (a, b))
    return ssim(x, y)


class Reader:
    """Tesseract re-reads of page images, each distinct pixel content read once."""

    def __init__(self, work: Path, jobs: int):
        self.work, self.jobs = work, jobs
        self.path = work / "reread-cache.json"  # with --keep, a rerun reads each image once
        self.cache: dict[str, str] = json.loads(self.path.read_text("utf-8")) if self.path.exists() else {}

    def read_all(self, images: list[Image.Image]) -> list[str]:
        keys = [hashlib.sha256(im.tobytes()).hexdigest() for im in images]
        todo = {k: im for k, im in zip(keys, images) if k not in self.cache}
        env = dict(os.environ, OMP_THREAD_LIMIT="1")

        def one(item):
            k, im = item
            p = self.work / f"{k[:16]}.png"
            im.save(p)
            r = subprocess.run(["tesseract", str(p), "-", "-l", "vie", "--psm", "1"], capture_output=True, env=env)
            p.unlink()
            return k, r.stdout.decode("utf-8", "replace")

        with ThreadPoolExecutor(self.jobs) as ex:
            self.cache.update(ex.map(one, todo.items()))
        self.path.write_text(json.dumps(self.cache, ensure_ascii=False), "utf-8")
        return [self.cache[k] for k in keys]


def sohoa_run(g: Group, work: Path, jobs: int, signer) -> dict:
    from bench_sign import ARCHIVAL, FIELDS, _marker
    from sohoa.pipeline.sign import prepare_pdf, sign_pdf

    files = [SourceFile(p, p.name, hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_size) for p in g.files]
    kind = "tiff" if g.fmt == "tiffjpeg" else "image_dir"
    doc = SourceDocument(g.name.replace(" ", "_"), kind, files, len(files))
    t = time.perf_counter()
    rec = recognize(doc, Settings(ocr_jobs=jobs), work)
    dt = time.perf_counter() - t
    data = rec.pdf_path.read_bytes()
    m = _marker(0, data)
    words = [w.bbox for w in rec.pages[0].words] if rec.pages else None
    signed = sign_pdf(prepare_pdf(data, m, FIELDS, ARCHIVAL, words=words, ink=rec.ink), signer, m)
    (work / "signed.pdf").write_bytes(signed)
    return {"pdf": rec.pdf_path, "bytes": len(data), "signed": len(signed), "texts": [p.text for p in rec.pages],
            "seconds": dt}


def ocrmypdf_run(exe: str, g: Group, work: Path, jobs: int, level: int, *, ocr: bool = True,
                 reuse: bool = False) -> dict | None:
    import img2pdf

    src = work / "in.pdf"
    if not src.exists():
        src.write_bytes(img2pdf.convert([str(p) for p in g.files]))
    out = work / f"O{level}{'' if ocr else '-no-ocr'}.pdf"
    t = time.perf_counter()
    if not (reuse and out.exists()):
        cmd = [exe, "-l", "vie", f"-O{level}", "--jobs", str(jobs), "--quiet"]
        if not ocr:
            cmd += ["--tesseract-timeout", "0"]  # images, PDF/A and the optimiser only
        proc = subprocess.run([*cmd, str(src), str(out)], capture_output=True, text=True)
        if proc.returncode != 0:
            print(f"ocrmypdf -O{level} failed on {g.name}:", proc.stderr.strip().splitlines()[-1:])
            return None
    return {"pdf": out, "bytes": out.stat().st_size, "texts": pdf_page_texts(out, g.n) if ocr else None,
            "seconds": time.perf_counter() - t}


def fmt_kb(b: float) -> str:
    return f"{b / 1024:,.0f}"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--keep", type=Path, help="keep the pages and outputs here")
    ap.add_argument("--no-install", action="store_true")
    ap.add_argument("--no-reread", action="store_true", help="skip the Tesseract re-reads of the archived images")
    ap.add_argument("--per-group", type=int, help="at most this many pages per group (a quick look)")
    ap.add_argument("--skip-ocrmypdf", action="store_true")
    ap.add_argument("--o1-without-ocr", action="store_true",
                    help="run -O1 with --tesseract-timeout 0 (its images and optimiser, no text layer): on a "
                         "loaded machine this halves OCRmyPDF's time; its CER is then -O2's (same OCR input)")
    ap.add_argument("--reread-per-group", type=int, default=2, help="pages per group re-read by Tesseract")
    ap.add_argument("--reuse", action="store_true", help="reuse OCRmyPDF outputs already in --keep DIR")
    args = ap.parse_args(argv)

    tmp = tempfile.TemporaryDirectory(prefix="bench_storage_")
    root = args.keep or Path(tmp.name)
    root.mkdir(parents=True, exist_ok=True)
    exe = None if args.skip_ocrmypdf else ensure_ocrmypdf(not args.no_install)
    if args.per_group:
        for g in GROUPS:
            g.n = min(g.n, args.per_group)
    print(f"load before: {load()}  ({os.cpu_count()} cores)  jobs={args.jobs}  "
          f"ocrmypdf: {ocrmypdf_version(exe) if exe else 'missing'}", flush=True)
    home = root / "home"
    home.mkdir(exist_ok=True)
    from sohoa.pipeline.sign import load_signer

    signer = load_signer(Settings(home=home))
    reader = Reader(root, args.jobs)
    rows = []
    for gi, g in enumerate(GROUPS):
        make_group(g, args.seed * 10 + gi, root / "scans")
        src_bytes = sum(p.stat().st_size for p in g.files)
        work = root / "out" / g.name.replace(" ", "_")
        work.mkdir(parents=True, exist_ok=True)
        res = {"sohoa": sohoa_run(g, work / "sohoa", args.jobs, signer)}
        for lvl in (1, 2):
            if exe:
                (work / "ocrmypdf").mkdir(exist_ok=True)
                r = ocrmypdf_run(exe, g, work / "ocrmypdf", args.jobs, lvl,
                                 ocr=not (lvl == 1 and args.o1_without_ocr), reuse=args.reuse)
                if r:
                    res[f"O{lvl}"] = r
        scans_l = source_pages(g)
        row = {"group": g.name, "n": g.n, "src": src_bytes, "filters": pdf_filters(res["sohoa"]["pdf"])}
        nr = 0 if args.no_reread else min(g.n, args.reread_per_group)
        if nr:
            row["reread_scan"] = np.mean([cer(t, h) for t, h in zip(g.truths, reader.read_all(scans_l[:nr]))])
        if "O1" in res and res["O1"]["texts"] is None and "O2" in res:
            res["O1"]["texts"] = res["O2"]["texts"]  # -O1 ran without OCR: the same OCR as -O2
        for k, r in res.items():
            arch = pdf_images(r["pdf"])
            ps = [psnr_ssim(a, s) for a, s in zip(arch, scans_l)]
            s150 = [ssim_at_policy_dpi(a, s, g.dpi) for a, s in zip(arch, scans_l)]
            row[k] = {"bytes": r["bytes"], "signed": r.get("signed"),
                      "cer": float(np.mean([cer(t, h) for t, h in zip(g.truths, r["texts"] or [""] * g.n)])),
                      "psnr": min(p for p, _ in ps), "ssim": min(s for _, s in ps),
                      "ssim150": min(s150), "seconds": r["seconds"]}
            if nr:
                row[k]["reread"] = float(np.mean([cer(t, h) for t, h in zip(g.truths, reader.read_all(arch[:nr]))]))
        rows.append(row)
        print(f"  {g.name}: done (load {load()})", flush=True)

    engines = [k for k in ("sohoa", "O1", "O2") if all(k in r for r in rows)]
    total_n = sum(r["n"] for r in rows)
    print(f"\nload after: {load()}\n")
    print("bytes per page (KB), searchable PDF/A; sohoa signed = with a B-B signature (DEMO key)")
    hdr = f"{'group':14} {'pages':>5} {'scan':>7} {'sohoa':>7} {'signed':>7}" + "".join(
        f" {'ocrmypdf -' + k:>13}" for k in engines if k != "sohoa") + "  sohoa page images"
    print(hdr)
    for r in rows:
        line = f"{r['group']:14} {r['n']:>5} {fmt_kb(r['src'] / r['n']):>7} {fmt_kb(r['sohoa']['bytes'] / r['n']):>7} " \
               f"{fmt_kb(r['sohoa']['signed'] / r['n']):>7}"
        line += "".join(f" {fmt_kb(r[k]['bytes'] / r['n']):>13}" for k in engines if k != "sohoa")
        kinds = sorted(set(r["filters"]))
        print(line + "  " + ",".join(f"{k} x{r['filters'].count(k)}" for k in kinds))
    tot = lambda k, f="bytes": sum(r[k][f] for r in rows) / total_n  # noqa: E731
    line = f"{'all':14} {total_n:>5} {fmt_kb(sum(r['src'] for r in rows) / total_n):>7} {fmt_kb(tot('sohoa')):>7} " \
           f"{fmt_kb(tot('sohoa', 'signed')):>7}"
    print(line + "".join(f" {fmt_kb(tot(k)):>13}" for k in engines if k != "sohoa"))

    print("\nCER of the engine's text layer (mean), legibility of the archived image vs the scan "
          "(min PSNR dB / min SSIM; SSIM150: min SSIM at ~150 dpi, storage_policy's measure), CER of a Tesseract "
          "re-read of the archived image")
    print(f"{'group':14} {'engine':7} {'CER':>6} {'PSNR':>6} {'SSIM':>6} {'SSIM150':>7} {'re-read':>8} "
          f"{'scan re-read':>13}")
    for r in rows:
        for k in engines:
            e = r[k]
            rr = f"{100 * e['reread']:7.2f}%" if "reread" in e else "      -"
            sr = f"{100 * r['reread_scan']:12.2f}%" if "reread_scan" in r else "            -"
            print(f"{r['group']:14} {k:7} {100 * e['cer']:5.2f}% {e['psnr']:6.1f} {e['ssim']:6.3f} {e['ssim150']:7.3f} {rr:>8} {sr:>13}")
    for k in engines:
        w = lambda f: sum(r[k][f] * r["n"] for r in rows if f in r[k]) / total_n  # noqa: E731
        nrr = sum(min(r["n"], args.reread_per_group) for r in rows)
        wr = lambda f: sum(r[k][f] * min(r["n"], args.reread_per_group) for r in rows) / nrr  # noqa: E731
        extra = f", re-read {100 * wr('reread'):.2f}% (scan {100 * sum(r['reread_scan'] * min(r['n'], args.reread_per_group) for r in rows) / nrr:.2f}%)" if "reread" in rows[0][k] else ""
        print(f"mean over {total_n} pages, {k}: CER {100 * w('cer'):.2f}%{extra}, "
              f"{sum(r[k]['seconds'] for r in rows):.0f} s")
    tmp.cleanup() if not args.keep else None
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
