"""Verified truth (issue 16, item 1): what people decided becomes the archive's current values.

    after_decision(s, document_id, person)   the one call ui/workflow.py makes when an item closes

At the end of that transaction (the session's before_commit, when the link, the re-reconciliation
and every other effect of the decision are in), each touched person's verification state is
worked out beside the report status, which stays the contract's:

- `pending`: some item of the person is still open (a correction awaiting approval included);
- `verified`: every item decided, every value as read or as the registry holds it;
- `corrected`: every item decided, and a value changed -- an approved correction changed the
  registry, or the value kept differs from both the paper's reading and the registry.

The document's state follows its persons' (pending > corrected > verified). When a touched person
is decided, a verification record n+1 is written in the same transaction: the document, the
signed original it speaks of (sha256, version), every person's current values with their
provenance (the value read and its confidence, the registry's, the decision, who decided and who
approved, when, on what legal basis) and the decided items, linking the corrections, registry
history rows and audit events they rest on (not copying them). Its rows in verified_values are
the current values until a later record supersedes them; earlier records stay. The record is
sealed (detached CMS) and stored write-once after the commit: pipeline/sign/record.py.
"""
from __future__ import annotations

import hashlib
import logging
from contextlib import contextmanager
from datetime import datetime, timezone
from typing import Any, Iterator

from sohoa.archive.models import (
    AuditEvent,
    Document,
    Person,
    RegistryHistory,
    RegistryRecord,
    ReviewItem,
    VerificationRecord,
    VerifiedValue,
)
from sohoa.core.enums import VerificationState
from sohoa.core.runtime import Runtime
from sohoa.core.types import DOCUMENT_FIELDS, PERSON_FIELDS
from sohoa.pipeline.sign.record import FORMAT, RECORD_TYPE, record_bytes, seal_pending
from sohoa.reconciler.compare import values_agree
from sohoa.ui.models import Correction
from sohoa.ui.persons import fields_for
from sqlalchemy import event, select
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)

PENDING, VERIFIED, CORRECTED = VerificationState.PENDING, VerificationState.VERIFIED, VerificationState.CORRECTED
_TOUCHED = "sohoa.verification.touched"
_LISTENING = "sohoa.verification.listening"
_WRITTEN = "sohoa.verification.written"

# The legal basis every record rests on (../shared/REQUIREMENTS.md; the seeds' articles).
LEGAL_BASIS = [
    {"text": "seed 001 Art. 8.5", "about": "data checked against the standard catalogues, accurate, traceable"},
    {"text": "seed 001 Art. 9.5", "about": "a difference between the electronic data and the paper file is "
                                          "verified and the data adjusted"},
    {"text": "seed 001 Art. 13", "about": "use of the data: by identified accounts, every access logged"},
    {"text": "seed 002 Art. 17", "about": "unclear personal details are verified before the record is updated"},
    {"text": "seed 002 Art. 18", "about": "a correction only by the competent authority, with its basis, traced "
                                         "so that the history of every change can be retrieved"},
]


def after_decision(s: Session, document_id: str | None, person: int | None = None) -> None:
    """Note that an item of (document, person) was decided (person None: any of its persons);
    the states and the record are worked out when the transaction commits."""
    if not document_id:
        return
    s.info.setdefault(_TOUCHED, set()).add((document_id, person))
    if not s.info.get(_LISTENING):
        s.info[_LISTENING] = True
        event.listen(s, "before_commit", _settle)


def _settle(s: Session) -> None:
    touched: set[tuple[str, int | None]] = s.info.pop(_TOUCHED, set())
    docs: dict[str, set[int | None]] = {}
    for doc_id, person in touched:
        docs.setdefault(doc_id, set()).add(person)
    for doc_id, persons in sorted(docs.items()):
        if settle_document(s, doc_id, persons) is not None:
            s.info[_WRITTEN] = True


def _aware(dt: datetime | None) -> datetime | None:
    return dt.replace(tzinfo=timezone.utc) if dt is not None and dt.tzinfo is None else dt


