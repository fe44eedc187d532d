"""Audit checkpoints: the head of the hash-chained audit log anchored outside the
database, so that events cut off its end are noticed.

The chain alone proves that no event was edited or removed in the middle; removing
the newest events (or all of them) leaves a shorter chain that is still whole. A
checkpoint records the log's head -- number of events, id and hash of the newest --
and the time, sealed with the pipeline's signing key (``retention/seal.py``:
detached CMS, timestamped when a TSA is configured) and put write-once into the
object store (``<bucket_prefix>-audit``, key
``audit/checkpoints/<count, 12 digits>-<UTC time>.json``: the newest anchors the
most events and sorts last). The store keeps it beyond the database's reach (local
write-once files; S3 object lock in COMPLIANCE mode).

A checkpoint is written only over a chain that checks out since the previous
checkpoint, by ``sohoa audit checkpoint``, the beat entry ``audit-checkpoint``
(``SOHOA_AUDIT_CHECKPOINT_SCHEDULE``) and after each batch ``sohoa process`` runs.

``verify_log`` (``sohoa audit verify``) checks the chain and then the database
against the latest checkpoint (every checkpoint with ``all_checkpoints``): the
seal must check out, the database must hold at least the events the checkpoint
counts, and the event at the checkpoint's head must carry its hash. Each failure
names the gap: how many events are missing after which one, which checkpoint.
"""
from __future__ import annotations

import base64
import json
import logging
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import Any

from sohoa.archive.catalogue import GENESIS, audit_head, verify_audit_chain
from sohoa.archive.models import AuditEvent
from sohoa.core.errors import IntegrityError, SohoaError, StoreError
from sohoa.core.runtime import Runtime
from sohoa.core.storage import ObjectRef
from sohoa.retention.seal import SealKey, check_seal, seal, seal_roots
from sqlalchemy import func, select

log = logging.getLogger("sohoa.retention.checkpoints")

FORMAT = "sohoa-audit-checkpoint/1"
PREFIX = "audit/checkpoints/"
_KEY_RE = re.compile(r"^audit/checkpoints/(\d{12})-(\d{8}T\d{6}\d{6}Z)\.json$")
MAX_CHECKPOINT_BYTES = 1 << 20  # a checkpoint is ~5 kB; anything larger is not one of ours


class CheckpointError(SohoaError):
    pass


def checkpoint_bucket(rt: Runtime) -> str:
    return f"{rt.settings.bucket_prefix}-audit"


def _canonical(body: dict[str, Any]) -> bytes:
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode("utf-8")


@dataclass
class Checkpoint:
    key: str
    count: int
    head_id: int | None
    head_hash: str
    at: str
    body: dict[str, Any] = field(default_factory=dict)
    signer: str | None = None
    timestamp: str | None = None

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d.pop("body")
        return d


def checkpoint_keys(rt: Runtime) -> list[str]:
    """The checkpoints' keys in the store, oldest (fewest events) first."""
    bucket = checkpoint_bucket(rt)
    try:
        keys = [k for k in rt.store.list_keys(bucket) if k.startswith(PREFIX)]
    except StoreError as exc:
        if "NoSuchBucket" in str(exc):
            return []
        raise
    return sorted(keys)


def _latest_version(rt: Runtime, key: str) -> ObjectRef | None:
    return rt.store.stat(checkpoint_bucket(rt), key, None)


