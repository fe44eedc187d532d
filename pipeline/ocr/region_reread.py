"""A second read of a first page's header when its number or its date did not read (issue 15).

Seals, initials and 'VĂN THƯ - ĐẾN' stamps are put over the header's 'Số: ...' line and its
place-date line; typewriter-like faces and drifting two-column headers make the page's own
layout analysis (psm 3) cut those lines into junk. A careful reader looks again at the header
only. So when the page's words hold no readable number line ('Số: 151/2026/QĐ-CA') or no
readable date line ('Huế, ngày 11 tháng 1 năm 2026', 'Ngày: 18-3-2024'), the header band is
read again as one block (psm 6), first with the coloured ink (stamps, blue initials, a seal
the red filter left) painted as paper, then with only the darkest ink kept (a grey scan's
seal is lighter than print), then as it is; the first reading whose line reads replaces the
words of that line. Nothing else of the page changes; a page whose header reads costs nothing.
"""
from __future__ import annotations

import re
from dataclasses import replace
from typing import Callable, Iterator

import cv2
import numpy as np
from sohoa.core.text import fold_marks
from sohoa.pipeline.ocr import engine
from sohoa.pipeline.ocr import preprocess as pp

HEADER_SHARE = 0.32  # of the page's height: the issuer, motto, number, place-date and title lines
REREAD_PSM = 6  # one uniform block: the band's lines kept whole
DARK_KEEP = 90  # grey level: darker is print, lighter (a seal, a stamp on a grey scan) is painted out
SATURATED = 60  # HSV saturation above which a pixel is coloured ink, not print
INK_OVER_PRINT = 130  # HSV value below which a coloured pixel is that ink over print: kept, the glyph needs it
GAP_HEIGHTS = 1.2  # a gap this many line heights wide splits a line into its columns' pieces (a word space is < 0.7)
# a second read of damaged ink is no surer than the damage allows: its values go to a person
REREAD_CONF_CAP = 0.7
REREAD_MIN_CONF = 0.5  # a line read again with a word below this is junk again: the first read stays
LINE_ID_BASE = 100000  # line and block ids of the words read again (above any of the page read)

# the number line starts with 'Số' (after a speck or two); a citation ('... sơ thẩm số 36/2021/HS-ST') is not it
_NUMBER = re.compile(r"^\W{0,3}(?:\S{1,2}\W{1,3})?(?:ban an\s*)?s[o0]\s*[:;.]?\s*\d{1,6}\s*/+\s*(?:\d{4}\s*/+|(?:\d{4}\s*/+\s*)?"
                     r"[a-z]{1,6}(?:-[a-z]{1,6})*(?![a-z0-9]))")  # number and year read: the extractor repairs a symbol
RIGHT_COLUMN = 0.45  # of the page's width: a 'Ngày: 11/6/2026' from here on is a received stamp's entry
DATE_LINE_CHARS = 70  # a place-date line is short; a body line citing a date is not it
_DATE = re.compile(r"ngay\s*[:.,]?\s*\d{1,2}\s*(?:thang\s*\d{1,2}\s*nam\s*\d{4}|[/.-]\s*\d{1,2}\s*[/.-]\s*\d{4})")
_STAMP = re.compile(r"van\s*thu|cong\s*van\s*den|chuyen\s*:")


def _fold(s: str) -> str:
    return fold_marks(s).lower().replace("đ", "d").replace("⁄", "/")


