"""Backups and restore drills against a real archive (real OCR, signing, store):
a full backup, one more document processed, an incremental backup holding only
its objects; a restore drill into a scratch directory verifying every hash and
signature; objects deleted or corrupted on the target reported by the drill.
Variants: a PostgreSQL catalogue (pg_dump/pg_restore into a scratch database)
and the archive on S3 (Ceph RGW) with a second bucket as the target."""
from __future__ import annotations

import json
import os
import shutil
import uuid
from pathlib import Path

import pytest
from sohoa.archive.models import AuditEvent, StoredObject
from sohoa.core.storage import ObjectRef
from sohoa.retention.backup import BackupError, backup, list_runs, open_target, restore_drill
from sohoa.retention.integrity import check_integrity
from sqlalchemy import create_engine, select, text
from test_retention_integrity import make_sample, process, run_cli, runtime, subset_batch

FIRST = ["HS_2019_0002.tif", "HS_2019_0003.tiff"]
LATER = "scan_0001"


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    return make_sample(tmp_path_factory.mktemp("backup") / "sample")


@pytest.fixture(scope="module")
def backed_up(sample, tmp_path_factory):
    """Two documents archived, a full backup; the third document archived, an
    incremental backup. Returns (home, target, full result, incremental result, new objects)."""
    base = tmp_path_factory.mktemp("backed-up")
    home, target = base / "home", base / "second-disk"
    process(home, sample, subset_batch(sample, base / "batch-a", FIRST))
    rt = runtime(home)
    full = backup(rt, "full", str(target))
    with rt.catalogue.session() as s:
        before = set(s.scalars(select(StoredObject.id)))
    process(home, sample, sample / "batch")  # the first two are re-used, the third is new
    with rt.catalogue.session() as s:
        new = [o for o in s.scalars(select(StoredObject).order_by(StoredObject.id)) if o.id not in before]
    inc = backup(rt, "incremental", str(target))
    return home, target, full, inc, new


def _entries(target: Path, run_id: str) -> list[dict]:
    lines = (target / "runs" / run_id / "objects.jsonl").read_text("utf-8").splitlines()
    return [json.loads(x) for x in lines if x.strip()]


def test_full_then_incremental_holds_only_the_new_objects(backed_up):
    home, target, full, inc, new = backed_up
    assert full.ok and inc.ok, (full.to_text(), inc.to_text())
    assert (full.kind, full.objects) == ("full", 2)
    assert len(new) == 1
    assert (inc.kind, inc.objects) == ("incremental", 1)
    assert [(e["object_id"], e["sha256"], e["document_id"]) for e in _entries(target, inc.run_id)] == [
        (o.id, o.sha256, o.document_id) for o in new]
    inc_files = list((target / "runs" / inc.run_id / "objects").rglob("*"))
    assert [p.name for p in inc_files if p.is_file()] == [new[0].sha256]

    for res in (full, inc):
        m = json.loads((target / "runs" / res.run_id / "manifest.json").read_text("utf-8"))
        assert m["kind"] == res.kind and m["run_id"] == res.run_id and m["started_at"] and m["finished_at"]
        assert m["catalogue"]["format"] == "sqlite"
        dump = target / "runs" / res.run_id / m["catalogue"]["path"]
        import hashlib

        assert hashlib.sha256(dump.read_bytes()).hexdigest() == m["catalogue"]["sha256"]
        assert dump.stat().st_size == m["catalogue"]["size"]
        for e in _entries(target, res.run_id):  # every object file matches its manifest line
            data = (target / "runs" / res.run_id / e["path"]).read_bytes()
            assert hashlib.sha256(data).hexdigest() == e["sha256"] and len(data) == e["size"]
    m = json.loads((target / "runs" / inc.run_id / "manifest.json").read_text("utf-8"))
    assert m["base_full"] == full.run_id and m["previous"] == full.run_id

    rt = runtime(home)
    with rt.catalogue.session() as s:
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "backup.run").order_by(AuditEvent.id)))
    assert [(e.outcome, e.detail["kind"], e.detail["objects"]) for e in events] == [
        ("ok", "full", 2), ("ok", "incremental", 1)]

    proc = run_cli(home, "backup", "list", "--target", str(target))
    assert proc.returncode == 0 and full.run_id in proc.stdout and inc.run_id in proc.stdout


