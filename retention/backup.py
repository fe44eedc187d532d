"""Backups of the catalogue and the archived objects to a second, separate storage,
and restore drills (seed 001 Art. 10.7; 002 Art. 19.2.e, 20: daily incremental,
weekly and monthly full, at least two copies, periodic restore drills).

A target is a directory (a second disk) or an S3 bucket on a second endpoint
(``s3://[HOST:PORT/]BUCKET[/PREFIX]``; endpoint and keys default to
``settings.backup_s3_*``, else those of the archive store). It is refused when it
is the primary store itself: the backup is the second copy. Each run is
self-contained under ``runs/<run id>/``::

    runs/20261123T020000.123456Z-full/
        catalogue.sqlite3 | catalogue.pgdump   the catalogue (sqlite3 backup API | pg_dump -Fc)
        objects/ab/<sha256>                    the objects of the run, by content
        objects.jsonl                          one line per catalogued object: document, role,
                                               bucket, key, version, sha256, size, created_at, path
        manifest.json.p7s                      the manifest's seal: a detached CMS signature by the
                                               pipeline's key, timestamped when a TSA is configured
        manifest.json                          written last: kind, times, the sha256 and size
                                               of the dump and of objects.jsonl, totals, problems

A run without manifest.json did not finish and is ignored. A **full** run copies
every catalogued object; an **incremental** one the objects catalogued since the
previous run of any kind started listing (less ``backup_overlap_seconds`` for
transactions still open then; those already backed up are skipped). With no full
run on the target yet, an incremental becomes a full one. The catalogue is dumped
whole every run (it is small next to the objects) before the objects are listed,
so every object the dump names is in the run or an earlier one. Every object is
hash-checked against the catalogue on the way (a bad primary copy is reported,
not backed up); memory stays bounded (objects are streamed one at a time).
Each run writes the audit event ``backup.run``.

``restore_drill`` first checks each run's manifest seal (a missing or failing seal
fails the drill: a dump rewritten together with its manifest is caught), then restores the newest full run plus the later incrementals into a
scratch location (a fresh SQLite file, or a scratch PostgreSQL database made with
pg_restore; and a scratch local object store keeping the catalogue's version
ids), checks each file against its manifest, then runs the integrity check on the
restored archive (every hash, every signature, catalogue vs store both ways) and
reports the time taken and what is missing or corrupt (audit event
``backup.restore_drill``, report under ``$SOHOA_HOME/reports``).

    sohoa backup run --kind full|incremental [--target T]
    sohoa backup restore-drill [--target T] [--scratch DIR]
    sohoa backup list [--target T]
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import time
import uuid
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, BinaryIO, Iterator, cast

from sohoa.archive.catalogue import Catalogue, audit
from sohoa.archive.models import StoredObject
from sohoa.archive.store import LocalObjectStore, write_read_only
from sohoa.core.config import Settings
from sohoa.core.errors import FatalError, IntegrityError, SohoaError, StoreError
from sohoa.core.runtime import CatalogueAccess, Runtime
from sohoa.core.storage import ObjectRef
from sohoa.retention.integrity import (
    PAGE,
    check_integrity,
    describe_store,
    redact_url,
    run_alert,
    trust_roots_for,
    unique_path,
    write_json_and_text,
)
from sohoa.retention.seal import SealKey, check_seal, seal, seal_roots
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

log = logging.getLogger("sohoa.retention.backup")

FORMAT = "sohoa-backup/1"
CHUNK = 1 << 20
SPOOL = 8 << 20  # S3 targets: objects up to this size are staged in memory, larger ones on disk
PART = 64 << 20  # S3 multipart part size (minio holds one part in memory)
SEAL = "manifest.json.p7s"  # detached CMS over manifest.json's bytes (retention/seal.py)
MAX_SEAL_BYTES = 1 << 20
_RUN_RE = re.compile(r"^\d{8}T\d{6}\.\d{6}Z-(full|incremental)$")


class BackupError(SohoaError):
    pass


# -- targets ----------------------------------------------------------------------


class _Hashing(io.RawIOBase):
    """Reads through a stream, hashing and counting what passes."""

    def __init__(self, stream: BinaryIO):
        self.stream, self.h, self.size = stream, hashlib.sha256(), 0

    def readable(self) -> bool:
        return True

    def read(self, n: int = -1) -> bytes:
        data = self.stream.read(n if n is not None and n >= 0 else -1)
        self.h.update(data)
        self.size += len(data)
        return data

    def readinto(self, b: Any) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def hexdigest(self) -> str:
        return self.h.hexdigest()


class DirTarget:
    """A backup target on a file system (mount a second disk there)."""

    def __init__(self, root: Path):
        self.root = Path(root).expanduser().resolve()
        self.description = str(self.root)

    def _path(self, rel: str) -> Path:
        p = (self.root / rel).resolve()
        if self.root not in p.parents:
            raise BackupError(f"backup target {self.root}: path {rel!r} outside the target")
        return p

    def put(self, rel: str, stream: BinaryIO, length: int | None = None,
            expect_sha256: str | None = None) -> tuple[str, int]:
        """Write stream to rel atomically (read-only file); (sha256, size). With
        expect_sha256, other bytes raise IntegrityError and nothing is written."""
        return write_read_only(self._path(rel), stream, expect_sha256)

    def open(self, rel: str) -> BinaryIO | None:
        try:
            return self._path(rel).open("rb")
        except FileNotFoundError:
            return None

    def exists(self, rel: str) -> bool:
        return self._path(rel).is_file()

    def run_names(self) -> list[str]:
        runs = self.root / "runs"
        return sorted(p.name for p in runs.iterdir() if p.is_dir()) if runs.is_dir() else []


class S3Target:
    """A backup target in an S3 bucket (a second endpoint, or at least a second bucket).
    A bucket it creates has object lock; each backup object is then COMPLIANCE-locked
    for retention_days (the server refuses to delete it meanwhile)."""

    def __init__(self, endpoint: str, access_key: str, secret_key: str, bucket: str, prefix: str = "", *,
                 secure: bool = False, region: str = "us-east-1", retention_days: int = 400):
        from sohoa.archive.s3store import S3ObjectStore

        # the archive store's client plumbing: short timeouts, one-line errors
        self.store = S3ObjectStore(endpoint, access_key, secret_key, secure=secure, region=region,
                                   retention_years=1, legal_hold=False)
        self.client = self.store.client
        self.endpoint, self.bucket = self.store.endpoint, bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.retention_days = retention_days
        self.description = f"s3://{self.endpoint}/{bucket}" + (f"/{self.prefix.rstrip('/')}" if self.prefix else "")
        self._locked: bool | None = None

    def _ready(self) -> None:
        if self._locked is not None:
            return
        from minio.error import S3Error

        s = self.store
        if not s._s3(f"bucket {self.bucket}", self.client.bucket_exists, self.bucket):
            try:
                s._call(f"create bucket {self.bucket}", self.client.make_bucket, self.bucket, object_lock=True)
            except S3Error as exc:
                if exc.code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                    raise StoreError(f"S3 {s.url}: create bucket {self.bucket}: {exc.code}") from None
        try:
            s._call(f"bucket {self.bucket}", self.client.get_object_lock_config, self.bucket)
            self._locked = True
        except S3Error:
            self._locked = False

    def _name(self, rel: str) -> str:
        return self.prefix + rel

    def put(self, rel: str, stream: BinaryIO, length: int | None = None,
            expect_sha256: str | None = None) -> tuple[str, int]:
        """Stage stream (memory up to SPOOL, then a temporary file) while hashing it,
        check it, then upload it: a bad copy never reaches the bucket."""
        from minio.commonconfig import COMPLIANCE
        from minio.retention import Retention

        self._ready()
        reader = _Hashing(stream)
        with tempfile.SpooledTemporaryFile(max_size=SPOOL) as spool:
            while chunk := reader.read(CHUNK):
                spool.write(chunk)
            if expect_sha256 and reader.hexdigest() != expect_sha256:
                raise IntegrityError(f"bytes hash to {reader.hexdigest()}, expected {expect_sha256}")
            spool.seek(0)
            retention = None
            if self._locked and self.retention_days > 0:
                until = (datetime.now(timezone.utc) + timedelta(days=self.retention_days)).replace(microsecond=0)
                retention = Retention(COMPLIANCE, until)
            name = self._name(rel)
            self.store._s3(f"put {self.bucket}/{name}", self.client.put_object, self.bucket, name, spool,
                           reader.size, metadata={"x-amz-meta-sha256": reader.hexdigest()},
                           retention=retention, part_size=PART)
            if retention is not None and reader.size > PART:  # RGW ignores lock headers of multipart uploads
                self.store._s3(f"retention {self.bucket}/{name}", self.client.set_object_retention,
                               self.bucket, name, retention)
        return reader.hexdigest(), reader.size

    def open(self, rel: str) -> BinaryIO | None:
        from minio.error import S3Error
        from sohoa.archive.s3store import _S3Stream

        name = self._name(rel)
        try:
            resp = self.store._call(f"{self.bucket}/{name}", self.client.get_object, self.bucket, name)
        except S3Error as exc:
            if exc.code in {"NoSuchKey", "NoSuchBucket", "NoSuchVersion"}:
                return None
            raise StoreError(f"S3 {self.store.url}: get {self.bucket}/{name}: {exc.code}") from None
        return cast(BinaryIO, _S3Stream(self.store, f"{self.bucket}/{name}", resp))

    def exists(self, rel: str) -> bool:
        return self.store.stat(self.bucket, self._name(rel), None) is not None

    def run_names(self) -> list[str]:
        out = set()
        for o in self.store._listing(f"list {self.bucket}", self.bucket, prefix=self.prefix + "runs/"):
            rest = o.object_name[len(self.prefix + "runs/"):]
            if "/" in rest:
                out.add(rest.split("/", 1)[0])
        return sorted(out)


def open_target(spec: str | Path | Any, settings: Settings) -> Any:
    """A DirTarget or S3Target for spec (a path, or s3://[HOST:PORT/]BUCKET[/PREFIX]);
    refused when it is the primary store."""
    if isinstance(spec, (DirTarget, S3Target)):
        return spec
    spec = str(spec or "").strip()
    if not spec:
        raise BackupError("no backup target: give --target DIR|s3://BUCKET, or set SOHOA_BACKUP_TARGET")
    if spec.startswith("s3://"):
        parts = spec[len("s3://"):].strip("/").split("/")
        endpoint = ""
        if parts and ":" in parts[0]:
            endpoint = parts.pop(0)
        if not parts or not parts[0]:
            raise BackupError(f"backup target {spec!r}: no bucket (s3://[HOST:PORT/]BUCKET[/PREFIX])")
        bucket, prefix = parts[0], "/".join(parts[1:])
        own = bool(endpoint or settings.backup_s3_endpoint)
        endpoint = endpoint or settings.backup_s3_endpoint or settings.s3_endpoint
        if not endpoint:
            raise BackupError(f"backup target {spec!r}: no S3 endpoint (s3://HOST:PORT/BUCKET or "
                              "SOHOA_BACKUP_S3_ENDPOINT)")
        primary = f"{settings.bucket_prefix}-archive"
        if settings.store == "s3" and endpoint == settings.s3_endpoint and bucket in (
                primary, primary + (settings.s3_backup_bucket_suffix or "")):
            raise BackupError(f"backup target {spec!r} is the archive bucket itself: a backup must be a "
                              "second copy (another bucket, better another endpoint)")
        return S3Target(endpoint, settings.backup_s3_access_key or settings.s3_access_key,
                        settings.backup_s3_secret_key or settings.s3_secret_key, bucket, prefix,
                        secure=settings.backup_s3_secure if own else settings.s3_secure,
                        region=settings.s3_region, retention_days=settings.backup_retention_days)
    if "://" in spec:
        raise BackupError(f"backup target {spec!r}: a directory or s3://… URL")
    root = Path(spec).expanduser().resolve()
    store_root, home = Path(settings.store_root).resolve(), Path(settings.home).resolve()
    if root in (store_root, home) or store_root in root.parents:
        raise BackupError(f"backup target {root} is inside the primary store/data directory: a backup must "
                          "be a second copy on separate storage")
    return DirTarget(root)


# -- runs and manifests -----------------------------------------------------------


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).isoformat()


def _parse(ts: str) -> datetime:
    dt = datetime.fromisoformat(ts)
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def read_json(target: Any, rel: str) -> dict[str, Any] | None:
    stream = target.open(rel)
    if stream is None:
        return None
    try:
        return json.loads(stream.read().decode("utf-8"))
    except ValueError:
        return None
    finally:
        stream.close()


def list_runs(target: Any) -> tuple[list[dict[str, Any]], list[str]]:
    """(manifests of the finished runs, oldest first; names of unfinished runs)."""
    done, unfinished = [], []
    for name in target.run_names():
        if not _RUN_RE.match(name):
            continue
        m = read_json(target, f"runs/{name}/manifest.json")
        if m and m.get("format") == FORMAT and m.get("run_id") == name:
            done.append(m)
        else:
            unfinished.append(name)
    return done, unfinished


def check_manifest_seal(target: Any, run_id: str, roots: list[Any]) -> list[str]:
    """Problems with a run's sealed manifest (empty: its seal checks out): a dump and a
    manifest rewritten together no longer pass for a backup."""
    streams = [target.open(f"runs/{run_id}/manifest.json"), target.open(f"runs/{run_id}/{SEAL}")]
    try:
        if streams[0] is None:
            return [f"run {run_id}: manifest.json is missing"]
        if streams[1] is None:
            return [f"run {run_id}: the manifest is not sealed ({SEAL} is missing): it could have been rewritten"]
        data, sealed = streams[0].read(), streams[1].read(MAX_SEAL_BYTES)
    finally:
        for st in streams:
            if st is not None:
                st.close()
    return [f"run {run_id}: manifest seal fails: {p}" for p in check_seal(data, sealed, roots).problems]


def iter_entries(target: Any, manifest: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """The objects.jsonl lines of a run, streamed."""
    rel = f"runs/{manifest['run_id']}/{manifest['objects']['path']}"
    stream = target.open(rel)
    if stream is None:
        raise BackupError(f"{target.description}: {rel} is missing")
    try:
        for line in io.TextIOWrapper(io.BufferedReader(stream) if not hasattr(stream, "peek") else stream,
                                     encoding="utf-8"):
            if line.strip():
                yield json.loads(line)
    finally:
        stream.close()


def restore_chain(runs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The newest full run and the incrementals after it."""
    fulls = [i for i, m in enumerate(runs) if m["kind"] == "full"]
    if not fulls:
        return []
    return [runs[fulls[-1]]] + [m for m in runs[fulls[-1] + 1:] if m["kind"] == "incremental"]


# -- the catalogue dump -----------------------------------------------------------


def _dialect(url: str) -> str:
    return make_url(url).get_backend_name()


def _pg_conninfo(url: str) -> tuple[str, dict[str, str]]:
    """A libpq URL without the password (which goes to PGPASSWORD), for pg_dump/pg_restore."""
    u = make_url(url)
    env = {}
    if u.password:
        env["PGPASSWORD"] = str(u.password)
    plain = u.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), env


