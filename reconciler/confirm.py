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
reason other than a slip (another date of the text, another anchor's figure) agrees with the
record only by chance: the field's chance agreement, the linkage's u where it has one.
"""
from __future__ import annotations

from typing import Any

from sohoa.core.types import ExtractedField
from sohoa.reconciler.compare import values_agree
from sohoa.reconciler.match import FIELD_MODELS, MIN_WEIGHT, level

CONFIRMED_BY_REGISTRY = "registry"
READ_FLOOR = 0.5  # below this the value is a guess, not a read: no record makes it one
REGISTRY_RIGHT = 0.95  # P(the record holds the paper's value): about one field in twenty is off
MAX_CONFIRMED = 0.99  # two sources agreeing still leaves the chance both slipped alike
# P(a wrong value agrees with the record by chance), fields the linkage does not weigh
CHANCE_AGREEMENT: dict[str, float] = {
    "penalty_months": 0.05, "probation_months": 0.15, "duration_months": 0.1, "fine_vnd": 0.03,
    "principal_penalty": 0.3, "charges": 0.03, "penal_code_articles": 0.03, "effective_date": 0.005,
}


def chance_agreement(name: str) -> float | None:
    model = FIELD_MODELS.get(name)
    return model.u_same if model is not None else CHANCE_AGREEMENT.get(name)


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
    chance = chance_agreement(name)
    if chance is None or read.confidence < READ_FLOOR or slip_prone(name, read):
        return None
    total, levels = link
    own = FIELD_MODELS[name].weight(levels[name]) if name in levels and name in FIELD_MODELS else 0.0
    if total - own < MIN_WEIGHT:
        return None  # linked on this very field: its agreement is the link, not a confirmation
    odds = read.confidence / max(1e-9, 1 - read.confidence) * REGISTRY_RIGHT / chance
    return min(MAX_CONFIRMED, odds / (1 + odds))
