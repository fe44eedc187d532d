"""Confidence: candidates, agreement between anchors, conflicts.

Every candidate value carries a confidence built as

    ocr  x  method  x  checks

* ocr    -- OCR quality of the words the value came from (Span.ocr: sqrt(min*mean)
            of word confidences; 1.0 for a born-digital text layer);
* method -- how reliable the anchor/pattern is (primary anchor ~0.97-0.99,
            fallbacks lower);
* checks -- validity and cross-checks (real date, 12 digits, catalogue match
            distance, digit/word agreement, OCR digit repairs...), each a factor.

`resolve` then merges the candidates of one field: independent anchors that
agree raise the confidence (noisy-OR), conflicting ones lower it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sohoa.core.types import ExtractedField

from .layout import Doc, Span


@dataclass
class Candidate:
    value: Any
    conf: float
    span: Span | None = None
    source: str = ""  # which anchor produced it
    notes: list[str] = field(default_factory=list)

    def key(self) -> Any:
        v = self.value
        if isinstance(v, list):
            return tuple(v)
        if isinstance(v, str):
            return v.casefold()
        return v


def clamp(x: float) -> float:
    return max(0.0, min(1.0, x))


def base(span: Span | None, method: float) -> float:
    ocr = span.ocr if span is not None and span.words else 0.85
    # map OCR confidence: tesseract word confidences of clean text sit ~0.90-0.97
    return clamp(method * min(1.0, 0.15 + 0.9 * ocr) if ocr < 0.95 else method * ocr ** 0.3)


# A number with more than this many digit widths of unexplained space beside it may
# have lost a digit to OCR ('18' read '8'): see Doc.digit_gap.
LOST_DIGIT_GAP = 0.6
LOST_DIGIT_FACTOR = 0.7
# Between two words of a name, more unexplained space than this many character widths may
# hide a word OCR lost (Doc.word_gap; over 40 heavy scans, 99.9 % of word gaps are below 2.0
# and every correctly read name below 1.3).
LOST_WORD_GAP = 2.0


def number_conf(doc: Doc, a: int, b: int, method: float, repairs: int = 0,
                per_repair: float = 0.85) -> tuple[Span, float]:
    """The words of a number or date read from text[a:b] and its confidence: OCR quality x
    method x one factor per OCR letter-for-digit repair x a possibly lost digit."""
    sp = doc.span(a, b)
    conf = base(sp, method) * per_repair ** repairs
    if doc.digit_gap(a, b) > LOST_DIGIT_GAP:
        conf *= LOST_DIGIT_FACTOR
    return sp, conf


def term_notes(doc: Doc, d) -> list[str]:
    """A printed term's (numbers.Duration) notes, and whether a digit may have been lost
    beside its figure (not when its words confirm the figure)."""
    notes = d.notes()
    if d.words_agree is not True and doc.digit_gap(d.start, d.end) > LOST_DIGIT_GAP:
        notes.append("digit gap")
    return notes


_TERM_FACTORS = {"words disagree": 0.5, "digit repairs": 0.8, "days in term": 0.7,
                 "unit unreadable before term": 0.6, "term may continue another line": 0.6,
                 "digit gap": LOST_DIGIT_FACTOR}


def weigh_term(conf: float, notes: list[str]) -> float:
    """The confidence of a term's figure, given its notes (term_notes)."""
    if "words agree" in notes:
        conf = conf + (1 - conf) * 0.5
    for note, factor in _TERM_FACTORS.items():
        if note in notes:
            conf *= factor
    return conf


def resolve(cands: list[Candidate], *, conflict_weight: float = 0.7) -> tuple[Candidate | None, list[str]]:
    """Pick the best-supported value; adjust its confidence by agreement/conflict."""
    cands = [c for c in cands if c is not None and c.value is not None and c.value != []]
    if not cands:
        return None, []
    groups: dict[Any, list[Candidate]] = {}
    for c in cands:
        groups.setdefault(c.key(), []).append(c)

    def support(cs: list[Candidate]) -> float:
        p = 1.0
        seen = set()
        for c in sorted(cs, key=lambda c: -c.conf):
            if c.source in seen:
                continue  # the same anchor twice is not independent evidence
            seen.add(c.source)
            p *= 1.0 - c.conf
        return 1.0 - p

    ranked = sorted(groups.values(), key=lambda cs: (-support(cs), -max(c.conf for c in cs)))
    best_group = ranked[0]
    best = max(best_group, key=lambda c: c.conf)
    conf = best.conf
    others = [c for c in best_group if c is not best and c.source != best.source]
    for o in others:
        conf = conf + (1 - conf) * 0.6 * o.conf
    notes = []
    for g in ranked[1:]:
        oc = max(c.conf for c in g)
        if oc > 0.2:
            conf *= 1 - conflict_weight * oc * (0.5 if len(best_group) > len(g) else 1.0)
            notes.append(f"conflicting candidate {g[0].value!r} ({oc:.2f})")
    out = Candidate(best.value, clamp(conf), best.span, best.source, best.notes + notes)
    return out, notes


def to_field(c: Candidate, cap: float = 0.995) -> ExtractedField:
    span = c.span
    return ExtractedField(value=c.value, confidence=round(min(cap, clamp(c.conf)), 4),
                          page=span.page if span else None, bbox=span.bbox if span else None)