def test_restore_drill_verifies_every_hash_and_signature(backed_up, tmp_path):
    home, target, full, inc, new = backed_up
    rt = runtime(home)
    report = restore_drill(rt, str(target), tmp_path / "scratch")
    assert report.ok, report.to_text()
    assert report.runs == [full.run_id, inc.run_id] and report.catalogue_from == inc.run_id
    assert report.objects_restored == 3 and report.manifest_entries == 3
    assert report.objects_verified == 3 and report.signatures_verified == 3 and report.catalogue_objects == 3
    assert report.missing == [] and report.corrupt == [] and report.findings == []
    assert report.seconds > 0 and report.restore_seconds > 0 and report.verify_seconds > 0
    data = json.loads(Path(report.report_path).read_text("utf-8"))
    assert data["ok"] is True and data["seconds"] == report.seconds
    # the scratch archive is a working one: same documents, same version ids
    scratch = runtime(tmp_path / "scratch")
    assert check_integrity(scratch, trust_roots=[], signatures=False, write_report=False, record=False).ok
    with rt.catalogue.session() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "backup.restore_drill")
                       .order_by(AuditEvent.id.desc()).limit(1)).one()
    assert ev.outcome == "ok" and ev.detail["objects"] == 3
    print(f"restore drill of the test archive: {report.seconds:.2f} s "
          f"(restore {report.restore_seconds:.2f} s, verify {report.verify_seconds:.2f} s)")

    proc = run_cli(home, "backup", "restore-drill", "--target", str(target))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "OK in" in proc.stdout and "3 signatures re-validated" in proc.stdout


def test_drill_reports_an_object_deleted_from_the_target(backed_up, tmp_path):
    home, target, full, inc, new = backed_up
    copy = tmp_path / "target-copy"
    shutil.copytree(target, copy)
    gone = _entries(copy, full.run_id)[0]
    (copy / "runs" / full.run_id / gone["path"]).unlink()

    report = restore_drill(runtime(home), str(copy))
    assert not report.ok
    assert [(m["run"], m["document_id"], m["sha256"]) for m in report.missing] == [
        (full.run_id, gone["document_id"], gone["sha256"])], report.to_text()
    assert report.corrupt == [] and report.findings == [] and report.objects_restored == 2
    assert gone["document_id"] in report.to_text() and "MISSING" in report.to_text()

    proc = run_cli(home, "backup", "restore-drill", "--target", str(copy), "--json")
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["missing"][0]["document_id"] == gone["document_id"]


def test_drill_reports_a_corrupt_object_on_the_target(backed_up, tmp_path):
    home, target, full, inc, new = backed_up
    copy = tmp_path / "target-copy"
    shutil.copytree(target, copy)
    bad = _entries(copy, inc.run_id)[0]
    path = copy / "runs" / inc.run_id / bad["path"]
    os.chmod(path, 0o644)
    path.write_bytes(path.read_bytes()[:-10] + b"0123456789")

    report = restore_drill(runtime(home), str(copy))
    assert [(c["document_id"], c["sha256"]) for c in report.corrupt] == [(bad["document_id"], bad["sha256"])]
    assert not report.ok and report.missing == []


def test_first_incremental_is_full_and_a_target_in_the_store_is_refused(backed_up, tmp_path):
    home = backed_up[0]
    rt = runtime(home)
    res = backup(rt, "incremental", str(tmp_path / "fresh"))
    assert (res.kind, res.objects) == ("full", 3) and res.manifest["requested_kind"] == "incremental"
    with pytest.raises(BackupError, match="second copy"):
        open_target(str(home / "objects" / "backup"), rt.settings)
    runs, unfinished = list_runs(open_target(str(tmp_path / "fresh"), rt.settings))
    assert [m["run_id"] for m in runs] == [res.run_id] and unfinished == []


# -- PostgreSQL catalogue ----------------------------------------------------------


def test_postgresql_catalogue_backup_and_drill(sample, pg_database_url, pg_admin_url, tmp_path):
    env = {"SOHOA_DB_URL": pg_database_url}
    home, target = tmp_path / "home", tmp_path / "second-disk"
    process(home, sample, subset_batch(sample, tmp_path / "batch", FIRST[:1]), env=env)
    rt = runtime(home, env)
    res = backup(rt, "full", str(target))
    assert res.ok and res.objects == 1
    m = res.manifest
    assert m["catalogue"]["format"] == "pg_dump-custom" and m["catalogue"]["size"] > 0
    assert (target / "runs" / res.run_id / "catalogue.pgdump").read_bytes()[:5] == b"PGDMP"

    report = restore_drill(rt, str(target), tmp_path / "scratch")
    assert report.ok, report.to_text()
    assert report.scratch_catalogue.startswith("postgresql") and "_drill_" in report.scratch_catalogue
    assert report.objects_verified == 1 and report.signatures_verified == 1 and report.catalogue_objects == 1
    scratch_db = report.scratch_catalogue.rsplit("/", 1)[1]
    admin = create_engine(pg_admin_url)
    try:
        with admin.connect() as conn:  # the scratch database was dropped afterwards
            assert conn.execute(text("SELECT count(*) FROM pg_database WHERE datname = :n"),
                                {"n": scratch_db}).scalar() == 0
    finally:
        admin.dispose()


