"""The integrity check (seed 001 Art. 10.7: at least monthly, every stored object
re-hashed, every signature re-validated, every discrepancy reported).

For every catalogued object (``objects`` rows, in id order, a page at a time):

1. the store's own record of that version (``store.stat``): absent means the
   object is **missing**; a sha256 or size that differs from the catalogue's is a
   **catalogue_mismatch** (the catalogue row was changed, or points elsewhere);
2. the content, streamed (``store.open_raw``, one object at a time) and hashed:
   absent content is **missing**, a hash that differs from the recorded one is
   **corrupt**; a length that differs is **size_mismatch**;
3. a signed PDF is validated again (``pipeline.sign.verify_pdf`` with the
   configured trust roots and the DEMO certificate, and what the catalogue says
   about the document): any problem is **signature_invalid**.

Then the other way round: every version the store holds under the archive
bucket (and any other bucket the catalogue names) is looked up in the
catalogue, 500 keys a query; a version with no row is an **orphan**. Documents
without a stored signed object (**no_signed_object**) and breaks in the
hash-chained audit log (**audit_chain**) are reported too.

The report goes to ``$SOHOA_HOME/reports/integrity-<UTC time>.json`` (and
``.txt``), an audit event ``integrity.check`` (outcome ok/failed) is written, and a
failed check logs an error and runs ``settings.alert_command REPORT_PATH``.

    sohoa integrity check [--json]          (exit 1 on findings)

Damaged objects are put back from a backup by ``sohoa integrity repair``
(``retention/repair.py``); the audit log is anchored by sealed checkpoints
(``retention/checkpoints.py``).
"""
from __future__ import annotations

import hashlib
import json
import logging
import shlex
import subprocess
import time
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable, Iterator

from sohoa.archive.catalogue import audit, verify_audit_chain
from sohoa.archive.models import Document, StoredObject
from sohoa.core.config import Settings
from sohoa.core.errors import SohoaError, StoreError
from sohoa.core.runtime import CatalogueAccess, Runtime
from sohoa.core.storage import ObjectRef, ObjectStore
from sqlalchemy import and_, exists, select

log = logging.getLogger("sohoa.retention.integrity")

PAGE = 500  # catalogue rows (or store keys) per query
CHUNK = 1 << 20
KINDS = ("missing", "corrupt", "catalogue_mismatch", "size_mismatch", "signature_invalid", "unreadable",
         "orphan", "no_signed_object", "audit_chain")


@dataclass
class Finding:
    kind: str  # one of KINDS
    detail: str
    document_id: str | None = None
    object_id: int | None = None  # the catalogue row (objects.id)
    bucket: str | None = None
    key: str | None = None
    version_id: str | None = None
    expected_sha256: str | None = None
    actual_sha256: str | None = None
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v not in (None, [])}

    def to_text(self) -> str:
        where = []
        if self.document_id:
            where.append(f"document {self.document_id}")
        if self.key:
            where.append(f"{self.bucket}/{self.key}" + (f" version {self.version_id}" if self.version_id else ""))
        if self.object_id is not None:
            where.append(f"object row {self.object_id}")
        return f"{self.kind:<18} {', '.join(where) or '-'}: {self.detail}"


