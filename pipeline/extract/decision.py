"""Decisions and certificates of seed 004 Art. 13.2: judgment executed, effective date,
duration (postponed / suspended / reduced / probation shortened), penalty stated."""
from __future__ import annotations

import re

from . import doubts
from . import evidence as ev
from .confidence import Candidate, base, number_candidate, weigh_term
from .dates import find_dates
from .evidence import applied
from .header import parse_number
from .judgment import FIGURE_SURE, Penalty, term_doubts
from .layout import Doc
from .normalize import fz
from .numbers import find_durations
from .sections import Range, sentences

_JREF = re.compile(r"(?<![\w/])([0-9OoIl]{1,5}\s*/\s*[0-9OoIl]{4}\s*/\s*(?:hs\s*-?\s*[s5p][t7]|[s5p][t7]\s*-\s*hs))(?![\w])")


def find_judgment_ref(doc: Doc, after: int, own_number: str | None) -> list[Candidate]:
    refs: dict[str, list[Candidate]] = {}
    for m in _JREF.finditer(doc.folded, after):
        num = parse_number(doc.text[m.start(1):m.end(1)])
        if num is None or (own_number and num.value == own_number):
            continue
        ctx = doc.folded[max(0, m.start() - 80):m.start()]
        method = 0.97 if re.search(fz("ban an"), ctx) else 0.85
        if re.search(fz("tien an") + "|" + fz("da bi xu phat"), ctx):
            method *= 0.5
        c = number_candidate(doc, num.value, m.start(1), m.end(1), method, f"ref{len(refs.get(num.value, []))}",
                             num.repairs, per_repair=ev.NUMBER_DIGITS_REPAIRED)
        # 'số 35/2020/HS-ST ngày 11-11-2020': the judgment's date, printed with it, has the number's year
        # ('35/2029/HS-ST ngày 11-11-2020': one of the two years misread under a mark)
        dated = [d for d in find_dates(doc.folded, m.end(), min(len(doc.folded), m.end() + 40)) if d.start - m.end() <= 12]
        if dated and num.year is not None and dated[0].year != num.year:
            c.adjust(ev.NUMBER_YEAR_DISAGREES)
        figures = [w for w in (c.span.words if c.span is not None else []) if any(ch.isdigit() for ch in w.text)]
        if any(w.confidence < FIGURE_SURE and not w.verified for w in figures):
            c.adjust(doubts.NUMBER_FIGURE_WEAK)
        refs.setdefault(num.value, []).append(c)
    if not refs:
        return []
    appeal = appeal_cited(doc, after)
    if len(refs) == 1:
        cs = next(iter(refs.values()))
        if appeal is not None and not next(iter(refs)).endswith("PT"):
            # the text cites an appeal judgment whose number was not read as one ('268/2026/HS' under a
            # seal): the first-instance number read is not the judgment executed
            for c in cs:
                c.adjust(ev.SEVERAL_JUDGMENTS_CITED, detail=f"{next(iter(refs))}, {appeal}")
        return cs
    # several judgments cited (first instance + appeal): the appeal judgment is the one executed
    # when both are cited, but this is a judgement call -> low confidence
    pts = [k for k in refs if k.endswith("PT")]
    chosen = pts[0] if len(pts) == 1 else next(iter(refs))
    best = max(refs[chosen], key=lambda c: c.conf)
    best.adjust(ev.SEVERAL_JUDGMENTS_CITED, detail=", ".join(refs))
    return [best]


# 'Bản án hình sự phúc thẩm số 268/2026/HS-PT': an appeal judgment cited, whatever its number reads as
_APPEAL_CITED = re.compile(fz("ban an") + r"\s*(?:" + fz("hinh su") + r"\s*)?" + fz("phuc tham")
                           + r"\s*(?:" + fz("so") + r")?\s*[:.]?\s*(?P<num>\S{0,24})")


def appeal_cited(doc: Doc, after: int) -> str | None:
    """The number (as printed, maybe unreadable) of an appeal judgment the text cites, or None."""
    m = _APPEAL_CITED.search(doc.folded, after)
    if m is None:
        return None
    return doc.text[m.start("num"):m.end("num")] or "?"


