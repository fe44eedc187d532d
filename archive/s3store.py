"""Write-once object store on any S3 server with object lock.

`S3ObjectStore` implements the `ObjectStore` interface of archive.store with
the `minio` client: Ceph RADOS Gateway (scripts/s3-test-server.sh), MinIO or
AWS. Every bucket is created with object lock (which turns on versioning) and
a default COMPLIANCE retention; every object version is written with
`Retention(COMPLIANCE, until)`, until = now + retention_years capped at
2105-12-31 (RGW keeps retain-until in 32-bit seconds and wraps dates after
2106-02-07), and a legal hold when configured. The server, not only this
class, then refuses to delete a version or shorten its retention.

The sha256 of the content is stored as `x-amz-meta-sha256`; `put` of the same
bytes under a key whose latest version has that sha256 returns that version.
Connection failures become a one-line `StoreError` naming the endpoint.
"""
from __future__ import annotations

import hashlib
import io
import logging
import re
import urllib.parse
from datetime import datetime, timedelta, timezone
from typing import Any, BinaryIO, Callable, Iterator, TypeVar, cast

import certifi
import urllib3
from minio import Minio
from minio.commonconfig import COMPLIANCE
from minio.error import InvalidResponseError, MinioException, S3Error, ServerError
from minio.objectlockconfig import DAYS, ObjectLockConfig
from minio.retention import Retention
from sohoa.archive.store import check_key
from sohoa.core.config import Settings
from sohoa.core.errors import IntegrityError, StoreError
from sohoa.core.storage import ObjectRef

T = TypeVar("T")
log = logging.getLogger(__name__)

# RGW stores retain-until as 32-bit seconds: 2126-01-01 reads back as 1989.
MAX_RETAIN_UNTIL = datetime(2105, 12, 31, tzinfo=timezone.utc)
SHA256_META = "sha256"
_META_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,63}$")
_SAFE_META_CHARS = " !#$&'()*+,-./:;<=>?@[]^_`{|}~"  # every printable ASCII but '%' and '"' and '\\'
_RETAIN_RE = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:?\d\d)?$")
_MAX_PART = 5 * 1024 ** 3  # S3's largest single PUT
_MISSING = {"NoSuchKey", "NoSuchVersion", "NoSuchBucket", "ResourceNotFound"}


def retain_until(years: int, now: datetime | None = None) -> datetime:
    """now + years, capped at MAX_RETAIN_UNTIL, whole seconds, UTC."""
    now = (now or datetime.now(timezone.utc)).replace(microsecond=0)
    try:
        until = now.replace(year=now.year + years)
    except ValueError:  # 29 February
        until = now.replace(year=now.year + years, day=28)
    return min(until, MAX_RETAIN_UNTIL)


def parse_retain_until(text: str) -> datetime:
    """Parse an S3 retain-until date, including RGW's nanosecond form
    (`2100-01-01T00:00:00.000000000Z`) that minio's parser rejects."""
    m = _RETAIN_RE.match(text.strip())
    if not m:
        raise ValueError(f"unparsable retain-until date {text!r}")
    base = datetime.strptime(m.group(1), "%Y-%m-%dT%H:%M:%S")
    micro = int((m.group(2) or "0")[:6].ljust(6, "0"))
    tz = m.group(3)
    if tz in (None, "Z"):
        offset = timezone.utc
    else:
        sign = 1 if tz[0] == "+" else -1
        digits = tz[1:].replace(":", "")
        offset = timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    return base.replace(microsecond=micro, tzinfo=offset).astimezone(timezone.utc)


def _encode_meta(metadata: dict[str, str]) -> dict[str, str]:
    """User metadata as x-amz-meta-* headers: keys lower-case [a-z0-9-]
    ('_' becomes '-'), values percent-encoded outside printable ASCII so
    Vietnamese text survives HTTP headers (decode with urllib.parse.unquote)."""
    out: dict[str, str] = {}
    for k, v in metadata.items():
        key = str(k).lower().replace("_", "-")
        if key.startswith("x-amz-meta-"):
            key = key[len("x-amz-meta-"):]
        if not _META_KEY_RE.match(key):
            raise StoreError(f"invalid metadata key {k!r}")
        if key == SHA256_META:
            raise StoreError(f"metadata key {k!r} is reserved")
        value = urllib.parse.quote(str(v), safe=_SAFE_META_CHARS)
        # HTTP trims header values: keep leading/trailing blanks exact
        stripped = value.strip(" ")
        lead = len(value) - len(value.lstrip(" "))
        trail = len(value) - len(value.rstrip(" "))
        if lead or trail:
            value = "%20" * lead + stripped + "%20" * trail if stripped else "%20" * len(value)
        out["x-amz-meta-" + key] = value
    return out


