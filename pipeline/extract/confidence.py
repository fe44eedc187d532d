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

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from sohoa.core.text import fold_marks
from sohoa.core.types import ExtractedField, Word

from .evidence import (
    ANCHOR_AGREES,
    CLAMPED,
    CONFLICTING_CANDIDATE,
    DIGIT_LOST,
    DIGITS_REPAIRED,
    TERM_DIGIT_LOST,
    TERM_WEIGHTS,
    Adjustment,
    Applied,
    applied,
    doubts_reading,
    fold,
)
from .layout import Doc, Span

if TYPE_CHECKING:
    from .numbers import Duration


@dataclass
class Candidate:
    """A value read, where (span) and by which anchor (source), its prior confidence (OCR x
    method) and the named adjustments applied to it since, in order: `conf` is the prior folded
    through `applied` (kept current by `adjust`)."""

    value: Any
    prior: float
    span: Span | None = None
    source: str = ""  # which anchor produced it
    applied: list[Applied] = field(default_factory=list)
    article: str | None = None  # an offence's article ('?' for a printed offence not catalogued)
    rivals: tuple[Any, ...] = ()  # values other anchors read for the field, that lost (resolve)
    conf: float = field(init=False)

    def __post_init__(self) -> None:
        self.conf = fold(self.prior, self.applied)

    def adjust(self, adj: Adjustment, factor: float | None = None, weight: float = 1.0,
               detail: str = "") -> Candidate:
        """Apply `adj` (with `factor` when variable) and keep it in the list."""
        step = applied(adj, factor, weight, detail)
        self.applied.append(step)
        self.conf = step.apply(self.conf)
        return self

    def adjust_all(self, steps: list[Applied]) -> Candidate:
        for step in steps:
            self.applied.append(step)
            self.conf = step.apply(self.conf)
        return self

    def has(self, adj: Adjustment) -> bool:
        return any(a.adjustment is adj for a in self.applied)

    @property
    def notes(self) -> list[str]:
        """The notes of the adjustments applied (those that have one), in order."""
        return [a.note for a in self.applied if a.note]

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


# Below this OCR confidence of a word, any character of it may be a slip.
READ_SURE = 0.8
# A losing anchor's value at least this sure is one the read could not rule out.
RIVAL_FLOOR = 0.2

# A number with more than this many digit widths of unexplained space beside it may
# have lost a digit to OCR ('18' read '8'): see Doc.digit_gap.
LOST_DIGIT_GAP = 0.6
# Between two words of a name, more unexplained space than this many character widths may
# hide a word OCR lost (Doc.word_gap; over 40 heavy scans, 99.9 % of word gaps are below 2.0
# and every correctly read name below 1.3).
LOST_WORD_GAP = 2.0


def number_evidence(doc: Doc, a: int, b: int, repairs: int = 0,
                    per_repair: Adjustment = DIGITS_REPAIRED) -> list[Applied]:
    """The adjustments of a number or date read from text[a:b]: one factor per OCR
    letter-for-digit repair, a possibly lost digit."""
    out = [applied(per_repair, per_repair.factor ** repairs)]
    if doc.digit_gap(a, b) > LOST_DIGIT_GAP:
        out.append(applied(DIGIT_LOST))
    return out


def number_candidate(doc: Doc, value: Any, a: int, b: int, method: float, source: str, repairs: int = 0,
                     per_repair: Adjustment = DIGITS_REPAIRED) -> Candidate:
    """A number or date read from text[a:b]: OCR quality x method, then number_evidence."""
    sp = doc.span(a, b)
    return Candidate(value, base(sp, method), sp, source, number_evidence(doc, a, b, repairs, per_repair))


def term_evidence(doc: Doc, d: Duration) -> list[Adjustment]:
    """What a printed term (numbers.Duration) tells of how far its figure can be trusted, and
    whether a digit may have been lost beside its figure (not when its words confirm it)."""
    out = d.evidence()
    if d.words_agree is not True and doc.digit_gap(d.start, d.end) > LOST_DIGIT_GAP:
        out.append(TERM_DIGIT_LOST)
    return out


