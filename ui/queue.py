"""The verification queue as SQL: every filter (batch, document kind, field, court,
issue kind, assignee, overdue, escalated) is a WHERE clause of one query, so the
database does the filtering and only the page's rows come back."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sohoa.archive.models import Document, FieldValue, ReviewItem
from sohoa.ui.models import Correction, ItemState
from sqlalchemy import String, and_, func, select
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased
from sqlalchemy.sql.expression import FunctionElement

PAGE_LIMIT = 500
FILTERS = ("batch", "doc_type", "field", "court", "kind", "who", "overdue", "escalated")


class json_text(FunctionElement):
    """A JSON column's top-level scalar as text (a JSON string without its quotes)."""

    type = String()
    inherit_cache = True


@compiles(json_text, "postgresql")
def _json_text_pg(element, compiler, **kw):
    return "(%s #>> '{}')" % compiler.process(element.clauses, **kw)


@compiles(json_text, "sqlite")
def _json_text_sqlite(element, compiler, **kw):
    return "json_extract(%s, '$')" % compiler.process(element.clauses, **kw)


@compiles(json_text)
def _json_text_other(element, compiler, **kw):
    return "CAST(%s AS VARCHAR)" % compiler.process(element.clauses, **kw)


@dataclass
class QueueRow:
    item: ReviewItem
    doc: Document
    state: ItemState | None
    court: Any
    pending: bool
    rejected: bool


def _court():
    return aliased(FieldValue, name="court_fv")


def open_items(s: Session, f: dict[str, str], username: str, now: datetime,
               limit: int = PAGE_LIMIT) -> tuple[list[QueueRow], int, int]:
    """The open items matching the filters `f` (empty values: no filter), oldest deadline
    first; with the number of matches and how many of them are overdue."""
    court = _court()
    where = [ReviewItem.status == "open"]
    if f.get("batch"):
        where.append(Document.batch_id == f["batch"])
    if f.get("doc_type"):
        where.append(Document.doc_type == f["doc_type"])
    if f.get("field"):
        where.append(ReviewItem.field == f["field"])
    if f.get("kind"):
        where.append(ReviewItem.kind == f["kind"])
    if f.get("court"):
        where.append(json_text(court.value) == f["court"])
    if f.get("who") == "me":
        where.append(ItemState.assigned_to == username)
    elif f.get("who") == "none":
        where.append(ItemState.assigned_to.is_(None))
    if f.get("overdue") == "1":
        where.append(ReviewItem.due_at < now)
    elif f.get("overdue") == "0":
        where.append(ReviewItem.due_at >= now)
    if f.get("escalated") == "1":
        where.append(ItemState.escalated_at.is_not(None))
    elif f.get("escalated") == "0":
        where.append(ItemState.escalated_at.is_(None))

    def base(*cols):
        return (select(*cols)
                .join(Document, Document.document_id == ReviewItem.document_id)
                .outerjoin(ItemState, ItemState.review_item_id == ReviewItem.id)
                .outerjoin(court, and_(court.document_id == ReviewItem.document_id, court.name == "issuer"))
                .where(*where))

    total, overdue = s.execute(base(func.count(ReviewItem.id),
                                    func.count(ReviewItem.id).filter(ReviewItem.due_at < now))).one()
    pending = (select(Correction.id).where(Correction.review_item_id == ReviewItem.id,
                                           Correction.status == "pending").exists())
    rejected = (select(Correction.id).where(Correction.review_item_id == ReviewItem.id,
                                            Correction.status == "rejected").exists())
    q = (base(ReviewItem, Document, ItemState, court.value, pending, rejected)
         .order_by(ReviewItem.due_at, ReviewItem.id).limit(limit))
    rows = [QueueRow(i, d, st, c, bool(p), bool(r) and not p) for i, d, st, c, p, r in s.execute(q).all()]
    return rows, total, overdue or 0


def options(s: Session) -> dict[str, list[str]]:
    """The values the filters offer: those of the open items."""
    court = _court()
    open_docs = select(ReviewItem.document_id).where(ReviewItem.status == "open")
    return {
        "batch": list(s.scalars(select(Document.batch_id).where(Document.document_id.in_(open_docs))
                                .distinct().order_by(Document.batch_id))),
        "doc_type": list(s.scalars(select(Document.doc_type).where(Document.document_id.in_(open_docs),
                                                                   Document.doc_type.is_not(None))
                                   .distinct().order_by(Document.doc_type))),
        "field": list(s.scalars(select(ReviewItem.field).where(ReviewItem.status == "open", ReviewItem.field != "",
                                                               ReviewItem.field.is_not(None))
                                .distinct().order_by(ReviewItem.field))),
        "court": [c for c in s.scalars(select(json_text(court.value)).where(court.name == "issuer",
                                                                            court.document_id.in_(open_docs))
                                       .distinct().order_by(json_text(court.value))) if c],
    }