def _server_major(url: str) -> int:
    eng = create_engine(url)
    try:
        with eng.connect() as conn:
            return int(conn.execute(text("SHOW server_version_num")).scalar() or 0) // 10000
    finally:
        eng.dispose()


def _tool_major(path: str) -> int | None:
    try:
        out = subprocess.run([path, "--version"], capture_output=True, text=True, timeout=30).stdout
    except OSError:
        return None
    m = re.search(r"\)\s+(\d+)", out)
    return int(m.group(1)) if m else None


def pg_tool(name: str, server_major: int, settings: Settings) -> str:
    """pg_dump/pg_restore able to handle the server: settings.pg_bin_dir, else
    /usr/lib/postgresql/<server major>/bin, else one on PATH or in
    /usr/lib/postgresql/*/bin at least as new as the server."""
    if getattr(settings, "pg_bin_dir", ""):
        return str(Path(settings.pg_bin_dir) / name)
    exact = Path(f"/usr/lib/postgresql/{server_major}/bin/{name}")
    if exact.is_file():
        return str(exact)
    candidates: list[str] = []
    on_path = shutil.which(name)
    if on_path:
        candidates.append(on_path)
    candidates += sorted((str(p) for p in Path("/usr/lib/postgresql").glob(f"*/bin/{name}")), reverse=True)
    for c in candidates:
        major = _tool_major(c)
        if major is not None and major >= server_major:
            return c
    raise FatalError(f"no {name} for PostgreSQL {server_major} (install postgresql-client-{server_major} "
                     "or set SOHOA_PG_BIN_DIR)")


