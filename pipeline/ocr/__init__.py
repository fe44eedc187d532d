"""Pipeline step 2: page images, OCR and the searchable output PDF.

    from sohoa.pipeline.ocr.document import recognize, Recognized
    rec = recognize(doc, settings, workdir)

Modules, one job each:
    document   the stage functions one document goes through (plan, pages, assemble)
               and `recognize`, their composition in one call (tests, benchmarks)
    pages      page images out of a source document (pikepdf / pdftoppm / Pillow)
    preprocess grayscale, red-seal removal, deskew, rotation, denoise
    engine     tesseract subprocess: TSV words, OSD
    ocrpage    one page end to end (runs in a worker thread)
    pageimage  the page image kept for the PDF and the verifier (JPEG/PNG rules)
    textlayer  invisible text: glyphless Type0 font, ToUnicode, operators
    pdfout     the output PDF
    pdfa       its PDF/A-2b parts (OutputIntent, XMP, /Info)
    textpdf    born-digital PDFs: words from the text layer, no OCR

This file imports nothing: the modules import each other, never the package.
"""