_EFFECTIVE = [
    (fz("co hieu luc") + r"\s*(?:" + fz("thi hanh") + r"|" + fz("phap luat") + r")?\s*(?:" + fz("ke") + r")?\s*"
     + fz("tu") + r"\s*" + fz("ngay"), 0.97, "hieu_luc"),
    (fz("ngay quyet dinh co hieu luc") + r"\s*[:]?", 0.97, "hieu_luc"),
    (fz("ngay co hieu luc") + r"\s*[:]?", 0.96, "hieu_luc"),
]
_COMPLETION = [
    (fz("ngay chap hanh xong") + r"\s*[:]?", 0.96, "xong"),
    (fz("chap hanh xong") + r"[^.;\n]{0,120}?(?:" + fz("ke tu ngay") + "|" + fz("vao ngay") + "|" + fz("tu ngay")
     + "|" + fz("ngay") + r")", 0.93, "xong"),
]
_EXPUNGE = [
    (fz("xoa an tich") + r"[^.;\n]{0,60}?(?:" + fz("ke tu ngay") + "|" + fz("tu ngay") + "|" + fz("ngay") + ")", 0.95,
     "xoa"),
]


# a document cited between the anchor and its 'ngày' ('số 474/CV-THAHS ngày'): that date is the cited paper's
_CITED_DOCUMENT = re.compile(r"(?<![a-z])so\s*:?\s*\d+\s*/")


def find_effective(doc: Doc, kind: str | None, issue: Candidate | None, after: int) -> list[Candidate]:
    cands: list[Candidate] = []
    pats = list(_EFFECTIVE)
    if kind == "completion":
        pats = _COMPLETION + pats
    if kind == "expunge":
        pats = _EXPUNGE + pats
    # 'có hiệu lực (thi hành) ngay' / '... kể từ ngày ký' -> the issue date
    if kind == "expunge":
        # 'Kể từ ngày 28 tháng 2 năm 2025, X được coi như chưa bị kết án'
        for m in re.finditer(fz("ke tu ngay"), doc.folded[after:]):
            a = after + m.start()
            ds = find_dates(doc.folded, a, min(len(doc.folded), a + 50))
            if ds and re.search(fz("chua bi ket an") + "|" + fz("xoa an tich"), doc.folded[ds[0].end:ds[0].end + 120]):
                return [number_candidate(doc, ds[0].iso, ds[0].start, ds[0].end, 0.96, "coi_nhu_chua", ds[0].repairs)]
    if issue is not None and kind not in ("completion", "expunge"):
        hm = re.search(fz("co hieu luc") + r"\s*(?:" + fz("thi hanh") + "|" + fz("phap luat") + r")?\s*(?:"
                      + fz("ngay") + r"\s*[.;,]|" + fz("ngay") + r"\s*$|(?:" + fz("ke") + r"\s*)?" + fz("tu ngay ky") + ")",
                      doc.folded[after:])
        if hm:
            sp = doc.span(after + hm.start(), after + hm.end())
            return [Candidate(issue.value, min(issue.conf, base(sp, 0.93)), issue.span, "tu_ngay_ky")]
    for rx, w, tag in pats:
        for m in re.finditer(rx, doc.folded[after:]):
            a = after + m.end()
            if _CITED_DOCUMENT.search(m.group(0)):
                continue  # '... (văn bản số 474/CV-THAHS ngày 31/8/2022)': the date of another paper
            tail = doc.folded[a:a + 12]
            if re.match(r"\s*ky\b", tail) and issue is not None:
                # 'có hiệu lực kể từ ngày ký' -> the issue date
                sp = doc.span(a, a + 4)
                cands.append(Candidate(issue.value, min(issue.conf, base(sp, 0.93)), issue.span, "tu_ngay_ky"))
                break
            ds = find_dates(doc.folded, a - 6, min(len(doc.folded), a + 40))
            ds = [d for d in ds if d.start <= a + 4]
            if not ds:
                continue
            d = ds[0]
            cands.append(number_candidate(doc, d.iso, d.start, d.end, w, tag, d.repairs))
            break
        if cands:
            break
    return cands


_DUR_ANCHOR = {
    "postpone": [fz("duoc hoan") + r"\s*[:]", fz("thoi gian") + r"\s*(?:" + fz("duoc") + r")?\s*" + fz("hoan"), fz("hoan chap hanh"), fz("hoan")],
    "suspend": [fz("duoc tam dinh chi") + r"\s*[:]", fz("thoi gian") + r"\s*(?:" + fz("duoc") + r")?\s*" + fz("tam dinh chi"), fz("tam dinh chi")],
    "reduce": [fz("duoc giam") + r"\s*[:]", fz("thoi gian") + r"\s*(?:" + fz("duoc") + r")?\s*" + fz("giam"), fz("giam thoi han chap hanh"),
               fz("giam")],
    "shorten_probation": [fz("duoc rut ngan") + r"\s*[:]", fz("thoi gian") + r"\s*(?:" + fz("duoc") + r")?\s*" + fz("rut ngan"), fz("rut ngan")],
}


