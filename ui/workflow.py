"""What the verifiers do to the queue, and the two-person rule for corrections.

Every action is one transaction with its audit event. A correction to a
registry record (a field's value, linking a document, a new record) is only
proposed here; it takes effect in `approve`, by someone other than its author,
which updates the record, writes the RegistryHistory row with approved_by and
the audit event, and resolves the review item -- all in one transaction.
"""
from __future__ import annotations

import copy
import json
import re
from datetime import date, datetime, timezone
from typing import Any

from sohoa.archive.catalogue import audit, utcnow
from sohoa.archive.models import Document, RegistryHistory, RegistryRecord, ReviewItem
from sohoa.core.errors import SohoaError
from sohoa.core.types import PERSON_FIELDS
from sohoa.reconciler.amend import AmendError, add_person, link_person, swap_fields
from sohoa.reconciler.compare import norm_document_number, norm_passport, values_agree
from sohoa.reconciler.registry import DECISION_KINDS, DOC_TYPES, PENALTIES, fill_row, normalise_record
from sohoa.reconciler.sync.outbox import enqueue_decision
from sohoa.ui import two_person
from sohoa.ui.auth import CurrentUser
from sohoa.ui.models import Correction, FollowUp, ItemState
from sohoa.ui.persons import fields_for, person_of
from sohoa.ui.verification import after_decision
from sqlalchemy import select
from sqlalchemy.orm import Session

INT_FIELDS = {"penalty_months", "probation_months", "fine_vnd", "duration_months"}
LIST_FIELDS = {"charges", "penal_code_articles"}
DATE_FIELDS = {"issue_date", "effective_date"}


class ActionError(SohoaError):
    """Refused: shown to the user as is (Vietnamese / English)."""


class TwoPersonError(ActionError):
    """Refused by the two-person rule (ui/two_person.py); `reason` is for the audit log."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def aware(dt):
    return dt if dt is None or dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def parse_value(field: str, text: str) -> Any:
    """A typed-in value in the registry's canonical form; ActionError when it is not valid."""
    t = (text or "").strip()
    if not t:
        raise ActionError("Giá trị trống — the value is empty")
    if field == "personal_id":
        if not re.fullmatch(r"\d{12}", t):
            raise ActionError("Số định danh phải gồm đúng 12 chữ số — a personal ID is exactly 12 digits")
        return t
    if field in DATE_FIELDS or field == "birth_date":
        if field == "birth_date" and re.fullmatch(r"\d{4}", t):
            return t
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", t):
                raise ValueError
            return date.fromisoformat(t).isoformat()
        except ValueError:
            raise ActionError("Ngày không hợp lệ (YYYY-MM-DD, ngày có thật) — not a real date YYYY-MM-DD") from None
    if field in INT_FIELDS:
        if not re.fullmatch(r"\d{1,12}", t):
            raise ActionError("Phải là số nguyên không âm — a non-negative whole number")
        return int(t)
    if field in LIST_FIELDS:  # charges are named with commas ("Tàng trữ, sử dụng ..."): only ";" separates them
        return [x.strip() for x in re.split(r"[;\n]" if field == "charges" else r"[;,\n]", t) if x.strip()]
    if field in ("document_number", "judgment_ref"):
        v = norm_document_number(t)
        if not re.fullmatch(r"[\w./\-]{1,64}", v):
            raise ActionError("Số văn bản không hợp lệ — not a document number")
        return v
    if field == "decision_kind" and t not in DECISION_KINDS:
        raise ActionError(f"Loại quyết định: {', '.join(sorted(DECISION_KINDS))}")
    if field == "principal_penalty" and t not in PENALTIES:
        raise ActionError(f"Hình phạt chính: {', '.join(sorted(PENALTIES))}")
    if field == "doc_type" and t not in DOC_TYPES:
        raise ActionError(f"Loại văn bản: {', '.join(sorted(DOC_TYPES))}")
    if field == "trial_level" and t not in ("ST", "PT"):
        raise ActionError("Cấp xét xử: ST hoặc PT")
    if len(t) > 500:
        raise ActionError("Quá dài — too long (500 characters at most)")
    return t


