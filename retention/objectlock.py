"""Keep archived objects locked: renew their S3 object-lock retention before it lapses.

"Permanent" on an S3 store is a legal hold plus a COMPLIANCE retain-until that
this job keeps pushing forward (Ceph RGW wraps dates after 2106-02-07, so no
object can be written with a retain-until of "forever"; archive/s3store.py
caps it at 2105-12-31). For every catalogued object (``objects`` rows, a page
at a time) the job reads the version's lock from the server (HEAD requests) and:

- **due** when its retain-until is absent or earlier than now +
  ``settings.retention_extend_within_days``: the retain-until is set to
  now + ``settings.retention_years`` (capped), read back, and must have come
  back as set (a server that wraps or ignores the date is a failure, not a
  silent success);
- never shortened: a version locked later than that target is left alone
  (the server would refuse anyway; this job does not even ask);
- **at_cap** when due but already locked up to the cap: nothing later can be
  set on this server; the legal hold is what keeps it then;
- a missing legal hold is put back when ``settings.legal_hold`` is on;
- when the store writes a replication copy (``settings.s3_backup_endpoint`` /
  ``s3_backup_bucket_suffix``), the copy's version of a due object (same
  content, written with the same lock) is renewed alike (``replica`` in the
  report and the audit event).

Each change is one audit event (``object.retention_extend``,
``object.legal_hold_restore``), written as soon as the server has made it;
the run is one event ``retention.extend`` with its counts. The report goes to
``$SOHOA_HOME/reports/retention-extend-<UTC time>.json`` (and ``.txt``); a
run with failures logs an error and runs ``settings.alert_command``. A second
run finds nothing due. ``dry_run`` reads only.

The local write-once store has no retain-until (files are read-only and never
deleted): the job says so and changes nothing.

    sohoa retention extend [--within-days N] [--dry-run] [--json]
"""
from __future__ import annotations

import logging
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Protocol, cast

from sohoa.archive.catalogue import audit
from sohoa.archive.models import StoredObject
from sohoa.archive.s3store import MAX_RETAIN_UNTIL, retain_until
from sohoa.core.errors import ConfigError, SohoaError
from sohoa.core.runtime import Runtime
from sohoa.core.storage import ObjectRef
from sohoa.retention.integrity import (
    PAGE,
    _catalogue_rows,
    describe_store,
    run_alert,
    unique_path,
    utc_stamp,
    write_json_and_text,
)
from sqlalchemy import func, select

log = logging.getLogger("sohoa.retention.objectlock")

STATUSES = ("extended", "due", "at_cap", "hold_restored", "hold_missing", "failed")
# a retain-until read back this much earlier than what was set counts as not kept
_SLACK = timedelta(seconds=1)


class LockingStore(Protocol):
    """What the job needs of a store with object lock (archive.s3store.S3ObjectStore)."""

    def retention(self, ref: ObjectRef) -> tuple[str | None, datetime | None]: ...

    def extend_retention(self, ref: ObjectRef, until: datetime | None = None) -> datetime: ...

    def legal_hold(self, ref: ObjectRef) -> bool: ...

    def set_legal_hold(self, ref: ObjectRef, on: bool) -> None: ...


@dataclass
class LockChange:
    """What the job did (or, dry run, would do) to one catalogued version."""

    status: str  # one of STATUSES
    object_id: int
    document_id: str
    bucket: str
    key: str
    version_id: str | None
    replica: bool = False  # the replication copy's version (settings.s3_backup_*), not the primary's
    old_until: str | None = None
    new_until: str | None = None
    detail: str = ""

    def to_text(self) -> str:
        return (f"{self.status:<14} {'replica ' if self.replica else ''}{self.bucket}/{self.key} "
                f"version {self.version_id} "
                f"(document {self.document_id}): {self.old_until or 'no retention'} -> {self.new_until or '-'}"
                + (f"  {self.detail}" if self.detail else ""))


