"""A second read, with another model, of weakly read letter words that can carry a field's value.

A name syllable ('KIÊN'), an issuer's word or the symbol of a document number ('QĐ-MCHA') read
below READ_SURE leaves its field in doubt: no registry record may confirm a read whose
characters are in doubt (reconciler.confirm, extract.confidence.doubtful). Digit-heavy words get
a second read (verify.second_read); letter words had none, so a weak but right read of a name
could never be confirmed. Here they get one: the crops of all such words of the page, stacked
in one strip, read in one call by Tesseract's other Vietnamese model (script/Vietnamese, Debian's
tesseract-ocr-script-viet; its errors are less tied to the first model's than a re-scale of the
same model). The outcome goes on the word:

- the second read spells it the same (NFC, marks included; case aside) -> verified=True: the
  doubt of the weak read is lifted (it may be confirmed by a record);
- it spells it otherwise -> that spelling is added to the word's alternatives: the read stays in
  doubt, and a record value among the alternatives is a question, not a discrepancy;
- it reads nothing usable -> the word is left as it was.

Which words (cheap signals only, no extraction at OCR time): letters first, a capitalised first
letter (names, issuers, number symbols are capitalised; body prose is not), read at least
MIN_CONF (below, junk) and below READ_SURE (a sure read needs no second one), not digit-heavy.
Without the script model installed the step does nothing.
"""
from __future__ import annotations

import subprocess
import unicodedata
from dataclasses import replace
from functools import lru_cache

import numpy as np
from sohoa.pipeline.ocr import engine, strips, verify

SECOND_LANG = "Vietnamese"  # tessdata/Vietnamese.traineddata (script/Vietnamese)
READ_SURE = 0.8  # extract.confidence.READ_SURE: a word read at least this sure carries no doubt
MIN_CONF = 0.2
MIN_LETTERS = 2
MAX_WORDS = 40  # bounds the cost on a page of many weak capitalised words (a table, a bad scan)
SCALE = 1.25
RIVAL = 30.0  # an LSTM choice scored this high is another spelling the ink allows
THIRD_SCALE = 1.0  # the page's own model, crops as scanned (at 1.25 it lost marks of upper case)
MARGIN_Y = 0.35  # word heights above and below a crop: upper-case marks stand tall
_EDGE = ".,;:()[]\"'“”"
_INNER = "-/."  # inside a number's symbol ('QĐ-MCHA', 'HS-ST')