# -- S3: the archive on Ceph RGW, the backup in a second bucket -----------------------

from test_s3store import s3_env  # noqa: E402,F401  (the session fixture booting/reusing RGW)


@pytest.mark.s3
def test_s3_archive_backup_to_a_second_bucket_and_drill(sample, s3_env, tmp_path):
    prefix = f"bk{uuid.uuid4().hex[:10]}"
    env = {**s3_env, "SOHOA_STORE": "s3", "SOHOA_BUCKET_PREFIX": prefix}
    home = tmp_path / "home"
    process(home, sample, subset_batch(sample, tmp_path / "batch", FIRST[:1]), env=env)
    rt = runtime(home, env)
    clean = check_integrity(rt)
    assert clean.ok and clean.objects_checked == 1 and clean.signatures_checked == 1, clean.to_text()

    target = f"s3://{prefix}-backup/nightly"
    with pytest.raises(BackupError, match="archive bucket itself"):
        open_target(f"s3://{prefix}-archive", rt.settings)
    res = backup(rt, "full", target)
    assert res.ok and res.objects == 1, res.to_text()
    report = restore_drill(rt, target, tmp_path / "scratch")
    assert report.ok and report.signatures_verified == 1 and report.objects_restored == 1, report.to_text()

    proc = run_cli(home, "backup", "list", "--target", target, env=env)
    assert proc.returncode == 0 and res.run_id in proc.stdout


    # an orphan version in the archive bucket is found over S3 too
    stray = rt.store.put(rt.bucket, "judgments/2019/Dstray.pdf", b"%PDF-1.7 stray", {})
    found = check_integrity(rt)
    assert [(f.kind, f.key, f.version_id) for f in found.findings] == [("orphan", stray.key, stray.version_id)]

    # an object removed from the backup bucket (a delete marker) is reported missing by the drill
    tgt = open_target(target, rt.settings)
    entry = next(iter(_s3_entries(tgt, res.run_id)))
    tgt.client.remove_object(tgt.bucket, f"{tgt.prefix}runs/{res.run_id}/{entry['path']}")
    report = restore_drill(rt, target)
    assert [(m["document_id"], m["sha256"]) for m in report.missing] == [(entry["document_id"], entry["sha256"])]
    assert not report.ok

    # the archive's version lost (the catalogue names one the bucket no longer has): repaired from a
    # fresh backup run as a new, locked version of the key, and the catalogue row follows it
    from sohoa.retention.repair import repair_objects

    again = backup(rt, "full", target)
    with rt.catalogue.session() as s:
        obj = s.scalars(select(StoredObject)).one()
        lost, obj.version_id = obj.version_id, "lost-version-0000"
    assert [f.kind for f in check_integrity(rt, write_report=False, record=False, alert=False).findings
            if f.kind != "orphan"] == ["missing"]
    fixed = repair_objects(rt, target)
    assert fixed.ok and [(r.outcome, r.from_run) for r in fixed.repairs] == [("repaired", again.run_id)], \
        fixed.to_text()
    new_version = fixed.repairs[0].new_version_id
    assert new_version and new_version != lost
    assert rt.store.stat(rt.bucket, obj.key, new_version).sha256 == obj.sha256
    assert rt.store.retention(ObjectRef(rt.bucket, obj.key, new_version, obj.sha256, obj.size))[0] == "COMPLIANCE"
    after = check_integrity(rt, write_report=False, record=False, alert=False)
    assert after.signatures_checked == 1 and {(f.kind, f.version_id) for f in after.findings} == {
        ("orphan", stray.version_id), ("orphan", lost)}, after.to_text()  # the "lost" one is still there here


def _s3_entries(tgt, run_id: str):
    from sohoa.retention.backup import iter_entries

    runs, _ = list_runs(tgt)
    return iter_entries(tgt, next(m for m in runs if m["run_id"] == run_id))


# -- sealed manifests and repairs from a backup (issue 17 items 7, 8) -------------------


def _writable(path: Path) -> Path:
    os.chmod(path, 0o644)
    return path


