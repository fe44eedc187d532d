"""Which page images are re-encoded, and at what JPEG quality: a budget, not a habit.

- A JPEG scan at or below the quality ceiling is kept as it came (its coefficients,
  pageimage.keep_jpeg); a re-encode would cost a generation of loss for few bytes.
- A JPEG scan above the ceiling, or a lossless grey/colour scan (PNG, LZW TIFF, a
  rendered PDF page), is re-encoded at min(the source's quality, the page's quality).
- The page's quality is the lowest of floor, floor+5, ... ceiling whose SSIM against
  the scan stays at or above a threshold, measured on the page itself: the inkiest
  bands of its luma (JPEG is block-local, so a band codes as it does inside the page),
  both sides area-averaged to ~150 dpi, where strokes and diacritics remain and sensor
  noise (which costs most of a noisy scan's bytes and carries no text) averages out.
  Never below the floor, whatever the measure says.
- A colour page is coded 4:2:0 (chroma at half resolution): its colour is seals,
  stamps and signatures, areas, not fine detail. Bitonal pages stay CCITT G4.

Settings (core/config.py): storage_jpeg_ceiling, storage_ssim_min, storage_jpeg_floor.
"""
from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from sohoa.pipeline.ocr.pageimage import PageImage, encode, jpeg_quality, keep_jpeg

log = logging.getLogger(__name__)

SSIM_DPI = 150.0  # the resolution the legibility measure compares at
QUALITY_STEP = 5
BAND_ROWS = 96  # a multiple of 16: a band's blocks are the page's blocks (4:2:0 MCUs too)
BANDS = 8  # the inkiest this many bands of the page are measured (~20 % of an A4 page at 300 dpi)


@dataclass(frozen=True)
class StoragePolicy:
    ceiling: int = 75  # a JPEG scan at or below this quality passes through
    ssim_min: float = 0.95  # at SSIM_DPI, against the scan
    floor: int = 50  # never re-encode below this quality

    @classmethod
    def of(cls, settings) -> StoragePolicy:
        return cls(int(settings.storage_jpeg_ceiling), float(settings.storage_ssim_min),
                   int(settings.storage_jpeg_floor))

    def qualities(self, upper: int) -> list[int]:
        """The candidate qualities, lowest first, none above `upper` nor below the floor."""
        top = max(1, min(upper, self.ceiling))
        low = min(max(1, self.floor), top)
        return [*range(low, top, QUALITY_STEP), top]


def ssim(x: np.ndarray, y: np.ndarray) -> float:
    """Mean SSIM of two grey images (Wang et al. 2004: 11x11 Gaussian window, sigma 1.5)."""
    import cv2

    x, y = x.astype(np.float32), y.astype(np.float32)
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2

    def blur(z: np.ndarray) -> np.ndarray:
        return cv2.GaussianBlur(z, (11, 11), 1.5)

    mx, my = blur(x), blur(y)
    sxx, syy, sxy = blur(x * x) - mx * mx, blur(y * y) - my * my, blur(x * y) - mx * my
    return float((((2 * mx * my + c1) * (2 * sxy + c2)) / ((mx * mx + my * my + c1) * (sxx + syy + c2))).mean())


def inky_bands(grey: np.ndarray) -> np.ndarray:
    """The BANDS bands of BAND_ROWS rows (16-aligned) with the most ink (darkest mean), stacked:
    blank margins would score near 1 whatever the quality."""
    n = grey.shape[0] // BAND_ROWS
    if n <= BANDS:
        return grey[: max(16, (grey.shape[0] // 16) * 16)]
    means = grey[: n * BAND_ROWS].reshape(n, BAND_ROWS, -1).mean(axis=(1, 2))
    keep = sorted(np.argsort(means)[:BANDS])
    return np.concatenate([grey[i * BAND_ROWS : (i + 1) * BAND_ROWS] for i in keep])


def choose_quality(im: Image.Image, dpi: tuple[float, float], policy: StoragePolicy,
                   upper: int = 100) -> tuple[int, float]:
    """The lowest candidate quality whose SSIM (at SSIM_DPI, luma) stays >= policy.ssim_min,
    and that SSIM; the highest candidate when none does."""
    import cv2

    grey = np.asarray(im if im.mode == "L" else im.convert("L"))
    sample = inky_bands(grey)
    f = max(1, round(float(dpi[0] or 300.0) / SSIM_DPI))
    size = (max(1, sample.shape[1] // f), max(1, sample.shape[0] // f))

    def small(a: np.ndarray) -> np.ndarray:
        return cv2.resize(a, size, interpolation=cv2.INTER_AREA) if f > 1 else a

    ref = small(sample)
    qs = policy.qualities(upper)
    score = 1.0
    for q in qs:
        buf = io.BytesIO()
        Image.fromarray(sample).save(buf, "JPEG", quality=q)
        buf.seek(0)
        with Image.open(buf) as dec:
            score = ssim(ref, small(np.asarray(dec.convert("L"))))
        if score >= policy.ssim_min:
            return q, score
    return qs[-1], score


def store_page(im: Image.Image, dpi: tuple[float, float], stem: Path, policy: StoragePolicy, *,
               jpeg_path: Path | None = None, qtables: dict | None = None, turn: int = 0, skew: float = 0.0,
               pixels: np.ndarray | None = None) -> PageImage:
    """Write the page image by the policy (see the module's docstring).

    im: the decoded page (mode 1, L or RGB); jpeg_path: the scan's own JPEG file when its
    coefficients can pass through; qtables: the source's JPEG tables (a JPEG file, a TIFF's
    JPEG frames, an EXIF-rotated JPEG); pixels: im as an array, when the caller holds it."""
    src_q = jpeg_quality(qtables) if qtables else None
    if jpeg_path is not None and (src_q is None or src_q <= policy.ceiling):
        # at or below the budget (or tables that cannot be read: nothing to judge by): as it came
        return keep_jpeg(jpeg_path, dpi, stem, turn=turn, skew=skew, pixels=pixels)
    if im.mode == "1" or (src_q is not None and src_q <= policy.ceiling):
        # G4; or JPEG pixels that must be re-encoded anyway (TIFF frames, EXIF-rotated) at their own tables
        return encode(im, dpi, stem, qtables=qtables, turn=turn, skew=skew)
    q, score = choose_quality(im, dpi, policy, upper=src_q or 100)
    log.debug("page image re-encoded", extra={"page_image": stem.name, "source_quality": src_q, "quality": q,
                                              "ssim": round(score, 4)})
    return encode(im, dpi, stem, quality=q, turn=turn, skew=skew)