@dataclass
class ExtendReport:
    started_at: str
    store: str
    dry_run: bool
    within_days: int
    target_until: str
    supported: bool = True
    note: str = ""
    finished_at: str = ""
    seconds: float = 0.0
    objects: int = 0  # catalogued versions looked at
    current: int = 0  # locked beyond the window: left alone
    changes: list[LockChange] = field(default_factory=list)
    report_path: str | None = None

    @property
    def ok(self) -> bool:
        return not any(c.status == "failed" for c in self.changes)

    def counts(self) -> dict[str, int]:
        out = {"current": self.current}
        for c in self.changes:
            out[c.status] = out.get(c.status, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["ok"], d["counts"] = self.ok, self.counts()
        return d

    def to_text(self) -> str:
        head = (f"retention extend{' (dry run)' if self.dry_run else ''} {self.started_at} .. "
                f"{self.finished_at} ({self.seconds:.1f} s)")
        lines = [head, f"store:   {self.store}"]
        if not self.supported:
            return "\n".join(lines + [f"result:  nothing to do: {self.note}"])
        lines += [f"window:  retain-until earlier than now + {self.within_days} days is renewed "
                  f"to {self.target_until}",
                  f"objects: {self.objects} catalogued versions; "
                  + ", ".join(f"{v} {k}" for k, v in sorted(self.counts().items()))]
        lines += ["  " + c.to_text() for c in self.changes]
        lines.append("result:  " + ("OK" if self.ok else "FAILED"))
        if self.report_path:
            lines.append(f"report:  {self.report_path}")
        return "\n".join(lines)


def _iso(dt: datetime | None) -> str | None:
    return dt.astimezone(timezone.utc).isoformat(timespec="seconds") if dt else None


def locking_store(rt: Runtime) -> LockingStore | None:
    """The runtime's store when it has object lock (S3), else None."""
    store = rt.store
    needed = ("retention", "extend_retention", "legal_hold", "set_legal_hold")
    return cast(LockingStore, store) if all(hasattr(store, n) for n in needed) else None


def _replicas(store: LockingStore, ref: ObjectRef) -> list[tuple[LockingStore, ObjectRef]]:
    """The replication copy's versions of ref (same content) when the store writes one
    (settings.s3_backup_endpoint / s3_backup_bucket_suffix)."""
    backup = getattr(store, "backup", None)
    if backup is None:
        return []
    bucket = ref.bucket + (getattr(store, "backup_bucket_suffix", "") or "")
    return [(cast(LockingStore, backup), v) for v in backup.versions(bucket, ref.key) if v.sha256 == ref.sha256]


def _renew_one(store: LockingStore, row: tuple, *, soon: datetime, target: datetime, hold_wanted: bool,
               dry_run: bool) -> list[LockChange]:
    """One catalogued version and, when it is due, its replication copy."""
    oid, doc_id, _role, bucket, key, version_id, sha, size = row
    ref = ObjectRef(bucket, key, version_id, sha, size)
    out = _renew_version(store, ref, dict(object_id=oid, document_id=doc_id), soon=soon, target=target,
                         hold_wanted=hold_wanted, dry_run=dry_run)
    if any(c.status in ("extended", "due", "at_cap") for c in out):
        # the copy was written with the primary, with the same lock: it lapses with it
        for replica_store, replica in _replicas(store, ref):
            out += _renew_version(replica_store, replica, dict(object_id=oid, document_id=doc_id), soon=soon,
                                  target=target, hold_wanted=hold_wanted, dry_run=dry_run, replica=True)
    return out


def _renew_version(store: LockingStore, ref: ObjectRef, owner: dict[str, Any], *, soon: datetime,
                   target: datetime, hold_wanted: bool, dry_run: bool, replica: bool = False) -> list[LockChange]:
    """Look at one version's lock and renew what is due; returns what changed (or would)."""
    base = dict(owner, bucket=ref.bucket, key=ref.key, version_id=ref.version_id, replica=replica)
    out: list[LockChange] = []
    _mode, until = store.retention(ref)
    if until is None or until < soon:
        if until is not None and until >= target - _SLACK:
            # due only because the target is capped below the window's end
            out.append(LockChange("at_cap", old_until=_iso(until), detail=(
                f"retain-until cannot go past {_iso(MAX_RETAIN_UNTIL)} on this store; the legal hold keeps it"),
                **base))
        elif dry_run:
            out.append(LockChange("due", old_until=_iso(until), new_until=_iso(target), **base))
        else:
            store.extend_retention(ref, target)
            _, got = store.retention(ref)  # read back: RGW wraps dates it cannot hold
            if got is None or got < target - _SLACK:
                out.append(LockChange("failed", old_until=_iso(until), new_until=_iso(got), detail=(
                    f"set retain-until {_iso(target)}, the server kept {_iso(got)}"), **base))
            else:
                out.append(LockChange("extended", old_until=_iso(until), new_until=_iso(got), **base))
    if hold_wanted and not store.legal_hold(ref):
        if dry_run:
            out.append(LockChange("hold_missing", detail="no legal hold", **base))
        else:
            store.set_legal_hold(ref, True)
            kept = store.legal_hold(ref)
            out.append(LockChange("hold_restored" if kept else "failed", detail=(
                "legal hold put back" if kept else "the server did not keep the legal hold"), **base))
    return out


def _record(rt: Runtime, changes: list[LockChange]) -> None:
    """One audit event per change (of one object and its copy), in one transaction."""
    done = [c for c in changes if c.status in ("extended", "hold_restored")]
    if not done:
        return
    with rt.catalogue.session() as s:
        for c in done:
            action = "object.retention_extend" if c.status == "extended" else "object.legal_hold_restore"
            audit(s, rt.actor, action, f"{c.bucket}/{c.key}", document_id=c.document_id,
                  version_id=c.version_id, replica=c.replica, old_until=c.old_until, new_until=c.new_until)


def extend_retention(rt: Runtime, *, within_days: int | None = None, dry_run: bool = False,
                     now: datetime | None = None, progress: Callable[[int, int], None] | None = None,
                     report_dir: Path | None = None, alert: bool = True) -> ExtendReport:
    """Renew the object lock of every catalogued version that lapses within `within_days`
    (default settings.retention_extend_within_days): see the module doc. `progress(done, total)`
    is called after each page of objects."""
    t0 = time.monotonic()
    now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc)
    days = rt.settings.retention_extend_within_days if within_days is None else within_days
    if not 0 <= days < rt.settings.retention_years * 365:
        # a window as long as the retention itself would renew every object on every run
        raise ConfigError(f"retention extend: within_days {days} must be at least 0 and shorter than "
                          f"retention_years ({rt.settings.retention_years} years)")
    target = retain_until(rt.settings.retention_years, now)
    report = ExtendReport(started_at=now.isoformat(timespec="seconds"), store=describe_store(rt.store),
                          dry_run=dry_run, within_days=days, target_until=_iso(target) or "")
    store = locking_store(rt)
    with rt.catalogue.session() as s:
        total = s.scalar(select(func.count()).select_from(StoredObject)) or 0
    if store is None:
        report.supported = False
        report.objects = total
        report.note = ("the local write-once store has no retain-until date: its files are read-only and "
                       "never deleted, so there is no lock to renew")
    else:
        soon = now + timedelta(days=days)
        for row in _catalogue_rows(rt.catalogue):
            report.objects += 1
            try:
                found = _renew_one(store, row, soon=soon, target=target, hold_wanted=rt.settings.legal_hold,
                                   dry_run=dry_run)
            except (SohoaError, OSError) as exc:
                oid, doc_id, _, bucket, key, version_id = row[:6]
                found = [LockChange("failed", object_id=oid, document_id=doc_id, bucket=bucket, key=key,
                                    version_id=version_id, detail=str(exc))]
            if not any(c.status in ("extended", "due", "at_cap", "failed") for c in found):
                report.current += 1
            _record(rt, found)  # at once: a change on the server is never left unaudited by a later crash
            report.changes += found
            if progress and report.objects % PAGE == 0:
                progress(report.objects, total)
        if progress:
            progress(report.objects, total)
    report.finished_at = datetime.now(timezone.utc).isoformat(timespec="seconds")
    report.seconds = round(time.monotonic() - t0, 3)
    out = Path(report_dir or Path(rt.settings.home) / "reports")
    path = unique_path(out, f"retention-extend-{utc_stamp(now)}")
    report.report_path = str(path)
    write_json_and_text(path, report.to_dict(), report.to_text())
    if not dry_run:
        with rt.catalogue.session() as s:
            audit(s, rt.actor, "retention.extend", rt.bucket, outcome="ok" if report.ok else "failed",
                  objects=report.objects, counts=report.counts(), supported=report.supported,
                  target_until=report.target_until, report=report.report_path, seconds=report.seconds)
    if not report.ok:
        log.error("retention extend: %s; report %s", report.counts(), report.report_path)
        if alert:
            run_alert(rt.settings, report.report_path, "retention extend failed")
    else:
        log.info("retention extend: %s", report.counts(), extra={"report": report.report_path})
    return report
