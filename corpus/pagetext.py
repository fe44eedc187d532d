"""Lay text lines out as PageText (for tests and tools): plausible word boxes in PDF points.

    pages = lay_out([
        ("TÒA ÁN NHÂN DÂN", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),   # two columns
        ("QUẬN CẦU GIẤY", "Độc lập - Tự do - Hạnh phúc"),
        {"text": "BẢN ÁN", "align": "center"},
        "Bị cáo: Nguyễn Văn An, sinh ngày ...",
        {"text": "...", "conf": 0.6},                                   # low OCR confidence
    ], conf=0.95, source="ocr")
"""
from __future__ import annotations

import unicodedata
from typing import Any

from sohoa.core.types import PageText, Word

PAGE_W, PAGE_H = 595.0, 842.0
MARGIN = 56.0
LINE_H = 17.0
FONT = 12.0
CHAR_W = 5.6


def _words(text: str, x: float, top: float, conf: float | list[float], line: int, block: int,
           conf_of=None) -> list[Word]:
    out = []
    for k, w in enumerate(text.split()):
        width = max(CHAR_W, CHAR_W * len(w))
        c = conf[k] if isinstance(conf, list) and k < len(conf) else (conf if not isinstance(conf, list) else 0.95)
        if conf_of is not None and w in conf_of:
            c = conf_of[w]
        out.append(Word(unicodedata.normalize("NFC", w), float(c), (x, top, x + width, top + FONT), line, block))
        x += width + CHAR_W
    return out


def _width(text: str) -> float:
    ws = text.split()
    return sum(max(CHAR_W, CHAR_W * len(w)) for w in ws) + CHAR_W * max(0, len(ws) - 1)


def lay_out(items: list[Any], conf: float = 1.0, source: str = "text_layer",
            conf_of: dict[str, float] | None = None, separate_columns: bool = False) -> list[PageText]:
    """Lines -> pages. An item is a str, a (left, right) tuple, or a dict
    {text, align: left|center|right, conf, indent}. `conf_of` overrides the confidence of given words.
    `separate_columns` emits the right column of a two-column line as its own OCR line (as Tesseract does).
    """
    pages: list[PageText] = []
    words: list[Word] = []
    top = MARGIN
    line = 0
    block = 0

    def flush():
        nonlocal words, top
        pages.append(PageText(len(pages) + 1, PAGE_W, PAGE_H, words, source=source))  # type: ignore[arg-type]
        words = []
        top = MARGIN

    for it in items:
        if top + LINE_H > PAGE_H - MARGIN:
            flush()
        if it is None or it == "":
            top += LINE_H
            block += 1
            continue
        if isinstance(it, tuple):
            left, right = it
            if left:
                words += _words(left, MARGIN + max(0, (220 - _width(left)) / 2), top, conf, line, block, conf_of)
            if right:
                if separate_columns:
                    line += 1
                x = 300 + max(0, (240 - _width(right)) / 2)
                words += _words(right, x, top, conf, line, block + 1000, conf_of)
        else:
            d = it if isinstance(it, dict) else {"text": it}
            text = d["text"]
            c = d.get("conf", conf)
            align = d.get("align", "left")
            w = _width(text)
            usable = PAGE_W - 2 * MARGIN
            if align == "center":
                x = MARGIN + max(0, (usable - w) / 2)
            elif align == "right":
                x = max(MARGIN, PAGE_W - MARGIN - w)
            else:
                x = MARGIN + d.get("indent", 0)
            # wrap long lines
            chunk: list[str] = []
            for tok in text.split():
                if chunk and _width(" ".join(chunk + [tok])) > usable:
                    words += _words(" ".join(chunk), x, top, c, line, block, conf_of)
                    line += 1
                    top += LINE_H
                    if top + LINE_H > PAGE_H - MARGIN:
                        flush()
                    chunk = []
                    x = MARGIN
                chunk.append(tok)
            if chunk:
                words += _words(" ".join(chunk), x, top, c, line, block, conf_of)
        line += 1
        top += LINE_H
    if words or not pages:
        flush()
    return pages
