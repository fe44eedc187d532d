"""Record linkage (reconciler/match.py) on a real catalogue: one wrong field on either
side still links, the field becomes a discrepancy; chance agreement does not link."""
from __future__ import annotations

import pytest
from sohoa.archive.models import Batch, Document, ReviewItem
from sohoa.reconciler import reconcile
from sohoa.reconciler.match import level, score
from sohoa.reconciler.registry import import_registry
from test_reconciler import REC, _write, cat  # noqa: F401  (fixture)

FIELDS = {"document_number": ("125/2024/HS-ST", 0.99), "issue_date": ("2024-03-18", 0.99),
          "issuer": ("Tòa án nhân dân quận Cầu Giấy", 0.97), "person_name": ("Nguyễn Văn An", 0.97),
          "birth_date": ("1990-05-02", 0.97), "personal_id": ("001090012345", 0.98),
          "penalty_months": (24, 0.97), "charges": (["Trộm cắp tài sản"], 0.97), "trial_level": ("ST", 0.99),
          "principal_penalty": ("imprisonment", 0.97), "penal_code_articles": (["173"], 0.97)}


def _doc(s, doc_id="D" + "a" * 24):
    from datetime import datetime, timezone
    now = datetime.now(timezone.utc)
    if s.get(Batch, "B") is None:
        s.add(Batch(batch_id="B", source_dir="/x", started_at=now))
        s.flush()
    d = Document(document_id=doc_id, content_sha256=(doc_id[1:] * 3)[:64], batch_id="B", source="x.pdf",
                 source_kind="pdf_image", page_count=1, doc_type="judgment", status="pending",
                 converted_at=now, created_at=now, updated_at=now)
    s.add(d)
    s.flush()
    return d


@pytest.mark.parametrize("field,read,why", [
    ("personal_id", "001090012346", "one digit off"),
    ("document_number", "126/2024/HS-ST", "one digit off"),
    ("person_name", "Nguyễn Văn Ân", "one tone mark off"),
])
def test_the_field_that_differs_is_a_discrepancy_not_an_unmatched_document(cat, tmp_path, field, read, why):
    import_registry(cat, _write(tmp_path / "r.jsonl", [REC]), actor="t")
    with cat.session() as s:
        r = reconcile(s, _doc(s), {**FIELDS, field: (read, 0.97)}, 0.9)
        assert r.record_id == "R000123", why
        assert r.status == "mismatch" and [d["field"] for d in r.discrepancies] == [field]
        assert [(i.kind, i.field) for i in s.query(ReviewItem)] == [("discrepancy", field)]


def test_one_shared_date_is_no_link(cat, tmp_path):
    # another judgment of the same day, another person: not this document's record
    other = {**REC, "record_id": "R7", "document_number": "7/2024/HS-ST", "person_name": "Lê Thị Hoa",
             "personal_id": "001185098765", "birth_date": "1985-01-01", "issuer": "Tòa án nhân dân huyện Sóc Sơn"}
    import_registry(cat, _write(tmp_path / "r.jsonl", [other]), actor="t")
    with cat.session() as s:
        r = reconcile(s, _doc(s), FIELDS, 0.9)
        assert r.record_id is None and r.status == "unmatched"


def test_levels_and_weights():
    assert level("person_name", "Nguyễn Văn Tỵ", "Nguyễn Văn Ty") == "near"
    assert level("personal_id", "001090012345", "001090012345") == "same"
    assert level("personal_id", "001090012345", "001090012845") == "near"
    assert level("personal_id", "001090012345", "079123456789") == "different"
    assert level("birth_date", None, "1990-05-02") is None
    full, _ = score({k: v for k, (v, _) in FIELDS.items()}, REC)
    one_off, levels = score({**{k: v for k, (v, _) in FIELDS.items()}, "personal_id": "001090012346"}, REC)
    assert full > one_off > 8 and levels["personal_id"] == "near"


def test_a_required_field_not_read_is_a_missing_item_not_a_match(cat, tmp_path):
    # the registry's penalty is wrong, but the penalty was not read: nothing may call this 'matched'
    import_registry(cat, _write(tmp_path / "r.jsonl", [{**REC, "penalty_months": 36}]), actor="t")
    with cat.session() as s:
        r = reconcile(s, _doc(s), {k: v for k, v in FIELDS.items() if k != "penalty_months"}, 0.9)
        assert r.record_id == "R000123" and r.status == "needs_review"
        assert [(i.kind, i.field) for i in s.query(ReviewItem)] == [("missing", "penalty_months")]


def test_the_same_persons_other_document_is_not_this_documents_record(cat, tmp_path):
    # the person's completion certificate agrees on every person field, and is another document
    cert = {"record_id": "R8", "doc_type": "certificate", "decision_kind": "completion",
            "document_number": "166/2026/GCN-TGBS", "issue_date": "2026-05-08", "issuer": "Trại giam Ba Sao",
            "person_name": "Nguyễn Văn An", "birth_date": "1990-05-02", "personal_id": "001090012345",
            "judgment_ref": "125/2024/HS-ST"}
    import_registry(cat, _write(tmp_path / "r.jsonl", [cert]), actor="t")
    with cat.session() as s:
        r = reconcile(s, _doc(s), FIELDS, 0.9)
        assert r.record_id is None and r.status == "unmatched"


