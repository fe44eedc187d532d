"""The S3 object-lock store against a real server (Ceph RADOS Gateway).

A session fixture boots a single-node Ceph cluster with
scripts/s3-test-server.sh (about 15 s; installs the Debian packages when
missing), or reuses a server already answering on 127.0.0.1:7480, or uses
$SOHOA_S3_ENDPOINT/_ACCESS_KEY/_SECRET_KEY when set. It stops the server at
the end only if it started it. What the server itself refuses (deleting a
locked version, shortening COMPLIANCE retention, deleting under legal hold)
is checked with the raw minio client, not only through our own refusals.
"""
from __future__ import annotations

import hashlib
import io
import os
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from conftest import machine_service_lock
from minio.commonconfig import COMPLIANCE
from minio.error import S3Error
from minio.retention import Retention
from sohoa.archive.factory import open_store
from sohoa.archive.s3store import MAX_RETAIN_UNTIL, S3ObjectStore, parse_retain_until, retain_until
from sohoa.core.config import load_settings
from sohoa.core.errors import IntegrityError, StoreError
from sohoa.core.storage import ObjectRef

pytestmark = pytest.mark.s3

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "s3-test-server.sh"
TMP = Path(tempfile.gettempdir())
SERVER_DIR = Path(os.environ.get("SOHOA_S3_TEST_DIR", TMP / "sohoa-s3-pytest"))
STARTED_MARK = "started-by-pytest"


def _s3_answers(endpoint: str = "127.0.0.1:7480") -> bool:
    try:
        urllib.request.urlopen(f"http://{endpoint}/", timeout=2)
        return True
    except urllib.error.HTTPError:
        return True  # an S3 error document (403...) is an answer too
    except OSError:
        return False


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


@pytest.fixture(scope="session")
def s3_env() -> dict[str, str]:
    """SOHOA_* settings of a running S3 server with object lock. Shared by
    pytest-xdist workers: the last worker out stops a server pytest started."""
    if os.environ.get("SOHOA_S3_ENDPOINT"):
        yield {k: v for k, v in os.environ.items() if k.startswith("SOHOA_S3_")} | {"SOHOA_STORE": "s3"}
        return
    users = SERVER_DIR / ".pytest-users"
    with machine_service_lock("s3"):
        answered = _s3_answers()
        t0 = time.monotonic()
        proc = subprocess.run(["bash", str(SCRIPT), "start", str(SERVER_DIR)], capture_output=True, text=True,
                              timeout=900)
        if proc.returncode != 0:
            pytest.fail(f"s3-test-server.sh start failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
        if not answered:
            (SERVER_DIR / STARTED_MARK).write_text(f"booted in {time.monotonic() - t0:.1f}s\n")
        env = dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)
        users.mkdir(parents=True, exist_ok=True)
        (users / str(os.getpid())).touch()
    yield env
    with machine_service_lock("s3"):
        (users / str(os.getpid())).unlink(missing_ok=True)
        others = [p for p in users.glob("*") if p.name.isdigit() and _pid_alive(int(p.name))] if users.exists() else []
        if (SERVER_DIR / STARTED_MARK).exists() and not others:
            subprocess.run(["bash", str(SCRIPT), "stop", str(SERVER_DIR)], capture_output=True, timeout=120)


@pytest.fixture(scope="session")
def settings(s3_env):
    return load_settings(env=s3_env)


@pytest.fixture
def store(settings) -> S3ObjectStore:
    s = open_store(settings)
    assert isinstance(s, S3ObjectStore)
    return s


@pytest.fixture
def bucket() -> str:
    return f"sohoa-t-{uuid.uuid4().hex[:12]}"


def _refused(fn) -> str:
    with pytest.raises(S3Error) as info:
        fn()
    return info.value.code


# -- the ObjectStore contract ---------------------------------------------------

def test_put_get_roundtrip_checks_sha256(store, bucket):
    data = b"%PDF-1.7 signed judgment " + os.urandom(64)
    meta = {"document-id": "Bản án số 12/2024/HS-ST", "batch_id": "B-01"}
    ref = store.put(bucket, "judgments/2024/D1.pdf", data, meta)
    assert ref.sha256 == hashlib.sha256(data).hexdigest() and ref.size == len(data)
    assert ref.version_id
    assert store.get(ref) == data
    got = store.metadata(ref)
    assert got["document-id"] == "Bản án số 12/2024/HS-ST" and got["batch-id"] == "B-01"
    assert got["sha256"] == ref.sha256
    # a ref whose recorded hash does not match what the server holds
    wrong = ObjectRef(ref.bucket, ref.key, ref.version_id, "0" * 64, ref.size)
    with pytest.raises(IntegrityError):
        store.get(wrong)
    # a version the server never had
    with pytest.raises(StoreError):
        store.get(ObjectRef(ref.bucket, ref.key, "no-such-version", ref.sha256, ref.size))