def dump_catalogue(url: str, dest: Path, settings: Settings) -> dict[str, Any]:
    """Dump the catalogue to dest: SQLite with the online backup API (a consistent
    snapshot while others write), PostgreSQL with pg_dump -Fc."""
    dialect = _dialect(url)
    if dialect == "sqlite":
        path = make_url(url).database
        if not path or path == ":memory:":
            raise BackupError("cannot back up an in-memory SQLite catalogue")
        src = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=60)
        dst = sqlite3.connect(dest)
        try:
            src.backup(dst, pages=1024)
            dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dst.close()
            src.close()
        if ok != "ok":
            raise BackupError(f"catalogue backup failed its integrity check: {ok}")
        return {"format": "sqlite", "tool": f"sqlite3 backup API (SQLite {sqlite3.sqlite_version})"}
    if dialect == "postgresql":
        major = _server_major(url)
        tool = pg_tool("pg_dump", major, settings)
        conninfo, env = _pg_conninfo(url)
        proc = subprocess.run([tool, "-Fc", "--no-owner", "--no-privileges", "-f", str(dest), "-d", conninfo],
                              capture_output=True, text=True, env={**os.environ, **env}, timeout=24 * 3600)
        if proc.returncode != 0:
            raise BackupError(f"pg_dump failed ({proc.returncode}): {' '.join(proc.stderr.split())[:500]}")
        return {"format": "pg_dump-custom", "tool": f"{tool} (server {major})", "server_major": major}
    raise BackupError(f"cannot back up a {dialect} catalogue (SQLite or PostgreSQL)")