def show(value: Any) -> str:
    if value is None:
        return "—"
    if isinstance(value, list):
        return "; ".join(str(x) for x in value)
    return str(value)


# --- assignment ----------------------------------------------------------------------

def _state(s: Session, item_id: int) -> ItemState:
    st = s.get(ItemState, item_id)
    if st is None:
        st = ItemState(review_item_id=item_id)
        s.add(st)
        s.flush()
    return st


def _open_item(s: Session, item_id: int) -> ReviewItem:
    item = s.get(ReviewItem, item_id)
    if item is None:
        raise ActionError("Không có mục này — no such item")
    if item.status != "open":
        raise ActionError("Mục này đã được xử lý — this item is already closed")
    return item


def _escalated_guard(st: ItemState, user: CurrentUser) -> None:
    if st.escalated_at and not user.can("approve"):
        raise ActionError(f"Đã chuyển cấp trên ({st.escalated_by}), chờ lãnh đạo xử lý — "
                          "escalated: waiting for an approver")


def take(s: Session, user: CurrentUser, item_id: int) -> None:
    _open_item(s, item_id)
    st = _state(s, item_id)
    _escalated_guard(st, user)
    if st.assigned_to and st.assigned_to != user.username:
        raise ActionError(f"Đã được giao cho {st.assigned_to} — already taken by {st.assigned_to}")
    if st.assigned_to != user.username:
        st.assigned_to, st.assigned_at = user.username, utcnow()
        audit(s, f"ui:{user.username}", "ui.item.take", f"review_item:{item_id}")


def release(s: Session, user: CurrentUser, item_id: int) -> None:
    st = _state(s, item_id)
    if st.assigned_to not in (None, user.username) and user.role != "admin":
        raise ActionError(f"Mục này do {st.assigned_to} giữ — held by {st.assigned_to}")
    st.assigned_to = st.assigned_at = None
    audit(s, f"ui:{user.username}", "ui.item.release", f"review_item:{item_id}")


def _held(s: Session, user: CurrentUser, item_id: int) -> tuple[ReviewItem, ItemState]:
    """The item, taken by this user now when nobody holds it; refused when someone else does."""
    item = _open_item(s, item_id)
    st = _state(s, item_id)
    if st.assigned_to and st.assigned_to != user.username:
        raise ActionError(f"Mục này do {st.assigned_to} giữ — held by {st.assigned_to}")
    _escalated_guard(st, user)
    if pending_for_item(s, item_id):
        raise ActionError("Đang chờ phê duyệt — a correction awaits approval")
    st.assigned_to, st.assigned_at = user.username, st.assigned_at or utcnow()
    return item, st


def pending_for_item(s: Session, item_id: int) -> Correction | None:
    return s.scalar(select(Correction).where(Correction.review_item_id == item_id,
                                             Correction.status == "pending"))


def _resolve(s: Session, item: ReviewItem, resolution: str) -> None:
    item.status, item.resolved_at, item.resolution = "resolved", utcnow(), resolution
    st = s.get(ItemState, item.id)
    if st is not None:
        st.assigned_to = st.assigned_at = None
    after_decision(s, item.document_id, item.person)  # verified truth, settled at commit (ui/verification.py)


# --- the actions on an item --------------------------------------------------------------

def _reason(text: str | None) -> str:
    t = (text or "").strip()
    if len(t) < 5:
        raise ActionError("Cần nêu căn cứ pháp lý / lý do — a legal basis or reason is required")
    return t[:2000]


