"""One scanned page: decode, clean, orient, OCR, and write its output image.

Runs in a worker thread (the heavy parts -- OpenCV, Pillow codecs, the
tesseract subprocess -- release the GIL).

Clean-up kept (measured on rendered pages, see tests/test_ocr_preprocess.py):
grayscale; strongly red pixels (seals) painted white; deskew when the lines
are off by 0.3 deg or more; 3x3 median. Orientation: the page is OCR'd as it
comes; only when that reads poorly (mean word confidence < 0.7) or the page
is landscape or most of its words stand upright (Tesseract reads a sideways
page as vertical text with good confidence but scrambled lines) does
Tesseract OSD look at it, and a 90/180/270 turn is kept when it reads better.
A sideways page is always turned: OSD's quarter turn, or the opposite one
when that does not read (OSD is often unsure, or a half turn off, on such
pages). When OSD is unsure on a poorly
read portrait page, its turn (or 180 when it has none) is tried on the inkiest
third of the page first, and on the whole page only when that band reads
clearly better (heavy dev batch, seed 4701: 5 of 34 pages took a whole second
read this way, none of them kept); kept only if the page then reads clearly
better.

Digit-heavy words (IDs, document numbers, dates) get a second read at another
scale (verify.py); where the two reads disagree the word's confidence drops.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from sohoa.core.errors import RejectedInput
from sohoa.core.ink import ink_mask
from sohoa.core.types import PageText, SourceDocument, Word
from sohoa.pipeline.ocr import engine, letter_reread, region_reread, storage_policy, verify
from sohoa.pipeline.ocr import preprocess as pp
from sohoa.pipeline.ocr.pages import PageSource, load_page
from sohoa.pipeline.ocr.pdfout import OutPage

MIN_SKEW_DEG = 0.3  # below this the page is left as it is (no resampling)
OSD_BELOW_CONF = 0.70
OSD_MIN_CONF = 1.5
UNSURE_GAIN = 0.15  # mean-confidence gain that makes an unsure turn worth keeping
PROBE_SHARE = 0.3  # of the page's height: the band an unsure turn is tried on before the whole page
PROBE_MIN_CHARS = 20
PSM = 3  # fully automatic layout: keeps the two-column header of a judgment apart


@dataclass
class PageResult:
    text: PageText
    out: OutPage
    rotated: int  # clockwise quarter turn applied (0/90/180/270)
    skew: float  # degrees corrected
    ink: np.ndarray | None = None  # page 1 only: pipeline.ink mask of the output image, for the marker


@dataclass
class _Attempt:
    rot: int
    skew: float
    words: list[engine.TessWord]
    fx: float
    fy: float
    image: np.ndarray  # the cleaned image the words' boxes refer to
    dpi: float = 300.0

    @property
    def score(self) -> float:
        return sum(w.conf * len(w.text) for w in self.words)

    @property
    def mean_conf(self) -> float:
        n = sum(len(w.text) for w in self.words)
        return self.score / n if n else 0.0


def _ocr_attempt(gray: np.ndarray, rot: int, dpi: tuple[float, float], settings) -> _Attempt:
    g = pp.rotate_quarter(gray, rot)
    dx, dy = (dpi[1], dpi[0]) if rot in (90, 270) else dpi
    skew = pp.estimate_skew(g)
    if abs(skew) >= MIN_SKEW_DEG:
        g = pp.rotate_small(g, -skew)
    else:
        skew = 0.0
    g = pp.denoise(g)
    target = float(settings.ocr_dpi)
    fx = fy = 1.0
    if abs(dx - dy) > 0.01 * dx or not (0.8 * target <= dx <= 1.6 * target):
        fx, fy = target / dx, target / dy
        h, w = g.shape
        g = cv2.resize(g, (max(1, round(w * fx)), max(1, round(h * fy))),
                       interpolation=cv2.INTER_CUBIC if fx > 1 else cv2.INTER_AREA)
        ocr_dpi = target
    else:
        ocr_dpi = dx
    words = engine.ocr(g, lang=settings.ocr_lang, dpi=int(round(ocr_dpi)), psm=PSM)
    return _Attempt(rot, skew, words, fx, fy, g, ocr_dpi)


def _vertical_share(words: list[engine.TessWord]) -> float:
    """Share of the words of three or more characters whose box stands upright."""
    long = [w for w in words if len(w.text) >= 3]
    return sum(w.height > 1.5 * w.width for w in long) / len(long) if long else 0.0


def _quarter_turn(gray: np.ndarray, first: int, dpi: tuple[float, float], settings) -> _Attempt:
    """A sideways page: the quarter turn OSD suggests (OSD is often unsure, or wrong by a half
    turn, on such pages), and the opposite one when that does not read well."""
    turned = _ocr_attempt(gray, first, dpi, settings)
    if turned.mean_conf < OSD_BELOW_CONF or _vertical_share(turned.words) >= 0.5:
        other = _ocr_attempt(gray, 360 - first, dpi, settings)
        turned = max(turned, other, key=lambda a: a.score)
    return turned


def _text_band(gray: np.ndarray, share: float = PROBE_SHARE) -> tuple[int, int]:
    """Rows (top, bottom) of the `share` of the page's height that holds the most ink: the
    text a probe reads (margins and a blank foot say nothing about orientation)."""
    h = gray.shape[0]
    n = max(1, min(h, round(h * share)))
    small = gray[::4, ::4]
    dark = (small < min(160, int(np.percentile(small, 50)) - 30)).sum(axis=1).astype(np.float64)
    win = max(1, n // 4)
    sums = np.convolve(dark, np.ones(win), mode="valid") if len(dark) >= win else np.array([dark.sum()])
    top = int(np.argmax(sums)) * 4
    top = min(max(0, top), h - n)
    return top, top + n


def _probe_reads_better(first: _Attempt, turn: int, settings, gain: float = UNSURE_GAIN) -> bool:
    """Does the inkiest band of the page, turned by `turn`, read clearly better than the page
    read as it came (by `gain` of mean word confidence)? One read of PROBE_SHARE of the page
    instead of a whole second read."""
    top, bottom = _text_band(first.image)
    band = pp.rotate_quarter(first.image[top:bottom], turn)
    words = engine.ocr(band, lang=settings.ocr_lang, dpi=int(round(first.dpi)), psm=PSM)
    n = sum(len(w.text) for w in words)
    if n < PROBE_MIN_CHARS:  # the band read as nothing either way: no evidence, read it all
        return True
    probe = sum(w.conf * len(w.text) for w in words) / n
    return probe >= first.mean_conf + gain


def _orientation(gray: np.ndarray, dpi: float) -> tuple[int, float]:
    """OSD on a copy at about 150 dpi (half the time of 300 dpi, as reliable; less is not)."""
    f = min(1.0, 150.0 / max(dpi, 1.0))
    small = pp.resample(gray, f) if f < 0.95 else gray
    return engine.osd(pp.denoise(small), dpi=max(50, int(round(dpi * (f if f < 0.95 else 1.0)))))


def process_page(doc: SourceDocument, src: PageSource, settings, workdir: Path) -> PageResult:
    lp = load_page(doc, src, settings, workdir)
    im, dpi = lp.image, lp.dpi
    bilevel = im.mode == "1"
    disp = np.asarray(im.convert("L") if bilevel else im)
    gray = pp.remove_red(disp) if disp.ndim == 3 else disp
    gray = pp.normalize_background(gray, only_uneven=True)  # a shadow across the page: 13 -> 5 % CER

    try:
        best = _ocr_attempt(gray, 0, dpi, settings)
        landscape = gray.shape[1] > gray.shape[0] * 1.1  # a portrait page scanned sideways?
        # Tesseract reads a sideways page as vertical text, often at high confidence
        sideways = _vertical_share(best.words) >= 0.5
        if best.mean_conf < OSD_BELOW_CONF or landscape or sideways:
            rot, conf = _orientation(gray, dpi[0])
            if sideways:
                best = _quarter_turn(gray, rot if rot in (90, 270) else 270, dpi, settings)
            elif rot and conf >= OSD_MIN_CONF:
                # trust OSD unless the turned page reads clearly worse: a sideways page can read
                # with high confidence as vertical text; a half turn is first tried on a band (OSD
                # said 180 at 2.05 on a damaged upright page of the light dev batch)
                if rot != 180 or _probe_reads_better(best, rot, settings, gain=0.0):
                    other = _ocr_attempt(gray, rot, dpi, settings)
                    if other.score >= 0.8 * best.score:
                        best = other
            elif best.mean_conf < OSD_BELOW_CONF and not landscape:
                # a poor read and an unsure OSD (an upside-down page scanned at 200 dpi gave
                # 180 at 0.89): OSD's turn, or 180 when OSD has none, is read in full and kept
                # when it reads clearly better -- but only when a band of the page, turned so,
                # reads clearly better first (most such pages are upright and merely damaged)
                turn = rot if rot else 180
                if _probe_reads_better(best, turn, settings):
                    other = _ocr_attempt(gray, turn, dpi, settings)
                    if other.mean_conf >= best.mean_conf + UNSURE_GAIN and other.score > best.score:
                        best = other
        # IDs, numbers and dates: a second read of each such word at another scale
        best.words, _ = verify.second_read(best.image, best.words, lang=settings.ocr_lang, dpi=best.dpi)
        # weak capitalised letter words (names, issuers, a number's symbol): the second model's read
        best.words, _ = letter_reread.second_read_letters(best.image, best.words, dpi=best.dpi,
                                                          page_lang=settings.ocr_lang)
        # names: a dot below a 'y' the read does not explain
        best.words, _ = verify.unexplained_dots(best.image, best.words)
        if src.number == 1:  # the header's number or date line spoilt by a seal, initials, a stamp: read again
            frame = (disp, gray, best.rot, best.skew, best.image.shape)
            best.words, _ = region_reread.reread_header(best.image, best.words, lang=settings.ocr_lang, dpi=best.dpi,
                                                        colourless=lambda: region_reread.colour_free(*frame))
    except engine.TesseractError as exc:
        raise RejectedInput(doc.relpath, f"page {src.number}: OCR failed ({exc})") from None

    # the output image by the storage policy: a JPEG scan within the quality budget as it came, else
    # re-encoded at the quality the page's own SSIM allows; turned and deskewed by the page's drawing
    # matrix like the OCR input
    ddpi = (dpi[1], dpi[0]) if best.rot in (90, 270) else dpi
    stem = workdir / "pages" / f"p{src.number:04d}"
    stem.parent.mkdir(parents=True, exist_ok=True)
    pimg = storage_policy.store_page(im, dpi, stem, storage_policy.StoragePolicy.of(settings),
                                     jpeg_path=lp.jpeg_path, qtables=lp.qtables, turn=best.rot, skew=best.skew,
                                     pixels=disp)
    w_pt, h_pt = pimg.size_pt

    # pixels of the OCR image -> points of the output page
    sx = 72.0 / ddpi[0] / best.fx
    sy = 72.0 / ddpi[1] / best.fy
    words: list[Word] = []
    line_boxes: dict[int, tuple[float, float]] = {}
    for tw in best.words:
        x0 = min(max(tw.left * sx, 0.0), w_pt)
        x1 = min(max((tw.left + tw.width) * sx, 0.0), w_pt)
        top = min(max(tw.top * sy, 0.0), h_pt)
        bottom = min(max((tw.top + tw.height) * sy, 0.0), h_pt)
        words.append(Word(tw.text, round(tw.conf, 4), (round(x0, 2), round(top, 2), round(x1, 2), round(bottom, 2)),
                          tw.line, tw.block, tw.alternatives, tw.verified))
        if tw.line not in line_boxes:
            line_boxes[tw.line] = (min(max(tw.line_box[1] * sy, 0.0), h_pt), min(max(tw.line_box[3] * sy, 0.0), h_pt))
    text = PageText(src.number, round(w_pt, 3), round(h_pt, 3), words, source="ocr")
    ink = None
    if src.number == 1:  # the signing stage need not decode the scan again; the mask is in the page's frame
        out = pp.rotate_quarter(disp, best.rot)
        if best.skew:
            out = pp.rotate_small(out, -best.skew)
        ink = ink_mask(out)
    return PageResult(text, OutPage(pimg, words, line_boxes), best.rot, best.skew, ink)
