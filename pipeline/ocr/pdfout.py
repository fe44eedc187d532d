"""Assemble the searchable output PDF: one page per page image, text layer on top.

Page size = image size at its dpi (turned a quarter when the OCR turned it).
Each page draws its image over the whole page -- the scan's own pixels, turned
and deskewed by the drawing matrix (pageimage.placement) -- then the invisible
text (textlayer). One glyphless font object is
shared by all pages. The file is PDF/A-2b (pdfa.py: sRGB OutputIntent, XMP
with the pdfaid claim, /Info mirroring it, trailer /ID); no signature: the
signing stage adds its marker, XMP properties and signature to this file.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from sohoa.core.types import Word
from sohoa.pipeline.ocr import pdfa, textlayer
from sohoa.pipeline.ocr.pageimage import PageImage, embed, placement


@dataclass
class OutPage:
    image: PageImage
    words: list[Word]
    line_boxes: dict[int, tuple[float, float]] = field(default_factory=dict)


def _f(v: float) -> str:
    return f"{v:.4f}".rstrip("0").rstrip(".")


def write_pdf(pages: list[OutPage], path: Path, *, created: datetime | None = None) -> Path:
    """Write the searchable PDF/A-2b; `created` (default now) is its creation date in XMP and /Info."""
    import pikepdf
    from pikepdf import Array, Dictionary, Name

    pdf = pikepdf.new()
    codes: set[int] = set()
    for p in pages:
        codes |= textlayer.codes_of(p.words)
    font = textlayer.make_font(pdf, codes) if any(p.words for p in pages) else None
    for p in pages:
        w_pt, h_pt = p.image.size_pt
        xobj = pdf.make_indirect(embed(pdf, p.image))
        cm = " ".join(_f(v) for v in placement(p.image))  # the scan, turned and deskewed as OCR'd
        ops = f"q {cm} cm /Im0 Do Q\n".encode("ascii")
        resources = Dictionary(XObject=Dictionary(Im0=xobj))
        if p.words and font is not None:
            ops += textlayer.content(p.words, h_pt, p.line_boxes)
            resources["/Font"] = Dictionary(F0=font)
        contents = pdf.make_indirect(pikepdf.Stream(pdf, ops))
        page = Dictionary(
            Type=Name("/Page"),
            MediaBox=Array([0, 0, float(_f(w_pt)), float(_f(h_pt))]),
            Resources=resources,
            Contents=contents,
        )
        pdf.pages.append(pikepdf.Page(page))
    pdfa.apply(pdf, created=created)
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.save(
        path,
        compress_streams=True,
        object_stream_mode=pikepdf.ObjectStreamMode.disable,
        fix_metadata_version=False,
        min_version="1.7",  # PDF/A-2 is based on PDF 1.7 (OutputIntents, ICC v4 profile)
    )
    return path
