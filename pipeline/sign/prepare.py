"""prepare_pdf: XMP metadata + the visible "SAO Y" marker, before signing."""
from __future__ import annotations

import io
from typing import Any

import pikepdf

from .marker import ConversionMarker
from .stamp import draw_marker
from .xmp import write_xmp


def _producer(marker: ConversionMarker) -> str:
    return f"{marker.software} (pikepdf {pikepdf.__version__}, pyHanko)"


def prepare_pdf(pdf_in: bytes, marker: ConversionMarker, fields: dict[str, object],
                archival: dict[str, object], words: list[tuple[float, float, float, float]]
                | None = None, ink: Any = None) -> bytes:
    """Return a copy of pdf_in with the conversion marker drawn and the XMP written.

    words: page 1's word boxes (x0, top, x1, bottom; points, top-left origin), so
    the visible marker is put where it covers no text (the scan's ink is tested too).
    ink: page 1's ink mask (pipeline.ink.ink_mask) when the caller has the pixels;
    else page 1's scan is decoded for it.

    PDF/A: a PDF/A claim (pdfaid) the input already makes -- e.g. from the OCR
    stage -- is kept, and the private namespaces are declared as PDF/A
    extension schemas; no claim is added to a document that lacks one.
    """
    with pikepdf.open(io.BytesIO(pdf_in)) as pdf:
        if len(pdf.pages) == 0:
            raise ValueError("PDF has no pages")
        if pdf.is_encrypted:
            raise ValueError("PDF is encrypted")
        draw_marker(pdf, marker.visible_lines(), words, ink)
        write_xmp(pdf, marker, fields, archival, producer=_producer(marker))
        out = io.BytesIO()
        pdf.save(
            out,
            stream_decode_level=pikepdf.StreamDecodeLevel.none,
            object_stream_mode=pikepdf.ObjectStreamMode.preserve,
            compress_streams=True,
            recompress_flate=False,
            # write_xmp wrote the packet; pikepdf would parse and re-serialise it
            # (~1 ms) only to correct a pdf:PDFVersion, which is left as the input had it
            fix_metadata_version=False,
        )
    return out.getvalue()
