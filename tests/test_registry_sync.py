"""`sohoa registry sync`: the registry read from a PostgreSQL database in another system's schema
(tests/foreign_registry.py: a person table joined to a document table), full and incremental;
decisions never reverted by an import or a sync; corrections pushed back with optimistic
concurrency, a conflict when the source changed, backoff when it is down."""
from __future__ import annotations

import json
from datetime import timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from foreign_registry import change_person, fill, filled_source, person_row, sqlite_catalogue, sync, write_mapping
from sohoa.archive.catalogue import utcnow
from sohoa.archive.models import (
    AuditEvent,
    Batch,
    Document,
    Person,
    RegistryHistory,
    RegistryOutbox,
    RegistryRecord,
    RegistrySource,
    ReviewItem,
)
from sohoa.reconciler.deadlines import review_due_at
from sohoa.reconciler.registry import normalise_record
from sohoa.reconciler.sync.mapping import MappingError, parse_mapping
from sohoa.reconciler.sync.outbox import enqueue_decision, push
from sohoa.reconciler.sync.pull import source_engine
from sqlalchemy import func, select

VN = ZoneInfo("Asia/Ho_Chi_Minh")

RECORDS = [
    {"record_id": "R1", "doc_type": "judgment", "document_number": "125/2024/HS-ST", "trial_level": "ST",
     "issue_date": "2024-03-18", "issuer": "Tòa án nhân dân quận Cầu Giấy", "person_name": "Nguyễn Văn An",
     "birth_date": "1990-05-02", "personal_id": "001090012345", "charges": ["Trộm cắp tài sản"],
     "penal_code_articles": ["173", "51"], "principal_penalty": "imprisonment", "penalty_months": 40},
    {"record_id": "R2", "doc_type": "judgment", "document_number": "125/2024/HS-ST", "trial_level": "ST",
     "issue_date": "2024-03-18", "issuer": "Tòa án nhân dân quận Cầu Giấy", "person_name": "Trần Văn Bình",
     "birth_date": "1992", "personal_id": "001092054321", "charges": ["Trộm cắp tài sản"],
     "penal_code_articles": ["173"], "principal_penalty": "suspended_imprisonment", "penalty_months": 18,
     "probation_months": 36},
    {"record_id": "R3", "doc_type": "decision", "decision_kind": "postpone", "document_number": "07/2024/QĐ-CA",
     "issue_date": "2024-05-02", "issuer": "Công an huyện Gia Lâm", "effective_date": "2024-05-10",
     "judgment_ref": "125/2024/HS-ST", "duration_months": 6, "person_name": "Nguyễn Văn An",
     "personal_id": "001090012345"},
]


@pytest.fixture
def catalogue(tmp_path):
    with sqlite_catalogue(tmp_path) as cat:
        yield cat


@pytest.fixture
def source(pg_database_url):
    fill(pg_database_url, RECORDS)
    return pg_database_url


@pytest.fixture(scope="module")
def unchanged_source(pg_server):
    """One source for the tests that never write to it (a database costs seconds under load)."""
    with filled_source(pg_server, RECORDS) as url:
        yield url


@pytest.fixture(scope="module")
def empty_catalogue(tmp_path_factory):
    """One catalogue for the tests where nothing may be stored."""
    with sqlite_catalogue(tmp_path_factory.mktemp("cat")) as cat:
        yield cat


@pytest.fixture
def mapping(tmp_path):
    return parse_mapping(write_mapping(tmp_path / "tpa.toml"))


def _push(catalogue, url, mapping, **kw):
    engine = source_engine(url, check=False)
    try:
        return push(catalogue, engine, mapping, "test", **kw)
    finally:
        engine.dispose()


def _data(catalogue, rid):
    with catalogue.session() as s:
        return s.get(RegistryRecord, rid).data