@dataclass
class IntegrityReport:
    started_at: str
    finished_at: str = ""
    seconds: float = 0.0
    catalogue: str = ""
    store: str = ""
    buckets: list[str] = field(default_factory=list)
    objects_checked: int = 0
    bytes_checked: int = 0
    signatures_checked: int = 0
    store_versions_scanned: int = 0
    findings: list[Finding] = field(default_factory=list)
    report_path: str | None = None

    @property
    def ok(self) -> bool:
        return not self.findings

    def counts(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for f in self.findings:
            out[f.kind] = out.get(f.kind, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["findings"] = [f.to_dict() for f in self.findings]
        d["ok"] = self.ok
        d["counts"] = self.counts()
        return d

    def to_text(self) -> str:
        lines = [
            f"integrity check {self.started_at} .. {self.finished_at} ({self.seconds:.1f} s)",
            f"catalogue: {self.catalogue}",
            f"store:     {self.store} (buckets {', '.join(self.buckets)})",
            f"checked:   {self.objects_checked} objects, {self.bytes_checked} bytes re-hashed, "
            f"{self.signatures_checked} signatures re-validated, {self.store_versions_scanned} store versions "
            f"compared with the catalogue",
        ]
        if self.ok:
            lines.append("result:    OK, no findings")
        else:
            lines.append(f"result:    FAILED, {len(self.findings)} finding(s): "
                         + ", ".join(f"{v} {k}" for k, v in sorted(self.counts().items())))
            lines += ["  " + f.to_text() for f in self.findings]
        if self.report_path:
            lines.append(f"report:    {self.report_path}")
        return "\n".join(lines)


def utc_stamp(dt: datetime) -> str:
    return dt.strftime("%Y%m%dT%H%M%SZ")


def redact_url(url: str) -> str:
    """A database URL without its password."""
    try:
        from sqlalchemy.engine import make_url

        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]


def describe_store(store: ObjectStore) -> str:
    url = getattr(store, "url", None)
    if url:
        return f"s3 {url}"
    root = getattr(store, "root", None)
    return f"local {root}" if root is not None else type(store).__name__


def trust_roots_for(settings: Settings) -> list[Any]:
    """What `sohoa verify` trusts: the configured PEM roots and the local DEMO certificate."""
    from sohoa.pipeline.sign import demo_trust_roots, load_trust_roots

    return list(load_trust_roots(settings)) + list(demo_trust_roots(settings))


def _catalogue_rows(catalogue: CatalogueAccess) -> Iterator[tuple]:
    """The objects rows, PAGE at a time in id order (keyset pagination: no long session)."""
    last = 0
    while True:
        with catalogue.session() as s:
            rows = s.execute(
                select(StoredObject.id, StoredObject.document_id, StoredObject.role, StoredObject.bucket,
                       StoredObject.key, StoredObject.version_id, StoredObject.sha256, StoredObject.size)
                .where(StoredObject.id > last).order_by(StoredObject.id).limit(PAGE)
            ).all()
        if not rows:
            return
        yield from rows
        last = rows[-1][0]


def _expectation(catalogue: CatalogueAccess, document_id: str) -> dict[str, Any] | None:
    from sohoa.pipeline.sign import catalogue_expectation

    with catalogue.session() as s:
        return catalogue_expectation(s, document_id)


def _read_hashed(stream: Any, keep: bool) -> tuple[str, int, bytes | None]:
    """sha256 and length of a stream read in CHUNK pieces; the bytes too when keep."""
    h = hashlib.sha256()
    size = 0
    parts: list[bytes] | None = [] if keep else None
    try:
        while chunk := stream.read(CHUNK):
            h.update(chunk)
            size += len(chunk)
            if parts is not None:
                parts.append(chunk)
    finally:
        stream.close()
    return h.hexdigest(), size, (b"".join(parts) if parts is not None else None)


def check_object(store: ObjectStore, catalogue: CatalogueAccess, row: tuple, roots: list[Any], report: IntegrityReport,
                 signatures: bool = True) -> list[Finding]:
    """Check one catalogued object (see the module doc); returns its findings."""
    oid, doc_id, role, bucket, key, version_id, sha, size = row
    base = dict(document_id=doc_id, object_id=oid, bucket=bucket, key=key, version_id=version_id)
    found: list[Finding] = []
    try:
        rec = store.stat(bucket, key, version_id)
    except (StoreError, OSError) as exc:
        return [Finding("unreadable", f"store record not readable: {exc}", **base)]
    except SohoaError as exc:
        return [Finding("unreadable", str(exc), **base)]
    if rec is None:
        return [Finding("missing", "the store has no such version (catalogued, not stored)",
                        expected_sha256=sha, **base)]
    if rec.sha256 and rec.sha256 != sha:
        found.append(Finding("catalogue_mismatch",
                             f"catalogue says sha256 {sha}, the store recorded {rec.sha256} for this version",
                             expected_sha256=sha, actual_sha256=rec.sha256, **base))
    recorded = rec.sha256 or sha
    try:
        stream = store.open_raw(ObjectRef(bucket, key, rec.version_id, recorded, rec.size))
    except (StoreError, OSError) as exc:
        return found + [Finding("unreadable", f"content not readable: {exc}", **base)]
    if stream is None:
        return found + [Finding("missing", f"content {recorded} is absent from the store", expected_sha256=sha,
                                **base)]
    want_bytes = signatures and role == "signed"
    try:
        actual, length, data = _read_hashed(stream, want_bytes)
    except (StoreError, OSError) as exc:
        return found + [Finding("unreadable", f"content not readable: {exc}", **base)]
    report.objects_checked += 1
    report.bytes_checked += length
    if actual != recorded:
        found.append(Finding("corrupt", f"content hashes to {actual}, the store and catalogue say {recorded}"
                             if recorded == sha else
                             f"content hashes to {actual}, the store recorded {recorded}",
                             expected_sha256=recorded, actual_sha256=actual, **base))
    elif actual != sha and not any(f.kind == "catalogue_mismatch" for f in found):
        found.append(Finding("catalogue_mismatch", f"catalogue says sha256 {sha}, the content hashes to {actual}",
                             expected_sha256=sha, actual_sha256=actual, **base))
    if length != size:
        found.append(Finding("size_mismatch", f"catalogue says {size} bytes, the store holds {length}", **base))
    if data is not None:
        from sohoa.pipeline.sign import verify_pdf

        report.signatures_checked += 1
        try:
            expected = _expectation(catalogue, doc_id)
            vr = verify_pdf(data, trust_roots=roots or None, expected=expected)
            problems = list(vr.problems)
            if not vr.valid and not problems:
                problems = [f"signature not valid (signer {vr.signer}, intact {vr.intact}, trusted {vr.trusted})"]
        except Exception as exc:  # a PDF pyHanko cannot even parse is a finding, not a crash
            problems = [f"{type(exc).__name__}: {exc}"]
        if problems:
            found.append(Finding("signature_invalid", "signature re-validation failed: " + "; ".join(problems),
                                 problems=problems, **base))
    return found


def _chunks(it: Iterable[Any], n: int) -> Iterator[list[Any]]:
    buf: list[Any] = []
    for x in it:
        buf.append(x)
        if len(buf) >= n:
            yield buf
            buf = []
    if buf:
        yield buf


def find_orphans(store: ObjectStore, catalogue: CatalogueAccess, bucket: str, report: IntegrityReport) -> list[Finding]:
    """Versions under bucket with no catalogue row, PAGE versions per query."""
    found = []
    for page in _chunks(store.list_versions(bucket), PAGE):
        report.store_versions_scanned += len(page)
        keys = sorted({v.key for v in page})
        with catalogue.session() as s:
            known = {(k, v) for k, v in s.execute(
                select(StoredObject.key, StoredObject.version_id)
                .where(StoredObject.bucket == bucket, StoredObject.key.in_(keys)))}
        for v in page:
            if (v.key, v.version_id) in known:
                continue
            sha = v.sha256
            if not sha:
                rec = store.stat(bucket, v.key, v.version_id)
                sha = rec.sha256 if rec else ""
            found.append(Finding("orphan", f"stored version ({v.size} bytes, sha256 {sha or '?'}) has no catalogue row",
                                 bucket=bucket, key=v.key, version_id=v.version_id, actual_sha256=sha or None))
    return found


def _documents_without_object(catalogue: CatalogueAccess) -> list[Finding]:
    with catalogue.session() as s:
        ids = s.scalars(select(Document.document_id).where(~exists().where(and_(
            StoredObject.document_id == Document.document_id, StoredObject.role == "signed"))))
        return [Finding("no_signed_object", "catalogued document has no stored signed object", document_id=d)
                for d in ids]


def _buckets(rt: Runtime) -> list[str]:
    with rt.catalogue.session() as s:
        named = set(s.scalars(select(StoredObject.bucket).distinct()))
    return sorted(named | {rt.bucket})


def check_integrity(rt: Runtime, *, trust_roots: list[Any] | None = None, signatures: bool = True,
                    report_dir: Path | None = None, write_report: bool = True, record: bool = True,
                    alert: bool = True) -> IntegrityReport:
    """Check every catalogued object and the store against each other (module doc).
    trust_roots: default those of rt.settings (plus the DEMO certificate);
    report_dir: default $SOHOA_HOME/reports; record: write the audit event."""
    t0 = time.monotonic()
    started = datetime.now(timezone.utc)
    report = IntegrityReport(started_at=started.isoformat(timespec="seconds"),
                             catalogue=redact_url(rt.catalogue.url), store=describe_store(rt.store))
    roots = trust_roots if trust_roots is not None else (trust_roots_for(rt.settings) if signatures else [])
    report.buckets = _buckets(rt)
    for row in _catalogue_rows(rt.catalogue):
        report.findings += check_object(rt.store, rt.catalogue, row, roots, report, signatures)
    for bucket in report.buckets:
        try:
            report.findings += find_orphans(rt.store, rt.catalogue, bucket, report)
        except (StoreError, OSError) as exc:
            report.findings.append(Finding("unreadable", f"cannot list the store: {exc}", bucket=bucket))
    report.findings += _documents_without_object(rt.catalogue)
    with rt.catalogue.session() as s:
        report.findings += [Finding("audit_chain", p) for p in verify_audit_chain(s)]
    finished = datetime.now(timezone.utc)
    report.finished_at = finished.isoformat(timespec="seconds")
    report.seconds = round(time.monotonic() - t0, 3)
    if write_report:
        out = Path(report_dir or Path(rt.settings.home) / "reports")
        path = unique_path(out, f"integrity-{utc_stamp(started)}")
        report.report_path = str(path)
        write_json_and_text(path, report.to_dict(), report.to_text())
    if record:
        with rt.catalogue.session() as s:
            audit(s, rt.actor, "integrity.check", ",".join(report.buckets), outcome="ok" if report.ok else "failed",
                  objects=report.objects_checked, signatures=report.signatures_checked,
                  store_versions=report.store_versions_scanned, findings=len(report.findings),
                  counts=report.counts(), report=report.report_path, seconds=report.seconds)
    if not report.ok:
        log.error("integrity check failed: %d finding(s) %s; report %s", len(report.findings), report.counts(),
                  report.report_path)
        if alert:
            run_alert(rt.settings, report.report_path, "integrity check failed")
    else:
        log.info("integrity check ok: %d objects, %d signatures", report.objects_checked, report.signatures_checked)
    return report


def unique_path(directory: Path, stem: str) -> Path:
    """directory/stem.json, or stem-2.json, -3… when a report of that second exists."""
    path, n = directory / f"{stem}.json", 1
    while path.exists():
        n += 1
        path = directory / f"{stem}-{n}.json"
    return path


def write_json_and_text(path: Path, data: dict[str, Any], text: str) -> None:
    """path (JSON) and path with .txt (the human text), each written atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for target, content in ((path, json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n"),
                            (path.with_suffix(".txt"), text + "\n")):
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.write_text(content, "utf-8")
        tmp.replace(target)


def run_alert(settings: Settings, report_path: str | None, what: str) -> int | None:
    """Run settings.alert_command with the report path as its last argument (no shell).
    Returns its exit status (None when no command is configured or it could not run)."""
    cmd = getattr(settings, "alert_command", "") or ""
    if not cmd.strip():
        return None
    argv = shlex.split(cmd) + ([report_path] if report_path else [])
    try:
        proc = subprocess.run(argv, capture_output=True, text=True, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        log.error("alert command %r could not run: %s (%s)", cmd, exc, what)
        return None
    if proc.returncode != 0:
        log.error("alert command %r exited %d: %s", cmd, proc.returncode, proc.stderr.strip()[-500:])
    return proc.returncode
