"""Vietnamese amounts: durations ('2 (hai) năm 6 tháng') and money."""
from __future__ import annotations

import re
from dataclasses import dataclass

from . import evidence as ev
from .dates import find_dates
from .digits import DIGIT_REPAIR, parse_int, repair_digits, words_to_int
from .evidence import Adjustment
from .normalize import nfc

__all__ = ["DIGIT_REPAIR", "Duration", "Money", "find_durations", "find_money", "parse_int", "repair_digits",
           "words_to_int"]


# --- durations ----------------------------------------------------------------

@dataclass
class Duration:
    years: int = 0
    months: int = 0
    days: int = 0
    repairs: int = 0  # OCR digit repairs used
    words_agree: bool | None = None  # parenthesised words vs digits
    start: int = 0
    end: int = 0
    # a number right before it ends in an unreadable unit ('02 (hai) nàn 06 (sáu) tháng':
    # 'năm' misread): the term may be longer than what was read
    unit_lost_before: bool = False
    # a years-only term ends a line and this one follows a few unrelated lines later
    part_before_elsewhere: bool = False
    # a number right after it whose unit OCR turned into another word ('01 (một) năm 03 (ba) tiếng':
    # 'tháng' misread): the term may be longer than what was read
    unit_lost_after: bool = False

    @property
    def total_months(self) -> int:
        return self.years * 12 + self.months

    def evidence(self) -> list[Adjustment]:
        """What the printed term tells of how far its figure can be trusted (weighed by
        confidence.weigh_term): its words agree or disagree with the digits, OCR digits were
        repaired, it has days (months are rounded down), a number before it lost its unit."""
        out: list[Adjustment] = []
        if self.words_agree is True:
            out.append(ev.TERM_WORDS_AGREE)
        elif self.words_agree is False:
            out.append(ev.TERM_WORDS_DISAGREE)
        if self.repairs:
            out.append(ev.TERM_DIGITS_REPAIRED)
        if self.days:
            out.append(ev.TERM_HAS_DAYS)
        if self.unit_lost_before:
            out.append(ev.TERM_UNIT_LOST_BEFORE)
        if self.part_before_elsewhere or self.unit_lost_after:
            out.append(ev.TERM_MAY_CONTINUE)
        return out


NUM = r"[0-9OoIil|]{1,3}"
WORDS = r"\(\s*[^()\d]{2,40}?\s*\)"
UNIT = r"(nam|thang|ngay)"
_PART = rf"(?P<n>{NUM})?\s*(?P<w>{WORDS})?\s*(?P<u>{UNIT})\b"
# 'ngày' / 'tháng' / 'sinh' as printed or with its marks lost -- not 'thắng', 'thẳng', 'ngây'
_SPELLED_NUMBER = re.compile(r"(?:(?:một|mốt|hai|ba|bốn|tư|năm|lăm|sáu|bảy|bẩy|tám|chín|mười|mươi|trăm|linh|lẻ)\s*)+")
_DATE_WORD_BEFORE = re.compile(r"(?<![^\W\d_])(?:ng[aà]y|th[aá]ng|sinh)\s*[:]?\s*$")
_LINES_BETWEEN = re.compile(r"[ \t]*\n[^.;:\n]{0,60}(?:\n[^.;:\n]{0,60}){0,2}\n[ \t]*")
# a number whose unit OCR turned into other letters or into marks ('|8 " 6 tháng': 'năm' read '"')
_LOST_UNIT_BEFORE = re.compile(rf"(?<![\w/.-])\d{{1,3}}\s*(?:{WORDS})?\s*(?!(?:nam|thang|ngay)\b)[^\s\d,;:()]{{1,6}}\s*$")


# a number right after a term, its unit not one ('01 (một) năm 03 (ba) tiếng'): a part of the term whose unit was lost
_LOST_UNIT_AFTER = re.compile(rf"[\s,]*\d{{1,2}}\s*(?:{WORDS})?\s*(?!(?:nam|thang|ngay|tu)\b)[^\W\d_]")


