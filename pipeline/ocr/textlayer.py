"""Invisible text layer over a page image.

Font: Tesseract's "GlyphLessFont" (glyphless.ttf, a copy of tessdata's
pdf.ttf, Apache-2.0): a Type0 font, Identity-H encoding, descendant
CIDFontType2 with every CID mapped to the one empty glyph, /DW 500 (each
character is half an em wide). Text is written as UTF-16BE code units, so the
2-byte code of a character *is* its Unicode value; the ToUnicode CMap maps
exactly the codes used in the document back to Unicode, so pdftotext and
pdfplumber return the OCR text (NFC, with its diacritics).

Each word is one BT..ET in render mode 3 (invisible): font size = its line's
height, baseline at the line's bottom, and horizontal scaling (Tz) so the
word's characters span the word's image box. Words other than the last in
a line carry a trailing space so extractors see the word gaps. The font's
/Ascent 1000 /Descent -1 make a character's extracted box run from the
baseline to one font size above it, i.e. over the line box.
"""
from __future__ import annotations

import zlib
from importlib import resources
from pathlib import Path

from sohoa.core.types import Word

CHAR_WIDTH = 500  # glyph advance in 1/1000 em (/DW)
FONT_NAME = "/F0"
REPLACEMENT = 0xFFFD


def font_program() -> bytes:
    here = Path(__file__).with_name("glyphless.ttf")
    if here.exists():
        return here.read_bytes()
    return resources.files("sohoa.pipeline.ocr").joinpath("glyphless.ttf").read_bytes()


def _code(ch: str) -> int:
    cp = ord(ch)
    return cp if cp <= 0xFFFF and not 0xD800 <= cp <= 0xDFFF else REPLACEMENT


def to_unicode_cmap(codes: set[int]) -> bytes:
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
        "/CMapName /Adobe-Identity-UCS def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        "<0000> <FFFF>",
        "endcodespacerange",
    ]
    ordered = sorted(codes)
    for i in range(0, len(ordered), 100):
        chunk = ordered[i : i + 100]
        lines.append(f"{len(chunk)} beginbfchar")
        lines.extend(f"<{c:04X}> <{c:04X}>" for c in chunk)
        lines.append("endbfchar")
    lines += ["endcmap", "CMapName currentdict /CMapResource defineresource pop", "end", "end"]
    return ("\n".join(lines) + "\n").encode("ascii")


def make_font(pdf, codes: set[int]):
    """The Type0 glyphless font as an indirect object of `pdf`."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name

    prog = font_program()
    font_file = pikepdf.Stream(pdf, prog)
    font_file["/Length1"] = len(prog)
    # every CID -> glyph 1 (the empty glyph)
    cid_to_gid = pikepdf.Stream(pdf, zlib.compress(b"\x00\x01" * 65536))
    cid_to_gid["/Filter"] = Name("/FlateDecode")
    descriptor = pdf.make_indirect(
        Dictionary(
            Type=Name("/FontDescriptor"),
            FontName=Name("/GlyphLessFont"),
            Flags=5,
            FontBBox=Array([0, 0, CHAR_WIDTH, 1000]),
            ItalicAngle=0,
            Ascent=1000,
            Descent=-1,
            CapHeight=1000,
            StemV=80,
            FontFile2=pdf.make_indirect(font_file),
        )
    )
    cidfont = pdf.make_indirect(
        Dictionary(
            Type=Name("/Font"),
            Subtype=Name("/CIDFontType2"),
            BaseFont=Name("/GlyphLessFont"),
            CIDSystemInfo=Dictionary(Registry=pikepdf.String("Adobe"), Ordering=pikepdf.String("Identity"), Supplement=0),
            FontDescriptor=descriptor,
            DW=CHAR_WIDTH,
            CIDToGIDMap=pdf.make_indirect(cid_to_gid),
        )
    )
    tounicode = pikepdf.Stream(pdf, to_unicode_cmap(codes | {0x20}))
    return pdf.make_indirect(
        Dictionary(
            Type=Name("/Font"),
            Subtype=Name("/Type0"),
            BaseFont=Name("/GlyphLessFont"),
            Encoding=Name("/Identity-H"),
            DescendantFonts=Array([cidfont]),
            ToUnicode=pdf.make_indirect(tounicode),
        )
    )


def codes_of(words: list[Word]) -> set[int]:
    return {_code(ch) for w in words for ch in w.text}


def _f(v: float) -> str:
    s = f"{v:.2f}".rstrip("0").rstrip(".")
    return s if s not in ("-0", "") else "0"


def content(words: list[Word], page_height: float, line_boxes: dict[int, tuple[float, float]] | None = None) -> bytes:
    """Content-stream operators drawing `words` invisibly.

    words: bboxes in PDF points, top-left origin. line_boxes: line number ->
    (top, bottom) of the whole line, also top-left origin; a word's own box
    is used when its line is missing.
    """
    if not words:
        return b""
    by_line: dict[int, list[Word]] = {}
    for w in words:
        by_line.setdefault(w.line, []).append(w)
    out = ["BT", "3 Tr"]
    for ln, ws in sorted(by_line.items()):
        ws = sorted(ws, key=lambda w: w.bbox[0])
        for i, w in enumerate(ws):
            x0, top, x1, bottom = w.bbox
            if line_boxes and ln in line_boxes:
                ltop, lbottom = line_boxes[ln]
                top, bottom = min(top, ltop), max(bottom, lbottom)
            size = max(bottom - top, 1.0)
            text = w.text + (" " if i < len(ws) - 1 else "")
            n = len(w.text)
            if n == 0:
                continue
            natural = n * CHAR_WIDTH / 1000.0 * size
            tz = max(1.0, 100.0 * max(x1 - x0, 0.5) / natural)
            hexcodes = "".join(f"{_code(ch):04X}" for ch in text)
            baseline = page_height - bottom
            out.append(f"{FONT_NAME} {_f(size)} Tf {_f(tz)} Tz 1 0 0 1 {_f(x0)} {_f(baseline)} Tm <{hexcodes}> Tj")
    out.append("ET")
    return ("\n".join(out) + "\n").encode("ascii")
