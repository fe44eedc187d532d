"""Lay a logical `Doc` out on A4 pages: positioned drawing operations plus the
plain text of every page (what a perfect reader would read, in logical order:
header left column, right column, then the body; signature area left, right).

Units are PDF points, origin at the top-left; y of text is its baseline.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from random import Random

from sohoa.corpus import fonts, variation, vocab
from sohoa.corpus.doc import Block, Doc

A4_W, A4_H = 595.28, 841.89
MM = 72 / 25.4


@dataclass
class TextOp:
    x: float
    y: float
    text: str
    family: str
    style: str
    size: float


@dataclass
class RuleOp:
    x1: float
    y1: float
    x2: float
    y2: float
    width: float = 0.6


@dataclass
class SealOp:
    cx: float
    cy: float
    r: float
    ring: str
    seed: int


@dataclass
class _BoxOp:
    """An image drawn from `seed` into the box at x, y (top-left), w wide and h high."""
    x: float
    y: float
    w: float
    h: float
    seed: int


@dataclass
class SignOp(_BoxOp):
    """A handwritten signature."""


@dataclass
class PhotoOp(_BoxOp):
    """An ID photo."""


@dataclass
class StampOp(_BoxOp):
    """A rectangular ink stamp (a registry's 'received' stamp) with handwritten entries."""
    lines: list[str] = field(default_factory=list)


@dataclass
class NoteOp(_BoxOp):
    """A handwritten note in the margin (not part of the page text)."""
    text: str = ""


@dataclass
class Page:
    ops: list = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


@dataclass
class Style:
    family: str
    size: float
    leading: float  # line height factor
    margin_l: float
    margin_r: float
    margin_t: float
    margin_b: float
    indent: float
    para_space: float  # extra points after a paragraph
    heading_align: str  # center | left
    title_delta: float
    left_col: float  # fraction of the text width for the header's left column
    # wide variation only (0 / False in a default corpus): the header's columns drift
    right_dx: float = 0.0  # right column moved right (points)
    right_dy: float = 0.0  # right column moved down (points)
    left_dx: float = 0.0
    line_jitter: float = 0.0  # each header line moved sideways up to this much
    date_dy: float = 0.0  # the place-date line off the number line's baseline
    marks: bool = False  # stamps/signatures over the number and date, margin notes

    @staticmethod
    def random(rng: random.Random) -> "Style":
        if variation.is_wide():
            return Style.wide(rng)
        fams = fonts.available()
        names = [n for n in fonts.FAMILY_WEIGHTS if n in fams]
        fam = rng.choices(names, [fonts.FAMILY_WEIGHTS[n] for n in names])[0]
        base = rng.choice([12, 13, 13, 13, 14, 14]) if "sans" not in fam and fam != "dejavu-serif" else rng.choice([11, 11.5, 12, 12.5])
        if fam == "dejavu-serif-cond":
            base = rng.choice([12, 12.5, 13])
        return Style(
            family=fam, size=base, leading=rng.choice([1.15, 1.2, 1.25, 1.3, 1.4, 1.5]),
            margin_l=rng.uniform(25, 35) * MM, margin_r=rng.uniform(15, 20) * MM,
            margin_t=rng.uniform(15, 25) * MM, margin_b=rng.uniform(15, 25) * MM,
            indent=rng.choice([0.0, 0.5, 1.0, 1.27, 1.27]) * 28.35, para_space=rng.choice([0, 0, 2, 3, 6]),
            heading_align=rng.choice(["center", "left", "center"]), title_delta=rng.choice([0, 1, 1, 2]),
            left_col=rng.uniform(0.38, 0.45),
        )

    @staticmethod
    def wide(rng: Random) -> "Style":
        fams = fonts.available()
        names = [n for n in fonts.WIDE_FAMILY_WEIGHTS if n in fams]
        fam = rng.choices(names, [fonts.WIDE_FAMILY_WEIGHTS[n] for n in names])[0]
        if fam in fonts.MONO:
            base = rng.choice([10, 10.5, 11, 11.5, 12])
        elif fam in fonts.CONDENSED:
            base = rng.choice([11.5, 12, 12.5, 13, 13.5])
        elif "sans" in fam:
            base = rng.choice([10.5, 11, 11.5, 12, 12.5])
        else:
            base = rng.choice([11.5, 12, 13, 13, 14, 14.5])
        drift = rng.random() < 0.6
        return Style(
            family=fam, size=base, leading=rng.choice([1.0, 1.05, 1.1, 1.15, 1.2, 1.3, 1.5, 1.7]),
            margin_l=rng.uniform(18, 38) * MM, margin_r=rng.uniform(10, 22) * MM,
            margin_t=rng.uniform(10, 28) * MM, margin_b=rng.uniform(12, 25) * MM,
            indent=rng.choice([0.0, 0.5, 1.0, 1.27, 2.0]) * 28.35, para_space=rng.choice([0, 0, 2, 3, 6, 9]),
            heading_align=rng.choice(["center", "left", "center"]), title_delta=rng.choice([0, 1, 2, 3]),
            left_col=rng.uniform(0.32, 0.5),
            right_dx=rng.uniform(-12, 25) if drift else 0.0, right_dy=rng.uniform(-6, 16) if drift else 0.0,
            left_dx=rng.uniform(-10, 8) if drift else 0.0, line_jitter=rng.uniform(0, 7) if drift else 0.0,
            date_dy=rng.choice([0.0, 0.0, 6.0, 12.0, -5.0]) if drift else 0.0, marks=rng.random() < 0.75,
        )


_MARK = re.compile(r"(\*\*|~~)")


def tokens(text: str, base: str) -> list[tuple[str, str]]:
    """Split marked-up text into (word, style) pairs."""
    bold = italic = False
    out: list[tuple[str, str]] = []
    for part in _MARK.split(text):
        if part == "**":
            bold = not bold
            continue
        if part == "~~":
            italic = not italic
            continue
        st = base
        if bold and "B" not in st:
            st = "B" + st.replace("R", "") if st != "R" else "B"
        if italic and "I" not in st:
            st = (st.replace("R", "") + "I") if st != "R" else "I"
        for w in part.split():
            out.append((w, st or "R"))
    # glue punctuation that split from a bold run back to its word
    glued: list[tuple[str, str]] = []
    for w, st in out:
        if glued and re.fullmatch(r"[.,;:)]+", w):
            glued[-1] = (glued[-1][0] + w, glued[-1][1])
        else:
            glued.append((w, st))
    return glued


class Layout:
    def __init__(self, doc: Doc, style: Style, rng: random.Random):
        self.doc, self.s, self.rng = doc, style, rng
        self.pages: list[Page] = []
        self.stamp_entries: dict[str, str] | None = None  # the received stamp's handwritten number and date
        self.over_header: list[str] = []  # wide: marks put over the header's number and date
        self.y = 0.0
        self.x0 = style.margin_l
        self.x1 = A4_W - style.margin_r
        self.width = self.x1 - self.x0
        self.bottom = A4_H - style.margin_b

    @property
    def page(self) -> Page:
        """The page being filled (the last one; run() opens the first)."""
        return self.pages[-1]

    # -- helpers
    def lh(self, size: float | None = None) -> float:
        return (size or self.s.size) * self.s.leading

    def new_page(self) -> None:
        self.pages.append(Page())
        self.y = self.s.margin_t
        if self.doc.page_numbers and len(self.pages) > 1:
            n = str(len(self.pages))
            sz = self.s.size - 1
            w = fonts.width(n, self.s.family, "R", sz)
            self.page.ops.append(TextOp((A4_W - w) / 2, self.s.margin_t * 0.6 + sz, n, self.s.family, "R", sz))
            self.page.lines.append(n)

    def need(self, h: float) -> None:
        if self.y + h > self.bottom:
            self.new_page()

    def w(self, text: str, style: str, size: float) -> float:
        return fonts.width(text, self.s.family, style, size)

    def fit_size(self, text: str, style: str, size: float, width: float) -> float:
        while size > 7 and self.w(text, style, size) > width:
            size -= 0.25
        return size

    def line_centered(self, text: str, style: str, size: float, cx: float, y: float, page: Page) -> float:
        w = self.w(text, style, size)
        page.ops.append(TextOp(cx - w / 2, y, text, self.s.family, style, size))
        return w

    # -- wrapping
    def wrap(self, toks: list[tuple[str, str]], size: float, first_width: float, width: float):
        lines: list[list[tuple[str, str, float]]] = []
        cur: list[tuple[str, str, float]] = []
        cur_w = 0.0
        space = self.w(" ", "R", size)
        avail = first_width
        for word, st in toks:
            ww = self.w(word, st, size)
            add = ww + (space if cur else 0)
            if cur and cur_w + add > avail:
                lines.append(cur)
                cur, cur_w = [], 0.0
                avail = width
                add = ww
            cur.append((word, st, ww))
            cur_w += add
        if cur:
            lines.append(cur)
        return lines

    def emit_line(self, words: list[tuple[str, str, float]], x: float, width: float, size: float, align: str, justify: bool) -> None:
        space = self.w(" ", "R", size)
        natural = sum(w for _, _, w in words) + space * (len(words) - 1)
        if align == "center":
            x += (width - natural) / 2
        elif align == "right":
            x += width - natural
        gap = space
        if justify and len(words) > 1:
            gap = space + (width - natural) / (len(words) - 1)
            gap = min(gap, space * 4)
        # merge runs of the same style when not justified (fewer, longer ops)
        if not justify:
            run_txt: list[str] = []
            run_st: str | None = None
            run_x = x
            cx = x
            for word, st, ww in words:
                if run_st is not None and st != run_st:
                    self.page.ops.append(TextOp(run_x, self.y, " ".join(run_txt), self.s.family, run_st, size))
                    run_txt, run_x = [], cx
                run_st = st
                run_txt.append(word)
                cx += ww + gap
            if run_txt and run_st is not None:
                self.page.ops.append(TextOp(run_x, self.y, " ".join(run_txt), self.s.family, run_st, size))
        else:
            cx = x
            for word, st, ww in words:
                self.page.ops.append(TextOp(cx, self.y, word, self.s.family, st, size))
                cx += ww + gap
        self.page.lines.append(" ".join(w for w, _, _ in words))

    def paragraph(self, text: str, style: str = "R", size: float | None = None, align: str = "justify",
                  indent: float = 0.0, x: float | None = None, width: float | None = None) -> None:
        size = size or self.s.size
        x = self.x0 if x is None else x
        width = self.width if width is None else width
        lines = self.wrap(tokens(text, style), size, width - indent, width)
        for i, ln in enumerate(lines):
            self.need(self.lh(size))
            self.y += self.lh(size)
            last = i == len(lines) - 1
            if align == "justify":
                xi = x + (indent if i == 0 else 0)
                self.emit_line(ln, xi, width - (indent if i == 0 else 0), size, "left", justify=not last)
            else:
                self.emit_line(ln, x, width, size, align, justify=False)

    # -- parts
    def header(self) -> None:
        h = self.doc.header
        s = self.s
        size = s.size - (0.5 if s.size > 12 else 0)
        pg = self.page
        top = self.y
        if h.layout == "two_col":
            lw = self.width * s.left_col
            lcx = self.x0 + lw / 2
            rcx = self.x0 + lw + (self.width - lw) / 2
            rw = self.width - lw
            if s.line_jitter or s.left_dx or s.right_dx or s.right_dy:  # wide: the columns drift
                lcx += s.left_dx
                rcx += s.right_dx
                jit = random.Random(hash((s.line_jitter, s.right_dx, len(h.body_lines))) & 0xFFFF)
            # left column
            y = top
            for i, ln in enumerate(h.body_lines):
                st = "B" if i >= h.bold_from else "R"
                sz = self.fit_size(ln, st, size, lw - 4)
                y += self.lh(size) * 0.95
                dx = jit.uniform(-s.line_jitter, s.line_jitter) if s.line_jitter else 0.0
                pg.ops.append(TextOp(lcx + dx - self.w(ln, st, sz) / 2, y, ln, s.family, st, sz))
                pg.lines.append(ln)
            rule_w = min(lw * 0.45, self.w(h.body_lines[-1], "B", size) * 0.6)
            pg.ops.append(RuleOp(lcx - rule_w / 2, y + 4, lcx + rule_w / 2, y + 4, 0.7))
            left_end = y
            # right column
            y = top + s.right_dy
            msz = self.fit_size(h.motto_upper, "B", size, rw - 2)
            y += self.lh(size) * 0.95
            self.line_centered(h.motto_upper, "B", msz, rcx, y, pg)
            pg.lines.append(h.motto_upper)
            lsz = min(size + 1, self.fit_size(h.motto_lower, "B", size + 1, rw))
            y += self.lh(size) * 0.95
            w2 = self.line_centered(h.motto_lower, "B", lsz, rcx, y, pg)
            pg.lines.append(h.motto_lower)
            pg.ops.append(RuleOp(rcx - w2 / 2, y + 3, rcx + w2 / 2, y + 3, 0.7))
            right_end = y
            y = max(left_end, right_end) + self.lh(size) * 0.5
            # number row
            y += self.lh(size)
            nsz = self.fit_size(h.number_line, "R", size, lw)
            self.line_centered(h.number_line, "R", nsz, lcx, y, pg)
            pg.lines.append(h.number_line)
            ly = y
            for ln in h.under_number:
                ly += self.lh(size)
                self.line_centered(ln, "R" if not ln.startswith("V/v") else "R", size - 1, lcx, ly, pg)
                pg.lines.append(ln)
            if h.place_date:
                psz = self.fit_size(h.place_date, "I", size, rw)
                self.line_centered(h.place_date, "I", psz, rcx, y + s.date_dy, pg)
                pg.lines.append(h.place_date)
            self.y = max(y + max(s.date_dy, 0.0), ly)
            if s.marks:
                self.header_marks(lcx, lw, rcx, rw, y, size)
        else:  # stacked: motto centred on top, body left, date right
            cx = A4_W / 2 if self.rng.random() < 0.5 else self.x0 + self.width / 2
            y = top + self.lh(size)
            self.line_centered(h.motto_upper, "B", size, cx, y, pg)
            pg.lines.append(h.motto_upper)
            y += self.lh(size)
            w2 = self.line_centered(h.motto_lower, "B", size + 0.5, cx, y, pg)
            pg.ops.append(RuleOp(cx - w2 / 2, y + 3, cx + w2 / 2, y + 3, 0.7))
            pg.lines.append(h.motto_lower)
            y += self.lh(size) * 0.8
            lw = self.width * 0.5
            lcx = self.x0 + lw / 2
            for i, ln in enumerate(h.body_lines):
                st = "B" if i >= h.bold_from else "R"
                y += self.lh(size)
                sz = self.fit_size(ln, st, size, lw)
                self.line_centered(ln, st, sz, lcx, y, pg)
                pg.lines.append(ln)
            y += self.lh(size)
            self.line_centered(h.number_line, "R", size, lcx, y, pg)
            pg.lines.append(h.number_line)
            for ln in h.under_number:
                y += self.lh(size)
                self.line_centered(ln, "R", size - 1, lcx, y, pg)
                pg.lines.append(ln)
            if h.place_date:
                y += self.lh(size)
                w = self.w(h.place_date, "I", size)
                pg.ops.append(TextOp(self.x1 - w, y, h.place_date, s.family, "I", size))
                pg.lines.append(h.place_date)
            self.y = y
        self.y += self.lh() * 0.6

    def header_marks(self, lcx: float, lw: float, rcx: float, rw: float, num_y: float, size: float) -> None:
        """Wide variation: what offices put on the header after printing, over the number and the
        date: a hanging seal, initials, a 'received' stamp with handwritten entries."""
        pg, rng = self.page, self.rng
        if rng.random() < 0.5:  # hanging seal on the issuer's name and number
            r = rng.uniform(40, 55)
            pg.ops.append(SealOp(lcx - lw * rng.uniform(0.05, 0.3), num_y - r * rng.uniform(0.4, 1.0), r,
                                 self.doc.signature.seal_ring, rng.randrange(1 << 30)))
            self.over_header.append("hanging_seal")
        if rng.random() < 0.45:  # initials across the number or the date
            cx = rng.choice([lcx, rcx])
            pg.ops.append(SignOp(cx - rng.uniform(10, 50), num_y - size * 1.6, rng.uniform(45, 80), size * 2.4,
                                 rng.randrange(1 << 30)))
            self.over_header.append("initials_over_number" if cx == lcx else "initials_over_date")
        if rng.random() < 0.45:  # received stamp over the date (its entries are distractors)
            w, h = rng.uniform(120, 150), rng.uniform(48, 58)
            got = rng.randint(1, 28), rng.randint(1, 12), self.doc_year() + rng.choice([0, 0, 1])
            self.stamp_entries = {"number": str(rng.randint(12, 4800)), "date": f"{got[2]:04d}-{got[1]:02d}-{got[0]:02d}"}
            lines = ["VĂN THƯ - ĐẾN", f"Số: {self.stamp_entries['number']}",
                     f"Ngày: {got[0]}/{got[1]}/{got[2]}", "Chuyển: " + rng.choice(["PHS", "Đ/c Hùng", "Lưu", "P.TH"])]
            pg.ops.append(StampOp(rcx - w / 2 + rng.uniform(-30, 30), num_y - h * rng.uniform(0.3, 0.8), w, h,
                                  rng.randrange(1 << 30), lines))
            self.over_header.append("stamp_over_date")

    def doc_year(self) -> int:
        m = re.search(r"(19|20)\d\d", self.doc.header.place_date or self.doc.header.number_line)
        return int(m.group(0)) if m else 2024

    def margin_notes(self) -> None:
        """Wide variation: handwritten notes in the margins of some pages."""
        for pg in self.pages:
            if self.rng.random() < 0.35:
                text = self.rng.choice(vocab.MARGIN_NOTES)
                if self.rng.random() < 0.5:  # left margin, written upwards, or top/bottom margin
                    pg.ops.append(NoteOp(4, self.rng.uniform(200, 600), max(self.s.margin_l - 8, 40), 110,
                                         self.rng.randrange(1 << 30), text))
                else:
                    pg.ops.append(NoteOp(self.rng.uniform(60, 380), self.rng.choice([6.0, A4_H - 42]), 150, 34,
                                         self.rng.randrange(1 << 30), text))

    def titles(self) -> None:
        s = self.s
        tsz = s.size + s.title_delta + (1 if len(self.doc.title) == 1 else 0)
        self.y += self.lh() * 0.4
        for t in self.doc.title:
            self.paragraph(t, "B", self.fit_size(t, "B", tsz, self.width) if len(t) < 60 else tsz, align="center")
        for t in self.doc.subtitle:
            self.paragraph(t, self.doc.subtitle_style, s.size, align="center")
        self.y += self.lh() * 0.3

    def block(self, b: Block, nxt: Block | None) -> None:
        s = self.s
        size = s.size + b.size
        if b.space_before:
            self.y += self.lh(size) * b.space_before
        if b.keep_with_next:
            self.need(self.lh(size) * 3)
        if b.kind == "para":
            self.paragraph(b.text, b.style, size, "justify", s.indent if b.indent else 0.0)
            self.y += s.para_space
        elif b.kind == "center":
            self.paragraph(b.text, b.style, size, "center")
        elif b.kind == "heading":
            self.paragraph(b.text, b.style, size, s.heading_align if not b.text.startswith("QUYẾT ĐỊNH") else "center")
        elif b.kind == "left":
            self.paragraph(b.text, b.style, size, "left", s.indent * 0.0)
        elif b.kind == "kv":
            left, right = b.cols
            tl = tokens(left, "R")
            lwid = sum(self.w(w, st, size) for w, st, in tl) + self.w(" ", "R", size) * len(tl)
            split_x = self.x0 + self.width * 0.6
            if self.x0 + lwid + 10 > split_x:
                self.paragraph(left, "R", size, "left")
                self.paragraph(right, "R", size, "left")
            else:
                self.need(self.lh(size))
                self.y += self.lh(size)
                self.emit_line([(w, st, self.w(w, st, size)) for w, st in tl], self.x0, self.width, size, "left", False)
                txt_l = self.page.lines.pop()
                tr = tokens(right, "R")
                self.emit_line([(w, st, self.w(w, st, size)) for w, st in tr], split_x, self.x1 - split_x, size, "left", False)
                txt_r = self.page.lines.pop()
                self.page.lines.append(f"{txt_l} {txt_r}")
            self.y += s.para_space
        elif b.kind == "spacer":
            self.y += self.lh(size)

    def signature(self) -> None:
        sig = self.doc.signature
        s = self.s
        size = s.size
        small = max(9.5, size - 2)
        rec = sig.recipients or []
        gap = 5.0 * self.lh(size)
        right_h = self.lh(size) * (len(sig.role_lines) + (1 if sig.signed_note else 0) + 1) + gap
        left_h = self.lh(small) * (len(rec) + 1) if rec else (110 if sig.photo else 0)
        self.y += self.lh(size) * 0.6
        self.need(max(right_h, left_h) + 10)
        pg = self.page
        top = self.y
        half = self.width * 0.5
        rcx = self.x0 + half + half / 2
        lcx = self.x0 + half / 2
        # left: recipients or photo or a second signer
        if rec:
            y = top + self.lh(small)
            pg.ops.append(TextOp(self.x0, y, "Nơi nhận:", s.family, "BI", small))
            pg.lines.append("Nơi nhận:")
            for r in rec:
                y += self.lh(small) * 0.95
                pg.ops.append(TextOp(self.x0, y, r, s.family, "R", small - 0.5))
                pg.lines.append(r)
        elif sig.photo:
            pw, ph = 3 * 28.35, 4 * 28.35
            px, py = lcx - pw / 2, top + 8
            pg.ops.append(PhotoOp(px, py, pw, ph, self.rng.randrange(1 << 30)))
            pg.ops.append(SealOp(px + pw, py + ph * 0.8, 40, sig.seal_ring, self.rng.randrange(1 << 30)))
        if sig.left_block and not rec:
            y = top + (self.lh(size) if not sig.photo else 4.3 * 28.35 + 24)
            for ln in sig.left_block:
                y += self.lh(size)
                st = "B" if ln == sig.left_block[0] else "I"
                self.line_centered(ln, st, size - 1, lcx, y, pg)
                pg.lines.append(ln)
        # right: signer
        y = top
        for ln in sig.role_lines:
            y += self.lh(size)
            sz = self.fit_size(ln, "B", size, half)
            self.line_centered(ln, "B", sz, rcx, y, pg)
            pg.lines.append(ln)
        if sig.signed_note:
            y += self.lh(size)
            self.line_centered(sig.signed_note, "I", size, rcx, y, pg)
            pg.lines.append(sig.signed_note)
        sig_top = y + 4
        y += gap
        name_w = self.line_centered(sig.name, "B", size, rcx, y, pg)
        pg.lines.append(sig.name)
        if sig.seal:
            radius = self.rng.uniform(52, 62)
            cx = rcx - self.rng.uniform(25, 60)
            cy = sig_top + (y - sig_top) / 2 + self.rng.uniform(-14, 6)
            pg.ops.append(SealOp(cx, cy, radius, sig.seal_ring, self.rng.randrange(1 << 30)))
        pg.ops.append(SignOp(rcx - max(name_w, 90) / 2 + self.rng.uniform(-10, 25), sig_top + gap * 0.15,
                             max(name_w, 90) * self.rng.uniform(0.7, 1.0), gap * 0.6, self.rng.randrange(1 << 30)))
        self.y = max(y, top + left_h)

    def run(self) -> list[Page]:
        self.new_page()
        self.header()
        self.titles()
        blocks = self.doc.blocks
        for i, b in enumerate(blocks):
            self.block(b, blocks[i + 1] if i + 1 < len(blocks) else None)
        self.signature()
        if self.s.marks:
            self.margin_notes()
        return self.pages


def layout(doc: Doc, style: Style, rng: random.Random) -> list[Page]:
    return Layout(doc, style, rng).run()