def find_durations(folded: str, orig: str, start: int = 0, end: int | None = None) -> list[Duration]:
    """Find 'N (words) năm N (words) tháng' runs in folded text[start:end]."""
    end = len(folded) if end is None else end
    # the unit may be glued to the next word by OCR ('thángthời'), so no boundary after a digit-led unit
    # a speck read as a dot may sit between the words and the unit ('01 (một). tháng')
    # or between the number and its words ('1. (một) năm 6 (sáu) tháng'): without it the years part
    # is lost and the months read as the whole term, their words agreeing
    part = re.compile(rf"(?P<n>\b{NUM}\b|\b[a-z ]{{2,30}}?(?=\s+(?:nam|thang|ngay)\b))(?P<speck0>\s*[.,'`]\s*(?=\())?"
                      rf"\s*(?:(?P<w>{WORDS})\s*(?P<speck>[.,])?)?"
                      rf"\s*(?P<u>nam|thang|ngay)")
    date_spans = [(d.start, d.end) for d in find_dates(folded, start, end)]
    out: list[Duration] = []
    pos = start
    cur: Duration | None = None
    last_end = -1
    while True:
        m = part.search(folded, pos, end)
        if not m:
            break
        if any(a < m.end() and m.start() < b for a, b in date_spans) or _DATE_WORD_BEFORE.search(
                orig[max(0, m.start() - 8):m.start()].lower()):
            # part of a date ('ngày 8 tháng 11 năm 1992', even when OCR broke the year); read on the
            # original text: the name 'THẮNG' folds to 'thang' ('bị cáo ĐỖ THANH THẮNG 1 năm 6 tháng tù')
            pos = m.end()
            cur = None
            continue
        ntok = m.group("n").strip()
        val, rep = parse_int(ntok) if (re.fullmatch(NUM, ntok) and re.search(r"\d", ntok)) else (None, 0)
        if val is None:
            # number in words only: 'hai năm', 'mười tám tháng' -- spelled as number words are, in lower
            # case: 'Giới tính: Nam' + 'Năm sinh' folds to 'nam nam' (five years)
            words_n = orig[m.start("n"):m.end("n")]
            val = words_to_int(words_n) if _SPELLED_NUMBER.fullmatch(nfc(words_n).strip()) else None
            rep = 0
            if val is None:
                pos = m.start() + 1
                continue
        agree = None
        if m.group("w"):
            wv = words_to_int(orig[m.start("w") + 1:m.end("w") - 1])
            if wv is not None:
                agree = wv == val
        if m.group("speck0") and agree is not True:
            pos = m.start() + 1  # a speck before words that do not spell the number: no term of ours
            continue
        unit = m.group("u")
        contiguous = cur is not None and re.fullmatch(r"[\s,]*(va\s*)?", folded[last_end:m.start()] or "") is not None
        if cur is None or not contiguous:
            prev = out[-1] if out else None
            cur = Duration(start=m.start())
            cur.unit_lost_before = _LOST_UNIT_BEFORE.search(folded, max(start, m.start() - 48), m.start()) is not None
            # '... 04 (bốn) năm' ends a line, lines out of reading order follow, then '09 (chín) tháng tù':
            # the term may be the tail of that one
            cur.part_before_elsewhere = (prev is not None and unit != "nam" and prev.years != 0 and not prev.months
                                         and _LINES_BETWEEN.fullmatch(folded, prev.end, m.start()) is not None)
            out.append(cur)
        if unit == "nam":
            if cur.years or cur.months or cur.days:
                cur = Duration(start=m.start())
                out.append(cur)
            cur.years = val
        elif unit == "thang":
            if cur.months or cur.days:
                cur = Duration(start=m.start())
                out.append(cur)
            cur.months = val
        else:
            cur.days = val
        cur.repairs += rep + (1 if m.group("speck") else 0) + (1 if m.group("speck0") else 0)
        if agree is not None:
            cur.words_agree = agree if cur.words_agree in (None, True) else False
        cur.end = m.end()
        last_end = m.end()
        pos = m.end()
    for d in out:
        d.unit_lost_after = (not d.days and _LOST_UNIT_AFTER.match(folded, d.end, end) is not None
                             and not any(o.start >= d.end and o.start - d.end <= 3 for o in out))
    return out


# --- money ----------------------------------------------------------------------

_MONEY = re.compile(r"(?P<num>\d[\d.,\s]{0,18}\d|\d)\s*(?P<unit>dong|d\b|vnd)"
                    r"(?:\s*\((?P<words>[^()]{3,120})\))?")


@dataclass
class Money:
    value: int
    start: int
    end: int
    words_agree: bool | None
    well_formed: bool


def parse_money_digits(s: str) -> tuple[int | None, bool]:
    s = s.strip()
    compact = re.sub(r"\s", "", s)
    if re.fullmatch(r"\d{1,3}([.,]\d{3})+", compact):
        return int(re.sub(r"[.,]", "", compact)), True
    if re.fullmatch(r"\d+", compact):
        return int(compact), len(compact) <= 4 or compact.endswith("000")
    if re.fullmatch(r"\d{1,3}(\s\d{3})+", s):
        return int(compact.replace(" ", "")), True
    digits = re.sub(r"\D", "", compact)
    return (int(digits), False) if digits else (None, False)


def find_money(folded: str, orig: str, start: int = 0, end: int | None = None) -> list[Money]:
    end = len(folded) if end is None else end
    out = []
    for m in _MONEY.finditer(folded, start, end):
        val, ok = parse_money_digits(orig[m.start("num"):m.end("num")])
        if val is None:
            continue
        agree = None
        if m.group("words"):
            wv = words_to_int(orig[m.start("words"):m.end("words")])
            if wv is not None:
                agree = wv == val
        out.append(Money(val, m.start(), m.end(), agree, ok))
    return out