def _iso(dt: datetime | None) -> str | None:
    a = _aware(dt)
    return a.isoformat() if a is not None else None


def _user(actor: str | None) -> str | None:
    return actor.removeprefix("ui:") if actor else actor


def _agree(name: str, a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    try:
        return values_agree(name, a, b)
    except Exception:  # a value of an unexpected shape: equal or not
        return bool(a == b)


# --- one person's values and their provenance ---------------------------------------------------

def _decision_event(s: Session, item: ReviewItem) -> AuditEvent | None:
    """The audit event of the verifier's action that closed the item (keep / accept / correct)."""
    return s.scalar(select(AuditEvent).where(AuditEvent.object == f"review_item:{item.id}",
                                             AuditEvent.action.in_(("ui.item.keep", "ui.item.accept",
                                                                    "ui.item.correct")))
                    .order_by(AuditEvent.id.desc()).limit(1))


def _approval(s: Session, c: Correction) -> tuple[AuditEvent | None, RegistryHistory | None]:
    """The approval's audit event (its detail says whether the registry changed) and the
    registry history row it wrote."""
    ev = None
    for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "ui.correction.approve",
                                                AuditEvent.object == f"registry:{c.record_id}",
                                                AuditEvent.outcome == "ok").order_by(AuditEvent.id.desc())):
        if isinstance(e.detail, dict) and e.detail.get("correction") == c.id:
            ev = e
            break
    hist = None
    if ev is None or (isinstance(ev.detail, dict) and ev.detail.get("changed", True)):
        hist = s.scalar(select(RegistryHistory).where(RegistryHistory.record_id == c.record_id,
                                                      RegistryHistory.field == c.field,
                                                      RegistryHistory.approved_by == c.approver)
                        .order_by(RegistryHistory.id.desc()).limit(1))
    return ev, hist


def _value(s: Session, name: str, read: Any, read_conf: float | None, registry: Any,
           item: ReviewItem | None) -> dict[str, Any]:
    """A field's current value and its provenance (the keys of VerifiedValue)."""
    v: dict[str, Any] = {"name": name, "read_value": read, "read_confidence": read_conf, "registry_value": registry,
                         "registry_corrected": False, "decided_by": None, "approved_by": None, "decided_at": None,
                         "legal_basis": None, "review_item_id": None, "correction_id": None,
                         "registry_history_id": None, "audit_event_id": None}
    if item is None:  # nobody had to decide: the value as read (and agreed), or the registry's where none was read
        if read is not None:
            v.update(value=read, decision="agreed")
        else:
            v.update(value=registry, decision="registry")
        return v
    v["review_item_id"] = item.id
    c = s.scalar(select(Correction).where(Correction.review_item_id == item.id, Correction.kind == "field",
                                          Correction.status == "approved").order_by(Correction.id.desc()).limit(1))
    if c is not None:
        ev, hist = _approval(s, c)
        changed = hist is not None and (ev is None or bool((ev.detail or {}).get("changed", True)))
        value = c.new_value
        v.update(value=value, registry_value=c.old_value if changed else registry, registry_corrected=changed,
                 decided_by=c.author, approved_by=c.approver, decided_at=_aware(c.decided_at),
                 legal_basis=c.legal_basis, correction_id=c.id,
                 registry_history_id=hist.id if changed and hist is not None else None,
                 audit_event_id=ev.id if ev is not None else None,
                 decision="as_read" if _agree(name, value, read) else "corrected")
        return v
    ev = _decision_event(s, item)
    detail = ev.detail if ev is not None and isinstance(ev.detail, dict) else {}
    if ev is not None and ev.action == "ui.item.keep":
        value, decision = registry, "registry"
    else:
        value = detail.get("value", item.document_value)
        decision = "as_read" if _agree(name, value, read) else (
            "registry" if registry is not None and _agree(name, value, registry) else "corrected")
    v.update(value=value, decision=decision, decided_by=_user(ev.actor) if ev is not None else None,
             decided_at=_aware(ev.at) if ev is not None else _aware(item.resolved_at),
             legal_basis=item.resolution, audit_event_id=ev.id if ev is not None else None)
    return v


