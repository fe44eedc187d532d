"""A second read of digit-heavy words (IDs, document numbers, dates), and the dot below a
name's 'y' that the read does not explain.

One misread digit in a 12-digit ID reads with high confidence: Tesseract's
word confidence says little about single glyphs. A second read of the same
word at another scale catches some of these: when the reads disagree on the
digits (and a third read with another model does not side with the first),
the word's confidence is lowered so the field built on it goes to a person;
when they agree it is kept.

Cost: one extra tesseract call per page (not per word), a second one only on
pages with a digit disagreement: the crops of all
digit-heavy words, scaled, are stacked into one strip image (one crop per text
line, white gaps between) and read with psm 6; the words found are assigned
back to their crop by vertical position. Measured (bench/bench_ocr.py pages, 10
pages, CPU time of the whole OCR stage): about +10%, most of it the tesseract
start-up of the extra call; the scale (1.25 vs 1.5) made no measurable difference.
Which words pay for a crop (issue 18 item 3, dev seed 4701, 112 pages): confidence alone is no
gate -- words read at >= 0.95 were lowered too, a real misread among them -- but a well-formed
dd/mm/yyyy date read at >= 0.95 was verified 104 times of 105 (the other a false alarm), so such
dates are left out (`needs_second_read`).
"""
from __future__ import annotations

import re
import subprocess
import unicodedata
from dataclasses import replace
from functools import lru_cache
from typing import Any

import cv2
import numpy as np
from sohoa.core.text import DOT_BELOW, TONE_MARKS, fold_marks
from sohoa.pipeline.ocr import engine, strips

MIN_LEN = 6  # characters of the token
MIN_DIGITS = 4
SCALE = 1.5
DISAGREE_FACTOR = 0.6
# A weakly read word is read again too: its field goes to a person unless the linked registry record
# confirms it, and no record confirms a read whose characters are in doubt (reconciler.confirm) --
# a second read that agrees lifts that doubt. Dev seeds 4501/5101 (issue 15): of 25 digit-heavy
# words read below 0.8, 17 verified (16 of them right), 7 disagreed (6 of them wrong).
MIN_CONF = 0.2
SURE_DATE_CONF = 0.95  # a well-formed date read this sure gets no second read
MAX_WORDS = 60  # a page of tables: verify the first ones only, keep the cost bounded


def is_digit_heavy(text: str) -> bool:
    t = text.strip(".,;:()[]\"'“”")
    if len(t) < MIN_LEN:
        return False
    nd = sum(c.isdigit() for c in t)
    return nd >= MIN_DIGITS and nd * 2 >= len(t)


_CONFUSABLE = str.maketrans({"O": "0", "o": "0", "D": "0", "I": "1", "l": "1", "|": "1", "!": "1", "Z": "2",
                             "S": "5", "s": "5", "B": "8", "G": "6", "g": "9", "q": "9"})


def _digits(s: str) -> str:
    """The digits of a read, letters that OCR confuses with digits counted as those digits
    ('UBTVQHI4' and 'UBTVQH14' agree; so do both reads of 'HS-ST')."""
    return "".join(c for c in s.translate(_CONFUSABLE) if c.isdigit())


@lru_cache(maxsize=4)
def tiebreak_lang(lang: str) -> str:
    """The model of the tie-breaking third read: English when installed. Its digit shapes were
    trained on other text, so its errors are less tied to the first read's (the Vietnamese model
    read a clean '2003' as '2005' at three scales; English read it right)."""
    try:
        out = subprocess.run([engine.tesseract_cmd(), "--list-langs"], capture_output=True, timeout=30)
        langs = set(out.stdout.decode("utf-8", "replace").split())
    except (OSError, subprocess.SubprocessError):
        return lang
    return "eng" if "eng" in langs else lang


def _read_crops(gray: np.ndarray, words: list[engine.TessWord], idx: list[int], lang: str,
                dpi: float) -> dict[int, str] | None:
    """One tesseract call over the crops of words[idx] stacked in a strip: word index -> text read."""
    return strips.read_strip(gray, words, idx, lang, dpi, SCALE, margin_y=0.3, clear_streaks=True)


