"""Approved corrections back to the source database, through an outbox.

`enqueue` is called inside the approval's transaction (ui/workflow.py approve): the outbox row
commits with the registry change or not at all, under an idempotency key (the correction), so
an approval is queued once. `push` sends pending rows, each in its own transaction, with
optimistic concurrency: UPDATE ... WHERE key = :k AND column = :value_read [AND updated_at =
:updated_read]. No row updated means the source changed since it was read: nothing is
overwritten, the row is a `conflict` and a conflict item goes to a verifier (unless the source
already holds the new value: a push repeated after a lost acknowledgement is done, not a
conflict). A lost connection is retried with exponential backoff, then `failed`. Every
attempt is audited.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sohoa.archive.catalogue import audit, utcnow
from sohoa.archive.models import RegistryOutbox, RegistrySource, RegistrySourceRow
from sohoa.core.runtime import CatalogueAccess
from sohoa.reconciler.decided import raise_conflict
from sohoa.reconciler.sync.mapping import (
    Bound,
    Mapping,
    MappingError,
    _mapping,
    bind,
    decode,
    encode,
    to_contract,
    to_source,
)
from sqlalchemy import and_, select, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8
BASE_DELAY = timedelta(seconds=30)
MAX_DELAY = timedelta(hours=1)


def _columns_and_stamp(m: Mapping, name: str) -> tuple[str, list[str]]:
    """The table a field is written to and the column refs whose read values a push checks."""
    spec = m.fields[name]
    tables = {c.rsplit(".", 1)[0] for c in spec.columns}
    if len(tables) != 1:
        raise MappingError(f"fields.{name}: years and months in two tables cannot be pushed in one update")
    table = tables.pop()
    refs = list(spec.columns)
    tspec = next(t for t in m.tables() if t.table == table)
    if tspec.updated_at:
        refs.append(f"{table}.{tspec.updated_at}")
    return table, refs


def enqueue(s: Session, record_id: str, field_name: str, new_value: Any, *, key: str, reason: str | None,
            decided_by: str | None, document_id: str | None, person: int = 0,
            now: datetime | None = None) -> RegistryOutbox | None:
    """Queue the record's new field value for its source (None: the record came from no source
    database, or the source's mapping does not hold that field). Idempotent by `key`."""
    row = s.get(RegistrySourceRow, record_id)
    if row is None:
        return None
    existing = s.scalars(select(RegistryOutbox).where(RegistryOutbox.idempotency_key == key)).first()
    if existing is not None:
        return existing
    src = s.get(RegistrySource, row.source)
    assert src is not None  # registry_source_rows.source references it
    m = _mapping(src.mapping)
    if not m.pushable(field_name):
        return None
    _, refs = _columns_and_stamp(m, field_name)
    now = now or utcnow()
    ob = RegistryOutbox(idempotency_key=key[:200], source=src.name, record_id=record_id, field=field_name,
                        new_value=new_value, expected={r: row.read.get(r) for r in refs}, document_id=document_id,
                        person=person, reason=reason, decided_by=decided_by, status="pending", attempts=0,
                        next_attempt_at=now, created_at=now)
    s.add(ob)
    s.flush()
    return ob


@dataclass
class PushResult:
    done: int = 0
    conflicts: int = 0
    retrying: int = 0
    failed: int = 0
    messages: list[str] = field(default_factory=list)


def _match(col: Any, value: Any) -> Any:
    return col.is_(None) if value is None else col == value