@lru_cache(maxsize=2)
def second_model_installed(lang: str = SECOND_LANG) -> bool:
    try:
        out = subprocess.run([engine.tesseract_cmd(), "--list-langs"], capture_output=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return False
    return lang in out.stdout.decode("utf-8", "replace").split()


def _core(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip(_EDGE))


def is_letter_word(text: str) -> bool:
    """A capitalised word of letters (a name syllable, an issuer's word, a number's symbol), or a
    number that is mostly its symbol."""
    t = _core(text)
    letters = sum(c.isalpha() for c in t)
    if letters < MIN_LETTERS or not all(c.isalnum() or c in _INNER for c in t):
        return False  # specks and stray marks spoil the strip
    if verify.is_digit_heavy(t):
        return False  # verify.second_read's
    if t[0].isalpha():
        return t[0].isupper()
    # a document number whose symbol outweighs its digits ('686/2017/QĐ-MCHA'): no digit read has it
    return any(c.isdigit() for c in t) and any(c.isupper() for c in t)


def needs_letter_reread(w: engine.TessWord) -> bool:
    return MIN_CONF <= w.conf < READ_SURE and not w.verified and is_letter_word(w.text)


def read_strip(gray: np.ndarray, words: list[engine.TessWord], idx: list[int], lang: str,
               dpi: float, scale: float = SCALE) -> dict[int, str] | None:
    """One call over the crops of words[idx] stacked in a strip: word index -> text read."""
    return strips.read_strip(gray, words, idx, lang, dpi, scale, margin_y=MARGIN_Y)


Symbols = list[tuple[str, tuple[str, ...]]]  # each glyph read: its symbol, its rivals (other strong LSTM choices)


def read_strip_choices(gray: np.ndarray, words: list[engine.TessWord], idx: list[int], lang: str,
                       dpi: float, scale: float = THIRD_SCALE) -> dict[int, Symbols] | None:
    """The strip read in this process with Tesseract's per-symbol LSTM choices: word index -> its
    symbols, left to right, each with the other choices scored at least RIVAL. None when the
    in-process engine is not in use or failed (the subprocess gives no choices)."""
    if engine.engine_in_use() != "api":
        return None
    built = strips.build_strip(gray, words, idx, scale, margin_y=MARGIN_Y)
    if built is None:
        return {}
    strip, bands = built
    read = engine.symbol_choices(strip, lang=lang, dpi=int(round(dpi * scale)), psm=6)
    if read is None:
        return None
    found: dict[int, list[tuple[str, tuple[str, ...]]]] = {i: [] for i, _, _ in bands}
    for text, box, choices in read:
        i = strips.band_of((box[1] + box[3]) / 2, bands)
        if i is None:
            continue
        sym = _same_glyph(text)
        rivals = tuple(dict.fromkeys(c for got, score in choices
                                     if (c := _same_glyph(got)) and score >= RIVAL and c.casefold() != sym.casefold()))
        found[i].append((sym, rivals))
    # in the iterator's reading order: LSTM symbol boxes overlap, and sorted by their left edge
    # they scramble a word ('Thanh' as 'Tahnh')
    return found


def compare(first: str, second: str) -> bool | None:
    """True: the same spelling (NFC, marks included, case aside); False: another spelling;
    None: no evidence (nothing read, or not a word: junk of a crop)."""
    a, b = _core(first).translate(_HOMOGLYPHS), _core(second).translate(_HOMOGLYPHS)
    if not b or sum(c.isalpha() for c in b) < MIN_LETTERS or not all(c.isalnum() or c in _INNER for c in b):
        return None
    if a.casefold() == b.casefold():
        return True
    if abs(len(a) - len(b)) > max(1, len(a) // 3):
        return None  # a piece of the word, or the neighbour's ink: not another spelling of it
    return False


def _in_case_of(first: str, second: str) -> str:
    """The second spelling in the first read's case ('KIÊN' read 'Kiên' again stays upper)."""
    a = _core(first)
    if a.isupper():
        return second.upper()
    if a[:1].isupper() and a[1:].islower():
        return second[:1].upper() + second[1:].lower()
    return second


def second_read_letters(gray: np.ndarray, words: list[engine.TessWord], *, dpi: float = 300,
                        lang: str = SECOND_LANG, page_lang: str = "vie") -> tuple[list[engine.TessWord], dict]:
    """Weak capitalised letter words read again by the second model: verified when it agrees
    and a re-read of those crops by the page's own model (another scale) agrees too; a spelling
    either gives otherwise is an alternative. Returns the new word list and counts."""
    stats = {"checked": 0, "verified": 0, "differs": 0}
    idx = [i for i, w in enumerate(words) if needs_letter_reread(w)][:MAX_WORDS]
    if not idx or not second_model_installed(lang):
        return words, stats
    second = read_strip(gray, words, idx, lang, dpi)
    if not second:
        return words, stats
    agreed = [i for i, text in second.items() if compare(words[i].text, text) is True]
    # the script model loses a mark the ink has ('NGUYỄN' read 'NGUYÊN' on a clean line) as the
    # first read may: its agreement alone would confirm such a slip, so the page's model reads the
    # agreeing crops once more, with its per-symbol choices: the word is verified only when that
    # read spells it the same too and no glyph had a strong rival ('Ê' with 'Ễ' at 71)
    third = read_strip_choices(gray, words, agreed, page_lang, dpi) if agreed else None
    out = list(words)
    for i, text in second.items():
        stats["checked"] += 1
        w = words[i]
        verdict = compare(w.text, text)
        if verdict is False:
            out[i] = _with_alternative(w, text, stats)
        elif verdict is True and third is not None and i in third:
            symbols = third[i]
            again = "".join(sym for sym, _ in symbols)
            if compare(w.text, again) is True and not any(r for _, r in symbols):
                out[i] = replace(w, verified=True)
                stats["verified"] += 1
                continue
            for spelling in [again, *_rival_spellings(symbols)][:1 + MAX_RIVALS]:
                if compare(w.text, spelling) is False:
                    w = _with_alternative(w, spelling, stats)
            out[i] = w
    return out, stats


MAX_RIVALS = 3


_HOMOGLYPHS = str.maketrans({"Ð": "Đ", "ð": "đ"})  # the Icelandic eth for the Vietnamese D with stroke


def _same_glyph(sym: str) -> str:
    """A symbol as Vietnamese text writes it: NFC, look-alikes of another script mapped (a case-only
    rival, or 'Ð' for 'Đ', is no other spelling of a value)."""
    return unicodedata.normalize("NFC", sym).translate(_HOMOGLYPHS)


def _rival_spellings(symbols: Symbols) -> list[str]:
    """The read with one glyph swapped for one of its strong rivals, each in turn."""
    base = [sym for sym, _ in symbols]
    return [unicodedata.normalize("NFC", "".join(base[:k] + [r] + base[k + 1:]))
            for k, (_, rivals) in enumerate(symbols) for r in rivals]


def _with_alternative(w: engine.TessWord, text: str, stats: dict) -> engine.TessWord:
    core = _core(w.text)
    alt = _in_case_of(w.text, _core(text))
    full = w.text.replace(core, alt, 1)  # the word's edge punctuation kept: the alternative spells the word
    if alt == core or full in w.alternatives:
        return w
    stats["differs"] += 1
    return replace(w, alternatives=(*w.alternatives, full))