def test_put_same_bytes_is_idempotent(store, bucket):
    key = "judgments/2024/D2.pdf"
    first = store.put(bucket, key, b"same bytes", {"document-id": "D2"})
    again = store.put(bucket, key, b"same bytes", {"document-id": "D2"})
    assert again == first
    assert store.versions(bucket, key) == [first]


def test_overwrite_is_a_new_version_and_the_old_one_stays_readable(store, bucket):
    key = "decisions/2025/D3.pdf"
    v1 = store.put(bucket, key, b"one", {})
    v2 = store.put(bucket, key, b"two", {})
    v3 = store.put(bucket, key, b"three", {})
    assert len({v1.version_id, v2.version_id, v3.version_id}) == 3
    assert store.versions(bucket, key) == [v1, v2, v3]  # oldest first
    assert store.get(v1) == b"one" and store.get(v2) == b"two" and store.get(v3) == b"three"
    # same bytes as an older (not the latest) version: a new version, history intact
    v4 = store.put(bucket, key, b"one", {})
    assert v4.version_id not in {v1.version_id, v3.version_id}
    assert [v.sha256 for v in store.versions(bucket, key)] == [v1.sha256, v2.sha256, v3.sha256, v1.sha256]


def test_versions_of_unknown_key_or_bucket_is_empty(store, bucket):
    assert store.versions(bucket, "nothing/here.pdf") == []
    store.put(bucket, "a/b.pdf", b"x", {})
    assert store.versions(bucket, "a/b") == []  # a prefix of a key is not the key
    assert store.versions(bucket, "a") == []


# -- what the server refuses ------------------------------------------------------

def test_server_refuses_deleting_a_locked_version(store, bucket):
    ref = store.put(bucket, "judgments/2024/D4.pdf", b"locked", {})
    with pytest.raises(StoreError, match="write-once"):
        store.delete(ref)
    code = _refused(lambda: store.client.remove_object(bucket, ref.key, version_id=ref.version_id))
    assert code == "AccessDenied"
    # even without the legal hold, COMPLIANCE retention alone refuses it
    store.set_legal_hold(ref, False)
    assert store.legal_hold(ref) is False
    code = _refused(lambda: store.client.remove_object(bucket, ref.key, version_id=ref.version_id))
    assert code == "AccessDenied"
    assert store.get(ref) == b"locked"


def test_delete_marker_does_not_hide_archived_versions(store, bucket):
    key = "judgments/2024/D5.pdf"
    ref = store.put(bucket, key, b"kept", {})
    store.client.remove_object(bucket, key)  # no version id: S3 only adds a delete marker
    assert store.versions(bucket, key) == [ref]
    assert store.get(ref) == b"kept"
    again = store.put(bucket, key, b"kept", {})  # latest is the marker: written again
    assert [v.version_id for v in store.versions(bucket, key)] == [ref.version_id, again.version_id]


def test_retention_cannot_be_shortened(store, bucket):
    ref = store.put(bucket, "judgments/2024/D6.pdf", b"retained", {})
    mode, until = store.retention(ref)
    assert mode == COMPLIANCE
    earlier = Retention(COMPLIANCE, until - timedelta(days=365))
    code = _refused(lambda: store.client.set_object_retention(bucket, ref.key, earlier, version_id=ref.version_id))
    assert code == "AccessDenied"
    assert store.retention(ref) == (mode, until)


def test_retention_can_be_extended_up_to_the_cap(settings, bucket):
    short = S3ObjectStore.from_settings(load_settings(env={**_env(settings), "SOHOA_RETENTION_YEARS": "2"}))
    ref = short.put(bucket, "judgments/2024/D7.pdf", b"renewed", {})
    _, until = short.retention(ref)
    later = until + timedelta(days=400)
    assert short.extend_retention(ref, later) == later
    assert short.retention(ref) == (COMPLIANCE, later)
    assert short.extend_retention(ref, until) == later  # never shortened
    assert short.extend_retention(ref, datetime(2200, 1, 1, tzinfo=timezone.utc)) == MAX_RETAIN_UNTIL
    assert short.retention(ref)[1] == MAX_RETAIN_UNTIL


