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

from sohoa.core.types import BBox, PageText, Word

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
    line: int = 0  # the visual line it is a piece of (a wide gap splits a line into segments)

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


# Tesseract reads a slash in some faces (italics, typewriter fonts) as the fraction slash '⁄' (U+2044),
# or as both ('03/⁄2025/HS-ST', '13⁄7/⁄2017'): one slash, so that numbers and dates parse
_SLASH_TWIN = re.compile(r"[/⁄∕／]{2,}")
_SLASH_LIKE = str.maketrans({"⁄": "/", "∕": "/", "／": "/"})


def same_slash(t: str) -> str:
    """`t` with the slash's look-alikes read as a slash, a doubled one as one."""
    if not any(c in t for c in "⁄∕／"):
        return t
    return _SLASH_TWIN.sub("/", t).translate(_SLASH_LIKE)


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


def _rejoin_split_lines(lines: list[list[Word]]) -> list[list[Word]]:
    """Join the pieces of one printed line that OCR gave as separate lines.

    A crease, a stain or a seal can cut a line so that Tesseract puts its two
    ends in different blocks, and the block order then interleaves them with
    other lines ('... xử phạt 04 (bốn) năm' | '0 Bản án hình sự' | '09 (chín)
    tháng tù ... the'). A piece that sits beside another line -- the same
    height band, no horizontal overlap, a gap no wider than a word space can
    be, or up to three line heights for a piece that starts in lower case --
    is put back at the end of that line. The two columns of a header stay
    apart: their gap is several times the line height, their lines start
    with capitals.
    """
    if len(lines) < 2:
        return lines
    boxes = [union([w.bbox for w in ln]) for ln in lines]
    heights = sorted(b[3] - b[1] for b in boxes)
    h_med = max(1.0, heights[len(heights) // 2])
    merged_into: dict[int, int] = {}
    for j, bj in enumerate(boxes):
        best, best_overlap = None, 0.0
        first = lines[j][0].text[:1]
        # a piece that starts in lower case (or with a mark) goes on a sentence: the crease
        # that cut it may have taken a word or two with it ('Bị cáo bi' | 'lỗi, xin ...')
        reach = 3.0 if first and not first.isupper() and not first.isdigit() else 1.0
        for i, bi in enumerate(boxes):
            if i == j or merged_into.get(i) == j:  # a piece may join a piece already joined (chains)
                continue
            gap = bj[0] - bi[2]
            if not (-0.2 * h_med <= gap <= reach * h_med):
                continue
            overlap = min(bi[3], bj[3]) - max(bi[1], bj[1])
            ratio = overlap / max(1.0, min(bi[3] - bi[1], bj[3] - bj[1]))
            if ratio >= 0.6 and ratio > best_overlap and bj[3] - bj[1] <= 2.2 * max(bi[3] - bi[1], 0.5 * h_med):
                best, best_overlap = i, ratio
        if best is not None:
            merged_into[j] = best
    if not merged_into:
        return lines

    def root(k: int) -> int:
        seen = set()
        while k in merged_into and k not in seen:
            seen.add(k)
            k = merged_into[k]
        return k

    joined: dict[int, list[Word]] = {}
    for k, ln in enumerate(lines):
        joined.setdefault(root(k), []).extend(ln)
    return [sorted(joined[k], key=lambda w: w.bbox[0]) for k in range(len(lines)) if k in joined]


def _in_page_order(lines: list[list[Word]], words: list[Word]) -> list[list[Word]]:
    """The lines with their OCR blocks put in order down the page.

    Tesseract reads column by column: a note written down the margin, a seal's text or a
    photocopy's edge makes a narrow first 'column', so its block -- and the body lines it
    caught -- came before the header, and everything that looks for the header at the top
    (its end, the number, the issuer) found nothing. Blocks are ordered by their top, in bands
    two line heights tall so that a header's two columns keep the OCR's order; the lines of a
    block keep theirs."""
    if len(lines) < 2 or not words:
        return lines
    tops: dict[int, float] = {}
    for w in words:
        tops[w.block] = min(tops.get(w.block, w.bbox[1]), w.bbox[1])
    heights = sorted(max(1.0, w.bbox[3] - w.bbox[1]) for w in words)
    band = 2.0 * heights[len(heights) // 2]

    def key(k: int) -> tuple[int, int]:
        return int(tops.get(lines[k][0].block, 0.0) // band), k

    order = sorted(range(len(lines)), key=key)
    return [lines[k] for k in order]


@dataclass
class Doc:
    pages: list[PageText]
    segments: list[Segment] = field(default_factory=list)
    text: str = ""
    folded: str = ""
    source: str = "ocr"
    # start offset of each segment, for bisecting (set by build)
    _starts: list[int] = field(default_factory=list, init=False, repr=False, compare=False)

    @classmethod
    def build(cls, pages: list[PageText]) -> "Doc":
        doc = cls(pages=pages)
        parts: list[str] = []
        pos = 0
        idx = 0
        line_no = 0
        sources = set()
        for page in sorted(pages, key=lambda p: p.number):
            sources.add(page.source)
            lines = [[w for w in line if w.text and w.text.strip()] for line in page.lines()]
            if page.source == "ocr":
                lines = _in_page_order(_rejoin_split_lines([ln for ln in lines if ln]), page.words)
            for line in lines:
                line_no += 1
                for seg_words in _split_segments(line):
                    offsets = []
                    texts = []
                    p = pos
                    for w in seg_words:
                        t = nfc(w.text).replace("\n", " ").strip()
                        t = re.sub(r"\s+", " ", t)
                        t = same_slash(t)
                        offsets.append((p, p + len(t)))
                        texts.append(t)
                        p += len(t) + 1
                    text = " ".join(texts)
                    doc.segments.append(Segment(page.number, idx, seg_words, text, pos, offsets,
                                                page.width, page.height, line_no))
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

    def _gap_excess(self, a: int, b: int, inner: bool) -> float:
        """Widest unexplained word gap in text[a:b], in character widths: (gap - the
        line's median word gap) / the character width of the word beside it.
        inner=False: the gaps on either side of each digit token of the range;
        inner=True: the gaps between two words both inside the range."""
        worst = 0.0
        if not self.segments or b <= a or self.source == "text_layer":
            return worst
        i = max(0, bisect.bisect_right(self._starts, a) - 1)
        while inner and i > 0 and self.segments[i - 1].line == self.segments[i].line:
            i -= 1
        while i < len(self.segments) and self.segments[i].start < b:
            # between words, the whole visual line: a gap so wide that it split the line into
            # segments is a gap too (beside digits, only the segment: a header's columns)
            j = i + 1
            while inner and j < len(self.segments) and self.segments[j].line == self.segments[i].line:
                j += 1
            line = self.segments[i:j]
            i = j
            ws = [w for seg in line for w in seg.words]
            offsets = [o for seg in line for o in seg.offsets]
            gaps = [max(0.0, n.bbox[0] - w.bbox[2]) for w, n in zip(ws, ws[1:])]
            if len(gaps) < 2:
                continue
            typical = sorted(gaps)[len(gaps) // 2]
            inside = [ws_ < b and we > a for ws_, we in offsets]
            for k, w in enumerate(ws):
                if not inside[k]:
                    continue
                if inner:
                    beside = [gaps[k]] if k < len(gaps) and inside[k + 1] else []
                elif any(ch.isdigit() for ch in w.text):
                    beside = ([gaps[k - 1]] if k > 0 else []) + ([gaps[k]] if k < len(gaps) else [])
                else:
                    continue
                # a digit's advance: a '1' is narrower than its cell, so not less
                # than 0.6 x the token's height (digits are ~0.7 em high, ~0.5 em wide)
                char_w = max((w.bbox[2] - w.bbox[0]) / max(1, len(w.text)), 0.6 * (w.bbox[3] - w.bbox[1]))
                if char_w <= 0:
                    continue
                worst = max([worst] + [(g - typical) / char_w for g in beside])
        return worst

    def digit_gap(self, a: int, b: int) -> float:
        """Widest unexplained gap beside a digit token in text[a:b], in digit widths.

        A faded or blotted digit is often dropped by OCR without a trace in the
        text ('18' read '8'), but its place stays empty: the gap beside the
        token is wider than the line's other word gaps by about one digit.
        0.0 where there is nothing to compare (a born-digital text layer, a
        segment of one or two words).
        """
        return self._gap_excess(a, b, inner=False)

    def word_gap(self, a: int, b: int) -> float:
        """Widest unexplained gap between two words of text[a:b], in character
        widths: a word lost to a crease or a blot ('Nguyễn [Anh] Minh Việt')
        leaves its place empty between its neighbours."""
        return self._gap_excess(a, b, inner=True)

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