def decide(catalogue, rid: str, field: str, value, approver: str = "anh") -> str:
    """What ui/workflow.py approve does for a field correction (the record changed, its history row
    approved, the outbox row in the same transaction), on a document whose item it resolved."""
    from sohoa.reconciler.registry import fill_row

    now = utcnow()
    with catalogue.session() as s:
        doc_id = f"doc-{rid}-{field}"
        if s.get(Batch, "b1") is None:
            s.add(Batch(batch_id="b1", source_dir="/x", unit="u", operator="o", started_at=now))
            s.flush()
        s.add(Document(document_id=doc_id, content_sha256=doc_id.ljust(64, "0")[:64], batch_id="b1", source="a.pdf",
                       source_kind="pdf", page_count=1, doc_type="judgment", status="mismatch", converted_at=now,
                       created_at=now, updated_at=now, registry_record_id=rid))
        s.flush()
        s.add(Person(document_id=doc_id, ordinal=0, person_name="x", registry_record_id=rid, status="mismatch",
                     discrepancies=[]))
        rec = s.get(RegistryRecord, rid)
        old = rec.data.get(field)
        item = ReviewItem(document_id=doc_id, person=0, record_id=rid, kind="discrepancy", field=field,
                          document_value=value, registry_value=old, status="resolved", created_at=now,
                          due_at=now + timedelta(hours=24), resolved_at=now, resolution="corrected")
        s.add(item)
        s.flush()
        data = dict(rec.data)
        data[field] = value
        fill_row(rec, normalise_record(data)[0], now)
        s.add(RegistryHistory(record_id=rid, at=now, actor="ui:vera", field=field, old_value=old, new_value=value,
                              reason="Bản án số 125/2024/HS-ST, trang 3", approved_by=approver))
        enqueue_decision(s, rid, field, value, key=f"correction:{doc_id}", reason="Bản án trang 3",
                         decided_by=approver, document_id=doc_id, review_item_id=item.id)
    return doc_id


def test_full_then_incremental_sync_through_a_join(catalogue, source, mapping):
    r = sync(catalogue, source, mapping)
    assert (r.full, r.read, r.added, r.updated, r.conflicts) == (True, 3, 3, 0, 0)
    for raw in RECORDS:  # the same records as a JSONL import of the contract's form gives
        assert _data(catalogue, raw["record_id"]) == normalise_record(raw)[0]
    with catalogue.session() as s:
        assert s.get(RegistrySource, "tpa").high_water is not None
        assert s.scalar(select(func.count()).select_from(RegistryHistory).where(RegistryHistory.field == "*")) == 3
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "registry.sync")).one().detail["added"] == 3
    again = sync(catalogue, source, mapping)  # nothing changed since: nothing read but the last instant's rows
    assert (again.full, again.added, again.updated) == (False, 0, 0) and again.read <= 3
    change_person(source, "R2", an_thang=8)  # 1 y 8 m
    r3 = sync(catalogue, source, mapping)
    assert r3.updated == 1 and _data(catalogue, "R2")["penalty_months"] == 20
    r4 = sync(catalogue, source, mapping)  # from the new mark on: the changed row's instant only (>=, none lost)
    assert (r4.read, r4.updated) == (1, 0)
    with catalogue.session() as s:
        h = s.scalars(select(RegistryHistory).where(RegistryHistory.record_id == "R2",
                                                    RegistryHistory.field == "penalty_months")).one()
        assert (h.old_value, h.new_value, h.approved_by) == (18, 20, None) and "tpa" in h.reason
    full = sync(catalogue, source, mapping, full=True)
    assert (full.full, full.read, full.updated, full.unchanged) == (True, 3, 0, 3)


