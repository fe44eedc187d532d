"""Repair of archived objects from a backup (`sohoa integrity repair`).

An object whose stored content is **missing**, **corrupt** or of the wrong size (what
the integrity check reports) is put back from the newest backup run holding its
content (runs keep objects by content: ``objects/ab/<sha256>``). The bytes must
hash to the sha256 the catalogue and the store recorded for that version: the
catalogue is the reference, a backup copy only a source of bytes, so a rewritten
backup cannot slip other content in.

* local write-once store: the version's content is written back
  (``LocalObjectStore.repair_content``); its version list is untouched;
* S3 with object lock: a locked version cannot be rewritten, so the bytes become a
  new version of the same key and the catalogue row points to it (the damaged
  version stays, locked, for the record).

A row whose catalogue hash disagrees with the store's record (**catalogue_mismatch**)
is not repaired: the catalogue, not the object, is what changed. After a repair the
object is checked again (hash and, for a signed PDF, its signature). Each repair,
done or not, is the audit event ``integrity.repair``.
"""
from __future__ import annotations

import hashlib
import io
import logging
from dataclasses import asdict, dataclass, field
from typing import Any

from sohoa.archive.catalogue import audit
from sohoa.archive.models import StoredObject
from sohoa.core.errors import SohoaError, StoreError
from sohoa.core.runtime import Runtime
from sohoa.core.storage import ObjectRef
from sohoa.retention.backup import BackupError, list_runs, open_target
from sohoa.retention.integrity import IntegrityReport, check_object, trust_roots_for
from sqlalchemy import select

log = logging.getLogger("sohoa.retention.repair")

DAMAGE = {"missing", "corrupt", "size_mismatch"}
MAX_REPAIR_BYTES = 2 << 30  # S3 repairs are staged in memory (the store's put takes bytes)


@dataclass
class Repair:
    object_id: int
    document_id: str | None
    bucket: str
    key: str
    version_id: str | None
    sha256: str
    damage: list[str]
    outcome: str = ""  # repaired | failed | intact
    detail: str = ""
    from_run: str | None = None
    new_version_id: str | None = None

    def to_text(self) -> str:
        where = f"document {self.document_id}, {self.bucket}/{self.key} version {self.version_id}"
        src = f" from run {self.from_run}" if self.from_run else ""
        return f"{self.outcome.upper():<9} {where}{src}: {self.detail}"


@dataclass
class RepairReport:
    target: str
    checked: int = 0
    repairs: list[Repair] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(r.outcome in ("repaired", "intact") for r in self.repairs)

    def to_dict(self) -> dict[str, Any]:
        return {"target": self.target, "checked": self.checked, "ok": self.ok,
                "repairs": [asdict(r) for r in self.repairs]}

    def to_text(self) -> str:
        done = sum(r.outcome == "repaired" for r in self.repairs)
        failed = sum(r.outcome == "failed" for r in self.repairs)
        lines = [f"integrity repair from {self.target}: {self.checked} object(s) checked, {done} repaired, "
                 f"{failed} not repaired"]
        return "\n".join(lines + ["  " + r.to_text() for r in self.repairs])


def _rows(rt: Runtime, object_ids: list[int] | None, document_ids: list[str] | None) -> list[tuple]:
    cols = (StoredObject.id, StoredObject.document_id, StoredObject.role, StoredObject.bucket, StoredObject.key,
            StoredObject.version_id, StoredObject.sha256, StoredObject.size)
    q = select(*cols).order_by(StoredObject.id)
    if object_ids:
        q = q.where(StoredObject.id.in_(object_ids))
    if document_ids:
        q = q.where(StoredObject.document_id.in_(document_ids))
    with rt.catalogue.session() as s:
        return [tuple(r) for r in s.execute(q)]


def _from_backup(tgt: Any, runs: list[str], sha: str, size: int) -> tuple[bytes, str] | None:
    """The content with this hash from the newest run holding it, hash-checked."""
    for run in reversed(runs):
        stream = tgt.open(f"runs/{run}/objects/{sha[:2]}/{sha}")
        if stream is None:
            continue
        with stream:
            data = stream.read(min(size, MAX_REPAIR_BYTES) + 1)
        if hashlib.sha256(data).hexdigest() == sha:
            return data, run
        log.warning("backup run %s: its copy of %s is damaged too; trying an older run", run, sha)
    return None


