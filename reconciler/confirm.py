"""Evidence fusion: the linked registry record confirms a value read with low confidence --
only where the read itself is evidence (contract section 4).

A record that agrees with a read lifts it when
- the record was linked through *other* fields: the link holds without this field's agreement;
- the read is a read: its own confidence is at least READ_FLOOR;
- the record speaks to the whole value (answers_whole), not only the part agreement compares;
- the read's doubt is not about its characters. A registry typo is the same kind of slip as an
  OCR misread (one tone mark, one digit): when the read could be such a slip -- its characters
  doubtful (weak OCR, a repaired digit), or an alternative the read could not rule out lies one
  slip away -- a record that agrees may hold the very same slip, and proves nothing.
The lifted confidence is the posterior (Bayes, in odds): the read's odds times
P(record agrees | value right) / P(record agrees | value wrong). A value that is wrong for a
reason other than a slip (another date of the text, another anchor's figure, the other trial
level) agrees with the record in two ways only (`chance_agreement`): the record is another
document's after all -- as likely as the link's weight without this field says (2^-bits) -- and
then agrees by chance (the linkage's u); or it is this document's record and holds the very same
wrong value -- its field is wrong (1 - REGISTRY_RIGHT) and wrong alike (SAME_WRONG: one of the
few other values a category has, one of many a number or date can take). A random pair's u is
no measure of the second: a trial level agrees with a stranger's record four times in five, with
this document's record, when read wrong, about once in twenty.
"""
from __future__ import annotations

import unicodedata
from typing import Any

from sohoa.core.text import fold_marks
from sohoa.core.types import ExtractedField
from sohoa.reconciler.compare import values_agree
from sohoa.reconciler.match import FIELD_MODELS, MIN_WEIGHT, level

CONFIRMED_BY_REGISTRY = "registry"
READ_FLOOR = 0.5  # below this the value is a guess, not a read: no record makes it one
REGISTRY_RIGHT = 0.95  # P(the record holds the paper's value): about one field in twenty is off
MAX_CONFIRMED = 0.99  # two sources agreeing still leaves the chance both slipped alike
# P(a wrong value agrees with the record by chance), fields the linkage does not weigh (their u)
CHANCE_AGREEMENT: dict[str, float] = {
    "penalty_months": 0.05, "probation_months": 0.15, "duration_months": 0.1, "fine_vnd": 0.03,
    "principal_penalty": 0.3, "charges": 0.03, "penal_code_articles": 0.03, "effective_date": 0.005,
}
# P(the linked record's wrong value is the same wrong value the read has | both wrong, the read's
# error no slip of the characters -- slips are not confirmed at all, slip_prone): a category's
# other values are few (a trial level has one), a number's or a date's are many.
SAME_WRONG: dict[str, float] = {
    "trial_level": 1.0, "doc_type": 0.5, "principal_penalty": 0.25, "decision_kind": 0.15, "issuer": 0.05,
    "charges": 0.05, "penal_code_articles": 0.05, "penalty_months": 0.1, "probation_months": 0.2,
    "duration_months": 0.1, "fine_vnd": 0.05, "issue_date": 0.05, "effective_date": 0.05, "birth_date": 0.05,
    "document_number": 0.02, "judgment_ref": 0.02, "person_name": 0.02, "personal_id": 0.01,
    "passport_number": 0.01,
}


def chance_agreement(name: str, other_bits: float = MIN_WEIGHT) -> float | None:
    """P(the linked record agrees with a wrong read of field `name`), the link holding by
    `other_bits` of match weight without this field (see the module)."""
    model = FIELD_MODELS.get(name)
    u = model.u_same if model is not None else CHANCE_AGREEMENT.get(name)
    same = SAME_WRONG.get(name)
    if u is None or same is None:
        return None
    stranger = 2.0 ** -max(0.0, other_bits)  # the record is another document's
    return stranger * u + (1 - stranger) * (1 - REGISTRY_RIGHT) * same


# Fields a registry clerk types character by character, so that a typo can be the very slip OCR
# makes (a tone mark, a digit). A category (kind, penalty, trial level) or a catalogue entry
# (an offence, a court) is picked, not typed: a wrong pick is no slip of the characters.
TRANSCRIBED = frozenset({
    "person_name", "birth_date", "personal_id", "passport_number", "document_number", "judgment_ref",
    "issue_date", "effective_date", "penalty_months", "probation_months", "fine_vnd", "duration_months",
})


def slip_prone(name: str, read: ExtractedField) -> bool:
    """Could the read be one slip off the paper, of the kind a registry typo also makes?"""
    if name not in TRANSCRIBED:
        return False
    if read.doubtful:
        return True
    return any(level(name, alt, read.value) == "near" for alt in read.alternatives)


def _marks(s: str) -> int:
    return sum(1 for ch in unicodedata.normalize("NFD", s) if unicodedata.combining(ch))


def read_may_have_slipped_to(name: str, read: ExtractedField, reg: Any) -> bool:
    """Could a read that disagrees with the record be the OCR's slip of the record's value, which
    the read could not rule out? Then the disagreement is a question for the scan, not a
    discrepancy that says the record is wrong: the record's value is one of the read's
    alternatives (another anchor's, a second read's), or it is the read with marks the read lacks
    -- OCR loses a tone mark or a dot below ('Ty' for 'Tỵ') far more often than it invents one,
    while a typist's slip drops marks: a record with more marks than the read is not its typo."""
    if reg is None or read.value in (None, "", []):
        return False
    if any(values_agree(name, alt, reg) for alt in read.alternatives):
        return True
    if name in TRANSCRIBED and isinstance(read.value, str) and isinstance(reg, str):
        return fold_marks(read.value) == fold_marks(reg) and _marks(reg) > _marks(read.value)
    return False


def answers_whole(name: str, value: Any, reg: Any) -> bool:
    """Does the record speak to every part of the value read? Agreement forgives what a record
    may leave out -- the General Part articles of a list, the day and month of a birth date the
    record keeps as a year -- and what it left out it cannot confirm ('38' read '3' beside an
    agreeing offence article is no less wrong)."""
    if name == "penal_code_articles" and isinstance(value, list) and isinstance(reg, list):
        return {str(v) for v in value} <= {str(r) for r in reg}
    if name == "birth_date":
        return len(str(reg)) >= len(str(value))
    return True


def confirmed_confidence(name: str, read: ExtractedField, record: dict[str, Any],
                         link: tuple[float, dict[str, str]]) -> float | None:
    """The read's confidence lifted by the record's agreement, or None when the agreement is
    no evidence (see the module's rules). link: match.score of the document's (person's)
    values against the record, for the link's weight without this field."""
    reg = record.get(name)
    if reg is None or read.value in (None, "", []) or not values_agree(name, read.value, reg):
        return None
    if not answers_whole(name, read.value, reg):
        return None
    if read.confidence < READ_FLOOR or slip_prone(name, read):
        return None
    total, levels = link
    own = FIELD_MODELS[name].weight(levels[name]) if name in levels and name in FIELD_MODELS else 0.0
    if total - own < MIN_WEIGHT:
        return None  # linked on this very field: its agreement is the link, not a confirmation
    chance = chance_agreement(name, total - own)
    if chance is None:
        return None
    odds = read.confidence / max(1e-9, 1 - read.confidence) * REGISTRY_RIGHT / chance
    return min(MAX_CONFIRMED, odds / (1 + odds))