def test_nothing_reverts_a_decision_neither_import_nor_sync(catalogue, source, mapping, tmp_path, monkeypatch):
    # tomorrow a day off: a conflict item is due by the working calendar, not 24 clock hours later
    tomorrow = (utcnow().replace(tzinfo=timezone.utc) + timedelta(hours=24)).astimezone(VN).date()
    (tmp_path / "days.toml").write_text(f"days_off = [{tomorrow.isoformat()}]\n")
    monkeypatch.setenv("SOHOA_WORK_CALENDAR_FILE", str(tmp_path / "days.toml"))
    sync(catalogue, source, mapping)
    doc_id = decide(catalogue, "R1", "penalty_months", 48)
    # the source's old export, imported as a file: 40 again would undo the decision
    jsonl = tmp_path / "old.jsonl"
    jsonl.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in RECORDS), "utf-8")
    # through the command, as a user runs it: the held-back change is said, not hidden among "unchanged"
    from click.testing import CliRunner

    from sohoa.cli import main

    out = CliRunner().invoke(main, ["--home", str(tmp_path), "registry", "import", str(jsonl)],
                             env={"SOHOA_DB_URL": catalogue.url, "SOHOA_CONFIG": str(tmp_path / "none.toml")})
    assert out.exit_code == 0, out.output
    assert "registry: 0 added, 0 updated, 3 unchanged, 1 conflicts" in out.output
    assert _data(catalogue, "R1")["penalty_months"] == 48
    with catalogue.session() as s:
        item = s.scalars(select(ReviewItem).where(ReviewItem.kind == "conflict")).one()
        assert (item.document_id, item.field, item.document_value, item.registry_value, item.status) == \
            (doc_id, "penalty_months", 48, 40, "open")
        due = review_due_at(item.created_at, "judgment", None).replace(tzinfo=None)  # SQLite: naive UTC
        assert item.due_at == due != item.created_at + timedelta(hours=24)
        last = s.scalars(select(RegistryHistory).where(RegistryHistory.record_id == "R1")
                         .order_by(RegistryHistory.id.desc())).first()
        assert last.approved_by == "anh"  # no row undid it
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "registry.conflict")).first() is not None
    # the source changes the decided field: the sync holds it back too, the other change goes through
    change_person(source, "R1", an_nam=5, an_thang=0, ho_ten="Nguyễn Văn  An")
    change_person(source, "R2", thu_thach_thang=48)
    r = sync(catalogue, source, mapping, full=True)
    assert r.conflicts == 1 and r.updated == 1
    assert _data(catalogue, "R1")["penalty_months"] == 48 and _data(catalogue, "R2")["probation_months"] == 48
    with catalogue.session() as s:
        items = list(s.scalars(select(ReviewItem).where(ReviewItem.kind == "conflict")))
        assert len(items) == 1 and items[0].registry_value == 60 and items[0].status == "open"


def test_a_value_a_person_kept_is_not_overwritten_by_a_sync(catalogue, source, mapping):
    """No registry change, still a decision: the verifier kept the registry's name over a doubtful
    read (a verified value, ui/verification.py); the source's later change of it is an item."""
    from sohoa.archive.models import VerificationRecord, VerifiedValue

    sync(catalogue, source, mapping)
    now = utcnow()
    with catalogue.session() as s:
        s.add(Batch(batch_id="b1", source_dir="/x", unit="u", operator="o", started_at=now))
        s.flush()
        s.add(Document(document_id="dk", content_sha256="d" * 64, batch_id="b1", source="a.pdf", source_kind="pdf",
                       page_count=1, doc_type="judgment", status="needs_review", converted_at=now, created_at=now,
                       updated_at=now, registry_record_id="R2"))
        s.flush()
        s.add(Person(document_id="dk", ordinal=0, person_name="Trần Văn Bính", registry_record_id="R2",
                     status="needs_review", discrepancies=[]))
        s.add(ReviewItem(document_id="dk", person=0, record_id="R2", kind="low_confidence", field="person_name",
                         document_value="Trần Văn Bính", registry_value="Trần Văn Bình", confidence=0.5,
                         status="resolved", created_at=now, due_at=now, resolved_at=now,
                         resolution="kept the registry value (by vera)"))
        rec = VerificationRecord(document_id="dk", n=1, state="verified", content="{}", sha256="0" * 64,
                                 created_at=now, created_by="ui:vera")
        s.add(rec)
        s.flush()
        s.add(VerifiedValue(record_id=rec.id, document_id="dk", person=0, name="person_name", value="Trần Văn Bình",
                            decision="registry", registry_value="Trần Văn Bình", decided_by="vera", decided_at=now))
    change_person(source, "R2", ho_ten="Trần Văn Bính", thu_thach_thang=48)
    r = sync(catalogue, source, mapping, full=True)
    assert (r.conflicts, r.updated) == (1, 1)  # the name held back, the term (nobody decided it) taken
    assert _data(catalogue, "R2")["person_name"] == "Trần Văn Bình" and _data(catalogue, "R2")["probation_months"] == 48
    with catalogue.session() as s:
        item = s.scalars(select(ReviewItem).where(ReviewItem.kind == "conflict")).one()
        assert (item.document_id, item.field, item.document_value, item.registry_value, item.status) == \
            ("dk", "person_name", "Trần Văn Bình", "Trần Văn Bính", "open")


