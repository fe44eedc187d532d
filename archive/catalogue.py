"""The catalogue database: connection, schema migrations and the audit log."""
from __future__ import annotations

import hashlib
import json
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from alembic import command
from alembic.config import Config
from sohoa.archive.models import AuditEvent
from sohoa.core.errors import FatalError
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

MIGRATIONS = Path(__file__).with_name("migrations")
GENESIS = "0" * 64
AUDIT_LOCK_KEY = 0x50A0A0D1  # pg_advisory_xact_lock key of the audit chain


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


class Catalogue:
    """Owns the engine and hands out sessions; migrates the schema on open."""

    def __init__(self, url: str):
        self.url = url
        if url.startswith("sqlite:///"):
            Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
        self.engine: Engine = create_engine(url, future=True)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_pragmas)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.migrate()

    def migrate(self) -> None:
        cfg = alembic_config(self.url)
        try:
            with self.engine.begin() as conn:
                cfg.attributes["connection"] = conn
                command.upgrade(cfg, "head")
        except OperationalError as exc:
            reason = " ".join(str(exc.orig).split())  # one line: drivers add hints on further lines
            raise FatalError(f"catalogue database {self.engine.url}: unreachable ({reason})") from None

    @contextmanager
    def session(self) -> Iterator[Session]:
        with self._sessions() as s:
            with s.begin():
                yield s

    def dispose(self) -> None:
        self.engine.dispose()


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def _event_hash(prev: str, at: datetime, actor: str, action: str, obj: str, outcome: str, detail: dict) -> str:
    payload = json.dumps(
        [prev, at.isoformat(), actor, action, obj, outcome, detail], ensure_ascii=False, sort_keys=True, default=str
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _lock_chain(session: Session) -> None:
    """Writers of the chain one at a time, until commit: two workers reading the same
    last hash would fork the chain."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": AUDIT_LOCK_KEY})
    elif dialect == "sqlite":
        # A write statement takes SQLite's write lock for the rest of the transaction.
        session.execute(text("UPDATE audit_events SET id = id WHERE 0"))


def audit(session: Session, actor: str, action: str, obj: str, outcome: str = "ok", **detail: Any) -> AuditEvent:
    """Append one event to the hash-chained audit log."""
    _lock_chain(session)
    last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).first()
    prev = last.hash if last else GENESIS
    at = utcnow()
    ev = AuditEvent(
        at=at, actor=actor, action=action, object=obj, outcome=outcome, detail=detail, prev_hash=prev,
        hash=_event_hash(prev, at, actor, action, obj, outcome, detail),
    )
    session.add(ev)
    session.flush()
    return ev


def audit_head(session: Session) -> tuple[int, int | None, str]:
    """(number of events, id of the newest, its hash): what a checkpoint anchors. An
    empty log is (0, None, GENESIS)."""
    last = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(1)).first()
    if last is None:
        return 0, None, GENESIS
    count = session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.id <= last.id)) or 0
    return int(count), last.id, last.hash


def verify_audit_chain(session: Session, after_id: int | None = None, after_hash: str = GENESIS) -> list[str]:
    """Problems found in the audit chain (empty when intact). after_id/after_hash: check
    only the events after that one, trusting it to hash to after_hash (an anchored
    checkpoint's head): the chain must go on from there."""
    problems = []
    prev = after_hash
    query = select(AuditEvent).order_by(AuditEvent.id)
    if after_id is not None:
        query = query.where(AuditEvent.id > after_id)
    for ev in session.scalars(query.execution_options(yield_per=1000)):
        at = ev.at if ev.at.tzinfo else ev.at.replace(tzinfo=timezone.utc)
        if ev.prev_hash != prev:
            problems.append(f"event {ev.id}: chain broken (an earlier event was removed or reordered)")
        if _event_hash(ev.prev_hash, at, ev.actor, ev.action, ev.object, ev.outcome, ev.detail) != ev.hash:
            problems.append(f"event {ev.id}: contents edited after the fact")
        prev = ev.hash
    return problems