def act(s: Session, user: CurrentUser, item_id: int, action: str, value: str | None = None,
        reason: str | None = None, comment: str | None = None) -> str:
    """accept | keep | correct | escalate. Returns what happened, for the flash message."""
    if not user.can("verify"):
        raise ActionError("Không có quyền — not allowed")
    item, st = _held(s, user, item_id)
    actor = f"ui:{user.username}"
    obj = f"review_item:{item_id}"
    if action == "escalate":
        note = (comment or "").strip()
        if len(note) < 3:
            raise ActionError("Cần ghi chú khi chuyển cấp trên — a comment is required to escalate")
        if st.escalated_at:
            raise ActionError("Mục này đã ở cấp trên — already escalated")
        st.escalated_by, st.escalated_at, st.escalation_comment = user.username, utcnow(), note[:2000]
        st.returned_by = st.returned_at = st.return_comment = None
        st.assigned_to = st.assigned_at = None
        audit(s, actor, "ui.item.escalate", obj, comment=note[:2000])
        return "Đã chuyển cấp trên — escalated"
    if item.kind == "unmatched":
        raise ActionError("Tài liệu chưa khớp: liên kết hoặc tạo hồ sơ — link or create a record")
    if item.kind == "split":  # a cut is confirmed or moved on the source's page strip (ui/splits.py)
        raise ActionError("Tách văn bản: xác nhận hoặc dời điểm cắt trên trang tách — confirm or move the cut "
                          f"at /ui/splits/{item.document_id}")
    if item.kind == "conflict" and action == "keep":  # the source's value over a decision: a correction, approved
        action, value = "correct", show(item.registry_value)
    if action == "keep":
        if item.record_id is None:
            raise ActionError("Không có hồ sơ trong CSDL — no database record to keep")
        _resolve(s, item, f"kept the registry value (by {user.username})")
        audit(s, actor, "ui.item.keep", obj, field=item.field)
        return "Giữ giá trị CSDL — kept the database value"
    if action == "accept":
        new = item.document_value
        if isinstance(new, list):  # taken as read, element by element (no round trip through text)
            new = [str(x).strip() for x in new if str(x).strip()]
        elif new is not None and item.field not in ("doc_type",):
            new = parse_value(item.field, show(new))
    elif action == "correct":
        new = parse_value(item.field, value or "")
    else:
        raise ActionError("Thao tác không hợp lệ — unknown action")
    record = s.get(RegistryRecord, item.record_id) if item.record_id else None
    current = record.data.get(item.field) if record else None
    if record is None or (current is not None and values_agree(item.field, new, current)):
        # Nothing in the database changes: the value is confirmed (or the document has no record yet).
        why = (reason or "").strip() if action == "accept" else _reason(reason)
        _resolve(s, item, f"{action}: value confirmed as {show(new)} (by {user.username}) {why}".strip())
        if item.kind == "conflict" and record is not None:  # the decision stands: back to the source too
            enqueue_decision(s, record.record_id, item.field, current, key=f"conflict:{item.id}:{item.created_at}",
                             reason=why or None, decided_by=user.username, document_id=item.document_id,
                             review_item_id=item.id)
        audit(s, actor, f"ui.item.{action}", obj, field=item.field, value=new)
        return "Đã xác nhận giá trị — value confirmed"
    basis = _reason(reason)
    c = Correction(kind="field", status="pending", record_id=record.record_id, document_id=item.document_id,
                   review_item_id=item.id, field=item.field, old_value=current, new_value=new,
                   legal_basis=basis, comment=(comment or "").strip() or None, author=user.username,
                   created_at=utcnow())
    s.add(c)
    s.flush()
    audit(s, actor, "ui.correction.propose", f"registry:{record.record_id}", correction=c.id,
          field=item.field, via=action)
    return f"Đề nghị sửa #{c.id} chờ phê duyệt — correction #{c.id} awaits approval"