def repair_objects(rt: Runtime, target: Any = None, *, object_ids: list[int] | None = None,
                   document_ids: list[str] | None = None) -> RepairReport:
    """Check the selected objects (every catalogued one by default) and repair the
    damaged ones from the backup target (module doc)."""
    settings = rt.settings
    tgt = open_target(target if target is not None else settings.backup_target, settings)
    runs = [m["run_id"] for m in list_runs(tgt)[0]]
    report = RepairReport(tgt.description)
    roots = trust_roots_for(settings)
    probe = IntegrityReport(started_at="")
    rows = _rows(rt, object_ids, document_ids)
    if (object_ids or document_ids) and not rows:
        raise BackupError("no catalogued object matches "
                          + ", ".join(filter(None, [f"object ids {object_ids}" if object_ids else "",
                                                    f"documents {document_ids}" if document_ids else ""])))
    for row in rows:
        oid, doc_id, role, bucket, key, version_id, sha, size = row
        report.checked += 1
        found = check_object(rt.store, rt.catalogue, row, [], probe, signatures=False)
        kinds = sorted({f.kind for f in found})
        if not (DAMAGE & set(kinds)):
            if object_ids or document_ids:
                report.repairs.append(Repair(oid, doc_id, bucket, key, version_id, sha, kinds, "intact" if not kinds
                                             else "failed", "nothing to repair" if not kinds else
                                             "; ".join(f.detail for f in found)))
            continue
        rep = Repair(oid, doc_id, bucket, key, version_id, sha, kinds)
        report.repairs.append(rep)
        try:
            _repair_one(rt, tgt, runs, row, rep, found, roots)
        except (SohoaError, OSError) as exc:
            rep.outcome, rep.detail = "failed", str(exc)
        with rt.catalogue.session() as s:
            audit(s, rt.actor, "integrity.repair", f"{bucket}/{key}", outcome="ok" if rep.outcome == "repaired"
                  else "failed", document_id=doc_id, object_id=oid, version_id=version_id, sha256=sha,
                  damage=kinds, from_run=rep.from_run, new_version_id=rep.new_version_id, detail=rep.detail,
                  target=tgt.description)
        (log.info if rep.outcome == "repaired" else log.error)("repair %s/%s: %s", bucket, key, rep.detail)
    return report


def _repair_one(rt: Runtime, tgt: Any, runs: list[str], row: tuple, rep: Repair, found: list[Any],
                roots: list[Any]) -> None:
    oid, doc_id, role, bucket, key, version_id, sha, size = row
    if any(f.kind == "catalogue_mismatch" for f in found):
        rep.outcome, rep.detail = "failed", ("the catalogue row disagrees with the store's record: the catalogue "
                                             "changed, not the object; not repaired")
        return
    got = _from_backup(tgt, runs, sha, size)
    if got is None:
        rep.outcome, rep.detail = "failed", f"no backup run on {tgt.description} holds content {sha}"
        return
    data, rep.from_run = got
    repair_content = getattr(rt.store, "repair_content", None)
    if repair_content is None:
        raise StoreError(f"{type(rt.store).__name__} cannot put content back (no repair_content)")
    new = repair_content(ObjectRef(bucket, key, version_id, sha, size), io.BytesIO(data))
    if new.version_id != version_id:  # object lock: a new version; the catalogue row follows it
        with rt.catalogue.session() as s:
            obj = s.get(StoredObject, oid)
            if obj is None:
                raise StoreError(f"object row {oid} vanished during the repair")
            obj.version_id = new.version_id
        rep.new_version_id = new.version_id
    after = check_object(rt.store, rt.catalogue, (oid, doc_id, role, bucket, key, rep.new_version_id or version_id,
                                                  sha, size), roots, IntegrityReport(started_at=""), signatures=True)
    if after:
        rep.outcome = "failed"
        rep.detail = "put back, but still: " + "; ".join(f.detail for f in after)
    else:
        rep.outcome = "repaired"
        rep.detail = (f"{len(data)} bytes put back, sha256 checked"
                      + (", signature re-validated" if role == "signed" else "")
                      + (f", new version {rep.new_version_id}" if rep.new_version_id else ""))
