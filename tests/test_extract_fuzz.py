"""extract() must never raise, whatever the OCR gives it (a crash loses every field of the document)."""
from __future__ import annotations

import random

from extract_documents import codefendants_judgment, judgment_st
from sohoa.core.types import PageText, Word
from sohoa.corpus.pagetext import lay_out
from sohoa.pipeline.extract import extract

_JUNK = "0123456789OoIl|!?.,;:()\"'“”-–/\\ ĐđƯơăâêôưÁÀẢÃẠáàảãạếềểễệ*#@~_"


def _texts(items):
    out = []
    for it in items:
        if isinstance(it, str):
            out.append(it)
        elif isinstance(it, dict):
            out.append(it["text"])
        elif isinstance(it, tuple):
            out.extend(x for x in it if x)
    return out


def _mutate(lines, rng: random.Random):
    lines = list(lines)
    op = rng.random()
    if op < 0.25:
        rng.shuffle(lines)
    out = []
    for ln in lines:
        ws = ln.split()
        new = []
        for w in ws:
            r = rng.random()
            if r < 0.08:
                continue  # word deleted
            if r < 0.25:
                w = "".join(rng.choice(_JUNK) if rng.random() < 0.3 else c for c in w)
            if r > 0.97:
                new.append(w + rng.choice(_JUNK))
            else:
                new.append(w)
        if rng.random() < 0.05:
            continue  # line lost
        if rng.random() < 0.1 and new:
            k = rng.randrange(len(new))
            out.append(" ".join(new[:k]))
            out.append(" ".join(new[k:]))
        else:
            out.append(" ".join(new))
    return [x for x in out if x.strip()]


def test_extract_never_raises_on_mutated_documents():
    rng = random.Random(1234)
    bases = [_texts(judgment_st()), _texts(codefendants_judgment())]
    for i in range(60):
        lines = _mutate(rng.choice(bases), rng)
        pages = lay_out(lines or ["?"], conf=rng.choice([0.3, 0.7, 0.95]), source="ocr")
        ex = extract(pages)  # must not raise
        for f in ex.fields.values():
            assert 0.0 <= f.confidence <= 1.0


def test_extract_never_raises_on_degenerate_pages():
    odd = [
        [],
        [PageText(1, 595, 842, [])],
        [PageText(1, 595, 842, [Word("", 0.0, (0, 0, 0, 0), 0, 0)])],
        [PageText(1, 0, 0, [Word("Điều", 0.5, (10, 10, 5, 5), 0, 0), Word("?", 0.1, (0, 0, 0, 0), 0, 0)])],
        lay_out(["QUYẾT ĐỊNH:", "Điều ? Điều 99999 khoản", "phạm tội \"\"", "Xử phạt bị cáo 999 năm 999 tháng tù"]),
        lay_out(["BẢN ÁN", "Số: ///HS-ST", "QUYẾT ĐỊNH:", "phạm tội \"Ab cd\" và tội \"Ef gh\" Điều ?? Bộ luật Hình sự"]),
    ]
    for pages in odd:
        extract(pages)
