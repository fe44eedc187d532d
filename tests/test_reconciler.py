"""Registry import, matching and comparison against a real SQLite catalogue."""
from __future__ import annotations

import json

import pytest
from sohoa.archive.catalogue import Catalogue, audit, utcnow, verify_audit_chain
from sohoa.archive.models import AuditEvent, Batch, Document, RegistryHistory, ReviewItem
from sohoa.reconciler import decide, reconcile
from sohoa.reconciler.compare import values_agree
from sohoa.reconciler.deadlines import review_due_at
from sohoa.reconciler.registry import RegistryError, import_registry

REC = {"record_id": "R000123", "doc_type": "judgment", "document_number": "125/2024/HS-ST",
       "issue_date": "2024-03-18", "issuer": "Tòa án nhân dân quận Cầu Giấy",
       "person_name": "Nguyễn Văn An", "birth_date": "1990-05-02", "personal_id": "001090012345",
       "charges": ["Trộm cắp tài sản"], "penal_code_articles": ["173"],
       "principal_penalty": "imprisonment", "penalty_months": 24}


@pytest.fixture
def cat(catalogue_url):
    c = Catalogue(catalogue_url)
    yield c
    c.dispose()


def _write(path, records):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n", "utf-8")
    return path


@pytest.mark.parametrize("field,a,b,same", [
    ("person_name", "Nguyễn  Văn An", "nguyễn văn an", True),
    ("person_name", "Nguyễn Văn An", "Nguyễn Văn Ân", False),
    ("person_name", "Nguye\u0302\u0303n Văn An", "Nguyễn Văn An", True),  # NFD vs NFC
    ("penalty_months", 24, "24", True),
    ("penalty_months", 24, 30, False),
    ("penal_code_articles", ["173", "51"], ["173"], True),  # General Part articles may be absent
    ("penal_code_articles", ["173"], ["174"], False),
    ("charges", ["Cướp tài sản", "Trộm cắp tài sản"], ["trộm cắp tài sản", "Cướp tài sản"], True),
    ("birth_date", "1990", "1990-05-02", True),
    ("birth_date", "1991", "1990-05-02", False),
    ("document_number", "125/2024/hs-st", "125/2024/HS-ST", True),
])
def test_values_agree(field, a, b, same):
    assert values_agree(field, a, b) is same


def test_decide_statuses():
    f = {k: (v, 0.97) for k, v in REC.items() if k not in ("record_id", "doc_type")}
    f["trial_level"] = ("ST", 0.99)
    assert decide("judgment", f, REC, 0.9).status == "matched"
    # a required field not read is no agreement (contract section 4)
    lost = decide("judgment", {k: v for k, v in f.items() if k != "penalty_months"}, REC, 0.9)
    assert lost.status == "needs_review" and lost.missing == ["penalty_months"]
    r = decide("judgment", {**f, "penalty_months": (30, 0.97)}, REC, 0.9)
    assert r.status == "mismatch" and r.discrepancies == [
        {"field": "penalty_months", "document_value": 30, "registry_value": 24}]
    assert decide("judgment", f, None, 0.9).status == "unmatched"
    # a guess (below confirm.READ_FLOOR) stays a guess, whatever the record says
    low = decide("judgment", {**f, "penalty_months": (24, 0.3)}, REC, 0.9)
    assert low.status == "needs_review" and low.low_confidence == ["penalty_months"] and not low.confirmed
    assert decide(None, f, REC, 0.9).status == "needs_review"


def test_import_is_atomic_and_reimport_keeps_history(cat, tmp_path):
    bad = _write(tmp_path / "bad.jsonl", [REC, {"record_id": "R2", "doc_type": "memo"}])
    with pytest.raises(RegistryError, match="line 2"):
        import_registry(cat, bad, actor="t")
    with cat.session() as s:
        assert s.query(RegistryHistory).count() == 0
    res = import_registry(cat, _write(tmp_path / "r.jsonl", [REC]), actor="t")
    assert (res.added, res.updated, res.unchanged) == (1, 0, 0)
    again = import_registry(cat, _write(tmp_path / "r.jsonl", [REC]), actor="t")
    assert (again.added, again.updated, again.unchanged) == (0, 0, 1)
    changed = import_registry(cat, _write(tmp_path / "r.jsonl", [{**REC, "penalty_months": 30}]), actor="t")
    assert changed.updated == 1
    with cat.session() as s:
        hist = s.query(RegistryHistory).filter_by(field="penalty_months").one()
        assert (hist.old_value, hist.new_value) == (24, 30)