def test_push_back_then_a_conflict_never_overwrites(catalogue, source, mapping):
    sync(catalogue, source, mapping)
    before = person_row(source, "R1")
    decide(catalogue, "R1", "penalty_months", 48)
    pushed = _push(catalogue, source, mapping)
    assert (pushed.done, pushed.conflicts) == (1, 0)
    after = person_row(source, "R1")
    assert (after["an_nam"], after["an_thang"]) == (4, 0) and after["cap_nhat"] > before["cap_nhat"]
    with catalogue.session() as s:
        ob = s.scalars(select(RegistryOutbox)).one()
        assert ob.status == "done" and ob.expected == {"doi_tuong.an_nam": 3, "doi_tuong.an_thang": 4,
                                                      "doi_tuong.cap_nhat": ob.expected["doi_tuong.cap_nhat"]}
        ev = s.scalars(select(AuditEvent).where(AuditEvent.action == "registry.push")).one()
        assert ev.outcome == "ok" and ev.detail["decided_by"] == "anh" and ev.detail["value"] == 48
    assert _push(catalogue, source, mapping).done == 0  # pushing twice is a no-op
    again = sync(catalogue, source, mapping)  # our own write, read back: nothing changes
    assert (again.updated, again.conflicts) == (0, 0)
    # the source changes a field after we read it, before the push: the push updates nothing
    decide(catalogue, "R2", "probation_months", 24)
    change_person(source, "R2", thu_thach_thang=30)
    res = _push(catalogue, source, mapping)
    assert (res.done, res.conflicts) == (0, 1)
    assert person_row(source, "R2")["thu_thach_thang"] == 30
    with catalogue.session() as s:
        ob = s.scalars(select(RegistryOutbox).where(RegistryOutbox.record_id == "R2")).one()
        item = s.scalars(select(ReviewItem).where(ReviewItem.kind == "conflict")).one()
        assert ob.status == "conflict" and (item.document_value, item.registry_value) == (24, 30)


def test_an_unreachable_source_is_retried_with_backoff_then_failed(catalogue, source, mapping):
    sync(catalogue, source, mapping)
    decide(catalogue, "R1", "penalty_months", 48)
    down = "postgresql+psycopg://u:secret@127.0.0.1:9/none"  # nothing listens on port 9
    now = utcnow()
    r = _push(catalogue, down, mapping, now=now, max_attempts=3)
    assert r.retrying == 1
    with catalogue.session() as s:
        ob = s.scalars(select(RegistryOutbox)).one()
        assert ob.attempts == 1 and ob.status == "pending"
        first = ob.next_attempt_at.replace(tzinfo=ob.next_attempt_at.tzinfo or timezone.utc) - now
    assert timedelta(seconds=29) < first <= timedelta(seconds=31)
    assert _push(catalogue, down, mapping, now=now + timedelta(seconds=5), max_attempts=3).retrying == 0  # not due
    _push(catalogue, down, mapping, now=now + timedelta(minutes=1), max_attempts=3)
    last = _push(catalogue, down, mapping, now=now + timedelta(minutes=5), max_attempts=3)
    assert last.failed == 1
    with catalogue.session() as s:
        ob = s.scalars(select(RegistryOutbox)).one()
        assert ob.status == "failed" and ob.attempts == 3 and "9" in (ob.last_error or "")
        outcomes = [e.outcome for e in s.scalars(select(AuditEvent).where(AuditEvent.action == "registry.push")
                                                 .order_by(AuditEvent.id))]
        assert outcomes == ["retry", "retry", "failed"]
    assert person_row(source, "R1")["an_nam"] == 3  # never written


