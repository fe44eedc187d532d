"""Find the registry record a document -- each of its persons (contract section 5) --
belongs to: record linkage on all identifying fields together (Fellegi-Sunter).

Each identifying field is compared at one of three levels -- the same, nearly the
same (one tone mark, one digit or letter: what an OCR slip or a typist's slip makes),
different -- or not at all when either side lacks it. A level adds log2(m/u) bits to
the link's match weight: m is how often a true link shows that level, u how often a
random pair does. A link therefore survives one wrong field on either side (the
field then becomes a discrepancy for a verifier), and two records that agree equally
well are a question for a person, not a coin toss.

The m and u of each field (FIELD_MODELS) are set from what the fields are: u from how
many distinct values a field takes in a registry (a 12-digit personal ID almost never
agrees by chance, a trial level half the time), m from how often a scan or a
registry entry gets it wrong. Blocking (`candidates`) keeps the pairs scored to the
records that share at least one exact key with the document -- document number,
personal ID, passport number, kind and issue date, or the person's name folded; a key
too many records share is replaced by document number and issue date together -- so linking costs a few
indexed lookups whatever the size of the registry (bench/linkage.py: 1,000,000 records).
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

from rapidfuzz.distance import Levenshtein
from sohoa.archive.models import RegistryRecord
from sohoa.core.text import fold_marks, name_key
from sohoa.reconciler.compare import norm_document_number, norm_passport, norm_text, values_agree
from sqlalchemy import and_, select
from sqlalchemy.orm import Session


@dataclass(frozen=True)
class FieldModel:
    """P(level | true link) and P(level | random pair) for `same` and `near`."""

    m_same: float
    m_near: float
    u_same: float
    u_near: float

    def weight(self, level: str) -> float:
        if level == "same":
            return math.log2(self.m_same / self.u_same)
        if level == "near":
            return math.log2(self.m_near / self.u_near)
        return math.log2((1 - self.m_same - self.m_near) / (1 - self.u_same - self.u_near))


FIELD_MODELS: dict[str, FieldModel] = {
    # a number is unique only within its issuer and year: '57/2021/HS-ST' is ~700 courts' judgment,
    # one in a thousand records of a national registry (bench/linkage.py), and one digit off another's
    "document_number": FieldModel(0.92, 0.06, 1e-3, 1e-2),
    "judgment_ref": FieldModel(0.90, 0.07, 1e-3, 1e-2),
    "personal_id": FieldModel(0.90, 0.08, 1e-6, 1e-5),
    "passport_number": FieldModel(0.90, 0.08, 1e-6, 1e-5),
    "person_name": FieldModel(0.85, 0.13, 1e-4, 5e-4),
    "birth_date": FieldModel(0.90, 0.07, 1e-3, 5e-3),
    "issue_date": FieldModel(0.95, 0.04, 3e-3, 2e-2),
    "issuer": FieldModel(0.90, 0.08, 2e-2, 2e-2),
    "doc_type": FieldModel(0.99, 0.005, 0.4, 0.01),
    "decision_kind": FieldModel(0.95, 0.02, 0.15, 0.05),
    "trial_level": FieldModel(0.97, 0.01, 0.8, 0.01),
}
PERSON_KEYS = ("personal_id", "passport_number", "person_name", "birth_date")

MIN_WEIGHT = 8.0  # bits: below this, no link (about 1 in 250 that a pair this good is chance)
# ... of which the document's own fields must give this much: a record is one document's and one
# person's, and the same person's other documents (their decision, their certificate) agree on
# every person field
MIN_DOCUMENT_WEIGHT = 4.0
MIN_MARGIN = 4.0  # bits the best record must lead the next by; else a person decides
MAX_CANDIDATES = 200  # per block: a key shared by more records than this says nothing alone


@functools.lru_cache(maxsize=1 << 16)  # a query's values are folded once, not once a candidate
def _fold(s: str) -> str:
    """Without tone marks and diacritics ('Tỵ' -> 'ty', 'đ' -> 'd'), case-folded, spaces collapsed."""
    return fold_marks(norm_text(s))


def level(field: str, a: Any, b: Any) -> str | None:
    """same / near / different, or None when either side has no value."""
    if a is None or b is None or a == "" or b == "" or a == [] or b == []:
        return None
    if field == "birth_date" and (len(str(a)) == 4 or len(str(b)) == 4):
        # a year-only birth date agrees with one in 45 random persons, not one in a thousand:
        # the year alone is at most nearly the same (with a document number that ~700 courts
        # each give once a year, 'same year' made a stranger's judgment a link)
        return "near" if str(a)[:4] == str(b)[:4] else "different"
    if values_agree(field, a, b):
        return "same"
    if isinstance(a, list) or isinstance(b, list):
        return "different"
    x, y = str(a), str(b)
    if field in ("document_number", "judgment_ref"):
        x, y = norm_document_number(x), norm_document_number(y)
    elif field == "passport_number":
        x, y = norm_passport(x), norm_passport(y)
    elif field in ("person_name", "issuer"):
        if _fold(x) == _fold(y):
            return "near"  # tone marks only
        x, y = _fold(x), _fold(y)
    else:
        x, y = norm_text(x), norm_text(y)
    return "near" if Levenshtein.distance(x, y) <= 1 else "different"


@dataclass
class Scored:
    record: RegistryRecord
    weight: float
    levels: dict[str, str]
    document_weight: float = 0.0


def score(values: dict[str, Any], record: dict[str, Any]) -> tuple[float, dict[str, str]]:
    """The match weight (bits) of a document's (person's) values against a record."""
    total, levels = 0.0, {}
    for name, model in FIELD_MODELS.items():
        lv = level(name, values.get(name), record.get(name))
        if lv is None:
            continue
        levels[name] = lv
        total += model.weight(lv)
    return total, levels


def document_weight(levels: dict[str, str]) -> float:
    """The part of a match weight the document's own fields give."""
    return sum(FIELD_MODELS[n].weight(lv) for n, lv in levels.items() if n not in PERSON_KEYS)


