"""The integrity check against a real archive: three generated documents imported,
processed, signed and stored by the real CLI (once per module); each test works on
its own copy of that data directory and breaks one thing: a corrupt blob, a
deleted blob, an orphan version, a tampered catalogue hash, a stored object whose
signature is gone. Each must be reported specifically (which document, which
object, what is wrong); a clean archive gives no findings."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT, run_sohoa
from sohoa.archive.catalogue import verify_audit_chain
from sohoa.archive.models import AuditEvent, StoredObject
from sohoa.core.config import Settings, load_settings
from sohoa.retention.integrity import check_integrity
from sqlalchemy import select, text

CLI = ("from sohoa.cli import main; from sohoa.cli_retention import register; "
       "register(main); main()")


def run_cli(home: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """`sohoa ARGS` with the integrity/backup commands registered (sohoa.cli wires them in
    with cli_retention.register; this works whether or not it already does)."""
    full = {**os.environ, "SOHOA_HOME": str(home), **(env or {})}
    return subprocess.run([sys.executable, "-c", CLI, *args], capture_output=True, text=True, env=full,
                          cwd=ROOT, timeout=600)


def make_sample(out: Path) -> Path:
    """The 3-document sample (seed 5, clean scans), generated once."""
    run_sohoa(out / "unused-home", "sample", str(out), "--docs", "3", "--seed", "5", "--degradation", "none",
              "--no-bad-files")
    return out


def subset_batch(sample: Path, dest: Path, entries: list[str]) -> Path:
    """A batch with only the given entries of the sample batch (same batch.json)."""
    dest.mkdir(parents=True)
    shutil.copy2(sample / "batch" / "batch.json", dest / "batch.json")
    for name in entries:
        src = sample / "batch" / name
        (shutil.copytree if src.is_dir() else shutil.copy2)(src, dest / name)
    return dest


def process(home: Path, sample: Path, batch: Path, env: dict | None = None) -> None:
    run_sohoa(home, "registry", "import", str(sample / "registry.jsonl"), env=env)
    run_sohoa(home, "process", str(batch), "--report", str(home.parent / f"report-{batch.name}.json"), env=env)


def runtime(home: Path, env: dict | None = None, **overrides):
    from sohoa.runtime import build_runtime

    settings = load_settings(env={"SOHOA_HOME": str(home), **(env or {})}, **overrides)
    return build_runtime(settings, need_signer=False, actor="test")


def copy_home(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest, symlinks=True)
    return dest


@pytest.fixture(scope="module")
def archived(tmp_path_factory) -> Path:
    base = tmp_path_factory.mktemp("integrity")
    sample = make_sample(base / "sample")
    home = base / "home"
    process(home, sample, sample / "batch")
    return home


@pytest.fixture
def home(archived, tmp_path) -> Path:  # a private copy to break
    return copy_home(archived, tmp_path / "home")


def _objects(rt) -> list[StoredObject]:
    with rt.catalogue.session() as s:
        return list(s.scalars(select(StoredObject).order_by(StoredObject.id)))


def _blob(home: Path, sha: str) -> Path:
    return home / "objects" / "blobs" / "sha256" / sha[:2] / sha


def _last_event(rt, action: str) -> AuditEvent:
    with rt.catalogue.session() as s:
        return s.scalars(select(AuditEvent).where(AuditEvent.action == action)
                         .order_by(AuditEvent.id.desc()).limit(1)).one()


def test_clean_archive_has_no_findings_and_writes_report_and_audit(home):
    rt = runtime(home)
    report = check_integrity(rt)
    assert report.ok, report.to_text()
    assert report.findings == []
    assert report.objects_checked == 3 and report.signatures_checked == 3
    assert report.store_versions_scanned == 3
    assert report.bytes_checked == sum(o.size for o in _objects(rt))
    path = Path(report.report_path)
    assert path.parent == home / "reports" and path.name.startswith("integrity-") and path.suffix == ".json"
    data = json.loads(path.read_text("utf-8"))
    assert data["ok"] is True and data["findings"] == [] and data["objects_checked"] == 3
    assert "OK, no findings" in path.with_suffix(".txt").read_text("utf-8")
    ev = _last_event(rt, "integrity.check")
    assert ev.outcome == "ok" and ev.detail["objects"] == 3 and ev.detail["findings"] == 0
    with rt.catalogue.session() as s:
        assert verify_audit_chain(s) == []

    proc = run_cli(home, "integrity", "check")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "OK, no findings" in proc.stdout


def test_corrupt_blob_is_reported(home):
    rt = runtime(home)
    obj = _objects(rt)[0]
    blob = _blob(home, obj.sha256)
    os.chmod(blob, 0o644)
    data = bytearray(blob.read_bytes())
    data[len(data) // 2] ^= 0xFF
    blob.write_bytes(bytes(data))

    report = check_integrity(rt)
    assert not report.ok
    corrupt = [f for f in report.findings if f.kind == "corrupt"]
    assert len(corrupt) == 1, report.to_text()
    f = corrupt[0]
    assert (f.document_id, f.object_id, f.key, f.version_id) == (obj.document_id, obj.id, obj.key, obj.version_id)
    assert f.expected_sha256 == obj.sha256 and f.actual_sha256 == hashlib.sha256(data).hexdigest()
    # every finding is about that one object (its signature no longer validates either)
    assert {x.object_id for x in report.findings} == {obj.id}
    assert {x.kind for x in report.findings} <= {"corrupt", "signature_invalid"}
    assert _last_event(rt, "integrity.check").outcome == "failed"

    proc = run_cli(home, "integrity", "check", "--json")
    assert proc.returncode == 1
    out = json.loads(proc.stdout)
    assert out["ok"] is False and out["counts"]["corrupt"] == 1
    assert out["findings"][0]["document_id"] == obj.document_id


def test_deleted_blob_is_reported_missing(home):
    rt = runtime(home)
    obj = _objects(rt)[1]
    _blob(home, obj.sha256).unlink()

    report = check_integrity(rt)
    assert [(f.kind, f.document_id, f.object_id) for f in report.findings] == [
        ("missing", obj.document_id, obj.id)], report.to_text()
    assert "absent from the store" in report.findings[0].detail
    assert obj.key in report.to_text() and obj.document_id in report.to_text()


def test_orphan_versions_are_reported(home):
    rt = runtime(home)
    obj = _objects(rt)[0]
    stray = rt.store.put(rt.bucket, "judgments/2019/Dstray.pdf", b"%PDF-1.7 not catalogued", {})
    extra = rt.store.put(rt.bucket, obj.key, b"%PDF-1.7 a second version, not catalogued", {})

    report = check_integrity(rt)
    orphans = sorted((f.key, f.version_id, f.actual_sha256) for f in report.findings if f.kind == "orphan")
    assert orphans == sorted([(stray.key, stray.version_id, stray.sha256), (extra.key, extra.version_id, extra.sha256)])
    assert {f.kind for f in report.findings} == {"orphan"}, report.to_text()
    assert report.store_versions_scanned == 5


def test_tampered_catalogue_hash_is_reported(home):
    rt = runtime(home)
    obj = _objects(rt)[2]
    forged = "0" * 64
    with rt.catalogue.engine.begin() as conn:
        conn.execute(text("UPDATE objects SET sha256 = :s WHERE id = :i"), {"s": forged, "i": obj.id})

    report = check_integrity(rt)
    assert [(f.kind, f.object_id, f.document_id) for f in report.findings] == [
        ("catalogue_mismatch", obj.id, obj.document_id)], report.to_text()
    f = report.findings[0]
    assert f.expected_sha256 == forged and f.actual_sha256 == obj.sha256


def test_stored_object_without_valid_signature_is_reported(home):
    rt = runtime(home)
    obj = _objects(rt)[0]
    unsigned = b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n" \
               b"trailer<</Root 1 0 R>>\n%%EOF\n"
    ref = rt.store.put(rt.bucket, obj.key, unsigned, {})
    with rt.catalogue.session() as s:
        s.add(StoredObject(document_id=obj.document_id, role="signed", bucket=ref.bucket, key=ref.key,
                           version_id=ref.version_id, sha256=ref.sha256, size=ref.size, created_at=obj.created_at))

    report = check_integrity(rt)
    bad = [f for f in report.findings if f.kind == "signature_invalid"]
    assert [(f.document_id, f.version_id) for f in bad] == [(obj.document_id, ref.version_id)], report.to_text()
    assert bad[0].problems and {f.kind for f in report.findings} == {"signature_invalid"}


def test_failed_check_runs_the_alert_command_from_the_beat_task(home):
    """The monthly beat task, run as a worker would (here eagerly): a finding logs an
    error and runs SOHOA_ALERT_COMMAND with the report path."""
    rt = runtime(home)
    obj = _objects(rt)[0]
    _blob(home, obj.sha256).unlink()
    marker = home.parent / "alerted.txt"
    script = home.parent / "alert.py"
    script.write_text(f"import sys\nopen({str(marker)!r}, 'w').write(sys.argv[1])\n")
    alert = f"{sys.executable} {script}"
    code = ("from sohoa.worker import integrity_check_task; import json; "
            "print(json.dumps(integrity_check_task.delay().get()))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300,
                          env={**os.environ, "SOHOA_HOME": str(home), "SOHOA_ALERT_COMMAND": alert})
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert result["ok"] is False and result["findings"] == 1
    assert marker.read_text() == result["report"]
    assert json.loads(Path(result["report"]).read_text())["findings"][0]["kind"] == "missing"
    logged = (home / "logs" / "sohoa.jsonl").read_text("utf-8") if (home / "logs" / "sohoa.jsonl").exists() else ""
    assert "integrity check failed" in logged or "integrity check failed" in proc.stderr


def test_beat_schedule_is_monthly_and_configurable():
    from sohoa.retention.schedule import beat_schedule, cron

    from sohoa.worker import app

    entries = app.conf.beat_schedule
    assert entries["integrity-check"]["task"] == "retention.integrity_check"
    assert "retention.integrity_check" in app.tasks and "sohoa.begin" in app.tasks
    monthly = entries["integrity-check"]["schedule"]
    assert monthly.day_of_month == {1} and monthly.hour == {3}
    custom = beat_schedule(Settings(integrity_schedule="15 2 10 * *", restore_drill_schedule=""))
    assert custom["integrity-check"]["schedule"] == cron("15 2 10 * *")
    assert "restore-drill" not in custom
    assert {k: v["kwargs"] for k, v in custom.items() if k.startswith("backup")} == {
        "backup-daily-incremental": {"kind": "incremental", "schedule": "daily"},
        "backup-weekly-full": {"kind": "full", "schedule": "weekly"},
        "backup-monthly-full": {"kind": "full", "schedule": "monthly"},
    }