def propose_link(s: Session, user: CurrentUser, item_id: int, record_id: str, reason: str | None) -> str:
    item, _ = _held(s, user, item_id)
    if item.kind != "unmatched":
        raise ActionError("Chỉ cho tài liệu chưa khớp — only for unmatched documents")
    rec = s.get(RegistryRecord, (record_id or "").strip())
    if rec is None:
        raise ActionError("Không có hồ sơ này — no such record")
    c = Correction(kind="link", status="pending", record_id=rec.record_id, document_id=item.document_id,
                   review_item_id=item.id, field="document", old_value=None, new_value=item.document_id,
                   legal_basis=_reason(reason), author=user.username, created_at=utcnow())
    s.add(c)
    s.flush()
    audit(s, f"ui:{user.username}", "ui.correction.propose", f"registry:{rec.record_id}", correction=c.id,
          kind="link", document=item.document_id)
    return f"Đề nghị liên kết #{c.id} chờ phê duyệt — link #{c.id} awaits approval"


def propose_create(s: Session, user: CurrentUser, item_id: int, record_json: str, reason: str | None,
                   record_id: str | None = None) -> str:
    item, _ = _held(s, user, item_id)
    if item.kind != "unmatched":
        raise ActionError("Chỉ cho tài liệu chưa khớp — only for unmatched documents")
    try:
        raw = json.loads(record_json)
        if record_id and isinstance(raw, dict):
            raw["record_id"] = record_id.strip()
        rec, warnings = normalise_record(raw)
    except (ValueError, TypeError) as exc:
        raise ActionError(f"Hồ sơ không hợp lệ — invalid record: {exc}") from None
    if warnings:
        raise ActionError("Hồ sơ không hợp lệ — invalid record: " + "; ".join(warnings))
    if s.get(RegistryRecord, rec["record_id"]) is not None:
        raise ActionError("Mã hồ sơ đã có — record_id exists")
    if s.scalar(select(Correction).where(Correction.record_id == rec["record_id"], Correction.kind == "create",
                                         Correction.status == "pending")):
        raise ActionError("Mã hồ sơ đang chờ tạo — that record_id is already proposed")
    c = Correction(kind="create", status="pending", record_id=rec["record_id"], document_id=item.document_id,
                   review_item_id=item.id, field="*", old_value=None, new_value=rec,
                   legal_basis=_reason(reason), author=user.username, created_at=utcnow())
    s.add(c)
    s.flush()
    audit(s, f"ui:{user.username}", "ui.correction.propose", f"registry:{rec['record_id']}", correction=c.id,
          kind="create", document=item.document_id)
    return f"Đề nghị tạo hồ sơ #{c.id} chờ phê duyệt — new record #{c.id} awaits approval"


def proposed_record(s: Session, document_id: str, person: int = 0) -> dict[str, Any]:
    """A new registry record pre-filled from the document's own extracted fields and
    those of the item's person (not persons[0]'s, unless it is them)."""
    doc = s.get(Document, document_id)
    rec: dict[str, Any] = {"record_id": "", "doc_type": doc.doc_type if doc else None}
    for f in fields_for(s, document_id, person):
        rec[f.name] = f.value
    return rec


# --- a document's persons: one missing, two mixed up ----------------------------------------

PERSON_KINDS = ("person_add", "person_swap")


def _person_document(s: Session, user: CurrentUser, document_id: str, item_id: int | None) -> Document:
    if not user.can("verify"):
        raise ActionError("Không có quyền — not allowed")
    doc = s.get(Document, (document_id or "").strip())
    if doc is None:
        raise ActionError("Không có văn bản này — no such document")
    if s.scalar(select(Correction).where(Correction.document_id == doc.document_id,
                                         Correction.kind.in_(PERSON_KINDS), Correction.status == "pending")):
        raise ActionError("Đã có đề nghị về người của văn bản này đang chờ duyệt — "
                          "a change to this document's persons awaits approval")
    if item_id is not None:
        item, _ = _held(s, user, item_id)
        if item.document_id != doc.document_id:
            raise ActionError("Mục này không thuộc văn bản — the item is not of this document")
    return doc


