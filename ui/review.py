"""Review by document: a verifier takes every open item of one document (every person,
every field), decides them on one screen and moves on to the next document.

Nothing here decides an item itself: each decision goes through ui/workflow.py
(`act`: accept / keep / correct / escalate), so the two-person rule, the audit log
and the record's history are those of the per-field screen. What this module adds:

- the document queue (`open_documents`): documents with open items, the earliest due
  first, as the per-field queue orders items;
- taking and releasing a whole document (`take_document`, `release_document`), item by
  item through `workflow.take` / `workflow.release`, skipping what someone else holds;
- `decide_document`: a whole form of decisions, checked first (every item of this
  document, open, not held by another, not stale), then applied in the caller's one
  transaction -- a refusal of any decision changes nothing.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sohoa.archive.models import Document, Person, ReviewItem
from sohoa.ui import workflow
from sohoa.ui.auth import CurrentUser
from sohoa.ui.models import Correction, ItemState
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

ACTIONS = ("accept", "keep", "correct", "escalate")
KNOWN_KINDS = ("discrepancy", "low_confidence", "missing", "unmatched")
MAX_DECISIONS = 500  # one document's items; a form with more is not one of ours


class ReviewError(workflow.ActionError):
    """A document's decisions refused as a whole (shown to the user; nothing was changed)."""


@dataclass
class DocRow:
    """One document of the document queue."""
    document_id: str
    source: str
    doc_type: str | None
    batch_id: str
    due_at: datetime
    open_items: int
    workable: int  # open items this user may decide now
    persons: int
    held_by: list[str] = field(default_factory=list)


@dataclass
class Decision:
    item_id: int
    action: str
    value: str | None = None
    note: str | None = None  # the reason (accept/correct/keep) or the comment (escalate)


def _workable(user: CurrentUser):
    """SQL: an open item this user may act on now (not held by another, not awaiting
    approval, not escalated unless the user is an approver)."""
    pending = (select(Correction.id).where(Correction.review_item_id == ReviewItem.id,
                                           Correction.status == "pending").exists())
    cond = [ReviewItem.status == "open", ~pending,
            or_(ItemState.assigned_to.is_(None), ItemState.assigned_to == user.username)]
    if not user.can("approve"):
        cond.append(ItemState.escalated_at.is_(None))
    return and_(*cond)


def open_documents(s: Session, user: CurrentUser, limit: int = 500) -> tuple[list[DocRow], int]:
    """Documents with open items, the earliest due item first (then the document id), and
    how many documents have open items in all."""
    workable = func.count(ReviewItem.id).filter(_workable(user))
    q = (select(ReviewItem.document_id, func.min(ReviewItem.due_at), func.count(ReviewItem.id), workable)
         .outerjoin(ItemState, ItemState.review_item_id == ReviewItem.id)
         .where(ReviewItem.status == "open")
         .group_by(ReviewItem.document_id)
         .order_by(func.min(ReviewItem.due_at), ReviewItem.document_id))
    found = s.execute(q).all()
    total = len(found)
    found = found[:limit]
    ids = [d for d, *_ in found]
    docs = {d.document_id: d for d in s.scalars(select(Document).where(Document.document_id.in_(ids)))} if ids else {}
    persons: dict[str, int] = {}
    holders: dict[str, set[str]] = {}
    if ids:
        for d, n in s.execute(select(Person.document_id, func.count(Person.id))
                              .where(Person.document_id.in_(ids)).group_by(Person.document_id)):
            persons[d] = n
        for d, who in s.execute(select(ReviewItem.document_id, ItemState.assigned_to)
                                .join(ItemState, ItemState.review_item_id == ReviewItem.id)
                                .where(ReviewItem.document_id.in_(ids), ReviewItem.status == "open",
                                       ItemState.assigned_to.is_not(None))):
            if who:
                holders.setdefault(d, set()).add(who)
    rows = [DocRow(d, docs[d].source, docs[d].doc_type, docs[d].batch_id, due, n, w or 0, persons.get(d, 0),
                   sorted(holders.get(d, ()))) for d, due, n, w in found if d in docs]
    return rows, total


def next_document(s: Session, user: CurrentUser, after: str | None = None) -> str | None:
    """The next document this user can work (an item free to decide), earliest due first,
    never `after` (the one just left)."""
    q = (select(ReviewItem.document_id)
         .outerjoin(ItemState, ItemState.review_item_id == ReviewItem.id)
         .where(_workable(user))
         .group_by(ReviewItem.document_id)
         .order_by(func.min(ReviewItem.due_at), ReviewItem.document_id))
    if after:
        q = q.where(ReviewItem.document_id != after)
    return s.scalars(q.limit(1)).first()


def open_items(s: Session, document_id: str, lock: bool = False) -> list[ReviewItem]:
    """The document's open items, person by person, then by id. `lock`: their rows locked
    until the transaction ends (PostgreSQL), so two verifiers taking or deciding the same
    document at once go one after the other and the second sees what the first did."""
    q = (select(ReviewItem).where(ReviewItem.document_id == document_id, ReviewItem.status == "open")
         .order_by(ReviewItem.person, ReviewItem.id))
    return list(s.scalars(q.with_for_update() if lock else q))


def take_document(s: Session, user: CurrentUser, document_id: str) -> tuple[int, list[str]]:
    """Take every open item of the document nobody else holds (workflow.take each: the same
    audit event). Returns how many this user holds now and what was left to others."""
    if not user.can("verify"):
        raise ReviewError("Không có quyền — not allowed")
    if s.get(Document, document_id) is None:
        raise ReviewError("Không có văn bản này — no such document")
    held, skipped = 0, []
    for item in open_items(s, document_id, lock=True):
        st = s.get(ItemState, item.id)
        if st is not None and st.assigned_to == user.username:
            held += 1
            continue
        if workflow.pending_for_item(s, item.id):
            continue
        try:
            workflow.take(s, user, item.id)
            held += 1
        except workflow.ActionError as exc:  # held by another, or escalated: theirs, left alone
            skipped.append(f"#{item.id}: {exc}")
    log.info("review: %s took %d items of %s", user.username, held, document_id,
             extra={"document": document_id, "user": user.username, "held": held})
    return held, skipped