def test_legal_hold_blocks_delete(store, bucket):
    # An object-lock bucket with no default retention, an object with only a
    # legal hold: the hold alone must make the server refuse the delete.
    store.client.make_bucket(bucket, object_lock=True)
    w = store.client.put_object(bucket, "held.pdf", io.BytesIO(b"held"), 4, legal_hold=True)
    ref = ObjectRef(bucket, "held.pdf", w.version_id, hashlib.sha256(b"held").hexdigest(), 4)
    assert store.retention(ref) == (None, None)
    assert store.legal_hold(ref) is True
    code = _refused(lambda: store.client.remove_object(bucket, "held.pdf", version_id=w.version_id))
    assert code == "AccessDenied"
    assert store.get(ref) == b"held"
    store.set_legal_hold(ref, False)  # lifted: now nothing protects it, proving the hold did
    store.client.remove_object(bucket, "held.pdf", version_id=w.version_id)
    assert store.versions(bucket, "held.pdf") == []


def test_store_puts_a_legal_hold_by_default_and_can_skip_it(settings, store, bucket):
    ref = store.put(bucket, "judgments/2024/D8.pdf", b"hold", {})
    assert store.legal_hold(ref) is True
    no_hold = S3ObjectStore.from_settings(load_settings(env={**_env(settings), "SOHOA_LEGAL_HOLD": "false"}))
    ref2 = no_hold.put(bucket, "judgments/2024/D9.pdf", b"no hold", {})
    assert no_hold.legal_hold(ref2) is False
    assert no_hold.retention(ref2)[0] == COMPLIANCE


def test_retain_until_reads_back_unwrapped(settings, store, bucket):
    ref = store.put(bucket, "judgments/2024/D10.pdf", b"permanent", {})
    mode, until = store.retention(ref)
    assert mode == COMPLIANCE
    assert until == retain_until(settings.retention_years, datetime.now(timezone.utc)) or \
        abs((until - retain_until(settings.retention_years)).total_seconds()) < 5
    assert until.year >= datetime.now(timezone.utc).year + min(settings.retention_years, 79) - 1
    # 300 years would wrap to the 1990s on RGW: capped at 2105-12-31 instead
    far = S3ObjectStore.from_settings(load_settings(env={**_env(settings), "SOHOA_RETENTION_YEARS": "300"}))
    ref2 = far.put(bucket, "judgments/2024/D11.pdf", b"far", {})
    assert far.retention(ref2) == (COMPLIANCE, MAX_RETAIN_UNTIL)
    # a short period reads back to the second
    five = S3ObjectStore.from_settings(load_settings(env={**_env(settings), "SOHOA_RETENTION_YEARS": "5"}))
    before = retain_until(5)
    ref3 = five.put(bucket, "judgments/2024/D12.pdf", b"five", {})
    _, until3 = five.retention(ref3)
    assert before <= until3 <= retain_until(5) + timedelta(seconds=1)


def test_bucket_without_object_lock_is_refused(store, bucket):
    store.client.make_bucket(bucket)  # plain bucket: objects could be deleted
    with pytest.raises(StoreError, match="without object lock"):
        store.put(bucket, "judgments/2024/D13.pdf", b"x", {})


# -- failures and validation -------------------------------------------------------

def test_unreachable_endpoint_fails_fast_with_one_line(settings):
    dead = S3ObjectStore("127.0.0.1:1", "a", "b")
    for call in (lambda: dead.put("sohoa-archive", "k.pdf", b"x", {}),
                 lambda: dead.versions("sohoa-archive", "k.pdf"),
                 lambda: dead.get(ObjectRef("sohoa-archive", "k.pdf", "v", "0" * 64, 1))):
        t0 = time.monotonic()
        with pytest.raises(StoreError) as info:
            call()
        assert time.monotonic() - t0 < 10
        msg = str(info.value)
        assert "127.0.0.1:1" in msg and "unreachable" in msg and "\n" not in msg
        assert info.value.__cause__ is None and info.value.__suppress_context__
    # through the settings, as the CLI opens it
    s = load_settings(env={**_env(settings), "SOHOA_S3_ENDPOINT": "127.0.0.1:1"})
    with pytest.raises(StoreError, match="127.0.0.1:1"):
        open_store(s).put("sohoa-archive", "k.pdf", b"x", {})


def test_bad_endpoint_settings_are_store_errors():
    with pytest.raises(StoreError):
        S3ObjectStore("", "a", "b")
    with pytest.raises(StoreError):
        S3ObjectStore("http://127.0.0.1:7480", "a", "b")