def restore_catalogue(fmt: str, dump: Path, scratch: Path, live_url: str, settings: Settings,
                      scratch_db_url: str | None = None) -> tuple[str, str | None]:
    """Restore a dump into a fresh catalogue: (its URL, the scratch PostgreSQL database
    made for it, to drop afterwards, or None)."""
    if fmt == "sqlite":
        dest = scratch / "catalogue.sqlite3"
        shutil.copyfile(dump, dest)
        return f"sqlite:///{dest}", None
    if fmt != "pg_dump-custom":
        raise BackupError(f"unknown catalogue dump format {fmt!r}")
    created = None
    if not scratch_db_url:
        base = make_url(live_url)
        name = f"{(base.database or 'sohoa')[:30]}_drill_{uuid.uuid4().hex[:10]}"
        admin = create_engine(live_url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as conn:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        scratch_db_url = base.set(database=name).render_as_string(hide_password=False)
        created = name
    try:
        major = _server_major(scratch_db_url)
        tool = pg_tool("pg_restore", major, settings)
        conninfo, env = _pg_conninfo(scratch_db_url)
        proc = subprocess.run([tool, "--no-owner", "--no-privileges", "--exit-on-error", "-d", conninfo, str(dump)],
                              capture_output=True, text=True, env={**os.environ, **env}, timeout=24 * 3600)
        if proc.returncode != 0:
            raise BackupError(f"pg_restore failed ({proc.returncode}): {' '.join(proc.stderr.split())[:500]}")
    except BaseException:
        if created:
            drop_database(live_url, created)
        raise
    return scratch_db_url, created


def drop_database(live_url: str, name: str) -> None:
    admin = create_engine(live_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    except Exception as exc:  # noqa: BLE001 - reported, the drill result stands
        log.warning("could not drop the scratch database %s: %s", name, exc)
    finally:
        admin.dispose()


# -- backup -----------------------------------------------------------------------


@dataclass
class BackupResult:
    run_id: str
    kind: str
    target: str
    objects: int = 0
    bytes: int = 0
    seconds: float = 0.0
    problems: list[dict[str, Any]] = field(default_factory=list)
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["ok"] = self.ok
        return d

    def to_text(self) -> str:
        lines = [f"backup {self.run_id} ({self.kind}) to {self.target}: {self.objects} objects, "
                 f"{self.bytes} bytes, catalogue {self.manifest.get('catalogue', {}).get('size', '?')} bytes, "
                 f"{self.seconds:.1f} s" + ("" if self.ok else f", {len(self.problems)} PROBLEM(S)")]
        lines += [f"  {p.get('kind')}: {p.get('document_id') or ''} {p.get('key') or ''} {p.get('detail')}"
                  for p in self.problems]
        return "\n".join(lines)


def _rows(catalogue: CatalogueAccess, since: datetime | None) -> Iterator[StoredObject]:
    last = 0
    while True:
        with catalogue.session() as s:
            q = select(StoredObject).where(StoredObject.id > last)
            if since is not None:
                q = q.where(StoredObject.created_at >= since)
            rows = list(s.scalars(q.order_by(StoredObject.id).limit(PAGE)))
        if not rows:
            return
        yield from rows
        last = rows[-1].id


def backup(rt: Runtime, kind: str = "full", target: Any = None, *, schedule: str = "manual") -> BackupResult:
    """One backup run of rt's catalogue and objects to target (module doc)."""
    if kind not in ("full", "incremental"):
        raise BackupError(f"backup kind must be full or incremental, not {kind!r}")
    settings = rt.settings
    tgt = open_target(target if target is not None else settings.backup_target, settings)
    t0 = time.monotonic()
    started = _now()
    runs, _ = list_runs(tgt)
    requested = kind
    chain = restore_chain(runs)
    if kind == "incremental" and not chain:
        kind = "full"
        log.warning("no full backup on %s yet: this incremental run is a full one", tgt.description)
    run_id = f"{started:%Y%m%dT%H%M%S.%f}Z-{kind}"
    prefix = f"runs/{run_id}"
    res = BackupResult(run_id, kind, tgt.description)
    previous = runs[-1] if runs else None
    since = None
    already: set[tuple] = set()
    if kind == "incremental":
        assert previous is not None  # an incremental needs a chain, hence a previous run
        since = _parse(previous["listed_at"]) - timedelta(seconds=settings.backup_overlap_seconds)
        for m in chain:
            if _parse(m["finished_at"]) >= since:
                for e in iter_entries(tgt, m):
                    if e.get("created_at") and _parse(e["created_at"]) >= since:
                        already.add((e["bucket"], e["key"], e["version_id"]))
    with tempfile.TemporaryDirectory(prefix="sohoa-backup-") as tmp:
        tmpdir = Path(tmp)
        # 1. the catalogue, before listing the objects: every object it names gets listed
        dialect = _dialect(rt.catalogue.url)
        dump = tmpdir / ("catalogue.sqlite3" if dialect == "sqlite" else "catalogue.pgdump")
        dumped_at = _now()
        info = dump_catalogue(rt.catalogue.url, dump, settings)
        with dump.open("rb") as fh:
            sha, size = tgt.put(f"{prefix}/{dump.name}", fh)
        catalogue_info = {"path": dump.name, "sha256": sha, "size": size, "dumped_at": _iso(dumped_at), **info}
        # 2. the objects, one at a time
        listed_at = _now()
        entries = tmpdir / "objects.jsonl"
        copied: set[str] = set()
        with entries.open("w", encoding="utf-8") as out:
            for row in _rows(rt.catalogue, since):
                ident = (row.bucket, row.key, row.version_id)
                if ident in already:
                    continue
                rel = f"objects/{row.sha256[:2]}/{row.sha256}"
                base = {"object_id": row.id, "document_id": row.document_id, "role": row.role,
                        "bucket": row.bucket, "key": row.key, "version_id": row.version_id}
                if row.sha256 not in copied:
                    try:
                        stream = rt.store.open_raw(ObjectRef(row.bucket, row.key, row.version_id, row.sha256,
                                                             row.size))
                        if stream is None:
                            res.problems.append({**base, "kind": "missing",
                                                 "detail": "not in the primary store: not backed up"})
                            continue
                        try:
                            tgt.put(f"{prefix}/{rel}", stream, row.size, expect_sha256=row.sha256)
                        finally:
                            stream.close()
                    except IntegrityError as exc:
                        res.problems.append({**base, "kind": "corrupt",
                                             "detail": f"primary copy does not match the catalogue ({exc}): "
                                                       "not backed up"})
                        continue
                    except (StoreError, OSError) as exc:
                        res.problems.append({**base, "kind": "unreadable", "detail": str(exc)})
                        continue
                    copied.add(row.sha256)
                    res.bytes += row.size
                res.objects += 1
                out.write(json.dumps({**base, "sha256": row.sha256, "size": row.size,
                                      "created_at": _iso(row.created_at), "path": rel}, ensure_ascii=False) + "\n")
        with entries.open("rb") as fh:
            esha, esize = tgt.put(f"{prefix}/objects.jsonl", fh)
    finished = _now()
    res.seconds = round(time.monotonic() - t0, 3)
    manifest = {
        "format": FORMAT,
        "run_id": run_id,
        "kind": kind,
        "requested_kind": requested,
        "schedule": schedule,
        "started_at": _iso(started),
        "listed_at": _iso(listed_at),
        "finished_at": _iso(finished),
        "seconds": res.seconds,
        "base_full": chain[0]["run_id"] if kind == "incremental" else run_id,
        "previous": previous["run_id"] if previous else None,
        "since": _iso(since),
        "source": {"catalogue": redact_url(rt.catalogue.url), "store": describe_store(rt.store),
                   "bucket": rt.bucket, "host": os.uname().nodename},
        "catalogue": catalogue_info,
        "objects": {"path": "objects.jsonl", "sha256": esha, "size": esize, "count": res.objects,
                    "files": len(copied), "bytes": res.bytes},
        "problems": res.problems,
    }
    manifest_bytes = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
    with SealKey(rt) as key:  # the seal first: manifest.json marks a finished run
        tgt.put(f"{prefix}/{SEAL}", io.BytesIO(seal(key, manifest_bytes)))
    tgt.put(f"{prefix}/manifest.json", io.BytesIO(manifest_bytes))
    res.manifest = manifest
    with rt.catalogue.session() as s:
        audit(s, rt.actor, "backup.run", tgt.description, outcome="ok" if res.ok else "failed", run_id=run_id,
              kind=kind, schedule=schedule, objects=res.objects, bytes=res.bytes, seconds=res.seconds,
              catalogue_sha256=catalogue_info["sha256"], problems=len(res.problems))
    if res.ok:
        log.info("backup %s to %s: %d objects, %d bytes", run_id, tgt.description, res.objects, res.bytes)
    else:
        log.error("backup %s to %s: %d problem(s)", run_id, tgt.description, len(res.problems))
    return res


# -- restore drill ----------------------------------------------------------------


@dataclass
class DrillReport:
    started_at: str
    target: str
    finished_at: str = ""
    seconds: float = 0.0
    restore_seconds: float = 0.0
    verify_seconds: float = 0.0
    runs: list[str] = field(default_factory=list)
    catalogue_from: str | None = None
    scratch: str | None = None
    scratch_catalogue: str | None = None
    manifest_entries: int = 0
    objects_restored: int = 0
    bytes_restored: int = 0
    catalogue_objects: int = 0
    objects_verified: int = 0
    signatures_verified: int = 0
    missing: list[dict[str, Any]] = field(default_factory=list)
    corrupt: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)  # integrity check of the restored archive
    extra: list[dict[str, Any]] = field(default_factory=list)  # in the backup, not in the restored catalogue
    problems: list[str] = field(default_factory=list)
    report_path: str | None = None

    @property
    def ok(self) -> bool:
        return not (self.missing or self.corrupt or self.findings or self.problems)

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["ok"] = self.ok
        return d

    def to_text(self) -> str:
        lines = [
            f"restore drill from {self.target}: {'OK' if self.ok else 'FAILED'} in {self.seconds:.1f} s "
            f"(restore {self.restore_seconds:.1f} s, verify {self.verify_seconds:.1f} s)",
            f"runs:      {', '.join(self.runs) or 'none'} (catalogue from {self.catalogue_from})",
            f"restored:  {self.objects_restored} of {self.manifest_entries} manifest entries, "
            f"{self.bytes_restored} bytes, into {self.scratch} ({self.scratch_catalogue})",
            f"verified:  {self.objects_verified} objects re-hashed and {self.signatures_verified} signatures "
            f"re-validated against {self.catalogue_objects} catalogue rows",
        ]
        for what, items in (("MISSING", self.missing), ("CORRUPT", self.corrupt)):
            for e in items:
                lines.append(f"  {what:<8} run {e.get('run')}: document {e.get('document_id')}, "
                             f"{e.get('bucket')}/{e.get('key')} version {e.get('version_id')} "
                             f"({e.get('path')}): {e.get('detail')}")
        for f in self.findings:
            lines.append(f"  {f.get('kind', '').upper():<8} {f.get('document_id') or ''} {f.get('key') or ''}: "
                         f"{f.get('detail')}")
        lines += [f"  PROBLEM  {p}" for p in self.problems]
        if self.extra:
            lines.append(f"note:      {len(self.extra)} backed-up object(s) newer than the catalogue dump")
        if self.report_path:
            lines.append(f"report:    {self.report_path}")
        return "\n".join(lines)


def restore_drill(rt: Runtime, backup_target: Any = None, scratch_dir: Path | str | None = None, *,
                  keep: bool = False, scratch_db_url: str | None = None, signatures: bool = True,
                  record: bool = True, alert: bool = True) -> DrillReport:
    """Restore the newest full backup plus later incrementals into scratch and verify it
    (module doc). scratch_dir: default a temporary directory (removed afterwards
    unless keep); a given one must be empty or absent and is kept."""
    settings = rt.settings
    tgt = open_target(backup_target if backup_target is not None else settings.backup_target, settings)
    t0 = time.monotonic()
    started = _now()
    report = DrillReport(started_at=_iso(started) or "", target=tgt.description)
    own_scratch = scratch_dir is None
    scratch = Path(tempfile.mkdtemp(prefix="sohoa-drill-")) if scratch_dir is None else Path(scratch_dir).resolve()
    if not own_scratch:
        if scratch.exists() and any(scratch.iterdir()):
            raise BackupError(f"scratch directory {scratch} is not empty")
        scratch.mkdir(parents=True, exist_ok=True)
    report.scratch = str(scratch)
    created_db = None
    restored_cat = None
    try:
        runs, unfinished = list_runs(tgt)
        chain = restore_chain(runs)
        if not chain:
            report.problems.append(f"no finished full backup on {tgt.description}")
        else:
            report.runs = [m["run_id"] for m in chain]
            roots = seal_roots(settings)
            for m in chain:
                report.problems += check_manifest_seal(tgt, m["run_id"], roots)
            newest = chain[-1]
            report.catalogue_from = newest["run_id"]
            # the catalogue of the newest run
            cat = newest["catalogue"]
            dump = scratch / f"dump-{cat['path']}"
            stream = tgt.open(f"runs/{newest['run_id']}/{cat['path']}")
            if stream is None:
                report.problems.append(f"run {newest['run_id']}: catalogue dump {cat['path']} is missing")
            else:
                with stream, dump.open("wb") as fh:
                    reader = _Hashing(stream)
                    while chunk := reader.read(CHUNK):
                        fh.write(chunk)
                if reader.hexdigest() != cat["sha256"]:
                    report.problems.append(f"run {newest['run_id']}: catalogue dump hashes to "
                                           f"{reader.hexdigest()}, manifest says {cat['sha256']}")
                else:
                    url, created_db = restore_catalogue(cat["format"], dump, scratch, rt.catalogue.url, settings,
                                                        scratch_db_url)
                    report.scratch_catalogue = redact_url(url)
                    restored_cat = Catalogue(url)
                dump.unlink(missing_ok=True)
            # the objects of every run of the chain
            store = LocalObjectStore(scratch / "objects")
            for m in chain:
                _restore_run_objects(tgt, m, store, report)
            report.restore_seconds = round(time.monotonic() - t0, 3)
            if restored_cat is not None:
                t1 = time.monotonic()
                from sohoa.core.runtime import Runtime

                srt = Runtime(settings=replace(settings, home=scratch, store="local", db_url=restored_cat.url),
                              catalogue=restored_cat, store=store, signer=None, actor=rt.actor)
                roots = trust_roots_for(settings) if signatures else []
                ir = check_integrity(srt, trust_roots=roots, signatures=signatures, write_report=False,
                                     record=False, alert=False)
                with restored_cat.session() as s:
                    report.catalogue_objects = s.query(StoredObject).count()
                report.objects_verified, report.signatures_verified = ir.objects_checked, ir.signatures_checked
                lost = {(e["bucket"], e["key"], e["version_id"]) for e in report.missing + report.corrupt}
                for f in ir.findings:
                    d = f.to_dict()
                    if f.kind == "orphan":
                        report.extra.append(d)
                    elif f.kind == "missing" and (f.bucket, f.key, f.version_id) in lost:
                        continue  # already reported against its manifest entry
                    elif f.kind == "missing":
                        d["detail"] = "catalogued in the restored catalogue, but in no backup run"
                        report.findings.append(d)
                    else:
                        report.findings.append(d)
                report.verify_seconds = round(time.monotonic() - t1, 3)
    except SohoaError as exc:
        report.problems.append(str(exc))
    finally:
        if restored_cat is not None:
            restored_cat.dispose()
        if created_db and not keep:
            drop_database(rt.catalogue.url, created_db)
        if own_scratch and not keep:
            _rmtree(scratch)
    finished = _now()
    report.finished_at = _iso(finished) or ""
    report.seconds = round(time.monotonic() - t0, 3)
    path = unique_path(Path(settings.home) / "reports", f"restore-drill-{started:%Y%m%dT%H%M%SZ}")
    report.report_path = str(path)
    write_json_and_text(path, report.to_dict(), report.to_text())
    if record:
        with rt.catalogue.session() as s:
            audit(s, rt.actor, "backup.restore_drill", tgt.description, outcome="ok" if report.ok else "failed",
                  runs=report.runs, objects=report.objects_restored, bytes=report.bytes_restored,
                  signatures=report.signatures_verified, missing=len(report.missing),
                  corrupt=len(report.corrupt), findings=len(report.findings), problems=len(report.problems),
                  seconds=report.seconds, report=report.report_path)
    if not report.ok:
        log.error("restore drill from %s failed: %d missing, %d corrupt, %d findings, %d problems; report %s",
                  tgt.description, len(report.missing), len(report.corrupt), len(report.findings),
                  len(report.problems), path)
        if alert:
            run_alert(settings, str(path), "restore drill failed")
    else:
        log.info("restore drill from %s ok in %.1f s", tgt.description, report.seconds)
    return report


def _restore_run_objects(tgt: Any, m: dict[str, Any], store: LocalObjectStore, report: DrillReport) -> None:
    run = m["run_id"]
    rel = f"runs/{run}/{m['objects']['path']}"
    stream = tgt.open(rel)
    if stream is None:
        report.problems.append(f"run {run}: {rel} is missing: its objects cannot be restored")
        return
    h = hashlib.sha256()
    with stream:
        while chunk := stream.read(CHUNK):
            h.update(chunk)
    if h.hexdigest() != m["objects"]["sha256"]:
        report.problems.append(f"run {run}: objects.jsonl hashes to {h.hexdigest()}, manifest says "
                               f"{m['objects']['sha256']}")
    count = 0
    for e in iter_entries(tgt, m):
        count += 1
        report.manifest_entries += 1
        entry = {"run": run, **{k: e.get(k) for k in ("document_id", "bucket", "key", "version_id", "sha256",
                                                      "path")}}
        src = tgt.open(f"runs/{run}/{e['path']}")
        if src is None:
            report.missing.append({**entry, "detail": "not in the backup target"})
            continue
        try:
            with src:
                ref = store.restore_version(ObjectRef(e["bucket"], e["key"], e["version_id"], e["sha256"],
                                                      e["size"]), src, created=e.get("created_at"))
        except IntegrityError as exc:
            report.corrupt.append({**entry, "detail": str(exc)})
            continue
        except (StoreError, OSError) as exc:
            report.missing.append({**entry, "detail": f"unreadable: {exc}"})
            continue
        if ref.size != e["size"]:
            report.corrupt.append({**entry, "detail": f"{ref.size} bytes, manifest says {e['size']}"})
            continue
        report.objects_restored += 1
        report.bytes_restored += ref.size
    if count != m["objects"]["count"]:
        report.problems.append(f"run {run}: objects.jsonl has {count} entries, manifest says {m['objects']['count']}")


def _rmtree(path: Path) -> None:
    def onerror(func, p, _exc):  # restored blobs are read-only
        try:
            os.chmod(Path(p).parent, 0o755)
            os.chmod(p, 0o644)
            func(p)
        except OSError:
            pass

    shutil.rmtree(path, onerror=onerror)
