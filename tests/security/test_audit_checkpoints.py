"""Hostile edits of the audit log against its sealed checkpoints (issue 17 item 7), on
SQLite and PostgreSQL: each attempt, and what `audit verify` must say about it.

| attempt                                              | expected                                   |
|------------------------------------------------------|--------------------------------------------|
| the last 25 events deleted                           | BROKEN: 25 events cut off, checkpoint named|
| every event deleted                                  | BROKEN: 40 events cut off                  |
| the last 10 deleted, 10 forged events appended       | BROKEN: the checkpoint's head differs      |
| an event's detail edited                             | BROKEN: contents edited (the chain)        |
| an event removed before the first checkpoint         | checkpoint refused: chain broken           |
| a checkpoint with a higher count, payload rewritten  | BROKEN: seal fails (bytes differ)          |
| a checkpoint sealed by a key no trust root vouches for| BROKEN: signer does not chain to a root   |
| a checkpoint that is not one (garbage bytes)         | BROKEN: not a sealed checkpoint            |
| the log truncated, then `audit checkpoint` to re-anchor | refused: the log is cut off             |
| the checkpoint object deleted from S3 (Ceph RGW)     | refused by object lock; the cut is named   |
| a DEMO-key seal where only the production root is trusted | not trusted                           |
| an untouched log                                     | intact, anchored (with a TSA: timestamped) |
"""
from __future__ import annotations

import base64
import json
import shutil
from pathlib import Path

import pytest
from sohoa.archive.catalogue import Catalogue, audit
from sohoa.archive.models import AuditEvent
from sohoa.archive.store import LocalObjectStore
from sohoa.core.config import Settings
from sohoa.core.runtime import Runtime
from sohoa.retention.checkpoints import (
    PREFIX,
    CheckpointError,
    checkpoint_bucket,
    checkpoint_keys,
    verify_log,
    write_checkpoint,
)
from sqlalchemy import delete, func, select

EVENTS = 40


@pytest.fixture(scope="module")
def demo_keys(tmp_path_factory) -> Path:
    """One DEMO signing key for the module (an RSA-3072 key takes seconds to make)."""
    from sohoa.pipeline.sign.keys import load_demo

    keys = tmp_path_factory.mktemp("demo") / "keys"
    load_demo(keys, "Đơn vị thử")
    return keys


@pytest.fixture(scope="module")
def blank_sqlite(tmp_path_factory) -> Path:
    """A migrated empty SQLite catalogue, copied by each test (migrating takes seconds)."""
    path = tmp_path_factory.mktemp("blank") / "catalogue.sqlite3"
    Catalogue(f"sqlite:///{path}").dispose()
    return path


def _sqlite(blank: Path, tmp_path: Path) -> str:
    dest = tmp_path / "catalogue.sqlite3"
    shutil.copyfile(blank, dest)
    return f"sqlite:///{dest}"


def _runtime(home: Path, url: str, keys: Path) -> Runtime:
    shutil.copytree(keys, home / "keys")
    settings = Settings(home=home, db_url=url, unit="Đơn vị thử")
    return Runtime(settings=settings, catalogue=Catalogue(url), store=LocalObjectStore(settings.store_root),
                   signer=None, actor="test")


def _append(rt: Runtime, n: int, what: str = "batch.start") -> None:
    with rt.catalogue.session() as s:
        for i in range(n):
            audit(s, "cli:clerk", what, f"B{i:04d}", entries=i)


@pytest.fixture
def anchored(tmp_path, demo_keys, blank_sqlite):
    """A log of 40 events anchored by a checkpoint (SQLite; the cuts run on PostgreSQL too,
    in test_cuts_on_each_database)."""
    rt = _runtime(tmp_path / "home", _sqlite(blank_sqlite, tmp_path), demo_keys)
    _append(rt, EVENTS)
    res = write_checkpoint(rt)
    assert res.written and res.count == EVENTS and res.key.startswith(PREFIX)
    yield rt
    rt.catalogue.dispose()