def weigh_term(found: list[Adjustment]) -> list[Applied]:
    """The adjustments of a term's figure, given its evidence (term_evidence), in the fixed order
    of TERM_WEIGHTS."""
    return [applied(t) for t in TERM_WEIGHTS if t in found]


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
    steps = list(best.applied)
    others = [c for c in best_group if c is not best and c.source != best.source]
    for o in others:
        steps.append(applied(ANCHOR_AGREES, weight=o.conf))
    notes = []
    for g in ranked[1:]:
        oc = max(c.conf for c in g)
        if oc > 0.2:
            step = applied(CONFLICTING_CANDIDATE, 1 - conflict_weight * oc * (0.5 if len(best_group) > len(g) else 1.0),
                           detail=f"{g[0].value!r} ({oc:.2f})")
            steps.append(step)
            notes.append(step.note)
    steps.append(applied(CLAMPED))
    rivals = tuple(g[0].value for g in ranked[1:] if max(c.conf for c in g) > RIVAL_FLOOR)
    out = Candidate(best.value, best.prior, best.span, best.source, steps, best.article, rivals)
    return out, notes


class Scorer(Protocol):
    """What scores a candidate's confidence (calibrate.ConfidenceModel, the fitted model)."""

    def score(self, name: str, c: Candidate) -> float: ...


def handset(c: Candidate, cap: float = 0.995) -> float:
    """The hand-set confidence of `c` as reported without a model (clamped, capped)."""
    return min(cap, clamp(c.conf))


def carries(word: Word, value: Any) -> bool:
    """Does `word` give characters of `value`? A value's span holds its label words too ('ngày',
    'tháng', 'Số:'): a weakly read label is no doubt about the figures. A word with a digit carries
    a number or a date; for a text value, a word whose letters (marks folded away: a slip of a
    mark still carries) are among the value's words. Unsure: it carries."""
    text = re.sub(r"[^\w]", "", word.text)
    if not text:
        return False  # a dash, a quote, a speck: no character of any value
    if any(ch.isdigit() for ch in text):
        return True
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return False  # a number's value is its digits
    if isinstance(value, str) and re.fullmatch(r"[\d\-/.]+", value):
        return False  # a date or a pure number: only digit words carry it
    if isinstance(value, (str, list, tuple)):
        parts = value if isinstance(value, (list, tuple)) else [value]
        words = {w for v in parts for w in re.findall(r"\w+", fold_marks(str(v)))}
        return fold_marks(text) in words
    return True


def doubtful(c: Candidate) -> bool:
    """Could any character of `c`'s value be a slip the read did not rule out: a word giving the
    value's characters (`carries`) read weakly that no second read agreed with, a word another
    read spelled otherwise, or an adjustment that doubts the reading? (The reported field's
    `doubtful`: reconciler.confirm lets no record confirm such a read.)"""
    span = c.span.words if c.span is not None else []
    # none carries (a term read from its words, 'hai năm'): every word of the span is the value's
    words = [w for w in span if carries(w, c.value)] or span
    weak_ocr = any(w.confidence < READ_SURE and not w.verified for w in words)
    return weak_ocr or doubts_reading(c.applied) or any(w.alternatives for w in words)


def to_field(name: str, c: Candidate, cap: float = 0.995, model: Scorer | None = None) -> ExtractedField:
    """The field reported for candidate `c` of field `name`: its confidence is `model`'s
    (calibrate.py; caps applied stay caps) or, without a model, the hand-set one (c.conf)."""
    span = c.span
    words = span.words if span is not None else []
    conf = min(cap, model.score(name, c)) if model is not None else handset(c, cap)
    return ExtractedField(value=c.value, confidence=round(conf, 4),
                          page=span.page if span else None, bbox=span.bbox if span else None,
                          alternatives=c.rivals + second_spellings(c.value, words), doubtful=doubtful(c))


def second_spellings(value: Any, words: list[Word]) -> tuple[str, ...]:
    """The value as another read spelled its words (ocr.verify.unexplained_dots)."""
    if not isinstance(value, str):
        return ()
    out = []
    for w in words:
        for alt in w.alternatives:
            swapped = re.sub(rf"(?<!\w){re.escape(w.text)}(?!\w)", alt, value, count=1)
            if swapped != value:
                out.append(swapped)
    return tuple(out)