def read_checkpoint(rt: Runtime, key: str, roots: list[Any]) -> tuple[Checkpoint | None, list[str]]:
    """The checkpoint stored under key and the problems with it (seal, format). Every
    version of the key is checked: write-once stores keep a second put as a second
    version, and a checkpoint is written once."""
    bucket = checkpoint_bucket(rt)
    problems: list[str] = []
    versions = rt.store.versions(bucket, key)
    if not versions:
        return None, [f"checkpoint {key}: listed but has no stored version"]
    if len(versions) > 1:
        problems.append(f"checkpoint {key}: {len(versions)} versions (a checkpoint is written once)")
    ref = versions[0]
    if ref.size > MAX_CHECKPOINT_BYTES:
        return None, problems + [f"checkpoint {key}: {ref.size} bytes, not a checkpoint"]
    try:
        raw = rt.store.get(ref)
    except (StoreError, IntegrityError, OSError) as exc:
        return None, problems + [f"checkpoint {key}: unreadable ({exc})"]
    try:
        envelope = json.loads(raw.decode("utf-8"))
        payload = envelope["payload"].encode("utf-8")
        sealed = base64.b64decode(envelope["cms"], validate=True)
        body = json.loads(payload)
        if body.get("format") != FORMAT:
            raise ValueError(f"format {body.get('format')!r}")
        cp = Checkpoint(key=key, count=int(body["count"]), head_id=body["head_id"], head_hash=str(body["head_hash"]),
                        at=str(body["at"]), body=body)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        return None, problems + [f"checkpoint {key}: not a sealed checkpoint ({type(exc).__name__}: {exc})"]
    check = check_seal(payload, sealed, roots)
    cp.signer = check.signer
    cp.timestamp = check.timestamp.isoformat() if check.timestamp else None
    problems += [f"checkpoint {key}: seal fails: {p}" for p in check.problems]
    m = _KEY_RE.match(key)
    if not m or int(m.group(1)) != cp.count:
        problems.append(f"checkpoint {key}: its name does not match its content ({cp.count} events)")
    return cp, problems


def _check_against(rt: Runtime, cp: Checkpoint, db_count: int) -> list[str]:
    """The database against one checkpoint: at least as many events, the same head."""
    where = f"checkpoint {cp.key} ({cp.at})"
    if cp.count == 0:
        return []
    problems = []
    with rt.catalogue.session() as s:
        ev = s.get(AuditEvent, cp.head_id) if cp.head_id is not None else None
        upto = s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.id <= (cp.head_id or 0))) or 0
    if db_count < cp.count:
        problems.append(f"{where} counted {cp.count} events up to event #{cp.head_id}; the database holds "
                        f"{db_count}: {cp.count - db_count} event(s) cut off the log after its event {upto}")
    elif ev is None:
        problems.append(f"{where}: its head event #{cp.head_id} is gone from the database (the log was cut back "
                        f"to {upto} event(s) up to that id)")
    elif ev.hash != cp.head_hash:
        problems.append(f"{where}: event #{cp.head_id} hashes to {ev.hash[:16]}…, the checkpoint recorded "
                        f"{cp.head_hash[:16]}…: the log up to that event was rewritten")
    elif upto != cp.count:
        problems.append(f"{where}: {upto} events up to #{cp.head_id}, the checkpoint counted {cp.count}")
    return problems


@dataclass
class LogReport:
    """`sohoa audit verify`: the chain and the checkpoints."""

    events: int = 0
    head_id: int | None = None
    checkpoints: int = 0
    checked: list[dict[str, Any]] = field(default_factory=list)  # the checkpoints compared with the database
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "ok": self.ok}


def verify_log(rt: Runtime, *, all_checkpoints: bool = False) -> LogReport:
    """The chain, then the database against the latest checkpoint (or all of them)."""
    report = LogReport()
    with rt.catalogue.session() as s:
        report.events, report.head_id, _ = audit_head(s)
        report.problems += verify_audit_chain(s)
    try:
        keys = checkpoint_keys(rt)
    except (StoreError, OSError) as exc:
        report.problems.append(f"checkpoints in {checkpoint_bucket(rt)}: cannot list the store ({exc})")
        return report
    report.checkpoints = len(keys)
    if not keys:
        report.notes.append(f"no checkpoint in {checkpoint_bucket(rt)} yet: events cut off the end of the log "
                            "cannot be noticed (run `sohoa audit checkpoint`)")
        return report
    roots = seal_roots(rt.settings)
    for key in (keys if all_checkpoints else keys[-1:]):
        cp, problems = read_checkpoint(rt, key, roots)
        report.problems += problems
        if cp is None:
            continue
        report.checked.append(cp.to_dict())
        report.problems += _check_against(rt, cp, report.events)
    return report


