"""The persons of a document as the workbench shows them (contract v2, section 5): which
values belong to the person a review item concerns, and every person side by side.

A document's own fields live in the `fields` table, which also holds persons[0]'s person
fields (the v1 view); each person's own fields are their PersonField rows. An item of
person k is judged on the document's own fields and person k's -- never persons[0]'s.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sohoa.archive.models import Document, FieldValue, Person, PersonField, ReviewItem
from sohoa.core.types import PERSON_FIELDS
from sqlalchemy import select
from sqlalchemy.orm import Session

ReadRow = FieldValue | PersonField


def person_of(s: Session, document_id: str, ordinal: int) -> Person | None:
    return s.scalar(select(Person).where(Person.document_id == document_id, Person.ordinal == ordinal))


def fields_for(s: Session, document_id: str, ordinal: int) -> list[ReadRow]:
    """The document's own fields and person `ordinal`'s, by name. Without Person rows (a
    catalogue written before persons), person 0's are the `fields` table's."""
    rows = list(s.scalars(select(FieldValue).where(FieldValue.document_id == document_id)))
    person = person_of(s, document_id, ordinal)
    if person is None:
        mine: list[ReadRow] = [f for f in rows if f.name in PERSON_FIELDS] if ordinal == 0 else []
    else:
        mine = list(person.fields)
    own: list[ReadRow] = [f for f in rows if f.name not in PERSON_FIELDS]
    out = own + mine
    return sorted(out, key=lambda f: f.name)


def field_for(s: Session, item: ReviewItem) -> ReadRow | None:
    """The value an item is about (its crop on the page): the item's person's when a person field."""
    if not item.field:
        return None
    return next((f for f in fields_for(s, item.document_id, item.person) if f.name == item.field), None)


def label(ordinal: int, name: str | None) -> str:
    return f"Người {ordinal + 1}: {name or '—'}"


@dataclass
class PersonView:
    ordinal: int
    name: str | None
    personal_id: str | None
    passport_number: str | None
    status: str
    registry_record_id: str | None
    values: dict[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str | None:
        """What the timeline page finds the person by."""
        return self.personal_id or self.passport_number

    @property
    def label(self) -> str:
        return label(self.ordinal, self.name)


def persons_of(s: Session, doc: Document) -> list[PersonView]:
    """Every person of the document in order; a document without Person rows shows its
    v1 view as one person."""
    persons = sorted(doc.persons, key=lambda p: p.ordinal)
    if not persons:
        values = {f.name: f.value for f in doc.fields if f.name in PERSON_FIELDS}
        if not values:
            return []
        return [PersonView(0, values.get("person_name"), values.get("personal_id"), values.get("passport_number"),
                           doc.status, doc.registry_record_id, values)]
    return [PersonView(p.ordinal, p.person_name, p.personal_id, p.passport_number, p.status, p.registry_record_id,
                       {f.name: f.value for f in p.fields}) for p in persons]


def names(s: Session, pairs: set[tuple[str, int]]) -> dict[tuple[str, int], str | None]:
    """The names of (document_id, ordinal) persons, for lists of items."""
    if not pairs:
        return {}
    docs = {d for d, _ in pairs}
    rows = s.execute(select(Person.document_id, Person.ordinal, Person.person_name)
                     .where(Person.document_id.in_(docs))).all()
    found = {(d, o): n for d, o, n in rows}
    return {p: found.get(p) for p in pairs}


def person_count(s: Session, document_ids: set[str]) -> dict[str, int]:
    if not document_ids:
        return {}
    out: dict[str, int] = {}
    for d in s.scalars(select(Person.document_id).where(Person.document_id.in_(document_ids))):
        out[d] = out.get(d, 0) + 1
    return out


FIELD_ORDER = list(PERSON_FIELDS)
