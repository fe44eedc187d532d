"""Where each document of a many-document scan begins: a cut probability per page.

A dossier (hồ sơ) scanned as one PDF or TIFF holds a judgment, the decisions executing it
and the certificates closing it, one after another, sometimes with blank separator sheets.
A Vietnamese administrative or court paper (Decree 30/2020 Appendix I) opens with the
national motto top right, the issuing body and 'Số: ...' top left and its title (BẢN ÁN,
QUYẾT ĐỊNH, GIẤY CHỨNG NHẬN) centred above the body; its later pages carry none of these.

Each page gets evidence from its OCR'd words (no second OCR pass), the evidence is combined
by one small logistic model (weights below, checked on generated dossiers: tests/test_split.py)
into the probability that a new document starts on that page, and every decision carries a
confidence: max(p, 1 - p). A decision below the review threshold goes to a person.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from sohoa.core.types import PageText

from .normalize import fold, fz

# The model: z = BIAS + sum(weight * feature); p = 1 / (1 + e^-z). A motto alone (0.62) or a
# title with number and issuer but the motto lost to damage (0.5) is a cut a person checks; motto
# and title together (0.92) or with more (0.98+) is sure; a judgment's own 'QUYẾT ĐỊNH:' heading
# on a later page (title alone: 0.05) is no cut.
BIAS = -5.0
WEIGHTS = {
    "motto": 5.5,       # 'CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM' / 'Độc lập - Tự do - Hạnh phúc' near the top
    "title": 2.0,       # BẢN ÁN / QUYẾT ĐỊNH / GIẤY CHỨNG NHẬN alone on a line in the top half
    "number": 1.5,      # 'Số: 12/2024/QĐ-CA' near the top, another than the document running so far
    "issuer": 1.5,      # an issuing body (court, police, prison, procuracy) top left
    "after_blank": 3.0,  # the page follows a blank separator sheet
    "continued": -2.0,  # the page opens with a bare page number ('2', '- 2 -'): a later page
}
TOP = 0.30  # the header's share of the page height
COLUMN_GAP = 36.0  # points (half an inch) between the header's two columns on one line
TITLE_ZONE = 0.55  # the title is in the top half (a little more on a long header)

_MOTTO = re.compile(fz("cong hoa xa hoi") + "|" + fz("xa hoi chu nghia") + "|" + fz("doc lap") + r"\W{0,3}"
                    + fz("tu do") + "|" + fz("tu do") + r"\W{0,3}" + fz("hanh phuc"))
# a title stands alone: no colon after it (a judgment's own 'QUYẾT ĐỊNH:' heads its operative part)
_TITLE = re.compile(r"^\W{0,3}(?:" + "|".join(fz(t) for t in (
    "ban an", "quyet dinh", "giay chung nhan", "giay xac nhan", "lenh", "thong bao")) + r")[^\w:]{0,3}$")
_NUMBER = re.compile(r"^\W{0,3}(?:ban an |quyet dinh )?(?:so|s0)\s*[:;.]?\s*(?P<n>[0-9OoIl]{1,6}\s*/\s*\S+)")
_ISSUER = re.compile(r"^\W{0,3}(?:" + "|".join(fz(t) for t in (
    "toa an", "cong an", "vien kiem sat", "trai giam", "trai tam giam", "uy ban nhan dan", "bo cong an",
    "cuc canh sat", "phong canh sat", "co quan thi hanh an", "so tu phap")) + ")")
_PAGE_NO = re.compile(r"^\W{0,3}(?:trang\s*)?\d{1,3}\W{0,3}$")
_INK_WORD = re.compile(r"\w")


@dataclass
class PageEvidence:
    number: int  # 1-based page of the source
    blank: bool
    features: dict[str, float] = field(default_factory=dict)
    doc_number: str | None = None  # 'Số: ...' read near the top, folded and unspaced


@dataclass
class Boundary:
    """The decision before page `page` (2..n): a new document starts there or not."""

    page: int
    probability: float  # that a new document starts on this page
    cut: bool
    features: dict[str, float]

    @property
    def confidence(self) -> float:
        return self.probability if self.cut else 1.0 - self.probability


@dataclass
class Segmentation:
    """Parts as (first, last) 1-based inclusive pages of the source, blank pages in none;
    each part's confidence is its least sure edge or inner decision (1.0: nothing to doubt)."""

    parts: list[tuple[int, int]]
    confidences: list[float]
    blank_pages: list[int]
    boundaries: list[Boundary]