def person_values(s: Session, doc: Document, ordinal: int, items: list[ReviewItem]) -> list[dict[str, Any]]:
    """Every value of the person (the document's fields and their own) with its provenance."""
    read = {f.name: f for f in fields_for(s, doc.document_id, ordinal)}
    person = s.scalar(select(Person).where(Person.document_id == doc.document_id, Person.ordinal == ordinal))
    rec_id = person.registry_record_id if person is not None else (doc.registry_record_id if ordinal == 0 else None)
    rec = s.get(RegistryRecord, rec_id) if rec_id else None
    data = rec.data if rec is not None else {}
    decided: dict[str, ReviewItem] = {}
    for it in sorted(items, key=lambda i: (_aware(i.resolved_at) or datetime.min.replace(tzinfo=timezone.utc), i.id)):
        if it.status == "resolved" and it.field:
            decided[it.field] = it  # the newest decision on the field
    names = [n for n in (*DOCUMENT_FIELDS, *PERSON_FIELDS)
             if n in read or n in decided or data.get(n) is not None]
    out = []
    for n in names:
        row = read.get(n)
        conf = row.reported().confidence if row is not None else None
        out.append(_value(s, n, row.value if row is not None else None, conf, data.get(n), decided.get(n)))
    return out


def _item_out(it: ReviewItem) -> dict[str, Any]:
    return {"id": it.id, "kind": it.kind, "field": it.field or None, "status": it.status,
            "document_value": it.document_value, "registry_value": it.registry_value,
            "resolved_at": _iso(it.resolved_at), "resolution": it.resolution}


# --- a document's state and its record ---------------------------------------------------------

def _state_of(s: Session, items: list[ReviewItem], values: list[dict[str, Any]] | None) -> str | None:
    live = [i for i in items if i.status != "obsolete"]
    if not live:
        return None
    if any(i.status == "open" for i in live):
        return PENDING
    if values is not None and any(v["registry_corrected"] or v["decision"] == "corrected" for v in values):
        return CORRECTED
    # a value once changed by an approved correction stays `corrected`, even when a later decision
    # on the same field (a conflict confirmed) is the newest
    for c in s.scalars(select(Correction).where(Correction.review_item_id.in_([i.id for i in live]),
                                                Correction.kind == "field", Correction.status == "approved")):
        if not _agree(c.field, c.old_value, c.new_value):
            return CORRECTED
    return VERIFIED


def settle_document(s: Session, document_id: str, touched: set[int | None] | None = None,
                    actor: str | None = None) -> VerificationRecord | None:
    """Work out the persons' and the document's verification state; write record n+1 when a
    touched person is decided and what the record would say differs from the latest one."""
    s.flush()
    doc = s.get(Document, document_id)
    if doc is None:
        return None
    items = list(s.scalars(select(ReviewItem).where(ReviewItem.document_id == document_id)))
    ordinals = sorted({p.ordinal for p in doc.persons} | {i.person for i in items} or {0})
    persons = {p.ordinal: p for p in doc.persons}
    all_touched = touched is None or None in touched
    out_persons, any_decided, states = [], False, []
    for k in ordinals:
        mine = [i for i in items if i.person == k]
        values = person_values(s, doc, k, mine)
        state = _state_of(s, mine, values)
        p = persons.get(k)
        if p is not None and p.verification_state != state:
            p.verification_state = state
        states.append(state)
        if state in (VERIFIED, CORRECTED) and (all_touched or k in (touched or set())):
            any_decided = True
        out_persons.append({"ordinal": k, "person_name": p.person_name if p is not None else None,
                            "registry_record_id": p.registry_record_id if p is not None else doc.registry_record_id,
                            "verification_state": state,
                            "values": {v["name"]: _value_out(v) for v in values},
                            "items": [_item_out(i) for i in sorted(mine, key=lambda i: i.id) if i.status != "open"],
                            "_rows": values})
    doc_state = PENDING if PENDING in states else CORRECTED if CORRECTED in states else \
        VERIFIED if VERIFIED in states else None
    if doc.verification_state != doc_state:
        doc.verification_state = doc_state
    if not any_decided:
        return None
    return _write_record(s, doc, doc_state or VERIFIED, out_persons, actor)