def _cut(rt: Runtime, keep: int) -> None:
    with rt.catalogue.session() as s:
        ids = list(s.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
        s.execute(delete(AuditEvent).where(AuditEvent.id.in_(ids[keep:])))


def test_cuts_on_each_database(catalogue_url, tmp_path, demo_keys):
    """The same log cut three ways in a row, on SQLite and PostgreSQL (ids are reused
    on one, not on the other: the anchor must not depend on it)."""
    rt = _runtime(tmp_path / "home", catalogue_url, demo_keys)
    try:
        _append(rt, EVENTS)
        key = write_checkpoint(rt).key
        assert verify_log(rt).ok
        _cut(rt, EVENTS - 10)
        _append(rt, 10, "batch.finish")  # the tail rewritten, the chain whole again
        problems = verify_log(rt).problems
        assert problems and all(key in p for p in problems), problems
        assert any("rewritten" in p or "is gone" in p for p in problems), problems
        _cut(rt, EVENTS - 25)
        assert any("25 event(s) cut off" in p for p in verify_log(rt).problems)
        _cut(rt, 0)
        report = verify_log(rt)
        assert report.events == 0 and any(f"{EVENTS} event(s) cut off" in p for p in report.problems)
    finally:
        rt.catalogue.dispose()


def test_an_untouched_log_is_intact_and_anchored(anchored):
    report = verify_log(anchored)
    assert report.ok, report.problems
    assert report.events == EVENTS and report.checkpoints == 1
    cp = report.checked[0]
    assert cp["count"] == EVENTS and "DEMO" in cp["signer"]
    # more events after the checkpoint are fine: the checkpoint is a floor, not a ceiling
    _append(anchored, 3)
    assert verify_log(anchored).ok
    assert write_checkpoint(anchored).written and len(checkpoint_keys(anchored)) == 2
    assert not write_checkpoint(anchored).written  # the head has not moved: nothing new to seal


def test_the_last_events_deleted_are_named(anchored):
    _cut(anchored, EVENTS - 25)
    report = verify_log(anchored)
    assert not report.ok
    assert any("25 event(s) cut off" in p and checkpoint_keys(anchored)[-1] in p for p in report.problems), \
        report.problems


def test_every_event_deleted_is_noticed(anchored):
    _cut(anchored, 0)
    report = verify_log(anchored)
    assert report.events == 0 and not report.ok
    assert any(f"{EVENTS} event(s) cut off" in p for p in report.problems), report.problems


def test_a_rewritten_tail_with_a_whole_chain_is_noticed(anchored):
    _cut(anchored, EVENTS - 10)
    _append(anchored, 10, "batch.finish")  # the chain links again: only the anchor can tell
    with anchored.catalogue.session() as s:
        assert s.scalar(select(func.count()).select_from(AuditEvent)) == EVENTS
    report = verify_log(anchored)
    assert not report.ok
    assert any("rewritten" in p or "is gone" in p for p in report.problems), report.problems
    assert all("edited" not in p for p in report.problems)  # the chain itself checks out


def test_an_edited_event_breaks_the_chain_and_no_checkpoint_covers_it(anchored):
    with anchored.catalogue.session() as s:
        ev = s.scalars(select(AuditEvent).order_by(AuditEvent.id).offset(5).limit(1)).one()
        ev.detail = {"entries": 999}
    report = verify_log(anchored)
    assert any(f"event {ev.id}: contents edited" in p for p in report.problems), report.problems
    # a later checkpoint checks the chain from the previous head on, and cannot hide the edit either
    _append(anchored, 2)
    assert write_checkpoint(anchored).written
    assert any(f"event {ev.id}: contents edited" in p for p in verify_log(anchored).problems)


def test_a_log_broken_before_its_first_checkpoint_is_not_anchored(tmp_path, demo_keys, blank_sqlite):
    rt = _runtime(tmp_path / "home", _sqlite(blank_sqlite, tmp_path), demo_keys)
    _append(rt, 5)
    _cut_middle(rt)
    with pytest.raises(CheckpointError, match="not anchoring a broken log"):
        write_checkpoint(rt)
    assert checkpoint_keys(rt) == []
    rt.catalogue.dispose()


def _cut_middle(rt: Runtime) -> None:
    with rt.catalogue.session() as s:
        ids = list(s.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))
        s.execute(delete(AuditEvent).where(AuditEvent.id == ids[2]))