def find_duration(doc: Doc, kind: str | None, rng: Range) -> Candidate | None:
    if kind not in _DUR_ANCHOR:
        return None
    for k, rx in enumerate(_DUR_ANCHOR[kind]):
        for m in re.finditer(r"(?<![a-z])(?:" + rx + r")(?![a-z])", doc.folded[rng.start:rng.end]):
            a = rng.start + m.end()
            if re.search(fz("lan") + r"\s*$", doc.folded[max(0, rng.start + m.start() - 6):rng.start + m.start()]):
                continue  # 'lần giảm trước: 03 tháng' -- an earlier reduction
            seg_end = min(rng.end, a + 160)
            # a speck read as a dot before the unit ('01 (một). tháng') ends no sentence
            stop = re.search(r"[.;](?=\s)(?!\s*thang\b)", doc.folded[a:seg_end])
            if stop:
                seg_end = a + stop.start()
            ds = find_durations(doc.folded, doc.text, a, seg_end)
            # skip the penalty being served ('... 05 năm tù') -- the granted time is not followed by 'tù'
            ds = [d for d in ds if not re.match(r"\s*tu\b", doc.folded[d.end:d.end + 4])]
            if not ds:
                continue
            d = ds[0]
            if d.total_months == 0:
                continue
            sp = doc.span(d.start, d.end)
            return Candidate(d.total_months, base(sp, 0.96 if k <= 1 else 0.93), sp, "duration",
                             weigh_term(term_doubts(doc, d)))
    return None


def find_decision_penalty(doc: Doc, kind: str | None, rng: Range) -> Penalty | None:
    for a, b in sentences(doc, rng.start, rng.end):
        f = doc.folded[a:b]
        m = re.search(fz("hinh phat") + "|" + fz("xu phat") + "|" + fz("an phat"), f)
        if m is None:
            continue
        # let the judgment clause parser read 'hình phạt 02 năm tù' as 'xử phạt ... 02 năm tù'
        p = _penalty_after(doc, a + m.start(), b)
        if p is not None:
            return p
    return None


def _penalty_after(doc: Doc, a: int, b: int) -> Penalty | None:
    ds = find_durations(doc.folded, doc.text, a, b)
    fb = doc.folded[a:b]
    for d in ds:
        after = doc.folded[d.end:d.end + 40]
        if re.match(r"\s*[,]?\s*tu\b", after):
            kind = "suspended_imprisonment" if re.search(fz("an treo", loose=False), fb) else "imprisonment"
            p = Penalty(kind, d.total_months, span=doc.span(d.start, d.end), source="decision")
            if kind == "suspended_imprisonment":
                pm = re.search(fz("thu thach", loose=False), fb)
                if pm:
                    pds = [x for x in ds if x.start >= a + pm.end()]
                    if pds:
                        p.probation = pds[0].total_months
            p.evidence += term_doubts(doc, d)
            return p
        if re.match(r"\s*[,]?\s*" + fz("cai tao khong giam giu", loose=False), after):
            return Penalty("non_custodial_reform", d.total_months, span=doc.span(d.start, d.end), source="decision")
    if re.search(fz("tu chung than", loose=False), fb):
        return Penalty("life_imprisonment", span=doc.span(a, a + 5), source="decision")
    if re.search(r"(?<![a-z])" + fz("tu hinh", loose=False) + r"(?![a-z])", fb):
        return Penalty("death", span=doc.span(a, a + 5), source="decision")
    return None


_PROBATION = re.compile(fz("thoi gian thu thach") + r"\s*(?:[:]|" + fz("la") + r")?\s*")


def find_parole_probation(doc: Doc, rng: Range) -> Candidate | None:
    """'Thời gian thử thách: 17 tháng ...' of a conditional early release (the remaining term)."""
    for m in _PROBATION.finditer(doc.folded, rng.start, rng.end):
        ds = find_durations(doc.folded, doc.text, m.end(), min(rng.end, m.end() + 40))
        if not ds or ds[0].start - m.end() > 3:
            continue
        d = ds[0]
        sp = doc.span(d.start, d.end)
        c = Candidate(d.total_months, base(sp, 0.95), sp, "probation",
                      [applied(ev.OPERATIVE_RANGE, min(1.0, rng.conf + 0.1))] + weigh_term(term_doubts(doc, d)))
        if len(_PROBATION.findall(doc.folded, rng.start, rng.end)) > 1:
            c.adjust(ev.SEVERAL_PROBATION_PHRASES)
        return c
    return None
