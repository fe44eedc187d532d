"""Vietnamese number words, dates, money and penalty phrases in their printed forms."""
from __future__ import annotations

import datetime as dt
import random

_DIGITS = ["không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín"]


def _below_1000(n: int, full: bool) -> str:
    h, rest = divmod(n, 100)
    t, u = divmod(rest, 10)
    out: list[str] = []
    if h or full:
        out += [_DIGITS[h], "trăm"]
    if t == 0:
        if u:
            if h or full:
                out.append("linh")
            out.append(_DIGITS[u])
        return " ".join(out)
    if t == 1:
        out.append("mười")
    else:
        out += [_DIGITS[t], "mươi"]
    if u == 1 and t > 1:
        out.append("mốt")
    elif u == 5:
        out.append("lăm")
    elif u == 4 and t > 1:
        out.append("tư")
    elif u:
        out.append(_DIGITS[u])
    return " ".join(out)


def words(n: int) -> str:
    """12 -> 'mười hai'; 20_000_000 -> 'hai mươi triệu'."""
    if n == 0:
        return "không"
    groups = []
    while n:
        n, g = divmod(n, 1000)
        groups.append(g)
    units = ["", "nghìn", "triệu", "tỷ"]
    out: list[str] = []
    top = len(groups) - 1
    for i in range(top, -1, -1):
        g = groups[i]
        if g == 0:
            continue
        out.append(_below_1000(g, full=i != top))
        if units[i]:
            out.append(units[i])
    return " ".join(out)


def cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def money(n: int) -> str:
    """20000000 -> '20.000.000'"""
    return f"{n:,}".replace(",", ".")


def money_phrase(rng: random.Random, n: int) -> str:
    style = rng.random()
    if style < 0.55:
        return f"{money(n)} đồng ({cap(words(n))} đồng)"
    if style < 0.8:
        return f"{money(n)}đ ({words(n)} đồng)"
    return f"{money(n)} đồng"


def num(rng: random.Random, n: int, pad: float = 0.6, word: float = 0.5) -> str:
    """A count as printed: '02 (hai)', '2', '06'."""
    s = f"{n:02d}" if rng.random() < pad else str(n)
    if rng.random() < word:
        s += f" ({words(n)})"
    return s


def duration(rng: random.Random, months: int, years_ok: bool = True) -> str:
    """Months as printed in a judgment: '02 (hai) năm 06 (sáu) tháng', '30 tháng'."""
    pad = rng.random() < 0.7
    word = rng.random() < 0.45
    def n(v: int) -> str:
        return num(rng, v, pad=1.0 if pad else 0.0, word=1.0 if word else 0.0)
    y, m = divmod(months, 12)
    if years_ok and y and rng.random() < 0.8:
        if m:
            return f"{n(y)} năm {n(m)} tháng"
        return f"{n(y)} năm"
    return f"{n(months)} tháng"


def date_long(d: dt.date, rng: random.Random | None = None, pad_month: bool | None = None) -> str:
    if pad_month is None:
        pad_month = rng.random() < 0.35 if rng else False
    day = f"{d.day:02d}" if (d.day < 10 and (pad_month or (rng and rng.random() < 0.5))) else str(d.day)
    month = f"{d.month:02d}" if pad_month else str(d.month)
    return f"ngày {day} tháng {month} năm {d.year}"


def date_short(d: dt.date, rng: random.Random) -> str:
    r = rng.random()
    if r < 0.5:
        return f"{d.day:02d}/{d.month:02d}/{d.year}"
    if r < 0.8:
        return f"{d.day}/{d.month}/{d.year}"
    return f"{d.day}-{d.month}-{d.year}"


def date_any(d: dt.date, rng: random.Random, long_p: float = 0.5) -> str:
    """Body-text date: 'ngày 18/3/2024' or 'ngày 18 tháng 3 năm 2024'."""
    if rng.random() < long_p:
        return date_long(d, rng)
    return "ngày " + date_short(d, rng)


def iso(d: dt.date) -> str:
    return d.isoformat()


def add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    y += d.year
    m += 1
    import calendar
    day = min(d.day, calendar.monthrange(y, m)[1])
    return dt.date(y, m, day)


def upper_vn(s: str) -> str:
    return s.upper()