def second_read(gray: np.ndarray, words: list[engine.TessWord], *, lang: str = "vie",
                dpi: float = 300) -> tuple[list[engine.TessWord], dict]:
    """Words with the confidence of digit-heavy ones lowered where a second read disagrees.

    `gray` is the cleaned page image the words' boxes refer to. The second read uses the
    page's model at another scale. Where it disagrees only on digits, a third read with
    another model (English) breaks the tie: when that one agrees with the first read the
    word keeps its confidence (measured on heavy scans: the Vietnamese model alone flagged
    3% of correct numbers, e.g. a clean '2003' read '2005' at every scale). A second read
    that puts a letter where the first had a digit ('09206120221B' for an '8' that is really
    a '3') is a disagreement in any case. Returns the new word list and counts.
    """
    # a word read below MIN_CONF is junk; a token with stray marks
    # ('2/01s<23') is a speck, not a number: neither is worth a crop (nor may spoil the strip)
    idx = [i for i, w in enumerate(words) if needs_second_read(w)][:MAX_WORDS]
    stats = {"checked": 0, "disagreed": 0, "tiebreak": 0}
    if not idx:
        return words, stats
    second = _read_crops(gray, words, idx, lang, dpi)
    if not second:
        return words, stats
    out = list(words)
    unsure: list[int] = []
    for i, text in second.items():
        stats["checked"] += 1
        verdict = compare(words[i].text, text)
        if verdict is True:
            out[i] = replace(words[i], verified=True)
        elif verdict is False:
            if _letter_for_digit(words[i].text, text):
                _lower(out, words, i, text, stats)
            else:
                unsure.append(i)
    if unsure:
        third_lang = tiebreak_lang(lang)
        third = _read_crops(gray, words, unsure, third_lang, dpi) if third_lang != lang else None
        stats["tiebreak"] = len(unsure)
        for i in unsure:
            if third is not None and compare(words[i].text, third.get(i, "")) is True:
                out[i] = replace(words[i], verified=True)
                continue  # two reads of three agree
            _lower(out, words, i, second[i], stats)
    return out, stats


def needs_second_read(w: engine.TessWord) -> bool:
    """Is the word worth a crop in the strip? A digit-heavy token read with at least MIN_CONF
    (below, it is junk) and no stray marks ('2/01s<23' is a speck, not a number,
    and may spoil the strip) -- unless the first read is sure and the token is a well-formed date
    (valid day and month, a 19xx/20xx year): on the heavy dev batch (seed 4701, 34 pages) the
    second read lowered 1 of 77 such dates, a false alarm, and they were a third of the crops."""
    if w.conf < MIN_CONF or not is_digit_heavy(w.text) or not all(c.isalnum() or c in _PUNCT for c in w.text):
        return False
    return not (w.conf >= SURE_DATE_CONF and is_plausible_date(w.text))


# two-digit day and month only: a date that lost a digit ('3-8-2019' for '13-8-2019') is re-read
_DATE = re.compile(r"(\d\d)([/.-])(\d\d)\2((?:19|20)\d\d)")


def is_plausible_date(text: str) -> bool:
    """'18/03/2024', '02-09-2023.': day 1-31, month 1-12, year 1900-2099, one separator."""
    m = _DATE.fullmatch(text.strip(_PUNCT_EDGE))
    return m is not None and 1 <= int(m[1]) <= 31 and 1 <= int(m[3]) <= 12


def _lower(out: list, words: list, i: int, second: str, stats: dict) -> None:
    stats["disagreed"] += 1
    stats.setdefault("diffs", []).append((words[i].text, second))
    out[i] = replace(words[i], conf=round(words[i].conf * DISAGREE_FACTOR, 4))


_PUNCT = "/-.,;:()[]\"'“”–—_"
_PUNCT_EDGE = ".,;:()[]\"'“”"


_SLASHLIKE = "Il|!"


def _pure(first: str) -> bool:
    f = first.strip(_PUNCT)
    return bool(f) and all(c.isdigit() or c in _PUNCT for c in f)


def compare(first: str, second: str) -> bool | None:
    """True when the reads agree, False when they disagree, None when the second read is no
    evidence (nothing, or too little of the word: a crop that read as specks).

    A pure number ('001090012345', '18/03/2024') must read as the same digits; a letter where
    the first read had a digit is a disagreement ('09206120221B': the second reader saw something
    between 3 and 8), but an 'I' or 'l' for a '/' is not. In a mixed token ('326/2016/UBTVQH14')
    letters that OCR confuses with digits count as those digits on both sides.
    """
    if _pure(first):
        d1 = "".join(c for c in first if c.isdigit())
        core = "".join(c for c in second if c.isalnum() and c not in _SLASHLIKE)
        k = next((j for j, c in enumerate(core) if c.isdigit()), len(core))
        win = core[k:k + len(d1)]
        if sum(c.isdigit() for c in win) * 2 < len(d1):
            return None
        return win == d1
    d1 = _digits(first)
    d2 = _digits(second)
    if len(d2) * 2 < len(d1):
        return None
    return d2[:len(d1)] == d1 if len(d2) - len(d1) <= 1 else d1 in d2


def _letter_for_digit(first: str, second: str) -> bool:
    """A pure number whose second read has a letter in the place of one of its digits."""
    if not _pure(first):
        return False
    d1 = "".join(c for c in first if c.isdigit())
    core = "".join(c for c in second if c.isalnum() and c not in _SLASHLIKE)
    k = next((j for j, c in enumerate(core) if c.isdigit()), len(core))
    win = core[k:k + len(d1)]
    return any(c.isalpha() for c in win) and sum(c.isdigit() for c in win) * 2 >= len(d1)


