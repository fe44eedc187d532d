"""The object-lock renewal job (retention/objectlock.py): "permanent" is a legal hold plus a
COMPLIANCE retain-until this job renews before it lapses, never shortened.

Against a real Ceph RGW (the s3 session fixture of test_s3store) and a real PostgreSQL
catalogue: objects written with different retentions and holds, the job run as a library,
through `sohoa retention extend` and as the Celery task the beat schedule names; what the
server holds afterwards is read back from the server. The local write-once store has no
retain-until: the job says so and changes nothing."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
import uuid
from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import ROOT, run_sohoa
from sohoa.archive.catalogue import Catalogue, verify_audit_chain
from sohoa.archive.models import AuditEvent, Batch, Document, StoredObject
from sohoa.archive.s3store import MAX_RETAIN_UNTIL, S3ObjectStore, retain_until
from sohoa.archive.store import LocalObjectStore
from sohoa.core.config import load_settings
from sohoa.core.errors import ConfigError
from sohoa.core.storage import ObjectRef
from sohoa.retention.objectlock import extend_retention
from sohoa.retention.schedule import beat_schedule
from sqlalchemy import select
from test_s3store import s3_env  # noqa: F401  (session fixture: Ceph RGW with object lock)

from sohoa.runtime import build_runtime

NOW = datetime.now(timezone.utc)


def _catalogue(url: str, refs: dict[str, ObjectRef]) -> None:
    """One document (and its signed object row) per ref, as the pipeline catalogues them."""
    cat = Catalogue(url)
    try:
        with cat.session() as s:
            if s.get(Batch, "B-RX") is None:
                s.add(Batch(batch_id="B-RX", source_dir="/scans", started_at=NOW))
                s.flush()
            for doc_id, ref in refs.items():
                s.add(Document(document_id=doc_id, content_sha256=hashlib.sha256(doc_id.encode()).hexdigest(),
                               batch_id="B-RX", source=f"{doc_id}.pdf", source_kind="pdf", page_count=1,
                               status="matched", converted_at=NOW, created_at=NOW, updated_at=NOW))
                s.flush()
                s.add(StoredObject(document_id=doc_id, role="signed", bucket=ref.bucket, key=ref.key,
                                   version_id=ref.version_id, sha256=ref.sha256, size=ref.size, created_at=NOW))
    finally:
        cat.dispose()


def _events(rt, action: str) -> list[AuditEvent]:
    with rt.catalogue.session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def _close_to(a: datetime | None, b: datetime, seconds: float = 120) -> bool:
    return a is not None and abs((a - b).total_seconds()) < seconds


@pytest.fixture
def s3_archive(s3_env, pg_database_url, tmp_path):  # noqa: F811
    """A private bucket prefix on RGW holding four documents, catalogued in PostgreSQL, each
    also written to a replication copy (bucket suffix -replica) with the same lock:
    A locked 2 years, B 30 years, C 30 years without legal hold, D 100 years (capped)."""
    prefix = f"rx-{uuid.uuid4().hex[:10]}"
    env = {**s3_env, "SOHOA_STORE": "s3", "SOHOA_HOME": str(tmp_path / "home"), "SOHOA_DB_URL": pg_database_url,
           "SOHOA_BUCKET_PREFIX": prefix, "SOHOA_S3_BACKUP_BUCKET_SUFFIX": "-replica"}

    def store(**kw: str) -> S3ObjectStore:
        return S3ObjectStore.from_settings(load_settings(env={**env, **kw}))

    bucket = f"{prefix}-archive"
    refs = {
        "A": store(SOHOA_RETENTION_YEARS="2").put(bucket, "judgments/2024/A.pdf", b"%PDF-A", {}),
        "B": store(SOHOA_RETENTION_YEARS="30").put(bucket, "judgments/2024/B.pdf", b"%PDF-B", {}),
        "C": store(SOHOA_RETENTION_YEARS="30", SOHOA_LEGAL_HOLD="false").put(bucket, "decisions/2024/C.pdf",
                                                                           b"%PDF-C", {}),
        "D": store(SOHOA_RETENTION_YEARS="100").put(bucket, "certificates/2024/D.pdf", b"%PDF-D", {}),
    }
    _catalogue(pg_database_url, refs)
    return env, refs, store()


def _runtime(env: dict, **kw: str):
    return build_runtime(load_settings(env={**env, **kw}), need_signer=False, actor="test")


@pytest.mark.s3
def test_renews_before_lapse_never_shortens_and_is_idempotent(s3_archive):
    env, refs, store = s3_archive
    lock = {k: store.retention(r)[1] for k, r in refs.items()}
    assert lock["D"] == MAX_RETAIN_UNTIL and not store.legal_hold(refs["C"])
    replica = {k: store.backup.versions(r.bucket + "-replica", r.key)[0] for k, r in refs.items()}
    assert store.backup.retention(replica["A"])[1] < retain_until(3)
    rt = _runtime(env, SOHOA_RETENTION_YEARS="20", SOHOA_RETENTION_EXTEND_WITHIN_DAYS=str(5 * 365))
    try:
        # dry run: A (and its copy) lapse within 5 years, C has no hold; nothing changes on the server
        dry = extend_retention(rt, dry_run=True)
        assert dry.ok and dry.objects == 4
        assert sorted((c.status, c.document_id, c.replica) for c in dry.changes) == [
            ("due", "A", False), ("due", "A", True), ("hold_missing", "C", False)]
        assert {k: store.retention(r)[1] for k, r in refs.items()} == lock
        assert not store.legal_hold(refs["C"]) and not _events(rt, "retention.extend")

        report = extend_retention(rt)
        assert report.ok, report.to_text()
        assert sorted((c.status, c.document_id, c.replica) for c in report.changes) == [
            ("extended", "A", False), ("extended", "A", True), ("hold_restored", "C", False)]
        assert report.counts()["current"] == 3 and Path(report.report_path).is_file()
        mode, until_a = store.retention(refs["A"])
        assert mode == "COMPLIANCE" and _close_to(until_a, retain_until(20)), until_a
        assert until_a > lock["A"] and _close_to(store.backup.retention(replica["A"])[1], until_a)
        # B (30 years) is locked longer than the 20-year target: left alone, not shortened
        assert store.retention(refs["B"])[1] == lock["B"] and store.retention(refs["D"])[1] == lock["D"]
        assert store.legal_hold(refs["C"])
        ev, ev_replica = _events(rt, "object.retention_extend")
        assert ev.object == f"{refs['A'].bucket}/{refs['A'].key}" and ev.detail["document_id"] == "A"
        assert ev.detail["version_id"] == refs["A"].version_id and not ev.detail["replica"]
        assert ev_replica.detail["replica"] and ev_replica.detail["version_id"] == replica["A"].version_id
        assert datetime.fromisoformat(ev.detail["old_until"]) == lock["A"].replace(microsecond=0)
        assert len(_events(rt, "object.legal_hold_restore")) == 1

        again = extend_retention(rt)  # nothing due any more
        assert again.ok and again.changes == [] and again.counts() == {"current": 4}
        assert len(_events(rt, "object.retention_extend")) == 2 and len(_events(rt, "retention.extend")) == 2
        with rt.catalogue.session() as s:
            assert verify_audit_chain(s) == []
    finally:
        rt.catalogue.dispose()

    # 100 years asked: every lock goes up to the cap, read back unwrapped (RGW keeps 32-bit
    # seconds: past 2106-02-07 it would come back in the 1970s), D already there is at_cap
    days_to_cap = (MAX_RETAIN_UNTIL - NOW).days
    rt = _runtime(env, SOHOA_RETENTION_YEARS="100", SOHOA_RETENTION_EXTEND_WITHIN_DAYS=str(days_to_cap + 30))
    try:
        capped = extend_retention(rt)
        assert capped.ok, capped.to_text()
        status = sorted((c.document_id, c.replica, c.status) for c in capped.changes)
        assert status == sorted([(d, r, "extended") for d in "ABC" for r in (False, True)]  # copies too
                                + [("C", True, "hold_restored"), ("D", False, "at_cap"), ("D", True, "at_cap")]), status
        assert {k: store.retention(r)[1] for k, r in refs.items()} == dict.fromkeys(refs, MAX_RETAIN_UNTIL)
        assert {k: store.backup.retention(r)[1] for k, r in replica.items()} == dict.fromkeys(refs, MAX_RETAIN_UNTIL)
        assert store.backup.legal_hold(replica["C"])
    finally:
        rt.catalogue.dispose()
    # back to 20 years: nothing is shortened
    rt = _runtime(env, SOHOA_RETENTION_YEARS="20", SOHOA_RETENTION_EXTEND_WITHIN_DAYS=str(5 * 365))
    try:
        assert extend_retention(rt).changes == []
        assert {k: store.retention(r)[1] for k, r in refs.items()} == dict.fromkeys(refs, MAX_RETAIN_UNTIL)
    finally:
        rt.catalogue.dispose()


@pytest.mark.s3
def test_a_version_the_server_lacks_fails_and_alerts(s3_archive, tmp_path):
    env, refs, store = s3_archive
    lost = ObjectRef(refs["A"].bucket, "judgments/2024/E.pdf", "no-such-version", "0" * 64, 5)
    _catalogue(env["SOHOA_DB_URL"], {"E": lost})
    alerts = tmp_path / "alerts"
    alerts.mkdir()
    rt = _runtime(env, SOHOA_RETENTION_YEARS="20", SOHOA_RETENTION_EXTEND_WITHIN_DAYS=str(5 * 365),
                  SOHOA_ALERT_COMMAND=f"cp -t {alerts}")
    try:
        report = extend_retention(rt)
        assert not report.ok
        (failed,) = [c for c in report.changes if c.status == "failed"]
        assert failed.document_id == "E" and "judgments/2024/E.pdf" in failed.detail, failed
        # the others were still renewed, and the alert command got the report
        assert ("extended", "A") in {(c.status, c.document_id) for c in report.changes}
        assert [p.name for p in alerts.iterdir()] == [Path(report.report_path).name]
        (ev,) = _events(rt, "retention.extend")
        assert ev.outcome == "failed" and ev.detail["counts"]["failed"] == 1
    finally:
        rt.catalogue.dispose()


@pytest.mark.s3
@pytest.mark.slow  # three CLI/worker processes
def test_cli_and_the_beat_task(s3_archive):
    env, refs, store = s3_archive
    env = {**env, "SOHOA_RETENTION_YEARS": "20", "SOHOA_RETENTION_EXTEND_WITHIN_DAYS": str(5 * 365)}
    home = Path(env["SOHOA_HOME"])
    before = store.retention(refs["A"])[1]

    out = run_sohoa(home, "retention", "extend", "--dry-run", "--json", env=env)
    data = json.loads(out.stdout)
    assert data["ok"] and data["dry_run"] and data["counts"] == {"current": 3, "due": 2, "hold_missing": 1}
    assert "retention extend: 4/4 objects" in out.stderr  # progress
    assert store.retention(refs["A"])[1] == before

    # the beat schedule names the task; a worker's app runs it (eager here: no broker)
    schedule = beat_schedule(load_settings(env=env))
    assert schedule["retention-extend"]["task"] == "retention.extend"
    code = ("import json; from sohoa.worker import app; "
            "print(json.dumps(app.tasks['retention.extend'].apply().get()))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, **env, "SOHOA_BROKER_URL": ""})
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["ok"] and result["counts"] == {"current": 3, "extended": 2, "hold_restored": 1}, result
    assert _close_to(store.retention(refs["A"])[1], retain_until(20))
    assert store.legal_hold(refs["C"])

    out = run_sohoa(home, "retention", "extend", env=env)  # the CLI's text: nothing left to do
    assert "4 current" in out.stdout and "result:  OK" in out.stdout


def test_local_store_has_nothing_to_renew(catalogue_url, home):
    store = LocalObjectStore(home / "objects")
    ref = store.put("sohoa-archive", "judgments/2024/L.pdf", b"%PDF-L", {})
    _catalogue(catalogue_url, {"L": ref})
    rt = _runtime({"SOHOA_HOME": str(home), "SOHOA_DB_URL": catalogue_url})
    try:
        report = extend_retention(rt)
        assert report.ok and not report.supported and report.objects == 1 and report.changes == []
        assert "nothing to do: the local write-once store has no retain-until date" in report.to_text()
        assert store.versions("sohoa-archive", ref.key) == [ref]
        (ev,) = _events(rt, "retention.extend")
        assert ev.detail["supported"] is False and ev.detail["objects"] == 1
        # a window as long as the retention itself would renew everything on every run: refused
        with pytest.raises(ConfigError, match="shorter than retention_years"):
            extend_retention(rt, within_days=80 * 365)
    finally:
        rt.catalogue.dispose()


def test_beat_entry_can_be_turned_off(tmp_path):
    settings = load_settings(env={"SOHOA_HOME": str(tmp_path), "SOHOA_RETENTION_EXTEND_SCHEDULE": ""})
    assert "retention-extend" not in beat_schedule(settings)
    assert "retention-extend" in beat_schedule(load_settings(env={"SOHOA_HOME": str(tmp_path)}))
