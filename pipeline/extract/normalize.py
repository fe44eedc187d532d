"""Text normalisation: NFC, diacritic folding, OCR-confusion tolerant matching.

`fold` is *length preserving*: every character of an NFC string maps to
exactly one character, so a regex match on the folded text gives offsets
that are valid in the original text (used to point back to words/bboxes).
"""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPECIAL = {"đ": "d", "Đ": "d", "ð": "d", "Ð": "d", "ơ": "o", "Ơ": "o", "ư": "u", "Ư": "u",
            "“": '"', "”": '"', "„": '"', "«": '"', "»": '"', "‘": "'", "’": "'",
            "–": "-", "—": "-", "‐": "-", "‑": "-", "−": "-", "\u00a0": " "}


def nfc(s: str) -> str:
    return unicodedata.normalize("NFC", s)


@lru_cache(maxsize=4096)
def _fold_char(c: str) -> str:
    if c in _SPECIAL:
        return _SPECIAL[c]
    if ord(c) < 128:
        return c.lower()
    d = unicodedata.normalize("NFD", c)
    base = d[0]
    if base in _SPECIAL:
        return _SPECIAL[base]
    if ord(base) < 128:
        return base.lower()
    return c.lower()[:1] or c


def fold(s: str) -> str:
    """Lower-case, strip Vietnamese diacritics, map đ->d; same length as `s`."""
    return "".join(_fold_char(c) for c in s)


def collapse_ws(s: str) -> str:
    return re.sub(r"\s+", " ", s).strip()


# --- fuzzy regex building -------------------------------------------------

# characters OCR commonly confuses, on the *folded* side
_CONFUSE = {
    "o": "o0",
    "0": "0o",
    "i": "il1|!j",
    "l": "li1|!",
    "1": "1li|!",
    "s": "s5",
    "5": "5s",
    "b": "b8",
    "8": "8b",
    "g": "g9q",
    "e": "ec",
    "c": "ce",
    "n": "nm",
    "m": "mn",
    "u": "uv",
    "h": "hb",
    "t": "tf",
}


def fz(phrase: str, *, loose: bool = True) -> str:
    """Regex (for folded text) matching `phrase` with OCR confusions.

    Spaces in the phrase match any run of whitespace or none at all (OCR
    merges and splits words). Each letter also matches its common confusions.
    """
    out = []
    for ch in fold(phrase):
        if ch == " ":
            out.append(r"\s*")
        elif loose and ch in _CONFUSE:
            out.append("[" + re.escape(_CONFUSE[ch]) + "]")
        else:
            out.append(re.escape(ch))
    return "".join(out)


# --- edit distance ----------------------------------------------------------

def levenshtein(a: str, b: str, limit: int | None = None) -> int:
    if a == b:
        return 0
    if len(a) < len(b):
        a, b = b, a
    if limit is not None and len(a) - len(b) > limit:
        return limit + 1
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        best = i
        for j, cb in enumerate(b, 1):
            v = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb))
            cur.append(v)
            if v < best:
                best = v
        if limit is not None and best > limit:
            return limit + 1
        prev = cur
    return prev[-1]


def similarity(a: str, b: str) -> float:
    """1 - normalised edit distance (0..1)."""
    if not a and not b:
        return 1.0
    return 1.0 - levenshtein(a, b) / max(len(a), len(b))


# --- capitalisation ------------------------------------------------------------

def cap_word(w: str) -> str:
    if not w:
        return w
    return w[0].upper() + w[1:].lower()


def title_name(s: str) -> str:
    """'NGUYỄN VĂN AN' / 'nguyễn văn an' -> 'Nguyễn Văn An' (NFC, single spaces)."""
    s = collapse_ws(nfc(s))
    out = " ".join("-".join(cap_word(p) for p in w.split("-")) for w in s.split(" "))
    # 'số' before a figure is no name word: 'TRẠI GIAM SỐ 6' is 'Trại giam số 6'
    return re.sub(r"\bSố(?= [0-9])", "số", out)


def sentence_case(s: str) -> str:
    s = collapse_ws(nfc(s))
    if not s:
        return s
    return s[0].upper() + s[1:].lower()


def canon_toa(s: str) -> str:
    """Old-style 'Toà' -> contract form 'Tòa' (only this keyword)."""
    return re.sub(r"\b([Tt])(o)(à)", lambda m: m.group(1) + "ò" + "a", s).replace("TOÀ", "TÒA")


def is_upper_word(w: str) -> bool:
    letters = [c for c in w if c.isalpha()]
    return bool(letters) and all(c.isupper() for c in letters)


def starts_upper(w: str) -> bool:
    for c in w:
        if c.isalpha():
            return c.isupper()
        if c.isdigit():
            return False
    return False


# Vietnamese syllable structure on folded letters: onset, vowel nucleus (with its glides), final
# consonant. OCR that glues two syllables ('MINHNAM') or drops a vowel ('HLÂM') leaves a word no
# syllable can be; names of some ethnic minorities ('Ksor', 'Niê' is fine) fail too, so a failed
# check only sends a value to a person.
_SYLLABLE = re.compile(
    r"(?:ngh|ng|gh|gi|kh|nh|ph|th|tr|ch|qu|[bcdghklmnprstvx])?"
    r"(?:oai|oay|oeo|uay|uoi|uou|uya|uye|uyu|ieu|yeu|ai|ao|au|ay|eo|eu|ia|ie|iu|oa|oe|oi|oo|ua|ue|ui|uo|uu|uy|ya|ye"
    r"|[aeiouy])"
    r"(?:ch|ng|nh|[ckmnpt])?")  # k: Central Highlands names (Đắk Lắk, Đắk Trung)


def is_syllable(word: str) -> bool:
    """Whether `word` (any case, with or without diacritics) can be one Vietnamese syllable."""
    return bool(_SYLLABLE.fullmatch(fold(word).lower()))
