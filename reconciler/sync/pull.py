"""`sohoa registry sync`: the registry read from another system's SQL database.

The source's rows are read through the mapping (mapping.py) with a streaming cursor, `chunk`
rows at a time, and each becomes a contract record through the JSONL import's own
normalise_record and is written by its own chunk writer: the same history rows, the same
guard for decided fields (reconciler/decided.py). One catalogue transaction: a row the
import would refuse refuses the whole sync, with its key, and nothing is stored.

Incremental: only rows whose updated-at (the record table's, or a joined table's) is at or
after the last sync's high-water mark; rows read twice are unchanged, never lost.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterator

from sohoa.archive.catalogue import audit, utcnow
from sohoa.archive.models import RegistrySource, RegistrySourceRow
from sohoa.core.errors import SohoaError
from sohoa.core.runtime import CatalogueAccess
from sohoa.reconciler.registry import _write_chunk as write_chunk
from sohoa.reconciler.registry import normalise_record
from sohoa.reconciler.sync.mapping import Bound, Mapping, bind, encode, to_contract
from sqlalchemy import create_engine, or_, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError
from sqlalchemy.orm import Session

log = logging.getLogger(__name__)
CHUNK = 1000


class SourceError(SohoaError):
    """The source database cannot be reached or read, or one of its rows is refused."""


@dataclass
class SyncResult:
    source: str
    full: bool
    read: int = 0
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: int = 0
    warnings: list[str] = field(default_factory=list)
    high_water: str | None = None


def redact(url: str) -> str:
    """A source URL fit for messages and logs: no password."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is named by its scheme only
        return url.split(":", 1)[0] + ":…"


def source_engine(url: str, timeout: int = 10, check: bool = True) -> Engine:
    """An engine for the source (connection timeout bounded); SourceError when the URL is no URL,
    or (`check`) when the database cannot be reached."""
    try:
        engine = create_engine(url, pool_pre_ping=True,
                               connect_args={"connect_timeout": timeout} if url.startswith("postgresql") else {})
    except (ArgumentError, NoSuchModuleError, ValueError) as exc:
        raise SourceError(f"source {redact(url)}: not a usable database URL ({exc})") from None
    if not check:
        return engine
    try:
        with engine.connect():
            pass
    except DBAPIError as exc:
        engine.dispose()
        reason = " ".join(str(exc.orig).split())[:300]
        raise SourceError(f"source {redact(url)}: unreachable ({reason})") from None
    return engine


def _select(bound: Bound, high_water: datetime | None) -> Any:
    m = bound.mapping
    refs = sorted({c for f in m.fields.values() for c in f.columns}
                  | {f"{t.table}.{t.key}" for t in m.tables()}
                  | {f"{t.table}.{t.updated_at}" for t in m.tables() if t.updated_at})
    cols = [bound.column(r).label(f"c{i}") for i, r in enumerate(refs)]
    frm: Any = bound.tables[m.record.table]
    for j in m.joins:
        assert j.on is not None  # joins name their column (mapping._table_spec)
        frm = frm.outerjoin(bound.tables[j.table], bound.tables[m.record.table].c[j.on] == bound.key(j))
    q = select(*cols).select_from(frm).order_by(bound.key(m.record))
    stamps = [bound.tables[t.table].c[t.updated_at] for t in m.tables() if t.updated_at]
    if high_water is not None and stamps:
        q = q.where(or_(*(c >= high_water for c in stamps)))
    return q, refs


def read_rows(engine: Engine, bound: Bound, high_water: datetime | None,
              chunk: int = CHUNK) -> Iterator[list[dict[str, Any]]]:
    """The source's rows, `chunk` at a time, as {"table.column": value}, through a server-side cursor."""
    q, refs = _select(bound, high_water)
    try:
        with engine.connect() as conn:
            result = conn.execution_options(stream_results=True, yield_per=chunk).execute(q)
            for part in result.partitions(chunk):
                yield [{ref: row[i] for i, ref in enumerate(refs)} for row in part]
    except DBAPIError as exc:
        reason = " ".join(str(exc.orig).split())[:300]
        raise SourceError(f"source {bound.mapping.name}: reading failed ({reason})") from None


def _aware(v: datetime) -> datetime:
    return v if v.tzinfo else v.replace(tzinfo=timezone.utc)