def _one_line(text: str, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _conn_reason(exc: BaseException) -> str:
    """The useful part of a urllib3 connection error, e.g. 'Connection refused'."""
    reason = getattr(exc, "reason", None) or exc
    msg = str(reason)
    # "<urllib3.connection.HTTPConnection object at 0x..>: Failed to establish a new connection: [Errno 111] ..."
    msg = re.sub(r"<[^>]*>:\s*", "", msg)
    msg = re.sub(r"^\w*HTTPS?Connection(?:Pool)?\([^)]*\):\s*", "", msg)
    msg = re.sub(r"^Failed to establish a new connection:\s*", "", msg)
    msg = re.sub(r"\[Errno -?\d+\]\s*", "", msg)
    return _one_line(msg or type(reason).__name__, 160)


def make_http_client(*, connect_timeout: float = 2.0, read_timeout: float = 30.0, retries: int = 2,
                     cert_check: bool = True) -> urllib3.PoolManager:
    """Short timeouts and bounded retries: a dead server fails in seconds
    (refused: well under a second; black-holed: two 2 s connect attempts)."""
    retry = urllib3.Retry(
        total=retries,
        connect=1,
        read=1,
        status=retries,
        backoff_factor=0.2,
        status_forcelist=[500, 502, 503, 504],
        raise_on_status=False,  # let minio turn the last 5xx response into ServerError
    )
    return urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
        maxsize=10,
        cert_reqs="CERT_REQUIRED" if cert_check else "CERT_NONE",
        ca_certs=certifi.where(),
        retries=retry,
    )