def push(catalogue: CatalogueAccess, engine: Engine, mapping: Mapping, actor: str, now: datetime | None = None,
         max_attempts: int = MAX_ATTEMPTS) -> PushResult:
    """Push the source's pending outbox rows that are due."""
    now = now or utcnow()
    with catalogue.session() as s:
        ids = list(s.scalars(select(RegistryOutbox.id).where(
            RegistryOutbox.source == mapping.name, RegistryOutbox.status == "pending",
            RegistryOutbox.next_attempt_at <= now).order_by(RegistryOutbox.id)))
    result = PushResult()
    if not ids:
        return result
    try:
        bound = bind(mapping, engine)
    except (OperationalError, InterfaceError) as exc:  # the source is down: every due row waits its turn
        with catalogue.session() as s:
            for oid in ids:
                ob = s.get(RegistryOutbox, oid)
                if ob is not None and ob.status == "pending":
                    _retry(s, ob, exc, actor, now, max_attempts, result)
        return result
    for oid in ids:
        _push_one(catalogue, engine, bound, oid, actor, now, max_attempts, result)
    return result


def _row_now(conn: Any, bound: Bound, table: str, key_value: Any, refs: list[str]) -> dict[str, Any] | None:
    tspec = next(t for t in bound.mapping.tables() if t.table == table)
    cols = [bound.column(r) for r in refs]
    got = conn.execute(select(*cols).where(bound.key(tspec) == key_value)).first()
    return None if got is None else {r: got[i] for i, r in enumerate(refs)}


def _push_one(catalogue: CatalogueAccess, engine: Engine, bound: Bound, oid: int, actor: str, now: datetime,
              max_attempts: int, result: PushResult) -> None:
    m = bound.mapping
    with catalogue.session() as s:
        ob = s.get(RegistryOutbox, oid, with_for_update=True)
        if ob is None or ob.status != "pending":
            return  # another pusher had it
        srow = s.get(RegistrySourceRow, ob.record_id)
        obj = f"registry:{ob.record_id}"
        try:
            table, refs = _columns_and_stamp(m, ob.field)
            if srow is None or table not in srow.keys or any(r.rsplit(".", 1)[0] not in bound.tables for r in refs):
                raise MappingError(f"the mapping no longer maps {ob.field} as when it was read")
        except (MappingError, KeyError) as exc:
            ob.status, ob.last_error = "failed", str(exc)
            audit(s, actor, "registry.push", obj, outcome="failed", field=ob.field, source=m.name, error=str(exc))
            result.failed += 1
            result.messages.append(f"{ob.record_id}.{ob.field}: failed: {exc}")
            return
        spec = m.fields[ob.field]
        tspec = next(t for t in m.tables() if t.table == table)
        key_value = decode(srow.keys[table])
        try:
            values = to_source(spec, ob.new_value, bound)
        except (TypeError, ValueError) as exc:  # e.g. a year-only birth date for a date column
            ob.status, ob.last_error = "failed", f"{ob.new_value!r} cannot be written to {spec.columns}: {exc}"
            audit(s, actor, "registry.push", obj, outcome="failed", field=ob.field, source=m.name, error=ob.last_error)
            result.failed += 1
            result.messages.append(f"{ob.record_id}.{ob.field}: failed: {ob.last_error}")
            return
        sets: dict[Any, Any] = {bound.column(c): v for c, v in values.items()}
        conds = [bound.key(tspec) == key_value] + [_match(bound.column(r), decode(ob.expected.get(r))) for r in refs]
        stamp_ref = f"{table}.{tspec.updated_at}" if tspec.updated_at else None
        if stamp_ref:
            sets[bound.column(stamp_ref)] = _stamp_like(decode(ob.expected.get(stamp_ref)), now)
        read_refs = [*values, *([stamp_ref] if stamp_ref else [])]
        try:
            with engine.begin() as conn:
                n = conn.execute(update(bound.tables[table]).where(and_(*conds)).values(sets)).rowcount
                current = _row_now(conn, bound, table, key_value, read_refs)
        except (OperationalError, InterfaceError) as exc:  # the connection: again later
            _retry(s, ob, exc, actor, now, max_attempts, result)
            return
        except DBAPIError as exc:  # the source refused the value itself: retrying will not help
            _retry(s, ob, exc, actor, now, 1, result)
            return
        ob.attempts += 1
        already = current is not None and all(current.get(c) == v for c, v in values.items())
        if n == 1 or already:
            ob.status, ob.pushed_at, ob.last_error = "done", now, None
            srow.read = {**srow.read, **{r: encode(v) for r, v in (current or {}).items()}}
            audit(s, actor, "registry.push", obj, field=ob.field, value=ob.new_value, source=m.name,
                  key=encode(key_value), columns=sorted(values), decided_by=ob.decided_by, reason=ob.reason,
                  outbox=ob.id, repeated=n == 0)
            result.done += 1
            log.info("pushed %s.%s to %s", ob.record_id, ob.field, m.name, extra={"record": ob.record_id})
            return
        theirs = to_contract(spec, current) if current is not None else None
        ob.status, ob.last_error = "conflict", f"the source holds {theirs!r}, changed since it was read"
        raise_conflict(s, ob.record_id, ob.field, ob.new_value, theirs, f"source {m.name} (push)", actor, now,
                       where=(ob.document_id, ob.person) if ob.document_id else None)
        audit(s, actor, "registry.push", obj, outcome="conflict", field=ob.field, value=ob.new_value,
              source_value=theirs, source=m.name, outbox=ob.id)
        result.conflicts += 1
        result.messages.append(f"{ob.record_id}.{ob.field}: conflict: the source holds {theirs!r}")


