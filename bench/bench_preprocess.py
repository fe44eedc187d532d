"""Each clean-up step's effect on CER: the page clean-up of pipeline/ocr with one step taken
out or one candidate step put in, on the same damaged pages, OCR'd by the same Tesseract.

    python bench/bench_preprocess.py [--pages-per-damage 2] [--jobs N]

Pages: rendered Vietnamese text at 300 dpi with one kind of damage each (the generator's
mild noise and uneven paper; a red seal over text; a 3 deg skew; a strong shadow across the
page; heavy noise and blur). Variants:
  kept       what ocrpage does: seal removal (colour pages), background flattening where
             the paper is uneven (preprocess.normalize_background), deskew, 3x3 median denoise
  -seal      kept, without seal removal
  -flatten   kept, without background flattening
  -deskew    kept, without deskew
  -denoise   kept, without the median
  +otsu      kept, then global Otsu binarization
  +adaptive  kept, then adaptive (Gaussian, 31 px) binarization
Prints the mean CER per damage and variant, and the mean over all pages: a step is worth
keeping when taking it out raises CER, a candidate when putting it in lowers it.
"""
from __future__ import annotations

import argparse
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import cv2
import numpy as np
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sohoa.corpus import scans  # noqa: E402
from sohoa.pipeline.ocr import engine  # noqa: E402
from sohoa.pipeline.ocr import preprocess as pp  # noqa: E402
from sohoa.pipeline.ocr.ocrpage import MIN_SKEW_DEG  # noqa: E402


def _shadow(img: Image.Image, seed: int) -> Image.Image:
    """A strong shadow across the page: a book-fold or a lid left open on the scanner."""
    arr = np.asarray(img.convert("RGB")).astype(np.float32)
    h, w = arr.shape[:2]
    rng = np.random.default_rng(seed)
    x0 = rng.uniform(0.55, 0.8) * w
    xx = np.arange(w, dtype=np.float32)[None, :]
    shade = 1.0 - 0.55 * np.clip((xx - x0) / (0.25 * w), 0, 1) ** 1.5
    out = Image.fromarray(np.clip(arr * shade[..., None], 0, 255).astype(np.uint8), "RGB")
    out.info["dpi"] = img.info.get("dpi", (300, 300))
    return out


DAMAGES = {
    "mild": lambda seed: scans.scan_page(seed, paragraphs=scans.varied_paragraphs(seed)),
    "seal": lambda seed: scans.scan_page(seed, paragraphs=scans.varied_paragraphs(seed), seal=True),
    "skew 3°": lambda seed: scans.scan_page(seed, paragraphs=scans.varied_paragraphs(seed), skew_deg=3.0),
    "shadow": lambda seed: (lambda im_t: (_shadow(im_t[0], seed), im_t[1]))(
        scans.scan_page(seed, paragraphs=scans.varied_paragraphs(seed))),
    "noise+blur": lambda seed: scans.scan_page(seed, paragraphs=scans.varied_paragraphs(seed), noise=35, blur=1.2,
                                               salt=0.004),
}


def _kept(rgb: np.ndarray, *, seal: bool = True, flatten: bool = True, deskew: bool = True,
          denoise: bool = True) -> np.ndarray:
    gray = pp.remove_red(rgb) if seal and rgb.ndim == 3 and pp.is_colour(rgb) else pp.to_gray(rgb)
    if flatten:
        gray = pp.normalize_background(gray, only_uneven=True)
    if deskew:
        skew = pp.estimate_skew(gray)
        if abs(skew) >= MIN_SKEW_DEG:
            gray = pp.rotate_small(gray, -skew)
    return pp.denoise(gray) if denoise else gray


VARIANTS = {
    "kept": lambda rgb: _kept(rgb),
    "-seal": lambda rgb: _kept(rgb, seal=False),
    "-flatten": lambda rgb: _kept(rgb, flatten=False),
    "-deskew": lambda rgb: _kept(rgb, deskew=False),
    "-denoise": lambda rgb: _kept(rgb, denoise=False),
    "+otsu": lambda rgb: cv2.threshold(_kept(rgb), 0, 255, cv2.THRESH_BINARY | cv2.THRESH_OTSU)[1],
    "+adaptive": lambda rgb: cv2.adaptiveThreshold(_kept(rgb), 255, cv2.ADAPTIVE_THRESH_GAUSSIAN_C,
                                                   cv2.THRESH_BINARY, 31, 15),
}


def _text(gray: np.ndarray) -> str:
    lines: dict[int, list[str]] = {}
    for w in engine.ocr(gray, lang="vie", dpi=300, psm=3):
        lines.setdefault(w.line, []).append(w.text)
    return "\n".join(" ".join(v) for _, v in sorted(lines.items()))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages-per-damage", type=int, default=2)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args(argv)
    jobs = []
    for damage, make in DAMAGES.items():
        for k in range(args.pages_per_damage):
            img, truth = make(1000 + 17 * k + len(damage))
            rgb = np.asarray(img.convert("RGB"))
            for variant, clean in VARIANTS.items():
                jobs.append((damage, variant, rgb, truth, clean))

    def run(job):
        damage, variant, rgb, truth, clean = job
        return damage, variant, scans.cer(truth, _text(clean(rgb)))

    with ThreadPoolExecutor(args.jobs) as ex:
        results = list(ex.map(run, jobs))
    table: dict[tuple[str, str], list[float]] = {}
    for damage, variant, c in results:
        table.setdefault((damage, variant), []).append(c)
    names = list(VARIANTS)
    print(f"{'damage':<12}" + "".join(f"{v:>11}" for v in names))
    for damage in DAMAGES:
        row = [sum(table[(damage, v)]) / len(table[(damage, v)]) for v in names]
        print(f"{damage:<12}" + "".join(f"{x:>10.1%} " for x in row))
    overall = [sum(sum(table[(d, v)]) for d in DAMAGES) / sum(len(table[(d, v)]) for d in DAMAGES) for v in names]
    print(f"{'all pages':<12}" + "".join(f"{x:>10.1%} " for x in overall))
    base = overall[0]
    for v, x in zip(names[1:], overall[1:]):
        if v.startswith("-"):
            verdict = "the step earns its place" if x > base else "the step does not help: drop it"
        else:
            verdict = "worth adding" if x < base else "not worth adding"
        print(f"{v:<10} {x - base:+.2%} CER against kept: {verdict}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