def test_implausible_registry_values_import_with_warning(cat, tmp_path):
    res = import_registry(cat, _write(tmp_path / "r.jsonl", [{**REC, "personal_id": "00109001234"}]), actor="t")
    assert res.added == 1 and "not 12 digits" in res.warnings[0]


def _doc(s, doc_id="D" + "a" * 24):
    now = utcnow()
    if s.get(Batch, "B1") is None:
        s.add(Batch(batch_id="B1", source_dir="/x", started_at=now))
    d = Document(document_id=doc_id, content_sha256=doc_id.ljust(64, "0"), batch_id="B1", source="a.pdf",
                 source_kind="pdf_image", page_count=1, doc_type="judgment", status="pending",
                 converted_at=now, created_at=now, updated_at=now)
    s.add(d)
    s.flush()
    return d


# every field REC has, read confidently, and the trial level REC does not hold
READ = {**{k: (v, 0.99) for k, v in REC.items() if k not in ("record_id", "doc_type")}, "trial_level": ("ST", 0.99)}


def test_match_by_number_then_by_personal_id(cat, tmp_path):
    other_court = {**REC, "record_id": "R9", "issuer": "Tòa án nhân dân huyện Gia Lâm", "personal_id": "001099999999"}
    import_registry(cat, _write(tmp_path / "r.jsonl", [REC, other_court]), actor="t")
    fields = {**READ, "document_number": ("125/2024/HS-ST", 0.99), "issuer": ("Tòa án nhân dân quận Cầu Giấy", 0.95),
              "personal_id": ("001090012345", 0.98), "issue_date": ("2024-03-18", 0.99)}
    with cat.session() as s:
        d = _doc(s)
        assert reconcile(s, d, fields, 0.9).record_id == "R000123"  # same number, two courts: issuer decides
        d2 = _doc(s, "D" + "b" * 24)
        # The number was misprinted, but personal ID + kind + date find the record.
        r = reconcile(s, d2, {**fields, "document_number": ("126/2024/HS-ST", 0.99)}, 0.9)
        assert r.record_id == "R000123" and r.status == "mismatch"
        items = s.query(ReviewItem).filter_by(document_id=d2.document_id).all()
        assert [(i.kind, i.field) for i in items] == [("discrepancy", "document_number")]
        # seed 001 Art. 8.5: 24 h, moved to the next working day's close when they end on a day off
        assert items[0].due_at == review_due_at(items[0].created_at, "judgment", None)
        assert (items[0].due_at - items[0].created_at).total_seconds() >= 24 * 3600


def test_rerun_does_not_duplicate_review_items(cat, tmp_path):
    import_registry(cat, _write(tmp_path / "r.jsonl", [REC]), actor="t")
    fields = {**READ, "penalty_months": (30, 0.97), "issue_date": ("2024-03-18", 0.4)}  # 0.4: no confirming it
    with cat.session() as s:
        d = _doc(s)
        reconcile(s, d, fields, 0.9)
        reconcile(s, d, fields, 0.9)
        kinds = sorted((i.kind, i.field, i.status) for i in s.query(ReviewItem))
        assert kinds == [("discrepancy", "penalty_months", "open"), ("low_confidence", "issue_date", "open")]
        reconcile(s, d, {**READ, "penalty_months": (24, 0.99)}, 0.9)
        assert {i.status for i in s.query(ReviewItem)} == {"obsolete"}


def test_audit_chain_detects_edits_and_deletions(cat):
    with cat.session() as s:
        for i in range(4):
            audit(s, "lan", "document.fetch", f"D{i}")
    with cat.session() as s:
        assert verify_audit_chain(s) == []
        s.get(AuditEvent, 2).actor = "mallory"
    with cat.session() as s:
        assert any("edited" in p for p in verify_audit_chain(s))
        s.get(AuditEvent, 2).actor = "lan"
        s.delete(s.get(AuditEvent, 3))
    with cat.session() as s:
        assert any("chain broken" in p for p in verify_audit_chain(s))


def test_audit_chain_stays_linear_under_concurrent_writers(cat):
    """Workers append at once: the chain must not fork (each event follows exactly one)."""
    from concurrent.futures import ThreadPoolExecutor

    def write(n: int) -> None:
        for i in range(15):
            with cat.session() as s:
                audit(s, f"worker{n}", "document.archive", f"D{n}-{i}")

    with ThreadPoolExecutor(4) as pool:
        list(pool.map(write, range(4)))
    with cat.session() as s:
        assert s.query(AuditEvent).count() == 60
        assert verify_audit_chain(s) == []