def _lines(page: PageText) -> list[tuple[float, str, str]]:
    """(top, folded text, folded text of its words in the left column) of each line, reading
    order. The OCR may read the header's two columns (issuer | motto) as one line."""
    out = []
    half = 0.55 * (page.width or 1.0)
    for ws in page.lines():
        if not ws:
            continue
        top = min(w.bbox[1] for w in ws)
        # the left column: the words before the line's first wide gap, ending left of the middle
        # (a body line naming a court runs the full width with narrow gaps: no column)
        cut = next((i for i in range(1, len(ws)) if ws[i].bbox[0] - ws[i - 1].bbox[2] > COLUMN_GAP), len(ws))
        column = [w.text for w in ws[:cut]] if ws[cut - 1].bbox[2] < half else []
        out.append((top, fold(" ".join(w.text for w in ws)).strip(), fold(" ".join(column)).strip()))
    return out


BLANK_INK = 0.002  # share of dark pixels inside the margins: a cleaned blank sheet has none
SURE_WORDS = 5  # the emptiest page of a document (a signature block, 'Nơi nhận') has more
INKED_WORDS = 20  # so many sure words is a page of text whatever its pixels say


def sure_words(page: PageText) -> int:
    return sum(1 for w in page.words if w.confidence >= 0.7 and len(_INK_WORD.findall(w.text)) >= 2)


def is_blank(page: PageText, ink: float | None = None) -> bool:
    """A separator sheet. With the page's ink (its share of dark pixels, measured on the
    cleaned page by the caller) the pixels decide: the OCR reads a blank sheet's noise as marks,
    some with confidence, and may read nothing on a damaged page of text. Without (a text PDF):
    fewer sure words than SURE_WORDS."""
    n = sure_words(page)
    if ink is not None:
        return ink < BLANK_INK and n < INKED_WORDS
    return n < SURE_WORDS


def page_evidence(page: PageText, ink: float | None = None) -> PageEvidence:
    h = page.height or 1.0
    ev = PageEvidence(page.number, is_blank(page, ink))
    if ev.blank:
        return ev
    lines = _lines(page)
    feats = {k: 0.0 for k in WEIGHTS}
    for top, text, column in lines:
        rel = top / h
        if rel <= TOP and _MOTTO.search(text):
            feats["motto"] = 1.0
        if rel <= TITLE_ZONE and _TITLE.match(text):
            feats["title"] = 1.0
        if rel <= TOP:
            m = _NUMBER.match(text)
            if m and ev.doc_number is None:
                ev.doc_number = re.sub(r"\s+", "", m.group("n"))
            if column and _ISSUER.match(column):  # the issuer heads the header's left column
                feats["issuer"] = 1.0
    first = next((t for *_, t in lines if t), "")
    if _PAGE_NO.match(first):
        feats["continued"] = 1.0
    ev.features = feats
    return ev


def probability(features: dict[str, float]) -> float:
    z = BIAS + sum(WEIGHTS[k] * v for k, v in features.items() if k in WEIGHTS)
    return 1.0 / (1.0 + math.exp(-z))


def segment(pages: list[PageText], ink: dict[int, float] | None = None) -> Segmentation:
    """Cut `pages` (one source's, in order) into documents; callers compare the confidences
    with the review threshold. ink: page number -> share of dark pixels, where measured."""
    evs = [page_evidence(p, (ink or {}).get(p.number)) for p in pages]
    blank = [e.number for e in evs if e.blank]
    content = [e for e in evs if not e.blank]
    if not content:
        return Segmentation([], [], blank, [])
    boundaries: list[Boundary] = []
    starts: list[int] = [content[0].number]
    running_number = content[0].doc_number
    for prev, e in zip(content, content[1:]):
        feats = dict(e.features)
        # a blank sheet between this page and the one before
        feats["after_blank"] = 1.0 if any(prev.number < b < e.number for b in blank) else 0.0
        # a number near the top equal to the running document's is that document's again
        if e.doc_number is not None and running_number is not None and e.doc_number == running_number:
            feats["number"] = 0.0
        else:
            feats["number"] = 1.0 if e.doc_number is not None else 0.0
        p = probability(feats)
        b = Boundary(e.number, p, p >= 0.5, feats)
        boundaries.append(b)
        if b.cut:
            starts.append(e.number)
            running_number = e.doc_number
        elif running_number is None:
            running_number = e.doc_number
    parts: list[tuple[int, int]] = []
    content_numbers = [e.number for e in content]
    for i, s in enumerate(starts):
        nxt = starts[i + 1] if i + 1 < len(starts) else None
        last = max(n for n in content_numbers if n >= s and (nxt is None or n < nxt))
        parts.append((s, last))
    confidences = []
    for first, last in parts:
        # its opening cut and inner decisions, and the cut that opens the next part
        mine = [b.confidence for b in boundaries if first <= b.page <= last]
        after = [b.confidence for b in boundaries if b.page > last][:1]
        confidences.append(round(min(mine + after + [1.0]), 4))
    return Segmentation(parts, confidences, blank, boundaries)