@pytest.mark.parametrize("bucket_name,key", [
    ("sohoa-archive", "../etc/passwd"),
    ("sohoa-archive", "a/../../b.pdf"),
    ("sohoa-archive", "/abs/path.pdf"),
    ("sohoa-archive", "a//b.pdf"),
    ("sohoa-archive", ""),
    ("sohoa-archive", "new\nline.pdf"),
    ("sohoa-archive", "x" * 600),
    ("sohoa-archive", "?versionId=1"),
    ("Sohoa-Archive", "ok.pdf"),
    ("a", "ok.pdf"),
    ("../bucket", "ok.pdf"),
])
def test_hostile_keys_refused(store, bucket_name, key):
    with pytest.raises(StoreError):
        store.put(bucket_name, key, b"x", {})
    with pytest.raises(StoreError):
        store.versions(bucket_name, key)
    with pytest.raises(StoreError):
        store.get(ObjectRef(bucket_name, key, "v", "0" * 64, 1))


def test_bad_metadata_keys_refused(store, bucket):
    for meta in ({"bad key": "x"}, {"sha256": "forged"}, {"ké": "x"}):
        with pytest.raises(StoreError):
            store.put(bucket, "judgments/2024/D14.pdf", b"x", meta)


def test_parse_retain_until_forms():
    utc = timezone.utc
    assert parse_retain_until("2100-01-01T00:00:00.000000000Z") == datetime(2100, 1, 1, tzinfo=utc)
    assert parse_retain_until("2100-01-01T00:00:00Z") == datetime(2100, 1, 1, tzinfo=utc)
    assert parse_retain_until("2100-01-01T00:00:00.123Z") == datetime(2100, 1, 1, 0, 0, 0, 123000, tzinfo=utc)
    assert parse_retain_until("2100-01-01T07:00:00+07:00") == datetime(2100, 1, 1, tzinfo=utc)
    assert retain_until(80, datetime(2026, 1, 1, tzinfo=utc)) == MAX_RETAIN_UNTIL
    assert retain_until(3, datetime(2028, 2, 29, tzinfo=utc)) == datetime(2031, 2, 28, tzinfo=utc)


# -- replication copy ------------------------------------------------------------

def test_backup_copy_and_read_from_backup(settings, bucket):
    both = S3ObjectStore.from_settings(load_settings(env={**_env(settings), "SOHOA_S3_BACKUP_BUCKET_SUFFIX": "-bak"}))
    ref = both.put(bucket, "judgments/2024/D15.pdf", b"twice", {"document-id": "D15"})
    copies = both.backup.versions(bucket + "-bak", ref.key)
    assert [c.sha256 for c in copies] == [ref.sha256]
    assert both.backup.retention(copies[0])[0] == COMPLIANCE
    # the primary has lost this version: the bytes come from the backup, still hash-checked
    lost = ObjectRef(bucket, ref.key, "lost-version", ref.sha256, ref.size)
    assert both.get(lost) == b"twice"
    with pytest.raises(StoreError):
        both.get(ObjectRef(bucket, ref.key, "lost-version", "1" * 64, ref.size))


def _env(settings) -> dict[str, str]:
    return {
        "SOHOA_STORE": "s3",
        "SOHOA_S3_ENDPOINT": settings.s3_endpoint,
        "SOHOA_S3_ACCESS_KEY": settings.s3_access_key,
        "SOHOA_S3_SECRET_KEY": settings.s3_secret_key,
        "SOHOA_S3_SECURE": str(settings.s3_secure),
        "SOHOA_S3_REGION": settings.s3_region,
    }


def test_multipart_upload_still_gets_the_lock(store, bucket, monkeypatch):
    # RGW drops the lock headers of a multipart upload (the object gets only the
    # bucket default): put must set the retention and the hold afterwards.
    import sohoa.archive.s3store as s3mod

    monkeypatch.setattr(s3mod, "_MAX_PART", 5 * 1024 * 1024)
    data = os.urandom(6 * 1024 * 1024 + 17)
    ref = store.put(bucket, "scans/2024/big.pdf", data, {"document-id": "BIG"})
    assert store.retention(ref) == (COMPLIANCE, retain_until(store.retention_years)) or \
        store.retention(ref)[1] >= retain_until(store.retention_years) - timedelta(seconds=5)
    assert store.legal_hold(ref) is True
    assert store.get(ref) == data
    assert store.metadata(ref)["document-id"] == "BIG"