# -- a dot below that the read does not explain -----------------------------------------------
MAX_NAME_LEN = 7  # a Vietnamese syllable has at most 7 letters ('nghiêng')


def is_name_word(text: str) -> bool:
    return 1 < len(text) <= MAX_NAME_LEN and text.isalpha() and text[0].isupper()


# A font sets the dot below a 'y' beside its descender ('Tỵ' looks like 'Ty.'): both of
# Tesseract's Vietnamese models (vie, and script/Vietnamese tried as a second read) then read
# 'Ty' at 0.96 and list no alternative among their LSTM choices. The ink says what the read does
# not: a small round blob in the bottom of the word's box, right of a 'y', that no dot below, full
# stop or comma of the text accounts for. Such a word keeps its read, carries the spelling with
# the dot below as an alternative, and is marked down. Only a 'y': under the other vowels the
# dot sits under the letter and is read (on 12 heavy scans, blobs under other vowels were specks
# of the scan 6 times out of 6, and the script model's second read disagreed with a right first
# read 12 times and with a wrong one never, so neither is used).
_BOTTOM_DOTS = ".,;:"
_VOWELS = set("aeiouy")  # folded: 'ă', 'ơ', 'ư'... are these


def _dots_explained(text: str) -> int:
    nfd = unicodedata.normalize("NFD", text)
    return nfd.count(DOT_BELOW) + sum(text.count(c) for c in _BOTTOM_DOTS)


def _bottom_dots(gray: np.ndarray, w: engine.TessWord) -> list[float]:
    """x (0..1 of the word's width) of small round blobs in the bottom third of the word's box."""
    h_img, w_img = gray.shape
    x0, y0 = max(0, w.left), max(0, w.top)
    x1, y1 = min(w_img, w.left + w.width), min(h_img, w.top + w.height)
    if x1 - x0 < 4 or y1 - y0 < 8:
        return []
    crop = gray[y0:y1, x0:x1]
    ink = (crop < min(128, int(np.percentile(crop, 90)) - 40)).astype(np.uint8)
    n, _, stats, cents = cv2.connectedComponentsWithStats(ink, connectivity=8)
    hgt = y1 - y0
    out = []
    for k in range(1, n):
        bw, bh, area = stats[k, cv2.CC_STAT_WIDTH], stats[k, cv2.CC_STAT_HEIGHT], stats[k, cv2.CC_STAT_AREA]
        cy = cents[k][1]
        small = 0.04 * hgt <= max(bw, bh) <= 0.2 * hgt and area >= 0.5 * bw * bh
        round_ = max(bw, bh) <= 1.8 * min(bw, bh)
        if small and round_ and cy >= 0.66 * hgt:
            out.append(float(cents[k][0]) / max(1, x1 - x0))
    return out


def with_dot_below(text: str, at: float) -> str | None:
    """`text` with a dot below on the vowel nearest `at` (0..1 of its width), if it has none."""
    nfc = unicodedata.normalize("NFC", text)
    vowels = [i for i, c in enumerate(nfc) if fold_marks(c) in _VOWELS]
    if not vowels:
        return None
    i = min(vowels, key=lambda j: abs((j + 0.5) / len(nfc) - at))
    base = unicodedata.normalize("NFD", nfc[i])
    if DOT_BELOW in base:
        return None
    # the dot below is the tone: it replaces any other tone mark the vowel had
    marked = "".join(c for c in base if c not in TONE_MARKS) + DOT_BELOW
    return nfc[:i] + unicodedata.normalize("NFC", marked) + nfc[i + 1:]


def unexplained_dots(gray: np.ndarray, words: list[engine.TessWord]) -> tuple[list[engine.TessWord], dict]:
    """Name-like words with a dot below in the ink and not in the read: alternative, marked down."""
    stats: dict[str, Any] = {"checked": 0, "unexplained": 0}
    out = list(words)
    for i, w in enumerate(words):
        if not is_name_word(w.text) or "y" not in w.text.casefold():
            continue
        stats["checked"] += 1
        dots = _bottom_dots(gray, w)
        if len(dots) <= _dots_explained(w.text):
            continue
        alt = with_dot_below(w.text, dots[-1])
        if alt is None or fold_marks(_changed_letter(w.text, alt)) != "y":
            continue
        stats["unexplained"] += 1
        out[i] = replace(w, conf=round(w.conf * DISAGREE_FACTOR, 4), alternatives=(*w.alternatives, alt))
    return out, stats


def _changed_letter(a: str, b: str) -> str:
    return next((y for x, y in zip(a, b) if x != y), "")
