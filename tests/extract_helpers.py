"""Scaffolding shared by the extractor tests (tests/test_extract_*.py): reading a laid-out document,
the header of a decision or certificate, and checking the fields read."""
from __future__ import annotations

from sohoa.corpus.pagetext import lay_out
from sohoa.pipeline.extract import extract

HIGH = 0.9
MOTTO = ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc"]


def vals(ex) -> dict:
    """The value of each field read."""
    return {k: v.value for k, v in ex.fields.items()}


def read(items, **layout):
    """extract() over `items` laid out as pages (`layout`: lay_out's keywords: conf, source, ...)."""
    return extract(lay_out(items, **layout))


def read_ocr(items, conf: float = 0.96, **layout):
    """As read() with the words marked as OCR output at confidence `conf`."""
    return read(items, conf=conf, source="ocr", **layout)


def decision_header(body_lines, place_date, number, title_lines) -> list:
    """The header of a decision or certificate: the issuing body's lines beside the motto, the number
    beside place and date, then the centred title lines."""
    out = []
    for i, b in enumerate(body_lines):
        out.append((b, MOTTO[i] if i < 2 else None))
    out.append(("Số: " + number, place_date))
    out += [{"text": t, "align": "center"} for t in title_lines]
    return out


def assert_fields(ex, expected: dict, absent=(), confident=()) -> None:
    """Each field of `expected` read with that value, none of `absent` read, and each of `confident`
    read at HIGH confidence or more."""
    v = vals(ex)
    for k, want in expected.items():
        assert k in v and v[k] == want, (k, v.get(k), want)
    for k in absent:
        assert k not in v, (k, v[k])
    for k in confident:
        assert ex.fields[k].confidence >= HIGH, (k, ex.fields[k])
