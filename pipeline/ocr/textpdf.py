"""Words of a born-digital PDF from its text layer (no OCR).

pdfplumber gives words with positions (PDF points, top-left origin); they are
grouped into lines (vertical overlap, split at column-sized gaps) and blocks
(a vertical gap larger than a line), numbered page-uniquely in reading order
(top to bottom, left to right).
"""
from __future__ import annotations

import statistics
import unicodedata

from sohoa.core.errors import RejectedInput
from sohoa.core.types import PageText, SourceDocument, Word


def _lines(words: list[dict]) -> list[list[dict]]:
    words = sorted(words, key=lambda w: (round(w["top"], 1), w["x0"]))
    rows: list[list[dict]] = []
    for w in words:
        h = max(w["bottom"] - w["top"], 0.1)
        mid = (w["top"] + w["bottom"]) / 2
        for row in reversed(rows[-3:]):
            rt = statistics.median(x["top"] for x in row)
            rb = statistics.median(x["bottom"] for x in row)
            if rt - 0.25 * h <= mid <= rb + 0.25 * h and abs((rb - rt) - h) < 0.6 * max(h, rb - rt):
                row.append(w)
                break
        else:
            rows.append([w])
    out: list[list[dict]] = []
    for row in rows:
        row.sort(key=lambda w: w["x0"])
        size = statistics.median(w["bottom"] - w["top"] for w in row)
        cur = [row[0]]
        for w in row[1:]:
            if w["x0"] - cur[-1]["x1"] > 3.0 * size:  # a column gap, not a word gap
                out.append(cur)
                cur = [w]
            else:
                cur.append(w)
        out.append(cur)
    out.sort(key=lambda r: (min(w["top"] for w in r), r[0]["x0"]))
    return out


def page_words(page) -> list[Word]:
    raw = page.extract_words(keep_blank_chars=False, use_text_flow=False, x_tolerance=1.5, y_tolerance=3)
    raw = [w for w in raw if w["text"].strip()]
    if not raw:
        return []
    lines = _lines(raw)
    words: list[Word] = []
    block = 1
    prev = None
    for ln, row in enumerate(lines, 1):
        top = min(w["top"] for w in row)
        bottom = max(w["bottom"] for w in row)
        if prev is not None:
            ptop, pbottom, px0 = prev
            height = max(pbottom - ptop, bottom - top, 1.0)
            if top - pbottom > 0.9 * height or top < ptop - 0.5 * height:
                block += 1
        prev = (top, bottom, row[0]["x0"])
        for w in row:
            text = unicodedata.normalize("NFC", w["text"])
            words.append(Word(text, 1.0, (float(w["x0"]), float(w["top"]), float(w["x1"]), float(w["bottom"])), ln, block))
    return words


def read_text_pdf(doc: SourceDocument) -> list[PageText]:
    import pdfplumber

    try:
        pages: list[PageText] = []
        with pdfplumber.open(doc.files[0].path) as pdf:
            for i, page in enumerate(pdf.pages, 1):
                pages.append(PageText(i, float(page.width), float(page.height), page_words(page), source="text_layer"))
                page.flush_cache()
    except RejectedInput:
        raise
    except Exception as exc:  # pdfminer raises many kinds on broken files
        msg = str(exc).strip().splitlines()
        raise RejectedInput(doc.relpath, f"cannot read PDF text layer ({(msg[0] if msg else type(exc).__name__)[:200]})") from None
    if not pages:
        raise RejectedInput(doc.relpath, "PDF has no pages")
    return pages