def to_record(m: Mapping, values: dict[str, Any]) -> dict[str, Any]:
    """A source row as a raw contract record (before normalise_record)."""
    key = values[f"{m.record.table}.{m.record.key}"]
    if key is None:
        raise ValueError("the record key is empty")
    rec: dict[str, Any] = {"record_id": f"{m.record_id_prefix}{key}"}
    for name, spec in m.fields.items():
        v = to_contract(spec, values)
        if v is not None:
            rec[name] = v
    return rec


def sync_registry(catalogue: CatalogueAccess, engine: Engine, mapping: Mapping, actor: str, full: bool = False,
                  chunk: int = CHUNK) -> SyncResult:
    """Read the source into the catalogue (one transaction); the high-water mark moves on only
    when everything was written."""
    bound = bind(mapping, engine)
    now = utcnow()
    with catalogue.session() as s:
        src = s.get(RegistrySource, mapping.name)
        if src is not None and src.mapping_sha256 != mapping.sha256:
            full = True  # another mapping reads other columns: everything again
        hw = datetime.fromisoformat(src.high_water) if src is not None and src.high_water and not full else None
        result = SyncResult(source=mapping.name, full=hw is None)
        if src is None:
            src = RegistrySource(name=mapping.name)
            s.add(src)
        src.mapping, src.mapping_sha256 = mapping.raw, mapping.sha256
        s.flush()
        newest = hw
        counts = [0, 0, 0, 0]
        label = f"source {mapping.name}"
        for part in read_rows(engine, bound, hw, chunk):
            batch, reads = [], {}
            for values in part:
                try:
                    rec, notes = normalise_record(to_record(mapping, values))
                except ValueError as exc:
                    key = values.get(f"{mapping.record.table}.{mapping.record.key}")
                    raise SourceError(f"source {mapping.name}: row {mapping.record.table}.{mapping.record.key}="
                                      f"{key!r} refused, nothing stored: {exc}") from None
                if rec["record_id"] in reads:
                    raise SourceError(f"source {mapping.name}: record {rec['record_id']} read twice (a join "
                                      "matched several rows): nothing stored")
                result.warnings += [f"{rec['record_id']}: {w}" for w in notes]
                batch.append(rec)
                reads[rec["record_id"]] = values
                for t in mapping.tables():
                    stamp = values.get(f"{t.table}.{t.updated_at}") if t.updated_at else None
                    if isinstance(stamp, datetime) and (newest is None or _aware(stamp) > newest):
                        newest = _aware(stamp)
            result.read += len(batch)
            write_chunk(s, batch, counts, now, actor, label)
            _remember(s, mapping, reads, now)
        result.added, result.updated, result.unchanged, result.conflicts = counts
        src = s.get(RegistrySource, mapping.name)  # the chunk writer let go of every row it held
        assert src is not None  # added above
        src.high_water = newest.isoformat() if newest is not None else None
        src.last_sync_at = now
        if result.full:
            src.last_full_at = now
        result.high_water = src.high_water
        audit(s, actor, "registry.sync", f"source:{mapping.name}", full=result.full, read=result.read,
              added=result.added, updated=result.updated, unchanged=result.unchanged, conflicts=result.conflicts,
              high_water=src.high_water)
    log.info("registry sync from %s: %s read, %s added, %s updated, %s conflicts", mapping.name, result.read,
             result.added, result.updated, result.conflicts, extra={"source": mapping.name})
    return result


def _remember(s: Session, m: Mapping, reads: dict[str, dict[str, Any]], now: datetime) -> None:
    """Each record's keys and column values as read (the push compares with them)."""
    if not reads:
        return
    rows = {r.record_id: r for r in s.scalars(select(RegistrySourceRow).where(
        RegistrySourceRow.record_id.in_(list(reads))))}
    for rid, values in reads.items():
        keys = {t.table: encode(values.get(f"{t.table}.{t.key}")) for t in m.tables()}
        read = {ref: encode(v) for ref, v in values.items()}
        row = rows.get(rid)
        if row is None:
            s.add(RegistrySourceRow(record_id=rid, source=m.name, keys=keys, read=read, read_at=now))
        elif (row.source, row.keys, row.read) != (m.name, keys, read):  # an unchanged row costs no write
            row.source, row.keys, row.read, row.read_at = m.name, keys, read, now
    s.flush()
    s.expunge_all()