def test_the_log_truncated_then_re_anchored_is_refused(anchored):
    _cut(anchored, EVENTS - 5)
    with pytest.raises(CheckpointError, match="cut off"):
        write_checkpoint(anchored)
    assert len(checkpoint_keys(anchored)) == 1


def _stored(rt: Runtime) -> dict:
    key = checkpoint_keys(rt)[-1]
    ref = rt.store.versions(checkpoint_bucket(rt), key)[0]
    return json.loads(rt.store.get(ref))


def test_a_forged_checkpoint_fails_its_seal(anchored):
    env = _stored(anchored)
    body = json.loads(env["payload"])
    body["count"] = 3  # "the log had only 3 events": covering a truncation
    forged = {"payload": json.dumps(body, sort_keys=True, separators=(",", ":")), "cms": env["cms"]}
    anchored.store.put(checkpoint_bucket(anchored), f"{PREFIX}{999999999999:012d}-20991231T000000000000Z.json",
                       json.dumps(forged).encode(), {})
    report = verify_log(anchored)
    assert any("seal fails" in p and "altered after signing" in p for p in report.problems), report.problems


def test_a_checkpoint_sealed_by_an_untrusted_key_fails(anchored, tmp_path):
    from sohoa.pipeline.sign.keys import load_demo
    from sohoa.retention.seal import seal

    other = load_demo(tmp_path / "intruder-keys", "intruder")  # a DEMO key of another machine
    env = _stored(anchored)
    body = json.loads(env["payload"])
    body["count"], body["head_id"] = 1, 1
    payload = json.dumps(body, sort_keys=True, separators=(",", ":"))
    forged = {"payload": payload, "cms": base64.b64encode(seal(other, payload.encode())).decode()}
    anchored.store.put(checkpoint_bucket(anchored), f"{PREFIX}{999999999999:012d}-20991231T000000000000Z.json",
                       json.dumps(forged).encode(), {})
    report = verify_log(anchored)
    assert any("does not chain to a trust root" in p for p in report.problems), report.problems
    assert any("name does not match" in p for p in report.problems)


def test_garbage_under_the_checkpoint_prefix_is_reported(anchored):
    anchored.store.put(checkpoint_bucket(anchored), f"{PREFIX}{999999999999:012d}-20991231T000000000000Z.json",
                       b"\x00\xffnot json", {})
    report = verify_log(anchored)
    assert any("not a sealed checkpoint" in p for p in report.problems), report.problems


def test_no_checkpoint_yet_is_a_note_not_a_pass_by_silence(tmp_path, demo_keys, blank_sqlite):
    rt = _runtime(tmp_path / "home", _sqlite(blank_sqlite, tmp_path), demo_keys)
    _append(rt, 3)
    report = verify_log(rt)
    assert report.ok and report.checkpoints == 0
    assert any("no checkpoint" in n for n in report.notes)
    rt.catalogue.dispose()