def release_document(s: Session, user: CurrentUser, document_id: str) -> int:
    """Release every open item of the document this user holds (workflow.release each)."""
    n = 0
    for item in open_items(s, document_id):
        st = s.get(ItemState, item.id)
        if st is not None and st.assigned_to == user.username:
            workflow.release(s, user, item.id)
            n += 1
    return n


def decisions_from_form(form: dict[str, str]) -> list[Decision]:
    """The form's decisions: `d_<item>` = accept | keep | correct | escalate (empty: not
    decided), `v_<item>` the typed value, `n_<item>` the reason or comment; `note` the
    reason for every decision of the document that gives none of its own."""
    common = (form.get("note") or "").strip()
    out: list[Decision] = []
    for key, action in form.items():
        if not key.startswith("d_"):
            continue
        raw = key[2:]
        if not raw.isdigit() or len(raw) > 10:
            raise ReviewError(f"Trường biểu mẫu không hợp lệ {key[:40]!r} — not an item of this form")
        action = action.strip()
        if not action:
            continue
        if action not in ACTIONS:
            raise ReviewError(f"Mục #{raw}: thao tác không hợp lệ — unknown action {action[:20]!r}")
        own = (form.get(f"n_{raw}") or "").strip()
        out.append(Decision(int(raw), action, form.get(f"v_{raw}"), own or common or None))
    if len(out) > MAX_DECISIONS:
        raise ReviewError("Quá nhiều quyết định — too many decisions in one form")
    return out


def _check(s: Session, user: CurrentUser, document_id: str, decisions: list[Decision]) -> list[str]:
    """Every refusal the decisions meet before anything is written, one line each."""
    problems = []
    for d in decisions:
        item = s.get(ReviewItem, d.item_id)
        if item is None or item.document_id != document_id:
            problems.append(f"#{d.item_id}: không thuộc văn bản này — not an item of this document")
            continue
        if item.status != "open":
            problems.append(f"#{d.item_id}: đã được xử lý ({item.status}) — already decided; reload the page")
            continue
        st = s.get(ItemState, item.id)
        if st is not None and st.assigned_to and st.assigned_to != user.username:
            problems.append(f"#{d.item_id}: do {st.assigned_to} giữ — held by {st.assigned_to}")
        elif workflow.pending_for_item(s, item.id):
            problems.append(f"#{d.item_id}: đang chờ phê duyệt — a correction awaits approval")
    return problems


def decide_document(s: Session, user: CurrentUser, document_id: str, decisions: list[Decision],
                    seen: set[int] | None = None) -> list[str]:
    """Apply a document's decisions, all or none: ReviewError (the caller's transaction rolls
    back) when any item is not this document's, not open, held by another, awaiting
    approval, or -- `seen`, the items the form showed -- when an item the form decides was
    not on it. Each decision is workflow.act's; returns its messages."""
    if not user.can("verify"):
        raise ReviewError("Không có quyền — not allowed")
    if s.get(Document, document_id) is None:
        raise ReviewError("Không có văn bản này — no such document")
    if not decisions:
        raise ReviewError("Chưa có quyết định nào — no decision made (a accept, r registry, c correct, e escalate)")
    if len({d.item_id for d in decisions}) != len(decisions):
        raise ReviewError("Một mục được quyết định hai lần — an item decided twice in one form")
    open_items(s, document_id, lock=True)  # one form at a time per document
    problems = _check(s, user, document_id, decisions)
    if seen is not None:
        problems += [f"#{d.item_id}: không có trên trang này — not on the page you decided"
                     for d in decisions if d.item_id not in seen]
    if problems:
        raise ReviewError("Không lưu gì — nothing saved: " + "; ".join(problems))
    messages = []
    for d in decisions:
        try:
            note = d.note
            msg = workflow.act(s, user, d.item_id, d.action, value=d.value,
                               reason=None if d.action == "escalate" else note,
                               comment=note if d.action == "escalate" else None)
        except workflow.ActionError as exc:
            raise ReviewError(f"Không lưu gì — nothing saved: #{d.item_id}: {exc}") from None
        messages.append(f"#{d.item_id}: {msg}")
    log.info("review: %s decided %d items of %s", user.username, len(decisions), document_id,
             extra={"document": document_id, "user": user.username, "decided": len(decisions)})
    return messages


def summary(messages: list[str]) -> str:
    """The flash message after a document: how many decided, how many await approval."""
    pending = sum("chờ phê duyệt" in m for m in messages)
    escalated = sum("cấp trên" in m for m in messages)
    done = len(messages) - pending - escalated
    return (f"Đã lưu {len(messages)} quyết định — {len(messages)} decisions saved: {done} resolved, "
            f"{pending} awaiting approval, {escalated} escalated")


def item_view(item: ReviewItem, registry_value: Any) -> dict[str, Any]:
    """What the document screen shows of one item, whatever its kind: an unknown kind (added
    later) shows its field, its document value, its other value and a free-text decision."""
    return {"id": item.id, "kind": item.kind, "known": item.kind in KNOWN_KINDS, "field": item.field or "",
            "person": item.person, "document_value": workflow.show(item.document_value),
            "other_value": workflow.show(registry_value), "record_id": item.record_id,
            "confidence": f"{item.confidence:.2f}" if item.confidence is not None else "—"}
