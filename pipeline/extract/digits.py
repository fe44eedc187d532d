"""Digits with OCR repair and Vietnamese number words: the numbers that dates
and durations are both made of."""
from __future__ import annotations

import re

from .normalize import fold

# OCR letter-for-digit confusions, applied only inside mostly-numeric tokens
DIGIT_REPAIR = {"O": "0", "o": "0", "D": "0", "Q": "0", "l": "1", "I": "1", "|": "1", "i": "1", "!": "1",
                "L": "1", "S": "5", "s": "5", "B": "8", "Z": "2", "z": "2", "g": "9", "q": "9", "G": "6",
                "b": "6", "T": "7", "A": "4"}


def repair_digits(tok: str) -> tuple[str, int]:
    """Map confusable letters to digits. Returns (digits, number_of_repairs).

    Non-repairable characters are dropped only if they are separators.
    """
    out = []
    n = 0
    for c in tok:
        if c.isdigit():
            out.append(c)
        elif c in DIGIT_REPAIR:
            out.append(DIGIT_REPAIR[c])
            n += 1
        elif c in " .,-_'`":
            continue
        else:
            return "", 99
    return "".join(out), n


_UNITS = {"khong": 0, "linh": None, "le": None, "mot": 1, "mo": 1, "hai": 2, "ba": 3, "bon": 4, "tu": 4,
          "nam": 5, "lam": 5, "sau": 6, "bay": 7, "tam": 8, "chin": 9, "muoi": 10, "muoi'": 10}
_BIG = {"tram": 100, "nghin": 1000, "ngan": 1000, "trieu": 10**6, "ty": 10**9, "ti": 10**9}


def words_to_int(text: str) -> int | None:
    """'hai mươi lăm' -> 25; 'Hai mươi triệu đồng' -> 20000000; 'mười tám' -> 18.

    Returns None when the text holds no number word or is not a well formed number.
    """
    toks = [t for t in re.split(r"[\s,\-]+", fold(text)) if t]
    total = 0  # completed groups (millions, thousands...)
    group = 0  # current group < 1000
    cur = 0  # current tens+units
    seen = False
    i = 0
    while i < len(toks):
        t = toks[i]
        if t in ("dong", "nam", "thang", "ngay") and seen and t != "nam":
            break
        if t == "muoi":
            # 'mười' = 10 (if first), 'mươi' = x10 after a unit -- diacritics folded, decide by context
            if cur == 0:
                cur = 10
            elif cur < 10:
                cur *= 10
            else:
                return None
            seen = True
        elif t in ("linh", "le"):
            pass
        elif t in ("tram",):
            group += (cur if cur else 1) * 100
            cur = 0
            seen = True
        elif t in ("nghin", "ngan", "trieu", "ty", "ti"):
            mult = _BIG[t]
            g = group + cur
            if g == 0:
                g = 1
            if total and mult > 1000 and total < mult:
                total = (total + g) * mult
            else:
                total += g * mult
            group = 0
            cur = 0
            seen = True
        elif (v := _UNITS.get(t)) is not None:
            if t in ("tu", "lam", "mot") and cur >= 10 and cur % 10 == 0:
                cur += v
            elif cur >= 10 and cur % 10 == 0:
                cur += v
            elif cur == 0:
                cur = v
            else:
                return None
            seen = True
        else:
            if seen:
                break
            return None
        i += 1
    if not seen:
        return None
    return total + group + cur


def parse_int(tok: str) -> tuple[int | None, int]:
    digits, n = repair_digits(tok)
    if not digits or n >= 99:
        return None, 99
    return int(digits), n