def person_fields_from_json(text: str) -> dict[str, Any]:
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise ActionError(f"JSON không hợp lệ — invalid JSON: {exc}") from None
    if not isinstance(raw, dict):
        raise ActionError("Cần một đối tượng JSON — a JSON object is needed")
    return raw


def person_fields_from(values: dict[str, Any] | str) -> dict[str, Any]:
    """A person's fields as typed: a JSON object, or one input per field (empty: not given)."""
    raw = person_fields_from_json(values) if isinstance(values, str) else dict(values)
    unknown = sorted(k for k in raw if k not in PERSON_FIELDS)
    if unknown:
        raise ActionError(f"Không phải trường của người — not person fields: {', '.join(unknown)}")
    out: dict[str, Any] = {}
    for name in PERSON_FIELDS:
        v = raw.get(name)
        if v is None or (isinstance(v, str) and not v.strip()) or v == []:
            continue
        if isinstance(v, list) and name in LIST_FIELDS:
            out[name] = [str(x).strip() for x in v if str(x).strip()]
        elif name == "passport_number":
            out[name] = norm_passport(parse_value("person_name", str(v)))
        else:
            out[name] = parse_value(name, show(v) if not isinstance(v, str) else v)
    if not out.get("person_name"):
        raise ActionError("Cần họ tên người — the person's name is required")
    return out


def propose_person_add(s: Session, user: CurrentUser, document_id: str, values: dict[str, Any] | str,
                       reason: str | None, item_id: int | None = None) -> str:
    """'This person is missing': the document names a person the extractor did not find."""
    doc = _person_document(s, user, document_id, item_id)
    fields = person_fields_from(values)
    ordinal = max((p.ordinal for p in doc.persons), default=-1) + 1
    c = Correction(kind="person_add", status="pending", record_id="", document_id=doc.document_id,
                   review_item_id=item_id, field="person", old_value=None,
                   new_value={"ordinal": ordinal, "fields": fields}, legal_basis=_reason(reason),
                   author=user.username, created_at=utcnow())
    s.add(c)
    s.flush()
    audit(s, f"ui:{user.username}", "ui.correction.propose", f"document:{doc.document_id}", correction=c.id,
          kind="person_add", person=fields.get("person_name"))
    return f"Đề nghị thêm người #{c.id} chờ phê duyệt — add a person #{c.id} awaits approval"


def propose_person_swap(s: Session, user: CurrentUser, document_id: str, a: int, b: int, names: list[str],
                        reason: str | None, item_id: int | None = None) -> str:
    """'These two were mixed up': persons a and b (ordinals) each get the other's values of `names`."""
    doc = _person_document(s, user, document_id, item_id)
    pa, pb = person_of(s, doc.document_id, a), person_of(s, doc.document_id, b)
    if a == b or pa is None or pb is None:
        raise ActionError("Chọn hai người khác nhau của văn bản — choose two different persons of the document")
    wanted = [n for n in PERSON_FIELDS if n in set(names)]
    if not wanted or len(wanted) != len(set(names)):
        raise ActionError("Chọn các trường của người cần đổi chỗ — choose which person fields to swap")
    va, vb = {f.name: f.value for f in pa.fields}, {f.name: f.value for f in pb.fields}
    c = Correction(kind="person_swap", status="pending", record_id="", document_id=doc.document_id,
                   review_item_id=item_id, field=",".join(wanted)[:64],
                   old_value={"a": {n: va.get(n) for n in wanted}, "b": {n: vb.get(n) for n in wanted}},
                   new_value={"a": a, "b": b, "fields": wanted}, legal_basis=_reason(reason),
                   author=user.username, created_at=utcnow())
    s.add(c)
    s.flush()
    audit(s, f"ui:{user.username}", "ui.correction.propose", f"document:{doc.document_id}", correction=c.id,
          kind="person_swap", a=a, b=b, fields=wanted)
    return f"Đề nghị đổi chỗ #{c.id} chờ phê duyệt — swap #{c.id} awaits approval"