@pytest.mark.parametrize("change, message", [
    (("doi_tuong.ho_ten", "doi_tuong.ten_khac"), "has no column 'ten_khac'"),
    (('table = "van_ban"', 'table = "ban_an"'), "no table named 'ban_an'"),
    (('key = "ma"', 'key = "ho_ten"'), "is not a primary key or unique column"),
    (("fine_vnd =", "phat_tien ="), "not contract fields"),
    (('updated_at = "cap_nhat"\n\n[[join]]', 'updated_at = "ho_ten"\n\n[[join]]'), "is not a timestamp column"),
    (('penalty_months = { years = "doi_tuong.an_nam"', 'penalty_months = { years = "doi_tuong.ghi_chu"'),
     "must be an integer column"),
    (('effective_date = "van_ban.ngay_hieu_luc"',
      'effective_date = { column = "van_ban.ngay_hieu_luc", date_format = "%d/%m/%Y" }'), "needs a text column"),
    (('name = "tpa"', 'name = "tpa"\nfrom = "doi_tuong p JOIN van_ban j ON p.van_ban_id = j.id"'),
     "unknown key(s) from"),
])
def test_mapping_errors_are_clear_and_store_nothing(empty_catalogue, unchanged_source, tmp_path, change, message):
    from foreign_registry import MAPPING

    assert change[0] in MAPPING
    path = write_mapping(tmp_path / "bad.toml", MAPPING.replace(change[0], change[1], 1))
    with pytest.raises(MappingError) as exc:
        sync(empty_catalogue, unchanged_source, parse_mapping(path))
    assert message in str(exc.value)
    with empty_catalogue.session() as s:
        assert s.scalar(select(func.count()).select_from(RegistryRecord)) == 0
        assert s.scalar(select(func.count()).select_from(RegistrySource)) == 0


def test_a_conflict_is_decided_by_people_accepted_or_taken_over_with_approval(catalogue, source, mapping):
    """Accepting a conflict keeps the decision and sends it to the source again; taking the source's
    value is a correction a second person approves, and it is pushed like any other."""
    from sohoa.ui import workflow
    from sohoa.ui.auth import CurrentUser

    vera, anh = CurrentUser(1, "vera", "verifier", None, "c"), CurrentUser(2, "anh", "approver", None, "c")
    sync(catalogue, source, mapping)
    decide(catalogue, "R1", "penalty_months", 48)
    _push(catalogue, source, mapping)
    change_person(source, "R1", an_nam=5, an_thang=0)
    assert sync(catalogue, source, mapping).conflicts == 1

    def conflict_id():
        with catalogue.session() as s:
            return s.scalars(select(ReviewItem.id).where(ReviewItem.kind == "conflict",
                                                         ReviewItem.status == "open")).one()

    with catalogue.session() as s:  # the decision stands
        workflow.act(s, vera, conflict_id(), "accept", reason="Bản án tuyên 4 năm tù")
    assert _push(catalogue, source, mapping).done == 1
    assert (person_row(source, "R1")["an_nam"], person_row(source, "R1")["an_thang"]) == (4, 0)

    change_person(source, "R1", an_nam=5)  # again, and this time the source is right
    assert sync(catalogue, source, mapping).conflicts == 1
    with catalogue.session() as s:
        said = workflow.act(s, vera, conflict_id(), "keep", reason="Quyết định giảm án của Tòa phúc thẩm")
    assert "chờ phê duyệt" in said and _data(catalogue, "R1")["penalty_months"] == 48  # not before approval
    with catalogue.session() as s:
        from sohoa.ui.models import Correction

        c = s.scalars(select(Correction).where(Correction.status == "pending")).one()
        assert (c.old_value, c.new_value) == (48, 60)
        workflow.approve(s, anh, c.id)
    assert _data(catalogue, "R1")["penalty_months"] == 60
    assert _push(catalogue, source, mapping).done == 1 and person_row(source, "R1")["an_nam"] == 5
    final = sync(catalogue, source, mapping, full=True)
    assert (final.updated, final.conflicts) == (0, 0)


def test_push_and_sync_on_beat_only_when_a_source_is_configured():
    from sohoa.core.config import load_settings

    from sohoa.worker import registry_beat

    assert registry_beat(load_settings(env={})) == {}
    on = registry_beat(load_settings(env={"SOHOA_REGISTRY_SOURCE_URL": "postgresql+psycopg://h/db",
                                          "SOHOA_REGISTRY_MAPPING": "/etc/sohoa/tpa.toml",
                                          "SOHOA_REGISTRY_SYNC_SCHEDULE": "15 * * * *"}))
    assert {k: v["task"] for k, v in on.items()} == {"registry-push": "registry.push", "registry-sync": "registry.sync"}
