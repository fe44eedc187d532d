"""Vietnamese letters: the tone marks, and text without its marks. Shared by the OCR's checks
(pipeline/ocr/verify.py), the extractor's name checks and record linkage, which each had a copy."""
from __future__ import annotations

import unicodedata

DOT_BELOW = "\u0323"
# huyền, sắc, ngã, hỏi, nặng: the five tones (the breve, circumflex and horn make letters, not tones)
TONE_MARKS = frozenset({"\u0300", "\u0301", "\u0303", "\u0309", DOT_BELOW})


def fold_marks(s: str) -> str:
    """`s` without tone marks and diacritics ('Tỵ' -> 'ty', 'Đ' -> 'd'), case-folded."""
    decomposed = unicodedata.normalize("NFD", s.replace("Đ", "D").replace("đ", "d"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def name_key(name: str) -> str:
    """A person's name as record linkage blocks on it: without marks, case-folded, one space
    between words ('Nguyễn  Thị Tỵ' -> 'nguyen thi ty'); an OCR slip of a tone mark keeps the key."""
    return " ".join(fold_marks(unicodedata.normalize("NFC", name)).split())
