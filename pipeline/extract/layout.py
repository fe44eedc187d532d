"""Layout model: pages -> visual line segments -> one searchable text.

A PageText line can hold two columns (born-digital text layers put the
header's left and right columns on one baseline); lines are split into
*segments* at wide horizontal gaps. All segments of the document are joined
into `Doc.text` (one segment per text line); `Doc.folded` is the
diacritic-free twin with identical offsets, so a match on either maps back
to the words, their OCR confidences, page and bounding box.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

from ..types import BBox, PageText, Word
from .normalize import fold, nfc


@dataclass
class Segment:
    page: int
    index: int  # order in the document
    words: list[Word]
    text: str
    start: int  # offset in Doc.text
    offsets: list[tuple[int, int]]  # per word (start, end) in Doc.text
    page_width: float
    page_height: float

    @property
    def bbox(self) -> BBox:
        return union([w.bbox for w in self.words])

    @property
    def x_center(self) -> float:
        b = self.bbox
        return (b[0] + b[2]) / 2

    @property
    def top(self) -> float:
        return self.bbox[1]

    @property
    def end(self) -> int:
        return self.start + len(self.text)


def union(boxes: list[BBox]) -> BBox:
    return (min(b[0] for b in boxes), min(b[1] for b in boxes),
            max(b[2] for b in boxes), max(b[3] for b in boxes))


@dataclass
class Span:
    """Words behind a piece of extracted text."""
    words: list[Word]
    page: int | None

    @property
    def bbox(self) -> BBox | None:
        return union([w.bbox for w in self.words]) if self.words else None

    @property
    def ocr(self) -> float:
        """OCR quality of the words: blend of the weakest and the mean."""
        if not self.words:
            return 0.0
        cs = [max(0.0, min(1.0, w.confidence)) for w in self.words]
        mean = sum(cs) / len(cs)
        return (min(cs) * mean) ** 0.5

    def __add__(self, other: "Span") -> "Span":
        page = self.page if self.page is not None else other.page
        ws = [w for w in self.words] + [w for w in other.words if w not in self.words]
        return Span(ws, page)


def _split_segments(words: list[Word]) -> list[list[Word]]:
    if not words:
        return []
    heights = sorted(max(1.0, w.bbox[3] - w.bbox[1]) for w in words)
    h = heights[len(heights) // 2]
    gap_limit = max(2.0 * h, 18.0)
    segs = [[words[0]]]
    for prev, w in zip(words, words[1:]):
        if w.bbox[0] - prev.bbox[2] > gap_limit:
            segs.append([w])
        else:
            segs[-1].append(w)
    return segs


@dataclass
class Doc:
    pages: list[PageText]
    segments: list[Segment] = field(default_factory=list)
    text: str = ""
    folded: str = ""
    source: str = "ocr"

    @classmethod
    def build(cls, pages: list[PageText]) -> "Doc":
        doc = cls(pages=pages)
        parts: list[str] = []
        pos = 0
        idx = 0
        sources = set()
        for page in sorted(pages, key=lambda p: p.number):
            sources.add(page.source)
            for line in page.lines():
                line = [w for w in line if w.text and w.text.strip()]
                for seg_words in _split_segments(line):
                    offsets = []
                    texts = []
                    p = pos
                    for w in seg_words:
                        t = nfc(w.text).replace("\n", " ").strip()
                        t = re.sub(r"\s+", " ", t)
                        offsets.append((p, p + len(t)))
                        texts.append(t)
                        p += len(t) + 1
                    text = " ".join(texts)
                    doc.segments.append(Segment(page.number, idx, seg_words, text, pos, offsets,
                                                page.width, page.height))
                    parts.append(text)
                    pos += len(text) + 1
                    idx += 1
        doc.text = "\n".join(parts)
        doc.folded = fold(doc.text)
        doc._starts = [s.start for s in doc.segments]
        doc.source = "text_layer" if sources == {"text_layer"} else "ocr"
        return doc

    # --- lookup ---------------------------------------------------------------
    def segment_at(self, offset: int) -> Segment | None:
        if not self.segments:
            return None
        i = bisect.bisect_right(self._starts, offset) - 1
        return self.segments[max(0, i)]

    def span(self, a: int, b: int) -> Span:
        """Words overlapping text[a:b]; page of the first word, words on that page."""
        out: list[Word] = []
        page = None
        if not self.segments or b <= a:
            return Span([], None)
        i = max(0, bisect.bisect_right(self._starts, a) - 1)
        while i < len(self.segments) and self.segments[i].start < b:
            seg = self.segments[i]
            for w, (ws, we) in zip(seg.words, seg.offsets):
                if ws < b and we > a:
                    if page is None:
                        page = seg.page
                    if seg.page == page:
                        out.append(w)
            i += 1
        return Span(out, page)

    def seg_range(self, i: int, j: int) -> tuple[int, int]:
        """Text offsets covering segments i..j-1."""
        if not self.segments:
            return 0, 0
        j = min(j, len(self.segments))
        if i >= j:
            s = self.segments[min(i, len(self.segments) - 1)]
            return s.start, s.start
        return self.segments[i].start, self.segments[j - 1].end

    def first_page_segments(self) -> list[Segment]:
        if not self.segments:
            return []
        p = self.segments[0].page
        return [s for s in self.segments if s.page == p]
