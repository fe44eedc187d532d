"""One document through the OCR stage, out of the functions production runs.

The staged pipeline (pipeline.orchestrate) runs them one by one, each result
saved in the document's work area:

    plan_pages (pages.py)  ->  process_page (ocrpage.py), each page  ->  assemble (here)

and a born-digital PDF takes `read_text_document` instead. `recognize` is the
same composition in one call, for tests and benchmarks: it adds nothing but
the loop over pages (optionally on threads, as the workers run pages side by
side).
"""
from __future__ import annotations

import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from sohoa.core.config import Settings
from sohoa.core.errors import RejectedInput
from sohoa.core.types import PageText, SourceDocument
from sohoa.pipeline.ocr.ocrpage import PageResult, process_page
from sohoa.pipeline.ocr.pages import plan_pages
from sohoa.pipeline.ocr.pdfout import write_pdf
from sohoa.pipeline.ocr.textpdf import read_text_pdf

OUTPUT_NAME = "ocr.pdf"


@dataclass
class Recognized:
    pages: list[PageText]
    pdf_path: Path  # the searchable PDF, unsigned
    ocr_used: bool
    # the archived page images in the work area, one per page: the scan's own pixels
    # (or JPEG bytes) in the scan's orientation, which the output page draws turned
    # and deskewed (pageimage.placement). Empty for born-digital PDFs.
    page_images: list[Path] = field(default_factory=list)
    ink: np.ndarray | None = None  # page 1's ink mask from the OCR'd pixels (None for a text PDF)


def read_text_document(doc: SourceDocument, out_pdf: Path) -> Recognized:
    """A born-digital PDF: words from its text layer, the file itself as the output PDF."""
    pages = read_text_pdf(doc)
    out_pdf.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(doc.files[0].path, out_pdf)
    return Recognized(pages, out_pdf, ocr_used=False)


def assemble(results: list[PageResult], out_pdf: Path, workdir: Path) -> Recognized:
    """The searchable PDF/A out of the processed pages, in page order; the decoded
    source pages in `workdir` are not needed any more and are removed."""
    write_pdf([r.out for r in results], out_pdf)
    shutil.rmtree(workdir / "src", ignore_errors=True)
    return Recognized(
        pages=[r.text for r in results],
        pdf_path=out_pdf,
        ocr_used=True,
        page_images=[r.out.image.path for r in results],
        ink=results[0].ink if results else None,
    )


def recognize(doc: SourceDocument, settings: Settings, workdir: Path) -> Recognized:
    """Text and positions of every page of `doc`, and its searchable PDF in `workdir`.

    Raises RejectedInput when the document's content cannot be decoded.
    """
    workdir = Path(workdir)
    workdir.mkdir(parents=True, exist_ok=True)
    out_pdf = workdir / OUTPUT_NAME
    if doc.kind == "pdf_text":
        return read_text_document(doc, out_pdf)
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
                try:
                    results = [f.result() for f in futures]
                except BaseException:
                    for f in futures:  # the first failure rejects the document: stop the rest
                        f.cancel()
                    raise
    except BaseException:
        shutil.rmtree(workdir / "src", ignore_errors=True)
        raise
    return assemble(results, out_pdf, workdir)