def describe(c: Correction) -> str:
    """A correction in words, for the approvals page."""
    v = c.new_value if isinstance(c.new_value, dict) else {}
    if c.kind == "person_add":
        fields = v.get("fields") or {}
        rest = ", ".join(f"{k}: {show(x)}" for k, x in fields.items() if k != "person_name")
        return (f"Thêm Người {int(v.get('ordinal', 0)) + 1}: {fields.get('person_name')}"
                + (f" ({rest})" if rest else "") + " — add a missing person")
    if c.kind == "person_swap":
        old = c.old_value if isinstance(c.old_value, dict) else {}
        a, b = int(v.get("a", 0)), int(v.get("b", 0))
        parts = [f"{n}: {show((old.get('a') or {}).get(n))} ⇄ {show((old.get('b') or {}).get(n))}"
                 for n in v.get("fields") or []]
        return f"Đổi chỗ Người {a + 1} ⇄ Người {b + 1} — swap: " + "; ".join(parts)
    return show(c.new_value)


def _apply_person(s: Session, c: Correction, user: CurrentUser, threshold: float, confirm: bool = True) -> str:
    v = c.new_value if isinstance(c.new_value, dict) else {}
    doc = _document(s, c.document_id)
    try:
        if c.kind == "person_add":
            p = add_person(s, doc.document_id, dict(v.get("fields") or {}), threshold, confirm)
            return (f"added person {p.ordinal + 1} {p.person_name} (correction #{c.id} by {c.author}, "
                    f"approved by {user.username})")
        a, b, names = int(v["a"]), int(v["b"]), list(v.get("fields") or [])
        swap_fields(s, doc.document_id, a, b, names, threshold, confirm)
    except (AmendError, KeyError, ValueError) as exc:
        raise ActionError(f"Không áp dụng được — cannot apply: {exc}") from None
    return (f"swapped {', '.join(names)} of persons {a + 1} and {b + 1} (correction #{c.id} by {c.author}, "
            f"approved by {user.username})")


# --- the two-person rule -------------------------------------------------------------------