def _stamp_like(read: Any, now: datetime) -> datetime:
    """The new updated-at, naive when the source's column is."""
    return now.replace(tzinfo=None) if isinstance(read, datetime) and read.tzinfo is None else now


def _retry(s: Session, ob: RegistryOutbox, exc: DBAPIError, actor: str, now: datetime, max_attempts: int,
           result: PushResult) -> None:
    ob.attempts += 1
    ob.last_error = " ".join(str(exc.orig).split())[:500]
    obj = f"registry:{ob.record_id}"
    if ob.attempts >= max_attempts:
        ob.status = "failed"
        result.failed += 1
        result.messages.append(f"{ob.record_id}.{ob.field}: failed after {ob.attempts} attempts: {ob.last_error}")
        audit(s, actor, "registry.push", obj, outcome="failed", field=ob.field, attempts=ob.attempts,
              error=ob.last_error)
        return
    ob.next_attempt_at = now + min(BASE_DELAY * (2 ** (ob.attempts - 1)), MAX_DELAY)
    result.retrying += 1
    audit(s, actor, "registry.push", obj, outcome="retry", field=ob.field, attempts=ob.attempts,
          next_attempt_at=ob.next_attempt_at.isoformat(), error=ob.last_error)


def outbox_rows(catalogue: CatalogueAccess, status: str | None = None) -> list[dict[str, Any]]:
    """The outbox as plain rows (the CLI shows them)."""
    with catalogue.session() as s:
        q = select(RegistryOutbox).order_by(RegistryOutbox.id)
        if status:
            q = q.where(RegistryOutbox.status == status)
        return [{"id": o.id, "source": o.source, "record_id": o.record_id, "field": o.field, "value": o.new_value,
                 "status": o.status, "attempts": o.attempts, "last_error": o.last_error,
                 "next_attempt_at": o.next_attempt_at.isoformat() if o.next_attempt_at else None}
                for o in s.scalars(q)]


def enqueue_decision(s: Session, record_id: str, field_name: str, value: Any, *, key: str, reason: str | None,
                     decided_by: str | None, document_id: str | None, review_item_id: int | None) -> None:
    """enqueue for a verifier's decision (ui/workflow.py): the item names the person."""
    from sohoa.archive.models import ReviewItem

    item = s.get(ReviewItem, review_item_id) if review_item_id else None
    enqueue(s, record_id, field_name, value, key=key, reason=reason, decided_by=decided_by, document_id=document_id,
            person=item.person if item is not None else 0)