def _lines(words: list[engine.TessWord]) -> list[list[engine.TessWord]]:
    """The words grouped by line and each line cut at wide gaps (a two-column header's pieces)."""
    by_line: dict[int, list[engine.TessWord]] = {}
    for w in words:
        by_line.setdefault(w.line, []).append(w)
    out: list[list[engine.TessWord]] = []
    for ws in by_line.values():
        ws.sort(key=lambda w: w.left)
        h = sorted(w.height for w in ws)[len(ws) // 2]
        piece = [ws[0]]
        for prev, w in zip(ws, ws[1:]):
            if w.left - (prev.left + prev.width) > GAP_HEIGHTS * max(h, 8):
                out.append(piece)
                piece = [w]
            else:
                piece.append(w)
        out.append(piece)
    return out


def _text(ws: list[engine.TessWord]) -> str:
    return _fold(" ".join(w.text for w in ws))


def _reads(ws: list[engine.TessWord], kind: str, page_width: int) -> bool:
    t = _text(ws)
    if kind == "number":
        return _NUMBER.match(t) is not None
    m = _DATE.search(t)
    # not a stamp's handwritten 'Ngày: 11/6/2026', not a cited paper's date ('số 87/ĐN ngày 28/6/2026')
    return (m is not None and len(t) <= DATE_LINE_CHARS and _STAMP.search(t) is None
            and not (re.match(r"\W*ngay\W*\d{1,2}\s*/", t) and ws[0].left > RIGHT_COLUMN * page_width)
            and not re.search(r"\d\s*/|can cu|sinh", t[:m.start()]))


def missing(words: list[engine.TessWord], band_bottom: int, page_width: int) -> list[str]:
    """Which of the header's 'number' and 'date' lines no line of the band reads as."""
    lines = [ln for ln in _lines([w for w in words if w.top < band_bottom]) if ln]
    return [k for k in ("number", "date") if not any(_reads(ln, k, page_width) for ln in lines)]


def colour_free(disp: np.ndarray, gray: np.ndarray, rot: int, skew: float, shape: tuple[int, ...]) -> np.ndarray | None:
    """`gray` (the page before orientation) with coloured ink painted as paper, brought into the frame of
    the OCR image of `shape` as the page's read did (turn, deskew, median, scale); None for a grey scan."""
    if disp.ndim != 3:
        return None
    hsv = cv2.cvtColor(disp[..., :3], cv2.COLOR_RGB2HSV)
    out = gray.copy()
    out[(hsv[..., 1] > SATURATED) & (hsv[..., 2] > INK_OVER_PRINT)] = 255
    out = pp.rotate_quarter(out, rot)
    if skew:
        out = pp.rotate_small(out, -skew)
    out = pp.denoise(out)
    if out.shape[:2] != shape[:2]:
        out = cv2.resize(out, (shape[1], shape[0]), interpolation=cv2.INTER_AREA)
    return out


def _variants(image: np.ndarray, bottom: int, colourless: Callable[[], np.ndarray | None]) -> Iterator[np.ndarray]:
    free = colourless()
    if free is not None:
        yield free[:bottom]
    band = image[:bottom]
    dark = band.copy()
    dark[dark > DARK_KEEP] = 255
    yield dark
    yield band


def reread_header(image: np.ndarray, words: list[engine.TessWord], *, lang: str, dpi: float,
                  colourless: Callable[[], np.ndarray | None] = lambda: None) -> tuple[list[engine.TessWord], list[str]]:
    """The page's words with the header's number line and date line read again where they did not read:
    (words, what was replaced). `image` is the OCR image the words' boxes refer to; `colourless` gives it
    with coloured ink painted as paper (or None), asked for only when a re-read is needed."""
    bottom = int(image.shape[0] * HEADER_SHARE)
    want = missing(words, bottom, image.shape[1])
    if not want or not words:
        return words, []
    done: list[str] = []
    out = list(words)
    next_id = LINE_ID_BASE
    for band in _variants(image, bottom, colourless):
        again = engine.ocr(np.ascontiguousarray(band), lang=lang, dpi=int(round(dpi)), psm=REREAD_PSM)
        for kind in [k for k in want if k not in done]:
            piece = next((ln for ln in _lines(again) if _reads(ln, kind, image.shape[1])
                          and min(w.conf for w in ln) >= REREAD_MIN_CONF), None)
            if piece is None:
                continue
            out = _substitute(out, piece, next_id)
            next_id += 1
            done.append(kind)
        if len(done) == len(want):
            break
    return out, done


def _substitute(words: list[engine.TessWord], piece: list[engine.TessWord], line_id: int) -> list[engine.TessWord]:
    """`words` with those under `piece` (the same height band, overlapping its width) replaced by it."""
    x0 = min(w.left for w in piece)
    x1 = max(w.left + w.width for w in piece)
    y0 = min(w.top for w in piece)
    y1 = max(w.top + w.height for w in piece)
    h = max(1, y1 - y0)

    def under(w: engine.TessWord) -> bool:
        overlap_y = min(y1, w.top + w.height) - max(y0, w.top)
        return overlap_y >= 0.5 * min(h, max(1, w.height)) and w.left < x1 and w.left + w.width > x0

    kept = [w for w in words if not under(w)]
    box = (x0, y0, x1, y1)
    new = [replace(w, line=line_id, block=line_id, line_box=box, conf=min(w.conf, REREAD_CONF_CAP)) for w in piece]
    # in reading order: before the first word kept that starts below the piece
    at = next((k for k, w in enumerate(kept) if w.top > y1), len(kept))
    return kept[:at] + new + kept[at:]
