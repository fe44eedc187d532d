"""Dates in Vietnamese documents (searched on folded text).

'ngày 18 tháng 3 năm 2024', 'ngày 18/3/2024', '18/03/2024', '18-3-2024',
'18.3.2024', 'sinh năm 1990' (year only).
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .digits import parse_int

D = r"[0-9OoIil|]{1,2}"
Y = r"[0-9OoIil|]{4}"
SEP = r"\s*[/\-.]\s*"

_WORDY = re.compile(rf"ngay\s*:?\s*(?P<d>{D})\s*,?\s*thang\s*:?\s*(?P<m>{D})\s*,?\s*nam\s*:?\s*(?P<y>{Y})")
_NUMERIC = re.compile(rf"(?<![\d/])(?P<d>{D}){SEP}(?P<m>{D}){SEP}(?P<y>{Y})(?![\d/])")
_YEAR = re.compile(r"(?<!\d)(?P<y>(?:19|20)[0-9OoIil|]{2})(?!\d)")


@dataclass
class DateMatch:
    iso: str
    start: int
    end: int
    repairs: int
    year_only: bool = False

    @property
    def date(self) -> dt.date | None:
        try:
            return dt.date.fromisoformat(self.iso) if not self.year_only else None
        except ValueError:
            return None

    @property
    def year(self) -> int:
        return int(self.iso[:4])


def make_iso(d: str, m: str, y: str) -> tuple[str | None, int]:
    dv, r1 = parse_int(d)
    mv, r2 = parse_int(m)
    yv, r3 = parse_int(y)
    if dv is None or mv is None or yv is None:
        return None, 99
    try:
        date = dt.date(yv, mv, dv)
    except ValueError:
        return None, 99
    if not (1900 <= yv <= 2100):
        return None, 99
    return date.isoformat(), r1 + r2 + r3


def find_dates(folded: str, start: int = 0, end: int | None = None) -> list[DateMatch]:
    end = len(folded) if end is None else end
    out: list[DateMatch] = []
    taken: list[tuple[int, int]] = []
    for rx in (_WORDY, _NUMERIC):
        for m in rx.finditer(folded, start, end):
            if any(a < m.end() and m.start() < b for a, b in taken):
                continue
            iso, rep = make_iso(m.group("d"), m.group("m"), m.group("y"))
            if iso is None:
                continue
            out.append(DateMatch(iso, m.start(), m.end(), rep))
            taken.append((m.start(), m.end()))
    out.sort(key=lambda d: d.start)
    return out


def find_year(folded: str, start: int, end: int) -> DateMatch | None:
    m = _YEAR.search(folded, start, end)
    if not m:
        return None
    yv, rep = parse_int(m.group("y"))
    if yv is None or not 1900 <= yv <= 2100:
        return None
    return DateMatch(f"{yv:04d}", m.start(), m.end(), rep, year_only=True)


def valid_iso(s: str) -> bool:
    try:
        if re.fullmatch(r"\d{4}", s):
            return 1900 <= int(s) <= 2100
        dt.date.fromisoformat(s)
        return True
    except ValueError:
        return False
