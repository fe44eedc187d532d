"""Second reads of single words, batched: crops of several words stacked in one white strip and
read in one Tesseract call (verify.second_read: digit words; letter_reread: weak letter words).

One call a page instead of one a word: the engine's start and layout analysis are paid once.
"""
from __future__ import annotations

import cv2
import numpy as np

from . import engine

GAP = 24  # white pixels between stacked crops (after scaling)
PAD = 16

Bands = list[tuple[int, int, int]]  # word index, top, bottom in the strip


def crop_word(gray: np.ndarray, w: engine.TessWord, scale: float, margin_y: float = 0.3,
              clear_streaks: bool = False) -> np.ndarray | None:
    """The word's box with a margin (margin_y word heights above and below, a quarter at the
    sides), paper to white and ink to black, scaled; None when too small."""
    h_img, w_img = gray.shape
    my = max(2, int(round(margin_y * w.height)))
    mx = max(3, int(round(0.25 * w.height)))
    y0, y1 = max(0, w.top - my), min(h_img, w.top + w.height + my)
    x0, x1 = max(0, w.left - mx), min(w_img, w.left + w.width + mx)
    if y1 - y0 < 4 or x1 - x0 < 4:
        return None
    c = gray[y0:y1, x0:x1].astype(np.float32)
    # each crop's paper to white and ink to black: crops of a gray scan stacked on a white strip
    # otherwise read as junk (the strip's threshold falls between paper and gap, not ink and paper)
    lo, hi = np.percentile(c, 5), np.percentile(c, 90)
    if hi - lo >= 24:
        c = (c - lo) * (255.0 / (hi - lo))
    c = np.clip(c, 0, 255).astype(np.uint8)
    if clear_streaks:
        # a scanner streak runs through the whole crop, margins included, which no glyph does: white
        # it out, so the second read sees the glyph without it (a streak through a '3' reads as '8')
        streak = (c < 180).mean(axis=0) >= 0.85
        if streak.any() and streak.mean() < 0.2:
            c[:, streak] = 255
    return cv2.resize(c, (max(1, round(c.shape[1] * scale)), max(1, round(c.shape[0] * scale))),
                      interpolation=cv2.INTER_CUBIC)


def build_strip(gray: np.ndarray, words: list[engine.TessWord], idx: list[int], scale: float,
                margin_y: float = 0.3, clear_streaks: bool = False) -> tuple[np.ndarray, Bands] | None:
    """The crops of words[idx] stacked in one white strip, and each one's band; None when no
    word gave a crop."""
    crops = [(i, c) for i in idx if (c := crop_word(gray, words[i], scale, margin_y, clear_streaks)) is not None]
    if not crops:
        return None
    width = max(c.shape[1] for _, c in crops) + 2 * PAD
    height = sum(c.shape[0] for _, c in crops) + GAP * (len(crops) + 1)
    strip = np.full((height, width), 255, dtype=np.uint8)
    bands: Bands = []
    y = GAP
    for i, c in crops:
        strip[y:y + c.shape[0], PAD:PAD + c.shape[1]] = c
        bands.append((i, y, y + c.shape[0]))
        y += c.shape[0] + GAP
    return strip, bands


def band_of(yc: float, bands: Bands) -> int | None:
    """The word whose band holds the height yc of the strip."""
    return next((i for i, a, b in bands if a - GAP / 2 <= yc < b + GAP / 2), None)


def read_strip(gray: np.ndarray, words: list[engine.TessWord], idx: list[int], lang: str, dpi: float,
               scale: float, margin_y: float = 0.3, clear_streaks: bool = False) -> dict[int, str] | None:
    """One call over the crops of words[idx]: word index -> text read (its pieces joined without
    spaces, left to right). None when the engine failed."""
    built = build_strip(gray, words, idx, scale, margin_y, clear_streaks)
    if built is None:
        return {}
    strip, bands = built
    try:
        got = engine.ocr(strip, lang=lang, dpi=int(round(dpi * scale)), psm=6)
    except engine.TesseractError:
        return None
    reads: dict[int, list[tuple[int, str]]] = {i: [] for i, _, _ in bands}
    for g in got:
        i = band_of(g.top + g.height / 2, bands)
        if i is not None:
            reads[i].append((g.left, g.text))
    return {i: "".join(t for _, t in sorted(r)) for i, r in reads.items()}
