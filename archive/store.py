"""Write-once object store, embedded backend.

`ObjectStore` (sohoa.core.storage) is the interface the pipeline uses; `LocalObjectStore` is the
embedded backend: content-addressed blobs under $SOHOA_HOME/objects, read-only
files, a version list per key, no delete and no overwrite. The S3
object-lock backend implements the same interface.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import re
import tempfile
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import BinaryIO, Iterator

from sohoa.core.errors import IntegrityError, StoreError
from sohoa.core.storage import ObjectRef

_KEY_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-/]{0,511}$")
_BUCKET_RE = re.compile(r"^[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]$")


def check_key(bucket: str, key: str) -> None:
    if not _BUCKET_RE.match(bucket):
        raise StoreError(f"invalid bucket name {bucket!r}")
    if not _KEY_RE.match(key) or ".." in key.split("/") or "//" in key:
        raise StoreError(f"invalid object key {key!r}")


def write_read_only(path: Path, stream: BinaryIO, expect_sha256: str | None = None,
                    what: str = "bytes") -> tuple[str, int]:
    """Stream into `path` atomically (whole or absent), read-only, fsynced, memory bounded:
    (sha256, size). With expect_sha256, other bytes raise IntegrityError and nothing is written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    h, size = hashlib.sha256(), 0
    try:
        with os.fdopen(fd, "wb") as fh:
            while chunk := stream.read(1 << 20):
                h.update(chunk)
                size += len(chunk)
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        if expect_sha256 and h.hexdigest() != expect_sha256:
            raise IntegrityError(f"{what} hash to {h.hexdigest()}, expected {expect_sha256}")
        os.chmod(tmp, 0o444)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return h.hexdigest(), size


