"""Page clean-up before OCR: grayscale, red-seal removal, deskew, rotation, denoise, flattening.

All functions work on numpy arrays (uint8; HxW gray or HxWx3 RGB) and are
pure, so each can be measured on its own (bench/ and the CER check in
tests/test_ocr_preprocess.py).
"""
from __future__ import annotations

import cv2
import numpy as np

MAX_SKEW_DEG = 5.0


def to_gray(img: np.ndarray) -> np.ndarray:
    if img.ndim == 2:
        return img
    return cv2.cvtColor(img, cv2.COLOR_RGB2GRAY)


def is_colour(rgb: np.ndarray, *, tol: int = 24, frac: float = 0.001) -> bool:
    """True when more than `frac` of the pixels are visibly coloured (a seal, blue ink)."""
    if rgb.ndim == 2:
        return False
    small = rgb[::4, ::4].astype(np.int16)
    spread = small.max(axis=2) - small.min(axis=2)
    return bool((spread > tol).mean() > frac)


def _red_parts(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(seal-red mask 0/255, red channel, max of green and blue), all uint8.

    OpenCV's saturating uint8 arithmetic instead of int16 numpy arrays: the
    same pixels (r - max(g, b) saturates at 0, which is not > 45), about 4x
    faster on an A4 page at 300 dpi (0.5 -> 0.13 s).
    """
    r, g, b = cv2.split(np.ascontiguousarray(rgb))
    gb = cv2.max(g, b)
    mask = cv2.bitwise_and(_above(r, 110), _above(cv2.subtract(r, gb), 45))
    return mask, r, gb


def _above(a: np.ndarray, level: int) -> np.ndarray:
    """255 where the uint8 image is above `level`, else 0 (cv2.compare against a scalar)."""
    return cv2.threshold(a, level, 255, cv2.THRESH_BINARY)[1]


def red_mask(rgb: np.ndarray) -> np.ndarray:
    """Pixels that are strongly red (seal ink), not dark: black text over a seal stays."""
    return _red_parts(rgb)[0] > 0


RED_BAND_ROWS = 1024  # remove_red works in bands of rows: its temporaries are ~8 page-sized
# uint8 planes, ~300 MB for a 600 dpi colour A4 page at once, ~40 MB a band (issue 18, memory)


def remove_red(rgb: np.ndarray, gray: np.ndarray | None = None) -> np.ndarray:
    """Grayscale page with seal-red pixels painted as paper."""
    gray = to_gray(rgb) if gray is None else gray
    if rgb.ndim == 2:
        return gray
    h = rgb.shape[0]
    if h <= RED_BAND_ROWS:
        return _remove_red_band(rgb, gray)
    out = np.empty_like(gray)
    for top in range(0, h, RED_BAND_ROWS):
        bottom = min(h, top + RED_BAND_ROWS)
        lo, hi = max(0, top - 1), min(h, bottom + 1)  # a row of context each side: the 3x3 dilation
        out[top:bottom] = _remove_red_band(rgb[lo:hi], gray[lo:hi])[top - lo:top - lo + bottom - top]
    return out


def _remove_red_band(rgb: np.ndarray, gray: np.ndarray) -> np.ndarray:
    mask, r, gb = _red_parts(rgb)
    if not cv2.countNonZero(mask):
        return gray
    # grow the mask by a pixel so the seal's anti-aliased rim goes too, but
    # never over dark (text) pixels
    grown = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    mask = cv2.bitwise_and(grown, _above(cv2.max(r, gb), 90))
    return cv2.max(gray, mask)  # 255 where masked, the gray value elsewhere


def _ink(gray: np.ndarray, width: int = 1000) -> tuple[np.ndarray, float]:
    """Binary ink mask of a downscaled copy (text = True) and the scale used."""
    h, w = gray.shape
    scale = min(1.0, width / float(w))
    small = cv2.resize(gray, (max(1, int(w * scale)), max(1, int(h * scale))), interpolation=cv2.INTER_AREA)
    _, bw = cv2.threshold(small, 0, 255, cv2.THRESH_BINARY_INV | cv2.THRESH_OTSU)
    return bw > 0, scale


def estimate_skew(gray: np.ndarray, max_deg: float = MAX_SKEW_DEG) -> float:
    """Skew of the text lines in degrees (positive: counter-clockwise), 0.0 if unsure.

    Projection profile: project ink pixels onto the vertical axis at candidate
    angles; text lines give the sharpest profile (largest sum of squares)
    when they are horizontal. Coarse 0.5 degree steps, then 0.05 around the best.
    """
    ink, _ = _ink(gray)
    ys, xs = np.nonzero(ink)
    if len(ys) < 500 or ink.mean() > 0.5:
        return 0.0
    if len(ys) > 200_000:  # enough for a stable profile
        sel = np.random.default_rng(0).choice(len(ys), 200_000, replace=False)
        ys, xs = ys[sel], xs[sel]
    ys = ys.astype(np.float64)
    xs = xs.astype(np.float64) - xs.mean()
    n_bins = ink.shape[0] + ink.shape[1]

    def score(deg: float) -> float:
        t = np.deg2rad(deg)
        # row of each ink pixel after rotating the page by `deg` counter-clockwise
        rows = np.round(ys + xs * np.tan(t)).astype(np.int64) + ink.shape[1] // 2
        prof = np.bincount(np.clip(rows, 0, n_bins - 1), minlength=n_bins).astype(np.float64)
        return float((np.diff(prof) ** 2).sum())

    coarse = np.arange(-max_deg, max_deg + 1e-9, 0.5)
    scores = [score(a) for a in coarse]
    best = float(coarse[int(np.argmax(scores))])
    fine = np.arange(best - 0.5, best + 0.5 + 1e-9, 0.05)
    fscores = [score(a) for a in fine]
    best = float(fine[int(np.argmax(fscores))])
    base = score(0.0)
    if base > 0 and max(fscores) < base * 1.02:  # no clear gain: leave the page alone
        return 0.0
    return round(best, 2) if abs(best) <= max_deg else 0.0


def rotate_small(img: np.ndarray, deg: float, *, interpolation: int = cv2.INTER_CUBIC) -> np.ndarray:
    """Rotate by `deg` counter-clockwise about the centre, same size, white fill."""
    if abs(deg) < 1e-3:
        return img
    h, w = img.shape[:2]
    m = cv2.getRotationMatrix2D((w / 2.0, h / 2.0), deg, 1.0)
    fill = 255 if img.ndim == 2 else (255,) * img.shape[2]
    return cv2.warpAffine(img, m, (w, h), flags=interpolation, borderMode=cv2.BORDER_CONSTANT, borderValue=fill)


def rotate_quarter(img: np.ndarray, cw_deg: int) -> np.ndarray:
    """Rotate by 90/180/270 degrees clockwise (lossless)."""
    cw_deg %= 360
    if cw_deg == 0:
        return img
    code = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}[cw_deg]
    return cv2.rotate(img, code)


def denoise(gray: np.ndarray) -> np.ndarray:
    """Light denoise: 3x3 median (removes speckle, keeps stroke edges and diacritics)."""
    return cv2.medianBlur(gray, 3)


def _background(gray: np.ndarray) -> np.ndarray:
    """The paper's brightness without the ink, at a quarter of the resolution: a closing wider
    than any stroke, then a blur (the page at full size costs ~0.14 s; this ~0.01 s)."""
    small = cv2.resize(gray, (max(1, gray.shape[1] // 4), max(1, gray.shape[0] // 4)), interpolation=cv2.INTER_AREA)
    k = max(5, (min(small.shape) // 40) | 1)
    bg = cv2.morphologyEx(small, cv2.MORPH_CLOSE, cv2.getStructuringElement(cv2.MORPH_RECT, (k, k)))
    return cv2.GaussianBlur(bg, (0, 0), k / 3)


UNEVEN_PAPER = 40  # grey levels between the page's brighter and darker paper (5th-95th percentile)


def normalize_background(gray: np.ndarray, *, only_uneven: bool = False) -> np.ndarray:
    """Flatten uneven paper (a shadow across the page, yellowing): divide by the background.

    bench/bench_preprocess.py: a strong shadow 13.1 % -> 4.6 % CER, other damage unchanged.
    only_uneven: leave the page as it is when its paper is even (the usual case).
    """
    bg = _background(gray)
    lo, hi = np.percentile(bg, (5, 95))
    if only_uneven and hi - lo < UNEVEN_PAPER:
        return gray
    bg = cv2.resize(bg, (gray.shape[1], gray.shape[0]), interpolation=cv2.INTER_LINEAR)
    return cv2.divide(gray, bg, scale=255)


def resample(gray: np.ndarray, factor: float) -> np.ndarray:
    if abs(factor - 1.0) < 1e-3:
        return gray
    h, w = gray.shape[:2]
    interp = cv2.INTER_CUBIC if factor > 1 else cv2.INTER_AREA
    return cv2.resize(gray, (max(1, round(w * factor)), max(1, round(h * factor))), interpolation=interp)