def test_manifests_are_sealed_and_a_dump_rewritten_with_its_manifest_fails_the_drill(backed_up, tmp_path):
    import hashlib
    import sqlite3

    from sohoa.retention.backup import SEAL, check_manifest_seal
    from sohoa.retention.integrity import trust_roots_for

    home, target, full, inc, new = backed_up
    rt = runtime(home)
    roots = trust_roots_for(rt.settings)
    for res in (full, inc):
        assert (target / "runs" / res.run_id / SEAL).is_file()
        assert check_manifest_seal(open_target(str(target), rt.settings), res.run_id, roots) == []
    copy = tmp_path / "target-copy"
    shutil.copytree(target, copy)
    # the newest run's catalogue rewritten (every read made certain), its manifest made to match
    run = copy / "runs" / inc.run_id
    dump = _writable(run / "catalogue.sqlite3")
    with sqlite3.connect(dump) as db:
        assert db.execute("UPDATE fields SET confidence = 0.999").rowcount > 0
    manifest = json.loads(_writable(run / "manifest.json").read_text("utf-8"))
    data = dump.read_bytes()
    manifest["catalogue"].update(sha256=hashlib.sha256(data).hexdigest(), size=len(data))
    (run / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
    # and the full run's seal deleted
    _writable(copy / "runs" / full.run_id / SEAL).unlink()

    report = restore_drill(rt, str(copy), record=False, alert=False)
    assert not report.ok
    assert report.problems == [
        f"run {full.run_id}: the manifest is not sealed ({SEAL} is missing): it could have been rewritten",
        f"run {inc.run_id}: manifest seal fails: the signed bytes differ from these (the document was altered "
        "after signing)"], report.to_text()
    assert report.objects_restored == 3 and report.missing == [] and report.corrupt == []  # only the seal tells


def _blob(home: Path, sha: str) -> Path:
    return home / "objects" / "blobs" / "sha256" / sha[:2] / sha


def test_repair_puts_back_corrupt_and_missing_objects_from_the_backup(backed_up, tmp_path):
    home0, target, full, inc, new = backed_up
    home = tmp_path / "home"
    shutil.copytree(home0, home, symlinks=True)
    rt = runtime(home)
    with rt.catalogue.session() as s:
        objs = list(s.scalars(select(StoredObject).order_by(StoredObject.id)))
    corrupt, missing, fine = objs
    blob = _writable(_blob(home, corrupt.sha256))
    blob.write_bytes(blob.read_bytes()[:-20] + b"\x00" * 20)
    _blob(home, missing.sha256).unlink()
    broken = check_integrity(rt, signatures=False, write_report=False, record=False, alert=False)
    assert sorted(f.kind for f in broken.findings) == ["corrupt", "missing"]

    proc = run_cli(home, "integrity", "repair", "--from", str(target), "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = json.loads(proc.stdout)
    assert out["checked"] == 3 and out["ok"] is True
    assert [(r["object_id"], r["outcome"], r["damage"]) for r in out["repairs"]] == [
        (corrupt.id, "repaired", ["corrupt"]), (missing.id, "repaired", ["missing"])]
    assert all("signature re-validated" in r["detail"] for r in out["repairs"])
    # the missing one is the incremental run's: the newest run holding the content is used
    assert {r["object_id"]: r["from_run"] for r in out["repairs"]}[missing.id] == (
        inc.run_id if missing.id == new[0].id else full.run_id)
    assert check_integrity(rt, write_report=False, record=False, alert=False).ok
    with rt.catalogue.session() as s:
        events = list(s.scalars(select(AuditEvent).where(AuditEvent.action == "integrity.repair")
                                .order_by(AuditEvent.id)))
    assert [(e.outcome, e.detail["object_id"], e.detail["sha256"]) for e in events] == [
        ("ok", corrupt.id, corrupt.sha256), ("ok", missing.id, missing.sha256)]
    assert fine.id not in {e.detail["object_id"] for e in events}


def test_repair_refuses_a_damaged_backup_copy(backed_up, tmp_path):
    home0, target0, full, inc, new = backed_up
    home, target = tmp_path / "home", tmp_path / "target"
    shutil.copytree(home0, home, symlinks=True)
    shutil.copytree(target0, target)
    rt = runtime(home)
    with rt.catalogue.session() as s:
        obj = s.scalars(select(StoredObject).order_by(StoredObject.id).limit(1)).one()
    _blob(home, obj.sha256).unlink()
    for copy in (target / "runs").glob(f"*/objects/{obj.sha256[:2]}/{obj.sha256}"):  # every backup copy bad
        _writable(copy).write_bytes(b"%PDF-1.7 not the archived bytes")

    from sohoa.retention.repair import repair_objects

    report = repair_objects(rt, str(target), document_ids=[obj.document_id])
    assert not report.ok and [(r.object_id, r.outcome) for r in report.repairs] == [(obj.id, "failed")]
    assert f"FAILED    document {obj.document_id}" in report.to_text() and "holds content" in report.to_text()
    assert not _blob(home, obj.sha256).exists()  # nothing but the archived bytes is ever written
    with rt.catalogue.session() as s:
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "integrity.repair")).one()
    assert ev.outcome == "failed" and ev.detail["document_id"] == obj.document_id
