"""Document sections: the operative part ('QUYẾT ĐỊNH:' / 'TUYÊN XỬ' / 'Vì các lẽ trên')
and sentence/clause helpers. Distractor contexts are recognised here too."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .layout import Doc
from .normalize import fz

_HEADING = re.compile(r"^\W{0,3}(" + fz("quyet dinh") + "|" + fz("tuyen xu") + "|" + fz("xu") + "|"
                      + fz("quyet dinh cua toa an") + r")\s*[:.]?\s*$")
_VI_CAC_LE = re.compile(r"^\W{0,3}" + fz("vi cac le") + r"\s*(tren|nay)")
_END = re.compile(r"^\W{0,3}(" + fz("noi nhan") + r")\b")


@dataclass
class Range:
    start: int
    end: int
    conf: float  # how sure we are this is the operative part


def operative_range(doc: Doc, after: int = 0) -> Range:
    """The last operative heading of the document (a judgment quotes earlier decisions inline,
    never as a standalone heading), up to 'Nơi nhận'."""
    start = None
    conf = 0.0
    for s in doc.segments:
        if s.start < after:
            continue
        f = doc.folded[s.start:s.end]
        if _HEADING.match(f):
            start, conf = s.start, 1.0
        elif _VI_CAC_LE.match(f) and (start is None or conf < 1.0):
            start, conf = s.start, 0.95
    if start is None:
        return Range(after, len(doc.text), 0.6)
    end = len(doc.text)
    for s in doc.segments:
        if s.start > start and _END.match(doc.folded[s.start:s.end]):
            end = s.start
            break
    return Range(start, end, conf)


# contexts whose figures are not the document's own decision
DISTRACTOR = re.compile("|".join([
    fz("de nghi"), fz("vien kiem sat"), fz("kiem sat vien"), fz("luan toi"),
    fz("tai ban an") + r"[^.;]{0,40}" + fz("so tham"), fz("an so tham da"), fz("toa an cap so tham"),
    fz("tien an"), fz("tien su"), fz("da bi xu phat"), fz("da tung bi"),
]))
FEE = re.compile("|".join([fz("an phi"), fz("boi thuong"), fz("tich thu"), fz("sung cong"), fz("tra lai"),
                           fz("le phi"), fz("tam ung"), fz("truy thu"), fz("cap duong")]))


def sentences(doc: Doc, start: int, end: int) -> list[tuple[int, int]]:
    """Split [start, end) into sentences/clauses: '.', ';' or a line starting with '-', a digit or a capital.

    A dot standing apart before a word in lower case ('... cho hưởng án .' / 'treo, thời gian thử
    thách ...') is a speck read as a dot, not the end of a sentence."""
    folded, text = doc.folded, doc.text
    out = []
    a = start
    for m in re.finditer(r"(?:[.;](?=\s)|\n(?=\s*[-+•*]|\s*\d+[.)]\s|\s*[a-zđ]\)\s))", folded[start:end]):
        b = start + m.end()
        if folded[b - 1] == "." and b - 2 >= start and folded[b - 2].isspace():
            nxt = re.match(r"\s*(\w)", text[b:b + 8])
            if nxt and nxt.group(1).islower():
                continue
        if b - a > 1:
            out.append((a, b))
        a = b
    if end - a > 1:
        out.append((a, end))
    return out