def _value_out(v: dict[str, Any]) -> dict[str, Any]:
    out = {k: v[k] for k in ("value", "decision", "read_value", "read_confidence", "registry_value",
                             "registry_corrected", "decided_by", "approved_by", "legal_basis")}
    out["decided_at"] = _iso(v["decided_at"])
    out["links"] = {k.removesuffix("_id"): v[k] for k in ("review_item_id", "correction_id", "registry_history_id",
                                                          "audit_event_id") if v[k] is not None}
    return out


def _write_record(s: Session, doc: Document, state: str, persons: list[dict[str, Any]],
                  actor: str | None) -> VerificationRecord | None:
    last = s.scalar(select(VerificationRecord).where(VerificationRecord.document_id == doc.document_id)
                    .order_by(VerificationRecord.n.desc()).limit(1))
    signed = doc.latest_signed
    public = [{k: v for k, v in p.items() if k != "_rows"} for p in persons]
    decisions = {"verification_state": state, "persons": public,
                 "original_sha256": signed.sha256 if signed is not None else None}
    if last is not None:
        import json

        prev = json.loads(last.content)
        if {"verification_state": prev.get("verification_state"), "persons": prev.get("persons"),
            "original_sha256": (prev.get("original") or {}).get("sha256")} == \
                json.loads(record_bytes(decisions).decode("utf-8")):
            return None  # nothing new was decided (a repeated call, an item closed twice)
    n = (last.n + 1) if last is not None else 1
    now = datetime.now(timezone.utc)
    deciders = [v for p in persons for v in p["_rows"] if v["decided_at"] is not None]
    newest = max(deciders, key=lambda v: v["decided_at"], default=None)
    by = actor or (f"ui:{newest['approved_by'] or newest['decided_by']}" if newest is not None else "ui")
    content = {
        "type": RECORD_TYPE, "format": FORMAT, "document_id": doc.document_id, "n": n,
        "previous": {"n": last.n, "sha256": last.sha256} if last is not None else None,
        "created_at": now.isoformat(), "created_by": by,
        "doc_type": doc.doc_type, "report_status": doc.status, "verification_state": state,
        "original": ({"sha256": signed.sha256, "bucket": signed.bucket, "key": signed.key,
                      "version_id": signed.version_id, "size": signed.size} if signed is not None else None),
        "source": doc.source, "batch_id": doc.batch_id,
        "legal_basis": LEGAL_BASIS, "persons": public,
    }
    data = record_bytes(content)
    rec = VerificationRecord(document_id=doc.document_id, n=n, state=state, content=data.decode("utf-8"),
                             sha256=hashlib.sha256(data).hexdigest(),
                             original_sha256=signed.sha256 if signed is not None else None,
                             created_at=now, created_by=by)
    s.add(rec)
    s.flush()
    for p in persons:
        for v in p["_rows"]:
            s.add(VerifiedValue(record_id=rec.id, document_id=doc.document_id, person=p["ordinal"], **v))
    from sohoa.archive.catalogue import audit

    audit(s, by, "verification.record", f"document:{doc.document_id}", n=n, state=state, sha256=rec.sha256,
          original=rec.original_sha256)
    log.info("verification record written", extra={"document": doc.document_id, "n": n, "state": state})
    return rec


# --- sealing after the commit (the workbench's sessions) ----------------------------------------

@contextmanager
def sealing_session(rt: Runtime) -> Iterator[Session]:
    """A catalogue session that, when its transaction wrote a verification record, seals it
    (and any earlier one still waiting) once committed. A seal that fails is retried later."""
    with rt.catalogue.session() as s:
        yield s
    if s.info.pop(_WRITTEN, False):
        try:
            seal_pending(rt)
        except Exception as exc:  # the signing key could not even be loaded: the decision stands
            log.warning("verification records not sealed: %s", exc)