def test_another_courts_judgment_of_the_same_number_and_day_is_no_link(cat, tmp_path):
    """Numbers restart at 1 in every court each year: another court's '125/2024/HS-ST' of the
    same day, about a man of the same name and birth year, is a stranger's record."""
    stranger = {**REC, "record_id": "R8", "issuer": "Tòa án nhân dân huyện Gia Lâm", "personal_id": "001090077777",
                "birth_date": "1990-11-30"}
    import_registry(cat, _write(tmp_path / "r.jsonl", [stranger]), actor="t")
    no_id = {k: v for k, v in FIELDS.items() if k != "personal_id"}
    with cat.session() as s:
        assert reconcile(s, _doc(s), no_id, 0.9).record_id is None


def test_an_issuer_typo_still_links_when_the_person_agrees(cat, tmp_path):
    """The issuer the one wrong field (a registry typo, a misread header): the person's ID agrees."""
    typo = {**REC, "issuer": "Tòa án nhân dân huyện Gia Lâm"}
    import_registry(cat, _write(tmp_path / "r.jsonl", [typo]), actor="t")
    with cat.session() as s:
        r = reconcile(s, _doc(s), FIELDS, 0.9)
        assert r.record_id == "R000123" and [d["field"] for d in r.discrepancies] == ["issuer"]


def test_a_document_whose_keys_sat_under_a_seal_links_by_name_and_court(cat, tmp_path):
    """Number, date and ID unread (a seal over them; the name read with one tone mark off):
    the name block finds the record, the court and the person's birth date carry the link, and
    what was not read goes to a person as missing -- not `unmatched` plus `registry-only`."""
    import_registry(cat, _write(tmp_path / "r.jsonl", [REC]), actor="t")
    unread = {k: v for k, v in FIELDS.items() if k not in ("document_number", "issue_date", "personal_id")}
    with cat.session() as s:
        r = reconcile(s, _doc(s), {**unread, "person_name": ("Nguyễn Văn Ân", 0.97)}, 0.9)
        assert r.record_id == "R000123" and r.status == "needs_review"  # missing items outrank the mismatch
        assert [d["field"] for d in r.discrepancies] == ["person_name"]
        kinds = {(i.kind, i.field) for i in s.query(ReviewItem)}
        assert {("missing", "document_number"), ("missing", "issue_date")} <= kinds


def test_a_name_alone_links_nothing_when_the_court_differs(cat, tmp_path):
    """The same name and birth date at another court (no number, date or ID read): a namesake's
    record in a national registry, not a link (other_court_unconfirmed needs the ID then)."""
    import_registry(cat, _write(tmp_path / "r.jsonl", [{**REC, "issuer": "Tòa án nhân dân huyện Gia Lâm",
                                                        "birth_date": "1990-07-09"}]), actor="t")
    unread = {k: v for k, v in FIELDS.items() if k not in ("document_number", "issue_date", "personal_id")}
    with cat.session() as s:
        assert reconcile(s, _doc(s), unread, 0.9).record_id is None


def test_a_name_shared_by_too_many_records_is_no_block(cat, tmp_path):
    """A common name saturates its block: with nothing else read, no record is scored (and the
    lookup stays bounded), so the document waits for a person instead of a guess."""
    from sohoa.reconciler.match import MAX_CANDIDATES, candidates
    many = [{**REC, "record_id": f"N{k:04d}", "document_number": f"{k}/2023/HS-ST", "issue_date": "2023-01-02",
             "personal_id": f"0010900{k:05d}"} for k in range(MAX_CANDIDATES + 1)]
    import_registry(cat, _write(tmp_path / "r.jsonl", many), actor="t")
    with cat.session() as s:
        assert candidates(s, "judgment", {"person_name": "Nguyễn Văn An"}) == []
        found = candidates(s, "judgment", {"person_name": "NGUYỄN VĂN AN", "personal_id": "001090000007"})
        assert [r.record_id for r in found] == ["N0007"]


def test_upgrading_a_catalogue_fills_the_name_key_of_records_already_there(catalogue_url):
    """Migration 0009 on a catalogue imported before it: every record gets its name key, so
    the name block finds records imported by older versions too."""
    import json
    from datetime import datetime, timezone

    from alembic import command
    from sohoa.archive.catalogue import Catalogue, alembic_config
    from sqlalchemy import create_engine, text

    engine = create_engine(catalogue_url)
    cfg = alembic_config(catalogue_url)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0008")
        now = datetime.now(timezone.utc)
        conn.execute(text("INSERT INTO registry_records (record_id, doc_type, data, imported_at, updated_at) "
                          "VALUES (:r, 'judgment', :d, :t, :t)"),
                     [{"r": "OLD1", "d": json.dumps({**REC, "person_name": "Lò Thị  Tỵ"}, ensure_ascii=False), "t": now},
                      {"r": "OLD2", "d": json.dumps({k: v for k, v in REC.items() if k != "person_name"}), "t": now}])
    engine.dispose()
    cat = Catalogue(catalogue_url)  # migrates to head
    try:
        with cat.session() as s:
            keys = dict(s.execute(text("SELECT record_id, name_key FROM registry_records ORDER BY record_id")).all())
        assert keys == {"OLD1": "lo thi ty", "OLD2": None}
    finally:
        cat.dispose()