def approve(s: Session, user: CurrentUser, correction_id: int, comment: str | None = None,
            threshold: float = 0.9, confirm: bool = True, account_days: int = 30) -> str:
    if not user.can("approve"):
        raise ActionError("Chỉ người phê duyệt — approvers only")
    c = s.get(Correction, correction_id)
    if c is None or c.status != "pending":
        raise ActionError("Không có đề nghị đang chờ này — no such pending correction")
    # two people, not two accounts (ui/two_person.py); the caller audits the refusal (this transaction rolls back)
    refused = two_person.refusal(s, user.username, c.author, account_days)
    if refused:
        raise TwoPersonError(*refused)
    now = utcnow()
    actor = f"ui:{c.author}"
    already = False
    if c.kind == "field":
        rec = _registry_record(s, c.record_id)
        current = rec.data.get(c.field)
        already = current != c.old_value and current is not None and values_agree(c.field, c.new_value, current)
        if current != c.old_value and not already:
            raise ActionError("Hồ sơ đã thay đổi từ khi đề nghị — the record changed since; reject and redo")
    if c.kind == "field" and already:
        # The same change was approved already (another item on the same document and field):
        # nothing to write, no history row; the item is closed with it.
        resolution = (f"{c.field} already {show(current)} (correction #{c.id} by {c.author}, approved by "
                      f"{user.username}; no change)")
    elif c.kind == "field":
        data = copy.deepcopy(rec.data)
        data[c.field] = c.new_value
        data, _ = normalise_record(data)
        fill_row(rec, data, now)
        s.add(RegistryHistory(record_id=rec.record_id, at=now, actor=actor, field=c.field, old_value=c.old_value,
                              new_value=c.new_value, reason=c.legal_basis, approved_by=user.username))
        enqueue_decision(s, rec.record_id, c.field, data.get(c.field), key=f"correction:{c.id}", reason=c.legal_basis,
                         decided_by=user.username, document_id=c.document_id, review_item_id=c.review_item_id)
        resolution = f"corrected {c.field} to {show(c.new_value)} (by {c.author}, approved by {user.username})"
    elif c.kind == "create":
        if s.get(RegistryRecord, c.record_id) is not None:
            raise ActionError("Mã hồ sơ đã có — record_id exists")
        rec_data = c.new_value
        assert c.record_id is not None  # propose_create names the new record
        row = RegistryRecord(record_id=c.record_id, imported_at=now)
        fill_row(row, rec_data, now)
        s.add(row)
        s.flush()
        s.add(RegistryHistory(record_id=c.record_id, at=now, actor=actor, field="*", old_value=None,
                              new_value=rec_data, reason=c.legal_basis, approved_by=user.username))
        _link(s, c, now, actor, user)
        resolution = f"new record {c.record_id} (by {c.author}, approved by {user.username})"
    elif c.kind == "link":
        _link(s, c, now, actor, user)
        resolution = f"linked to {c.record_id} (by {c.author}, approved by {user.username})"
    elif c.kind in PERSON_KINDS:
        return _approve_person(s, c, user, comment, threshold, confirm)
    else:
        raise ActionError("unknown correction kind")
    c.status, c.approver, c.decided_at, c.decision_comment = "approved", user.username, now, (comment or None)
    item = s.get(ReviewItem, c.review_item_id) if c.review_item_id else None
    if item is not None and item.status == "open":
        _resolve(s, item, resolution)
    audit(s, f"ui:{user.username}", "ui.correction.approve", f"registry:{c.record_id}", correction=c.id,
          kind=c.kind, field=c.field, old=c.old_value, new=c.new_value, author=c.author, changed=not already)
    if c.kind in ("link", "create") and c.record_id is not None:  # they always name the record
        _reconcile_again(s, c, threshold, confirm)
    return f"Đã phê duyệt #{c.id} — approved"


def _approve_person(s: Session, c: Correction, user: CurrentUser, comment: str | None, threshold: float,
                    confirm: bool = True) -> str:
    """A person added or two persons' values swapped: the document is reconciled again
    (reconciler.amend); the item it was proposed from closes when that made it moot,
    else it stays open with its values as now read."""
    now = utcnow()
    resolution = _apply_person(s, c, user, threshold, confirm)
    after_decision(s, c.document_id)
    c.status, c.approver, c.decided_at, c.decision_comment = "approved", user.username, now, (comment or None)
    item = s.get(ReviewItem, c.review_item_id) if c.review_item_id else None
    still_open = False
    if item is not None:
        s.refresh(item)
        if item.status == "open":
            still_open = True
            st = s.get(ItemState, item.id)
            if st is not None:  # back to the queue, for whoever takes it next
                st.assigned_to = st.assigned_at = None
        else:
            item.resolution = f"{resolution}; {item.resolution or ''}".strip("; ")
    audit(s, f"ui:{user.username}", "ui.correction.approve", f"document:{c.document_id}", correction=c.id,
          kind=c.kind, old=c.old_value, new=c.new_value, author=c.author, resolution=resolution)
    more = f"; mục #{item.id} vẫn mở — item #{item.id} still open" if item is not None and still_open else ""
    return f"Đã phê duyệt #{c.id} — approved: {resolution}{more}"


def _registry_record(s: Session, record_id: str | None) -> RegistryRecord:
    """The record a field correction or a link names (proposals check it exists; records stay)."""
    rec = s.get(RegistryRecord, record_id) if record_id is not None else None
    assert rec is not None, f"registry record {record_id} missing"
    return rec