class LocalObjectStore:
    """Write-once store on a local file system (embedded default).

    Layout: blobs/sha256/ab/<sha256> (content, mode 0444) and
    refs/<bucket>/<key>.versions.jsonl (append-only version list).
    """

    def __init__(self, root: Path):
        self.root = root
        try:
            (root / "blobs" / "sha256").mkdir(parents=True, exist_ok=True)
            (root / "refs").mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"object store at {root}: cannot create ({exc.strerror})") from None

    def prepare(self, bucket: str) -> None:
        check_key(bucket, "probe")
        probe = self.root / "refs" / bucket
        try:
            probe.mkdir(parents=True, exist_ok=True)
            if not os.access(probe, os.W_OK):
                raise PermissionError(probe)
        except OSError as exc:
            raise StoreError(f"object store at {self.root}: not writable ({exc})") from None

    def _blob_path(self, sha256: str) -> Path:
        return self.root / "blobs" / "sha256" / sha256[:2] / sha256

    def _versions_path(self, bucket: str, key: str) -> Path:
        return self.root / "refs" / bucket / (key + ".versions.jsonl")

    def put(self, bucket: str, key: str, data: bytes, metadata: dict[str, str]) -> ObjectRef:
        check_key(bucket, key)
        digest = hashlib.sha256(data).hexdigest()
        existing = self.versions(bucket, key)
        if existing and existing[-1].sha256 == digest:
            return existing[-1]  # idempotent: same bytes under the same key
        blob = self._blob_path(digest)
        if not blob.exists():
            write_read_only(blob, io.BytesIO(data))  # atomic: a blob is whole or absent
        ref = ObjectRef(bucket, key, uuid.uuid4().hex, digest, len(data))
        vpath = self._versions_path(bucket, key)
        vpath.parent.mkdir(parents=True, exist_ok=True)
        line = json.dumps(
            {
                "version_id": ref.version_id,
                "sha256": digest,
                "size": len(data),
                "created": datetime.now(timezone.utc).isoformat(),
                "metadata": metadata,
            },
            ensure_ascii=False,
        )
        with vpath.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        return ref

    def versions(self, bucket: str, key: str) -> list[ObjectRef]:
        check_key(bucket, key)
        vpath = self._versions_path(bucket, key)
        if not vpath.exists():
            return []
        refs = []
        for line in vpath.read_text("utf-8").splitlines():
            if not line.strip():
                continue
            try:
                v = json.loads(line)
            except ValueError:
                continue  # a torn last line from a crash: that version never completed
            refs.append(ObjectRef(bucket, key, v["version_id"], v["sha256"], v["size"]))
        return refs

    def get(self, ref: ObjectRef) -> bytes:
        check_key(ref.bucket, ref.key)
        known = {v.version_id: v for v in self.versions(ref.bucket, ref.key)}
        if ref.version_id is not None and ref.version_id not in known:
            raise StoreError(f"{ref.bucket}/{ref.key}: no version {ref.version_id}")
        blob = self._blob_path(ref.sha256)
        try:
            data = blob.read_bytes()
        except FileNotFoundError:
            raise IntegrityError(f"{ref.bucket}/{ref.key}: content {ref.sha256} missing from the store") from None
        actual = hashlib.sha256(data).hexdigest()
        if actual != ref.sha256:
            raise IntegrityError(f"{ref.bucket}/{ref.key}: stored bytes hash to {actual}, expected {ref.sha256}")
        return data

    def delete(self, ref: ObjectRef) -> None:
        raise StoreError(f"{ref.bucket}/{ref.key}: refused, archived objects are write-once and permanent")

    # -- listing and raw access (integrity check, backups) ----------------------

    def list_keys(self, bucket: str) -> Iterator[str]:
        """Every key with a version list under bucket, in sorted order."""
        base = self.root / "refs" / bucket
        if not base.is_dir():
            return
        suffix = ".versions.jsonl"
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames.sort()
            rel = Path(dirpath).relative_to(base)
            for name in sorted(filenames):
                if name.endswith(suffix):
                    yield str(rel / name[: -len(suffix)]) if str(rel) != "." else name[: -len(suffix)]

    def list_versions(self, bucket: str) -> Iterator[ObjectRef]:
        """Every recorded version under bucket (key order, oldest version first), with the
        sha256 and size the store recorded for it."""
        for key in self.list_keys(bucket):
            try:
                yield from self.versions(bucket, key)
            except StoreError:  # a file under refs/ that is no valid key: not ours
                continue

    def stat(self, bucket: str, key: str, version_id: str | None) -> ObjectRef | None:
        """The store's own record of a version (None: no such version recorded);
        version_id None means the latest."""
        found = self.versions(bucket, key)
        if version_id is None:
            return found[-1] if found else None
        for v in found:
            if v.version_id == version_id:
                return v
        return None

    def open_raw(self, ref: ObjectRef) -> BinaryIO | None:
        """The stored content for ref.sha256 as a binary stream, NOT hash-checked (the
        caller hashes what it reads); None when that content is absent."""
        check_key(ref.bucket, ref.key)
        try:
            return self._blob_path(ref.sha256).open("rb")
        except FileNotFoundError:
            return None

    def _write_blob(self, stream: BinaryIO, sha256: str, what: str) -> int:
        """Stream into the blob of `sha256`: its size (write_read_only's rules)."""
        return write_read_only(self._blob_path(sha256), stream, sha256, what)[1]

    def repair_content(self, ref: ObjectRef, stream: BinaryIO) -> ObjectRef:
        """Put back the content of a recorded version whose blob is gone or damaged
        (`sohoa integrity repair`, from a backup). The stream must hash to the sha256 the
        store recorded for that version (IntegrityError otherwise, nothing written):
        the version list is not touched, so no object is ever replaced by other bytes."""
        rec = self.stat(ref.bucket, ref.key, ref.version_id)
        if rec is None:
            raise StoreError(f"{ref.bucket}/{ref.key}: no version {ref.version_id} to repair")
        # the damaged blob is replaced whole (atomically)
        size = self._write_blob(stream, rec.sha256, f"{ref.bucket}/{ref.key}: repair bytes")
        return ObjectRef(rec.bucket, rec.key, rec.version_id, rec.sha256, size)

    def restore_version(self, ref: ObjectRef, stream: BinaryIO, created: str | None = None,
                        metadata: dict[str, str] | None = None) -> ObjectRef:
        """Write stream as version ref.version_id of ref.key (restoring a backup into a
        scratch store: the catalogue's version ids stay valid). The bytes must hash to
        ref.sha256 (IntegrityError otherwise); a version already there with that hash is
        kept as is. Memory stays bounded: the content is streamed to disk."""
        check_key(ref.bucket, ref.key)
        existing = self.stat(ref.bucket, ref.key, ref.version_id)
        if existing is not None:
            if existing.sha256 != ref.sha256:
                raise IntegrityError(f"{ref.bucket}/{ref.key}: version {ref.version_id} already restored "
                                     f"with sha256 {existing.sha256}, not {ref.sha256}")
            if self._blob_path(ref.sha256).exists():
                return existing
        blob = self._blob_path(ref.sha256)
        if not blob.exists():
            size = self._write_blob(stream, ref.sha256, f"{ref.bucket}/{ref.key}: restored bytes")
        else:
            size = blob.stat().st_size
        if existing is None:
            vpath = self._versions_path(ref.bucket, ref.key)
            vpath.parent.mkdir(parents=True, exist_ok=True)
            line = json.dumps({"version_id": ref.version_id, "sha256": ref.sha256, "size": size,
                               "created": created or datetime.now(timezone.utc).isoformat(),
                               "metadata": metadata or {}, "restored": True}, ensure_ascii=False)
            with vpath.open("a", encoding="utf-8") as fh:
                fh.write(line + "\n")
                fh.flush()
                os.fsync(fh.fileno())
        return ObjectRef(ref.bucket, ref.key, ref.version_id, ref.sha256, size)