def candidates(session: Session, doc_type: str | None, values: dict[str, Any]) -> list[RegistryRecord]:
    """Registry records sharing at least one exact key with the values (blocking).

    Each key is one indexed lookup of record ids. A key more than MAX_CANDIDATES records
    share says nothing alone and is dropped -- in a national registry a judgment number
    like '57/2021/HS-ST' is ~700 courts' and a day ~300 judgments -- and the document
    number and issue date are then looked up together. The records are read once, by id."""
    number = norm_document_number(values["document_number"]) if values.get("document_number") else None
    day = str(values["issue_date"]) if values.get("issue_date") else None
    blocks = []
    if number:
        blocks.append(RegistryRecord.document_number == number)
    if values.get("personal_id"):
        blocks.append(RegistryRecord.personal_id == str(values["personal_id"]))
    if values.get("passport_number"):
        blocks.append(RegistryRecord.passport_number == norm_passport(values["passport_number"]))
    if day and doc_type:
        blocks.append(and_(RegistryRecord.doc_type == doc_type, RegistryRecord.issue_date == day))
    if values.get("person_name"):  # a common name saturates its block and says nothing alone
        blocks.append(RegistryRecord.name_key == name_key(str(values["person_name"]))[:200])

    def block_ids(block: Any) -> list[str] | None:
        """The ids of the records sharing the key, or None when too many share it."""
        found = session.scalars(select(RegistryRecord.record_id).where(block).limit(MAX_CANDIDATES + 1)).all()
        return None if len(found) > MAX_CANDIDATES else list(found)

    ids: set[str] = set()
    saturated = False
    for block in blocks:
        found = block_ids(block)
        saturated |= found is None
        ids.update(found or [])
    if saturated and number and day:
        ids.update(block_ids(and_(RegistryRecord.document_number == number, RegistryRecord.issue_date == day)) or [])
    if not ids:
        return []
    return list(session.scalars(select(RegistryRecord).where(RegistryRecord.record_id.in_(sorted(ids)))
                                .order_by(RegistryRecord.record_id)))


def other_court_unconfirmed(levels: dict[str, str]) -> bool:
    """Another court's record, and the person not shown to be the same. A document number and
    date are unique within one court only: at national scale ~700 courts number from 1 each
    year, so a stranger's judgment of the same number and day is there to be found (5 of 457
    persons with no record linked to one at 1,000,000 records, bench/linkage.py). A link across
    a differing issuer -- the issuer being the one wrong field -- needs the person's ID or
    passport, or their full name and birth date, to agree."""
    if levels.get("issuer") != "different":
        return False
    if any(levels.get(k) in ("same", "near") for k in ("personal_id", "passport_number")):
        return False
    return not (levels.get("person_name") == "same" and levels.get("birth_date") == "same")


def link(session: Session, doc_type: str | None, doc: dict[str, Any],
         persons: list[dict[str, Any]]) -> list[Scored | None]:
    """Each person's record (or None), no record to two persons; a person whose two best
    records are within MIN_MARGIN bits of each other is left for a person to decide."""
    base = {**doc, "doc_type": doc_type} if doc_type else dict(doc)
    people = persons or [{}]
    pool: dict[str, RegistryRecord] = {}
    for p in people:
        for r in candidates(session, doc_type, {**base, **p}):
            pool[r.record_id] = r
    scored: list[list[Scored]] = []
    for p in people:
        rows = []
        for r in pool.values():
            w, lv = score({**base, **p}, r.data)
            if len(people) > 1 and not any(lv.get(k) in ("same", "near") for k in PERSON_KEYS):
                continue  # with several persons, a record links only to one whose person it resembles
            if other_court_unconfirmed(lv):
                continue
            rows.append(Scored(r, w, lv, document_weight(lv)))
        rows.sort(key=lambda s: (-s.weight, s.record.record_id))
        scored.append(rows)
    found: list[Scored | None] = [None] * len(people)
    taken: set[str] = set()
    pairs = sorted(((s.weight, i, s) for i, rows in enumerate(scored) for s in rows
                    if s.weight >= MIN_WEIGHT and s.document_weight >= MIN_DOCUMENT_WEIGHT),
                   key=lambda t: (-t[0], t[1], t[2].record.record_id))
    undecided: set[int] = set()
    for w, i, s in pairs:
        if found[i] is not None or i in undecided or s.record.record_id in taken:
            continue
        rivals = [o.weight for o in scored[i] if o is not s and o.record.record_id not in taken]
        if rivals and w - max(rivals) < MIN_MARGIN:
            undecided.add(i)
            continue
        found[i] = s
        taken.add(s.record.record_id)
    return found


def match_persons(session: Session, doc_type: str | None, doc: dict[str, Any],
                  persons: list[dict[str, Any]]) -> list[RegistryRecord | None]:
    """Each person's own registry record (or None). doc: the document's fields; persons:
    each person's fields."""
    return [s.record if s is not None else None for s in link(session, doc_type, doc, persons)]