def test_the_commands_anchor_and_name_the_cut(tmp_path, demo_keys, blank_sqlite):
    from conftest import run_sohoa
    from sohoa.retention.schedule import beat_schedule

    home = tmp_path / "home"
    url = _sqlite(blank_sqlite, tmp_path)
    rt = _runtime(home, url, demo_keys)
    _append(rt, 12)
    env = {"SOHOA_DB_URL": url}
    r = run_sohoa(home, "audit", "checkpoint", check=False, env=env)
    assert r.returncode == 0 and "12 events" in r.stdout, r.stdout + r.stderr
    _cut(rt, 7)
    r = run_sohoa(home, "audit", "verify", check=False, env=env)
    assert r.returncode == 1 and "5 event(s) cut off" in r.stdout and "BROKEN" in r.stderr, r.stdout + r.stderr
    rt.catalogue.dispose()  # (`audit checkpoint` refusing to re-anchor: test_the_log_truncated_then_re_anchored_…)
    # and on the beat, every half hour by default
    entry = beat_schedule(Settings())["audit-checkpoint"]
    assert entry["task"] == "retention.audit_checkpoint" and entry["schedule"].minute == {0, 30}
    assert "audit-checkpoint" not in beat_schedule(Settings(audit_checkpoint_schedule=""))


@pytest.mark.slow  # the test PKI takes ~30 s to make and serve
def test_a_production_key_and_a_tsa_seal_and_timestamp_the_checkpoint(tmp_path, blank_sqlite):
    """The test PKI (a PKCS#12 signer under a root, a TSA): the checkpoint carries the TSA's
    time; a checkpoint sealed by a DEMO key is not trusted where only the real root is."""
    from sohoa.corpus.pki import create_pki, serve_in_thread
    from sohoa.pipeline.sign.keys import load_demo
    from sohoa.retention.seal import check_seal, seal

    pki = create_pki(tmp_path / "pki", port=0)
    with serve_in_thread(pki):
        settings = Settings(home=tmp_path / "home", db_url=_sqlite(blank_sqlite, tmp_path), unit="Đơn vị thử",
                            sign_pkcs12=str(pki.signer_p12), sign_pkcs12_password=pki.password,
                            tsa_url=pki.tsa_url(), trust_roots=str(pki.root_pem))
        rt = Runtime(settings=settings, catalogue=Catalogue(settings.database_url),
                     store=LocalObjectStore(settings.store_root), signer=None, actor="test")
        _append(rt, 5)
        assert write_checkpoint(rt).written
        report = verify_log(rt)
        rt.catalogue.dispose()
    assert report.ok, report.problems
    cp = report.checked[0]
    assert cp["timestamp"] and "DEMO" not in cp["signer"], cp
    demo = load_demo(tmp_path / "elsewhere", "intruder")
    from sohoa.pipeline.sign import load_trust_roots

    check = check_seal(b"{}", seal(demo, b"{}"), load_trust_roots(settings))
    assert not check.ok and check.demo and "does not chain to a trust root" in check.problems[0]


from test_s3store import s3_env  # noqa: E402,F401  (the session fixture booting/reusing Ceph RGW)


@pytest.mark.s3
def test_on_s3_a_checkpoint_is_locked_and_the_cut_is_named(s3_env, tmp_path, demo_keys, blank_sqlite):
    import uuid

    from minio.error import S3Error
    from sohoa.archive.s3store import S3ObjectStore
    from sohoa.core.config import load_settings

    home = tmp_path / "home"
    shutil.copytree(demo_keys, home / "keys")
    url = _sqlite(blank_sqlite, tmp_path)
    settings = load_settings(env={**s3_env, "SOHOA_HOME": str(home), "SOHOA_DB_URL": url,
                                  "SOHOA_BUCKET_PREFIX": f"ck{uuid.uuid4().hex[:10]}"})
    store = S3ObjectStore.from_settings(settings)
    rt = Runtime(settings=settings, catalogue=Catalogue(url), store=store, signer=None, actor="test")
    try:
        _append(rt, 20)
        key = write_checkpoint(rt).key
        assert verify_log(rt).ok
        bucket = checkpoint_bucket(rt)
        ref = store.versions(bucket, key)[0]
        with pytest.raises(S3Error):  # object lock: the anchor cannot be taken away with the events
            store.client.remove_object(bucket, key, version_id=ref.version_id)
        _cut(rt, 15)
        problems = verify_log(rt).problems
        assert any("5 event(s) cut off" in p and key in p for p in problems), problems
    finally:
        rt.catalogue.dispose()
