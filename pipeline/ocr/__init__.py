"""Pipeline step 2: page images, OCR and the searchable output PDF.

    from sohoa.pipeline.ocr import recognize, Recognized
    rec = recognize(doc, settings, workdir)

Modules, one job each:
    pages      page images out of a source document (pikepdf / pdftoppm / Pillow)
    preprocess grayscale, red-seal removal, deskew, rotation, denoise
    engine     tesseract subprocess: TSV words, OSD
    ocrpage    one page end to end (runs in a worker thread)
    pageimage  the page image kept for the PDF and the verifier (JPEG/PNG rules)
    textlayer  invisible text: glyphless Type0 font, ToUnicode, operators
    pdfout     the output PDF
    pdfa       its PDF/A-2b parts (OutputIntent, XMP, /Info) and check_pdfa
    textpdf    born-digital PDFs: words from the text layer, no OCR
    synth      synthetic scanned pages for tests and benchmarks
"""
from __future__ import annotations

import shutil
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path

from sohoa.core.errors import RejectedInput
from sohoa.core.types import PageText, SourceDocument

__all__ = ["recognize", "Recognized"]

OUTPUT_NAME = "ocr.pdf"


@dataclass
class Recognized:
    pages: list[PageText]
    pdf_path: Path  # the searchable PDF, in workdir, unsigned
    ocr_used: bool
    # cleaned page images in workdir, one per page, in the output PDF's frame:
    # a Word's bbox in points is pixels * 72 / dpi of the image (dpi saved in
    # the file). Empty for born-digital PDFs.
    page_images: list[Path] = field(default_factory=list)


def recognize(doc: SourceDocument, settings, workdir: Path) -> Recognized:
    """Text and positions of every page of `doc`, and its searchable PDF in `workdir`.

    Raises RejectedInput when the document's content cannot be decoded.
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    out_pdf = workdir / OUTPUT_NAME
    if doc.kind == "pdf_text":
        from sohoa.pipeline.ocr.textpdf import read_text_pdf

        pages = read_text_pdf(doc)
        shutil.copyfile(doc.files[0].path, out_pdf)
        return Recognized(pages, out_pdf, ocr_used=False, page_images=[])

    from sohoa.pipeline.ocr.ocrpage import process_page
    from sohoa.pipeline.ocr.pages import plan_pages
    from sohoa.pipeline.ocr.pdfout import write_pdf

    sources = plan_pages(doc, settings, workdir)
    if not sources:
        raise RejectedInput(doc.relpath, "no pages")
    jobs = max(1, min(int(settings.jobs), len(sources)))
    try:
        if jobs == 1:
            results = [process_page(doc, s, settings, workdir) for s in sources]
        else:
            with ThreadPoolExecutor(jobs, thread_name_prefix="ocr") as ex:
                futures = [ex.submit(process_page, doc, s, settings, workdir) for s in sources]
                done, _ = wait(futures, return_when=FIRST_EXCEPTION)
                failed = [f for f in futures if f.done() and f.exception() is not None]
                if failed:
                    for f in futures:
                        f.cancel()
                    raise failed[0].exception()
                results = [f.result() for f in futures]
    finally:
        shutil.rmtree(workdir / "src", ignore_errors=True)
    write_pdf([r.out for r in results], out_pdf)
    return Recognized(
        pages=[r.text for r in results],
        pdf_path=out_pdf,
        ocr_used=True,
        page_images=[r.out.image.path for r in results],
    )