class S3ObjectStore:
    """Write-once store on an S3 server with object lock (see module doc)."""

    def __init__(
        self,
        endpoint: str,
        access_key: str,
        secret_key: str,
        *,
        secure: bool = False,
        region: str = "us-east-1",
        retention_years: int = 80,
        legal_hold: bool = True,
        backup: "S3ObjectStore | None" = None,
        backup_bucket_suffix: str = "",
        http_client: urllib3.PoolManager | None = None,
    ):
        if not endpoint:
            raise StoreError("S3 store: s3_endpoint is not set")
        if "://" in endpoint or "/" in endpoint.rstrip("/"):
            raise StoreError(f"S3 store: s3_endpoint {endpoint!r} must be host:port, without scheme or path")
        if retention_years < 1:
            raise StoreError(f"S3 store: retention_years must be at least 1, not {retention_years}")
        self.endpoint = endpoint.rstrip("/")
        self.url = ("https://" if secure else "http://") + self.endpoint
        self.retention_years = retention_years
        self.legal_hold_default = legal_hold
        self.backup = backup
        self.backup_bucket_suffix = backup_bucket_suffix
        try:
            self.client = Minio(
                self.endpoint,
                access_key=access_key or None,
                secret_key=secret_key or None,
                secure=secure,
                region=region or None,
                http_client=http_client or make_http_client(),
            )
        except ValueError as exc:
            raise StoreError(f"S3 store {self.url}: {exc}") from None
        self._ready: set[str] = set()

    @classmethod
    def from_settings(cls, settings: Settings) -> "S3ObjectStore":
        def make(endpoint: str, **more: Any) -> "S3ObjectStore":
            return cls(endpoint, access_key=settings.s3_access_key, secret_key=settings.s3_secret_key,
                       secure=settings.s3_secure, region=settings.s3_region,
                       retention_years=settings.retention_years, legal_hold=settings.legal_hold, **more)

        backup = None
        suffix = getattr(settings, "s3_backup_bucket_suffix", "")
        backup_endpoint = getattr(settings, "s3_backup_endpoint", "")
        if backup_endpoint or suffix:
            backup_endpoint = backup_endpoint or settings.s3_endpoint
            if backup_endpoint == settings.s3_endpoint and not suffix:
                raise StoreError("S3 store: a backup on the same endpoint needs s3_backup_bucket_suffix")
            backup = make(backup_endpoint)
        return make(settings.s3_endpoint, backup=backup, backup_bucket_suffix=suffix)

    # -- plumbing ---------------------------------------------------------------

    def _call(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one client call; every failure becomes a one-line StoreError
        (S3Error is re-raised as is for callers that look at its code)."""
        try:
            return fn(*args, **kwargs)
        except S3Error:
            raise
        except ServerError as exc:
            raise StoreError(f"S3 {self.url}: {what}: server error {exc.status_code}: {_one_line(str(exc))}") from None
        except InvalidResponseError as exc:
            raise StoreError(f"S3 {self.url}: {what}: invalid response: {_one_line(str(exc))}") from None
        except (urllib3.exceptions.HTTPError, OSError) as exc:
            raise StoreError(f"S3 endpoint {self.url} unreachable ({_conn_reason(exc)})") from None
        except (MinioException, ValueError) as exc:
            raise StoreError(f"S3 {self.url}: {what}: {_one_line(str(exc))}") from None

    def _s3(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """_call, with S3 error responses as StoreError too."""
        try:
            return self._call(what, fn, *args, **kwargs)
        except S3Error as exc:
            raise StoreError(f"S3 {self.url}: {what}: refused: {exc.code}: {_one_line(exc.message or '')}") from None

    def prepare(self, bucket: str) -> None:
        """Reachable, and the bucket is there with object lock: checked before a run starts."""
        self._ensure_bucket(bucket)

    def _ensure_bucket(self, bucket: str) -> None:
        """Create the bucket with object lock and a default COMPLIANCE retention on first use;
        refuse an existing bucket without object lock (its objects could be deleted)."""
        if bucket in self._ready:
            return
        if not self._s3(f"bucket {bucket}", self.client.bucket_exists, bucket):
            try:
                self._call(f"create bucket {bucket}", self.client.make_bucket, bucket, object_lock=True)
            except S3Error as exc:
                if exc.code not in {"BucketAlreadyOwnedByYou", "BucketAlreadyExists"}:
                    raise StoreError(f"S3 {self.url}: create bucket {bucket}: refused: {exc.code}: "
                                     f"{_one_line(exc.message or '')}") from None
        try:
            config = self._call(f"bucket {bucket}", self.client.get_object_lock_config, bucket)
        except S3Error as exc:
            if exc.code in {"ObjectLockConfigurationNotFoundError", "InvalidRequest", "InvalidBucketState"}:
                raise StoreError(f"S3 {self.url}: bucket {bucket} exists without object lock; "
                                 f"refusing to archive into it") from None
            raise StoreError(f"S3 {self.url}: bucket {bucket}: {exc.code}: {_one_line(exc.message or '')}") from None
        if config.mode is None:
            days = max(1, (retain_until(self.retention_years) - datetime.now(timezone.utc)).days)
            self._s3(f"bucket {bucket} default retention", self.client.set_object_lock_config,
                     bucket, ObjectLockConfig(COMPLIANCE, days, DAYS))
        self._ready.add(bucket)

    def _stat(self, ref: ObjectRef):
        return self._s3(f"{ref.bucket}/{ref.key}", self.client.stat_object, ref.bucket, ref.key,
                        version_id=ref.version_id)

    def _stat_latest(self, bucket: str, key: str):
        try:
            return self._call(f"{bucket}/{key}", self.client.stat_object, bucket, key)
        except S3Error as exc:
            # a missing key, or a delete marker on top (HEAD answers 404 or 405)
            if exc.code in _MISSING or exc.code in {"MethodNotAllowed", "NoSuchObject"} \
                    or exc.response is not None and exc.response.status in (404, 405):
                return None
            raise StoreError(f"S3 {self.url}: {bucket}/{key}: {exc.code}: {_one_line(exc.message or '')}") from None

    @staticmethod
    def _header(stat, name: str) -> str | None:
        meta = stat.metadata or {}
        value = meta.get(name)
        if value is None:
            lname = name.lower()
            for k, v in meta.items():
                if k.lower() == lname:
                    return v
        return value

    # -- ObjectStore ------------------------------------------------------------

    def put(self, bucket: str, key: str, data: bytes, metadata: dict[str, str]) -> ObjectRef:
        check_key(bucket, key)
        data = bytes(data)
        digest = hashlib.sha256(data).hexdigest()
        headers = _encode_meta(metadata or {})
        headers["x-amz-meta-" + SHA256_META] = digest
        self._ensure_bucket(bucket)
        latest = self._stat_latest(bucket, key)
        if latest is not None and self._header(latest, "x-amz-meta-sha256") == digest and latest.version_id:
            ref = ObjectRef(bucket, key, latest.version_id, digest, latest.size or len(data))
        else:
            until = retain_until(self.retention_years)
            # one PUT up to 5 GiB (RGW ignores the lock headers of a multipart upload;
            # _enforce_lock below sets them afterwards if so)
            result = self._s3(
                f"put {bucket}/{key}", self.client.put_object, bucket, key, io.BytesIO(data), len(data),
                metadata=headers, retention=Retention(COMPLIANCE, until), legal_hold=self.legal_hold_default,
                part_size=_MAX_PART,
            )
            if not result.version_id:
                raise StoreError(f"S3 {self.url}: {bucket}/{key}: the server returned no version id "
                                 f"(bucket without versioning/object lock?)")
            ref = ObjectRef(bucket, key, result.version_id, digest, len(data))
            self._enforce_lock(ref, until)
        if self.backup is not None:
            self.backup.put(bucket + self.backup_bucket_suffix, key, data, metadata or {})
        return ref

    def repair_content(self, ref: ObjectRef, stream: BinaryIO) -> ObjectRef:
        """Put back the content of a version whose stored bytes are lost or damaged
        (`sohoa integrity repair`, from a backup). A locked version cannot be rewritten:
        the bytes, which must hash to ref.sha256 (IntegrityError otherwise, nothing
        written), become a new version of the key, locked like any other, and that new
        version is returned (put() would hand back the latest version when its recorded
        hash is the same, damaged or not)."""
        check_key(ref.bucket, ref.key)
        data = stream.read()
        digest = hashlib.sha256(data).hexdigest()
        if digest != ref.sha256:
            raise IntegrityError(f"{ref.bucket}/{ref.key}: repair bytes hash to {digest}, expected {ref.sha256}")
        headers = _encode_meta({"repaired-from": ref.version_id or ""})
        headers["x-amz-meta-" + SHA256_META] = digest
        self._ensure_bucket(ref.bucket)
        until = retain_until(self.retention_years)
        result = self._s3(f"put {ref.bucket}/{ref.key}", self.client.put_object, ref.bucket, ref.key,
                          io.BytesIO(data), len(data), metadata=headers, retention=Retention(COMPLIANCE, until),
                          legal_hold=self.legal_hold_default, part_size=_MAX_PART)
        if not result.version_id:
            raise StoreError(f"S3 {self.url}: {ref.bucket}/{ref.key}: the server returned no version id")
        new = ObjectRef(ref.bucket, ref.key, result.version_id, digest, len(data))
        self._enforce_lock(new, until)
        return new

    def _enforce_lock(self, ref: ObjectRef, until: datetime) -> None:
        """Read the lock back and set what the server did not keep (multipart uploads
        on RGW get only the bucket default); a server that still does not keep it,
        or wraps the date, must not pass silently."""
        def short(mode, got):
            return mode != COMPLIANCE or got is None or got < until - timedelta(seconds=1)

        mode, got, hold = self._lock_state(ref)
        if not short(mode, got) and (hold or not self.legal_hold_default):
            return
        if short(mode, got):
            self._s3(f"retention {ref.bucket}/{ref.key}", self.client.set_object_retention, ref.bucket, ref.key,
                     Retention(COMPLIANCE, until), version_id=ref.version_id)
        if self.legal_hold_default and not hold:
            self.set_legal_hold(ref, True)
        mode, got, hold = self._lock_state(ref)
        if short(mode, got):
            raise StoreError(f"S3 {self.url}: {ref.bucket}/{ref.key} version {ref.version_id}: "
                             f"server did not keep COMPLIANCE retention until {until.isoformat()} "
                             f"(reads back {mode} {got.isoformat() if got else None})")
        if self.legal_hold_default and not hold:
            raise StoreError(f"S3 {self.url}: {ref.bucket}/{ref.key} version {ref.version_id}: "
                             f"server did not keep the legal hold")

    def get(self, ref: ObjectRef) -> bytes:
        check_key(ref.bucket, ref.key)
        try:
            data = self._get_primary(ref)
        except (StoreError, IntegrityError) as exc:
            if self.backup is None:
                raise
            data = self._get_backup(ref, exc)
        return data

    def _get_primary(self, ref: ObjectRef) -> bytes:
        data = self._read(ref)
        actual = hashlib.sha256(data).hexdigest()
        if actual != ref.sha256:
            raise IntegrityError(f"{ref.bucket}/{ref.key}: stored bytes hash to {actual}, expected {ref.sha256}")
        return data

    def _read(self, ref: ObjectRef) -> bytes:
        what = f"{ref.bucket}/{ref.key}"
        try:
            resp = self._call(what, self.client.get_object, ref.bucket, ref.key, version_id=ref.version_id)
        except S3Error as exc:
            if exc.code in _MISSING:
                raise StoreError(f"{what}: no version {ref.version_id} in S3 {self.url} ({exc.code})") from None
            raise StoreError(f"S3 {self.url}: get {what}: {exc.code}: {_one_line(exc.message or '')}") from None
        try:
            data = self._call(f"read {what}", resp.read)
        finally:
            resp.close()
            resp.release_conn()
        return data

    def _get_backup(self, ref: ObjectRef, cause: Exception) -> bytes:
        bucket = ref.bucket + self.backup_bucket_suffix
        assert self.backup is not None
        for v in reversed(self.backup.versions(bucket, ref.key)):
            if v.sha256 == ref.sha256:
                data = self.backup.get(v)
                log.warning("%s/%s version %s: read from the backup copy %s/%s (%s)",
                            ref.bucket, ref.key, ref.version_id, bucket, v.version_id, cause)
                return data
        raise cause

    def versions(self, bucket: str, key: str) -> list[ObjectRef]:
        """Every version of key, oldest first (delete markers left out)."""
        check_key(bucket, key)
        what = f"versions {bucket}/{key}"
        try:
            listing = self._call(what, lambda: list(self.client.list_objects(
                bucket, prefix=key, recursive=True, include_version=True)))
        except S3Error as exc:
            if exc.code == "NoSuchBucket":
                return []
            raise StoreError(f"S3 {self.url}: {what}: {exc.code}: {_one_line(exc.message or '')}") from None
        # S3 lists the versions of a key newest first; reverse, then a stable sort by time.
        found = [o for o in reversed(listing) if o.object_name == key and not o.is_delete_marker and o.version_id]
        found.sort(key=lambda o: o.last_modified or datetime.min.replace(tzinfo=timezone.utc))
        refs = []
        for o in found:
            stat = self._s3(what, self.client.stat_object, bucket, key, version_id=o.version_id)
            digest = self._header(stat, "x-amz-meta-sha256")
            if not digest:  # not written by sohoa: hash the content
                digest = hashlib.sha256(self._read(ObjectRef(bucket, key, o.version_id, "", 0))).hexdigest()
            refs.append(ObjectRef(bucket, key, o.version_id, digest, stat.size or 0))
        return refs

    def delete(self, ref: ObjectRef) -> None:
        raise StoreError(f"{ref.bucket}/{ref.key}: refused, archived objects are write-once and permanent")

    # -- listing and raw access (integrity check, backups) ----------------------

    def _listing(self, what: str, bucket: str, **kw: Any) -> Iterator[Any]:
        """minio's lazy listing (one page at a time), its failures as StoreError;
        a missing bucket lists nothing."""
        it = iter(self.client.list_objects(bucket, recursive=True, **kw))
        while True:
            try:
                o = self._call(what, next, it)
            except StopIteration:
                return
            except S3Error as exc:
                if exc.code == "NoSuchBucket":
                    return
                raise StoreError(f"S3 {self.url}: {what}: {exc.code}: {_one_line(exc.message or '')}") from None
            yield o

    def list_keys(self, bucket: str) -> Iterator[str]:
        """Every key (with a current version) under bucket, in S3 listing order."""
        for o in self._listing(f"list {bucket}", bucket):
            yield o.object_name

    def list_versions(self, bucket: str) -> Iterator[ObjectRef]:
        """Every version under bucket (delete markers left out), one listing page at a
        time. The listing carries no user metadata: sha256 is "" (stat() has it)."""
        for o in self._listing(f"list versions {bucket}", bucket, include_version=True):
            if o.is_delete_marker or not o.version_id:
                continue
            yield ObjectRef(bucket, o.object_name, o.version_id, "", o.size or 0)

    def stat(self, bucket: str, key: str, version_id: str | None) -> ObjectRef | None:
        """The server's record of a version (sha256 from x-amz-meta-sha256, "" when the
        object was not written by sohoa); None when there is no such version."""
        check_key(bucket, key)
        try:
            st = self._call(f"{bucket}/{key}", self.client.stat_object, bucket, key, version_id=version_id)
        except S3Error as exc:
            if exc.code in _MISSING or exc.code in {"MethodNotAllowed", "NoSuchObject"} \
                    or exc.response is not None and exc.response.status in (404, 405):
                return None
            raise StoreError(f"S3 {self.url}: {bucket}/{key}: {exc.code}: {_one_line(exc.message or '')}") from None
        return ObjectRef(bucket, key, st.version_id or version_id, self._header(st, "x-amz-meta-sha256") or "",
                         st.size or 0)

    def open_raw(self, ref: ObjectRef) -> BinaryIO | None:
        """The content of version ref.version_id on this server (not the backup copy) as
        a binary stream, NOT hash-checked; None when there is no such version. Close it."""
        check_key(ref.bucket, ref.key)
        what = f"{ref.bucket}/{ref.key}"
        try:
            resp = self._call(what, self.client.get_object, ref.bucket, ref.key, version_id=ref.version_id)
        except S3Error as exc:
            if exc.code in _MISSING:
                return None
            raise StoreError(f"S3 {self.url}: get {what}: {exc.code}: {_one_line(exc.message or '')}") from None
        return cast(BinaryIO, _S3Stream(self, what, resp))  # a readable binary stream, as BinaryIO's readers use it

    # -- object lock ------------------------------------------------------------

    def metadata(self, ref: ObjectRef) -> dict[str, str]:
        """The user metadata of a version, decoded (sha256 included)."""
        check_key(ref.bucket, ref.key)
        stat = self._stat(ref)
        out = {}
        for k, v in (stat.metadata or {}).items():
            if k.lower().startswith("x-amz-meta-"):
                out[k.lower()[len("x-amz-meta-"):]] = urllib.parse.unquote(v)
        return out

    def _lock_state(self, ref: ObjectRef) -> tuple[str | None, datetime | None, bool]:
        """(mode, retain-until, legal hold) of a version from one HEAD: minio's
        get_object_retention cannot parse RGW's nanosecond dates."""
        stat = self._stat(ref)
        mode = self._header(stat, "x-amz-object-lock-mode")
        until = self._header(stat, "x-amz-object-lock-retain-until-date")
        hold = (self._header(stat, "x-amz-object-lock-legal-hold") or "").upper() == "ON"
        try:
            return mode, parse_retain_until(until) if until else None, hold
        except ValueError as exc:
            raise StoreError(f"S3 {self.url}: {ref.bucket}/{ref.key}: {exc}") from None

    def retention(self, ref: ObjectRef) -> tuple[str | None, datetime | None]:
        """(mode, retain-until) of a version; (None, None) when it has none."""
        check_key(ref.bucket, ref.key)
        mode, until, _ = self._lock_state(ref)
        return mode, until

    def extend_retention(self, ref: ObjectRef, until: datetime | None = None) -> datetime:
        """Push the COMPLIANCE retain-until of a version later (never earlier:
        the server refuses that); default now + retention_years. Returns it."""
        check_key(ref.bucket, ref.key)
        target = min(until or retain_until(self.retention_years), MAX_RETAIN_UNTIL).replace(microsecond=0)
        _, current = self.retention(ref)
        if current is not None and current >= target:
            return current
        self._s3(f"retention {ref.bucket}/{ref.key}", self.client.set_object_retention, ref.bucket, ref.key,
                 Retention(COMPLIANCE, target), version_id=ref.version_id)
        return target

    def legal_hold(self, ref: ObjectRef) -> bool:
        check_key(ref.bucket, ref.key)
        return self._lock_state(ref)[2]

    def set_legal_hold(self, ref: ObjectRef, on: bool) -> None:
        check_key(ref.bucket, ref.key)
        fn = self.client.enable_object_legal_hold if on else self.client.disable_object_legal_hold
        self._s3(f"legal hold {ref.bucket}/{ref.key}", fn, ref.bucket, ref.key, version_id=ref.version_id)


class _S3Stream(io.RawIOBase):
    """A GET response as a readable binary stream; read errors become StoreError,
    close() gives the connection back to the pool."""

    def __init__(self, store: S3ObjectStore, what: str, resp: Any):
        self._store, self._what, self._resp = store, what, resp

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            return self._store._call(f"read {self._what}", self._resp.read)
        return self._store._call(f"read {self._what}", self._resp.read, size)

    def readinto(self, b: Any) -> int:
        data = self.read(len(b))
        b[: len(data)] = data
        return len(data)

    def close(self) -> None:
        if not self.closed:
            try:
                self._resp.close()
                self._resp.release_conn()
            finally:
                super().close()