def _document(s: Session, document_id: str | None) -> Document:
    doc = s.get(Document, document_id) if document_id is not None else None
    assert doc is not None, f"document {document_id} missing"  # corrections and items reference documents
    return doc


def _link(s: Session, c: Correction, now: datetime, actor: str, user: CurrentUser) -> None:
    doc = _document(s, c.document_id)
    old = doc.registry_record_id
    if c.kind == "link":
        s.add(RegistryHistory(record_id=c.record_id, at=now, actor=actor, field="document", old_value=old,
                              new_value=c.document_id, reason=c.legal_basis, approved_by=user.username))


def _reconcile_again(s: Session, c: Correction, threshold: float, confirm: bool = True) -> None:
    """Link the item's person to the record and compare them: new discrepancies join the queue."""
    doc = _document(s, c.document_id)
    _registry_record(s, c.record_id)
    item = s.get(ReviewItem, c.review_item_id) if c.review_item_id else None
    s.flush()
    link_person(s, doc.document_id, item.person if item is not None else 0, c.record_id, threshold, confirm)


def reject(s: Session, user: CurrentUser, correction_id: int, comment: str | None) -> str:
    if not user.can("approve"):
        raise ActionError("Chỉ người phê duyệt — approvers only")
    c = s.get(Correction, correction_id)
    if c is None or c.status != "pending":
        raise ActionError("Không có đề nghị đang chờ này — no such pending correction")
    text = (comment or "").strip()
    if len(text) < 3:
        raise ActionError("Cần ghi lý do từ chối — a comment is required to reject")
    c.status, c.approver, c.decided_at, c.decision_comment = "rejected", user.username, utcnow(), text[:2000]
    if c.review_item_id:  # back to its author
        st = _state(s, c.review_item_id)
        st.assigned_to, st.assigned_at = c.author, utcnow()
    obj = f"document:{c.document_id}" if c.kind in PERSON_KINDS else f"registry:{c.record_id}"
    audit(s, f"ui:{user.username}", "ui.correction.reject", obj, correction=c.id,
          comment=text[:2000], author=c.author)
    return f"Đã từ chối #{c.id} — rejected, back to {c.author}"


def send_back(s: Session, user: CurrentUser, item_id: int, comment: str | None) -> str:
    """An approver returns an escalated item to the verifier who escalated it, with a comment."""
    if not user.can("approve"):
        raise ActionError("Chỉ người phê duyệt — approvers only")
    _open_item(s, item_id)
    st = s.get(ItemState, item_id)
    if st is None or not st.escalated_at:
        raise ActionError("Mục này không ở cấp trên — this item is not escalated")
    text = (comment or "").strip()
    if len(text) < 3:
        raise ActionError("Cần ghi hướng dẫn khi trả lại — a comment is required to send it back")
    st.returned_by, st.returned_at, st.return_comment = user.username, utcnow(), text[:2000]
    st.escalated_at = None
    st.assigned_to, st.assigned_at = st.escalated_by, utcnow()
    audit(s, f"ui:{user.username}", "ui.item.send_back", f"review_item:{item_id}", comment=text[:2000],
          to=st.escalated_by)
    return f"Đã trả lại cho {st.escalated_by} — sent back to {st.escalated_by}"


def mark_follow_up(s: Session, user: CurrentUser, record_id: str, note: str | None) -> str:
    if not user.can("verify"):
        raise ActionError("Không có quyền — not allowed")
    rec = s.get(RegistryRecord, record_id)
    if rec is None:
        raise ActionError("Không có hồ sơ này — no such record")
    if s.get(FollowUp, record_id) is None:
        s.add(FollowUp(record_id=record_id, marked_by=user.username, marked_at=utcnow(),
                       note=(note or "").strip()[:2000] or None))
        audit(s, f"ui:{user.username}", "ui.record.follow_up", f"registry:{record_id}")
    return "Đã đánh dấu theo dõi — marked for follow-up"