@dataclass
class CheckpointResult:
    written: bool
    key: str | None
    count: int
    head_id: int | None
    head_hash: str
    reason: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def write_checkpoint(rt: Runtime, *, force: bool = False) -> CheckpointResult:
    """Seal the log's head and put it write-once into the store. Refused (CheckpointError)
    when the chain does not check out since the previous checkpoint -- anchoring it
    would vouch for a tampered log. Nothing is written when the head has not moved
    since the latest checkpoint, unless force."""
    bucket = checkpoint_bucket(rt)
    rt.store.prepare(bucket)
    roots = seal_roots(rt.settings)
    keys = checkpoint_keys(rt)
    previous: Checkpoint | None = None
    if keys:
        previous, problems = read_checkpoint(rt, keys[-1], roots)
        if problems:
            raise CheckpointError("; ".join(problems) + ": no new checkpoint over it (run `sohoa audit verify`)")
    with rt.catalogue.session() as s:
        count, head_id, head_hash = audit_head(s)
        if previous is not None and previous.count:
            problems = _check_against(rt, previous, count)
            problems += verify_audit_chain(s, previous.head_id, previous.head_hash)
        else:
            problems = verify_audit_chain(s)
        if problems:
            raise CheckpointError(f"audit log of {redact(rt)}: " + "; ".join(problems[:5])
                                  + (f" (and {len(problems) - 5} more)" if len(problems) > 5 else "")
                                  + ": not anchoring a broken log")
        at_row = s.get(AuditEvent, head_id) if head_id is not None else None
        head_at = at_row.at.isoformat() if at_row is not None else None
    if previous is not None and previous.head_hash == head_hash and previous.count == count and not force:
        return CheckpointResult(False, previous.key, count, head_id, head_hash, "the log has not moved")
    now = datetime.now(timezone.utc)
    body = {"format": FORMAT, "count": count, "head_id": head_id, "head_hash": head_hash or GENESIS,
            "head_at": head_at, "at": now.isoformat(), "catalogue": redact(rt),
            "previous": ({"key": previous.key, "count": previous.count, "head_hash": previous.head_hash}
                         if previous is not None else None)}
    payload = _canonical(body)
    with SealKey(rt) as key_signer:
        sealed = seal(key_signer, payload)
    envelope = json.dumps({"payload": payload.decode("utf-8"), "cms": base64.b64encode(sealed).decode("ascii")},
                          ensure_ascii=False).encode("utf-8")
    key = f"{PREFIX}{count:012d}-{now:%Y%m%dT%H%M%S%f}Z.json"
    rt.store.put(bucket, key, envelope, {"kind": "audit-checkpoint", "count": str(count)})
    log.info("audit checkpoint %s: %d events, head #%s", key, count, head_id)
    return CheckpointResult(True, key, count, head_id, head_hash)


def redact(rt: Runtime) -> str:
    from sohoa.retention.integrity import redact_url

    return redact_url(rt.catalogue.url)


def checkpoint_job(rt: Runtime) -> dict[str, Any]:
    """The beat entry's job: a checkpoint, or an alert when the log cannot be anchored."""
    from pathlib import Path

    from sohoa.retention.integrity import run_alert, write_json_and_text

    try:
        res = write_checkpoint(rt)
    except SohoaError as exc:
        log.error("audit checkpoint refused: %s", exc)
        path = Path(rt.settings.home) / "reports" / f"audit-checkpoint-failed-{datetime.now(timezone.utc):%Y%m%dT%H%M%SZ}.json"
        write_json_and_text(path, {"error": str(exc)}, str(exc))
        run_alert(rt.settings, str(path), "audit checkpoint refused")
        raise
    return res.to_dict()
