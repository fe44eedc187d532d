"""Dossiers: a many-document scan cut into its documents (pipeline/split.py), declared
dossiers and page ranges in batch.json (pipeline/dossiers.py), through `sohoa process`.

The boundary model is measured on generated dossiers (corpus/dossier.py) with born-digital
text, so many seeds cost little; one image-only scan goes through the OCR."""
from __future__ import annotations

import json
import time
from pathlib import Path

import jsonschema
import pikepdf
import pytest
from conftest import run_sohoa
from sohoa.core.types import SourceDocument, SourceFile
from sohoa.corpus.dossier import generate_dossier
from sohoa.pipeline.extract.boundaries import segment
from sohoa.pipeline.intake import sha256_file
from sohoa.pipeline.ocr.document import read_text_document
from sqlalchemy import func, select


def _pages_of(pdf: Path, tmp: Path):
    doc = SourceDocument(pdf.name, "pdf_text", [SourceFile(pdf.resolve(), pdf.name, sha256_file(pdf),
                                                           pdf.stat().st_size)], len(pikepdf.open(pdf).pages))
    return read_text_document(doc, tmp / f"{pdf.stem}.out.pdf").pages


def _cut_scores(found: list[tuple[int, int]], truth: list[tuple[int, int]]) -> tuple[int, int, int]:
    """(true, false, missed) cuts: a cut is the first page of every document after the first."""
    f, t = {a for a, _ in found[1:]}, {a for a, _ in truth[1:]}
    return len(f & t), len(f - t), len(t - f)


def test_boundary_model_on_generated_dossiers(tmp_path):
    """Cut precision and recall over several seeds, with and without blank separator sheets;
    a judgment's later pages are never cut off it, and blank sheets belong to no document."""
    tp = fp = fn = 0
    for seed in range(4):
        gen = generate_dossier(tmp_path / f"hs{seed}.pdf", seed=seed, text_layer=True,
                               blank_separator=seed % 2 == 0)
        seg = segment(_pages_of(gen.path, tmp_path))
        t, f, m = _cut_scores(seg.parts, gen.parts)
        tp, fp, fn = tp + t, fp + f, fn + m
        assert seg.blank_pages == gen.blank_pages, seed
        assert seg.parts == gen.parts, (seed, seg.parts, gen.parts)
        assert min(seg.confidences) >= 0.9, (seed, seg.confidences)  # sure of every cut it made
    precision, recall = tp / (tp + fp), tp / (tp + fn)
    print(f"boundary model, 4 generated dossiers: cut precision {precision:.3f}, recall {recall:.3f} ({tp} cuts)")
    assert precision == 1.0 and recall == 1.0 and tp == 8


def test_a_lost_motto_makes_an_uncertain_cut(tmp_path):
    gen = generate_dossier(tmp_path / "torn.pdf", seed=2, text_layer=True, blank_separator=False, motto_lost=(1,))
    seg = segment(_pages_of(gen.path, tmp_path))
    assert seg.parts == gen.parts  # still cut (title, number and issuer) ...
    decision = gen.parts.index(next(p for p in gen.parts if p[0] == gen.parts[1][0]))
    assert seg.confidences[decision] < 0.9  # ... but a person is asked


def _catalogue(home: Path):
    from sohoa.archive.catalogue import Catalogue

    return Catalogue(f"sqlite:///{home / 'catalogue.sqlite3'}")


def _one_page(src: Path, page: int, out: Path) -> None:
    with pikepdf.open(src) as pdf:
        keep = pikepdf.Pdf.new()
        keep.pages.append(pdf.pages[page - 1])
        keep.save(out)


@pytest.fixture(scope="module")
def dossier_batch(tmp_path_factory):
    """One batch: a dossier cut by the model (a judgment of several pages, a decision, a
    certificate that lost its motto: an uncertain cut), one with declared ranges, and a
    one-document file declared whole in a dossier. Processed once, then again. (Born-digital
    files: no OCR here. A born-digital PDF with a blank sheet is taken for a scan by intake,
    so the blank sheets are the image scan's test below.)"""
    base = tmp_path_factory.mktemp("dossiers")
    batch = base / "batch"
    found = generate_dossier(batch / "ho_so_1.pdf", seed=3, text_layer=True, blank_separator=False,
                             motto_lost=(2,))
    declared = generate_dossier(batch / "ho_so_2.pdf", seed=4, text_layer=True, blank_separator=False)
    other = generate_dossier(base / "other.pdf", seed=5, text_layer=True, blank_separator=False)
    _one_page(other.path, other.parts[2][0], batch / "giay_chung_nhan.pdf")
    # declared: the judgment alone, then the decision and certificate as one (the model would cut them)
    decl_ranges = [[declared.parts[0][0], declared.parts[0][1]], [declared.parts[1][0], declared.parts[2][1]]]
    (batch / "batch.json").write_text(json.dumps({
        "batch_id": "HS-TEST-1", "unit": "Phòng Hồ sơ", "operator": "Lê Thu Trang",
        "dossiers": [
            {"code": "HS-2024-002", "title": "Hồ sơ thi hành án số 2",
             "files": [{"file": "ho_so_2.pdf", "pages": decl_ranges[0]},
                       {"file": "ho_so_2.pdf", "pages": decl_ranges[1]}]},
            {"code": "HS-2024-009", "title": "Hồ sơ chấp hành xong", "files": ["giay_chung_nhan.pdf"]},
        ]}, ensure_ascii=False), "utf-8")
    home = base / "home"
    t0 = time.monotonic()
    run_sohoa(home, "process", str(batch), "--report", str(base / "r1.json"))
    first_run = time.monotonic() - t0
    report = json.loads((base / "r1.json").read_text("utf-8"))
    with _catalogue(home).session() as s:
        from sohoa.archive.models import AuditEvent, Document, StoredObject

        counts = (s.scalar(select(func.count(Document.document_id))), s.scalar(select(func.count(StoredObject.id))))
        audit_before = s.scalar(select(func.count(AuditEvent.id)))
    run_sohoa(home, "process", str(batch), "--report", str(base / "r2.json"))
    again = json.loads((base / "r2.json").read_text("utf-8"))
    return {"home": home, "base": base, "report": report, "again": again, "counts": counts, "found": found,
            "declared": declared, "decl_ranges": decl_ranges, "first_run": first_run,
            "audit_before": audit_before}


def _docs(report: dict, source: str) -> list[dict]:
    return [d for d in report["documents"] if d["source"] == source]


def test_a_dossier_scan_becomes_its_documents(dossier_batch, report_schema):
    report, found = dossier_batch["report"], dossier_batch["found"]
    jsonschema.validate(report, report_schema)
    parts = _docs(report, "ho_so_1.pdf")
    assert [tuple(d["pages"]) for d in parts] == found.parts
    assert [d["doc_type"] for d in parts] == ["judgment", "decision", "certificate"]
    assert parts[0]["pages"][1] > parts[0]["pages"][0]  # the judgment's later pages stayed with it
    assert len({d["document_id"] for d in parts}) == 3
    for d, truth in zip(parts, found.documents):
        assert d["fields"]["document_number"]["value"] == truth["fields"]["document_number"]
    # a one-document file keeps the document_id it always had (hash of its bytes), no "pages"
    single = _docs(report, "giay_chung_nhan.pdf")[0]
    assert "pages" not in single
    assert single["document_id"] == "D" + SourceDocument(
        "x", "pdf_text", [SourceFile(Path("x"), "x", sha256_file(dossier_batch["base"] / "batch" / "giay_chung_nhan.pdf"), 1)],
        1).content_sha256[:24]


def test_each_part_is_signed_and_catalogued_in_its_dossier(dossier_batch):
    from sohoa.archive.models import Document, Dossier
    from sohoa.archive.store import LocalObjectStore
    from sohoa.core.storage import ObjectRef
    from sohoa.pipeline.sign.verify import verify_pdf

    home, report = dossier_batch["home"], dossier_batch["report"]
    store = LocalObjectStore(home / "objects")
    for d in _docs(report, "ho_so_1.pdf"):
        o = d["object"]
        data = store.get(ObjectRef(o["bucket"], o["key"], o["version_id"], o["sha256"], None))
        assert len(pikepdf.open(__import__("io").BytesIO(data)).pages) == d["pages"][1] - d["pages"][0] + 1
        v = verify_pdf(data, run_pdfsig=False)
        assert v.valid and v.intact, v.problems
    with _catalogue(home).session() as s:
        rows = {r.document_id: r for r in s.scalars(select(Document))}
        dossiers = {r.code: r for r in s.scalars(select(Dossier))}
        found = [rows[d["document_id"]] for d in _docs(report, "ho_so_1.pdf")]
        code = found[0].dossier_code
        assert code and code.startswith("DEMO-HS-") and not dossiers[code].declared
        assert [(r.dossier_code, r.dossier_ordinal, r.page_first, r.page_last) for r in found] == [
            (code, k, a, b) for k, (a, b) in enumerate(dossier_batch["found"].parts, 1)]
        # the certificate's cut is uncertain (its motto lost): it and the decision before it
        assert [r.split_confidence >= 0.9 for r in found] == [True, False, False]
        declared = [rows[d["document_id"]] for d in _docs(report, "ho_so_2.pdf")]
        assert [(r.dossier_code, r.dossier_ordinal, r.split_confidence) for r in declared] == [
            ("HS-2024-002", 1, 1.0), ("HS-2024-002", 2, 1.0)]
        assert dossiers["HS-2024-002"].declared and dossiers["HS-2024-002"].title == "Hồ sơ thi hành án số 2"
        single = rows[_docs(report, "giay_chung_nhan.pdf")[0]["document_id"]]
        assert (single.dossier_code, single.dossier_ordinal, single.page_first) == ("HS-2024-009", 1, None)


def test_declared_ranges_are_the_cuts(dossier_batch):
    assert [d["pages"] for d in _docs(dossier_batch["report"], "ho_so_2.pdf")] == dossier_batch["decl_ranges"]


def test_an_uncertain_cut_goes_to_review(dossier_batch):
    from sohoa.archive.models import ReviewItem

    parts = _docs(dossier_batch["report"], "ho_so_1.pdf")
    with _catalogue(dossier_batch["home"]).session() as s:
        items = {(i.document_id, i.status, tuple(i.document_value))
                 for i in s.scalars(select(ReviewItem).where(ReviewItem.kind == "split"))}
    # the cut between the decision and the certificate; no other document is asked about
    assert items == {(d["document_id"], "open", tuple(d["pages"])) for d in parts[1:]}
    assert all(d["status"] == "needs_review" for d in parts[1:])


def test_a_rerun_changes_nothing(dossier_batch):
    from sohoa.archive.models import Document, StoredObject

    first, again = dossier_batch["report"]["documents"], dossier_batch["again"]["documents"]
    key = [(d["source"], tuple(d.get("pages") or ()), d["document_id"], d["status"], d["object"]["version_id"])
           for d in first]
    assert [(d["source"], tuple(d.get("pages") or ()), d["document_id"], d["status"], d["object"]["version_id"])
            for d in again] == key
    with _catalogue(dossier_batch["home"]).session() as s:
        assert (s.scalar(select(func.count(Document.document_id))),
                s.scalar(select(func.count(StoredObject.id)))) == dossier_batch["counts"]


@pytest.mark.slow
def test_an_image_scan_of_a_dossier_is_cut_after_ocr(tmp_path, report_schema):
    """One image-only PDF (judgment, blank sheet, decision, certificate; one page each): the
    cuts come from the OCR's own words, no second pass."""
    batch = tmp_path / "batch"
    gen = generate_dossier(batch / "scan.pdf", seed=10, degradation="light", max_judgment_pages=1, dpi=200)
    assert gen.blank_pages
    home = tmp_path / "home"
    run_sohoa(home, "process", str(batch), "--report", str(tmp_path / "r.json"))
    report = json.loads((tmp_path / "r.json").read_text("utf-8"))
    jsonschema.validate(report, report_schema)
    assert [tuple(d["pages"]) for d in report["documents"]] == gen.parts
    assert [d["doc_type"] for d in report["documents"]] == ["judgment", "decision", "certificate"]


def test_a_verifier_confirms_then_moves_a_cut_on_the_page_strip(dossier_batch):
    """The workbench: a split item opens the source's page strip (thumbnails of the parts'
    pages, the cuts marked); saving the same cuts confirms them, other cuts are applied when
    the batch is processed again: a document for the new range, signed and catalogued, and
    the earlier parts kept, superseded."""
    import re
    import warnings
    from types import SimpleNamespace

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    import sohoa.ui.models  # noqa: F401
    from sohoa.archive.models import AuditEvent, Document, ReviewItem
    from sohoa.archive.store import LocalObjectStore
    from sohoa.core.config import load_settings
    from sohoa.ui import auth
    from sohoa.ui.app import create_ui_app

    home, parts = dossier_batch["home"], _docs(dossier_batch["report"], "ho_so_1.pdf")
    cat = _catalogue(home)
    with cat.session() as s:
        auth.create_user(s, "vera", "verifier", "correct horse battery", actor="test")
        item_id = s.scalar(select(ReviewItem.id).where(ReviewItem.kind == "split", ReviewItem.status == "open"))
    rt = SimpleNamespace(catalogue=cat, store=LocalObjectStore(home / "objects"),
                         settings=load_settings(env={"SOHOA_HOME": str(home)}))
    client = TestClient(create_ui_app(rt), base_url="http://127.0.0.1")
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/ui/login").text).group(1)
    assert client.post("/ui/login", data={"csrf": token, "username": "vera", "password": "correct horse battery",
                                          "next": "/ui/"}, follow_redirects=False).status_code == 303
    r = client.get(f"/ui/items/{item_id}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/ui/splits/")
    page = client.get(r.headers["location"])
    assert page.status_code == 200
    starts = [int(n) for n in re.findall(r'name="start" value="(\d+)" checked', page.text)]
    assert starts == [d["pages"][0] for d in parts]
    assert len(re.findall(r"<figure ", page.text)) == parts[-1]["pages"][1]
    thumb = re.search(r'<img src="(/ui/documents/[^"]+\.png)"', page.text).group(1)
    img = client.get(thumb)
    assert img.status_code == 200 and img.content[:4] == b"\x89PNG"
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    url = r.headers["location"]
    # the same cuts: confirmed, nothing else changes
    assert client.post(url, data={"csrf": csrf, "start": [str(n) for n in starts]}).status_code == 200
    with cat.session() as s:
        assert s.scalar(select(func.count()).select_from(ReviewItem).where(
            ReviewItem.kind == "split", ReviewItem.status == "open")) == 0
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "split.confirm")) == 1
    # a page that is no document's: refused
    assert client.post(url, data={"csrf": csrf, "start": ["1", "999"]}).status_code == 400
    # the decision and the certificate are one document after all: the last cut removed
    assert client.post(url, data={"csrf": csrf, "start": [str(n) for n in starts[:2]]}).status_code == 200
    run_sohoa(home, "process", str(dossier_batch["base"] / "batch"), "--report", str(dossier_batch["base"] / "r3.json"))
    third = _docs(json.loads((dossier_batch["base"] / "r3.json").read_text("utf-8")), "ho_so_1.pdf")
    assert [d["pages"] for d in third] == [parts[0]["pages"], [parts[1]["pages"][0], parts[2]["pages"][1]]]
    assert third[0]["document_id"] == parts[0]["document_id"]  # an unchanged part is the same document
    merged = third[1]["document_id"]
    assert merged not in {d["document_id"] for d in parts} and third[1]["object"]["sha256"]
    with cat.session() as s:
        rows = {d["document_id"]: s.get(Document, d["document_id"]) for d in parts}
        assert rows[parts[0]["document_id"]].superseded_by is None
        assert [rows[d["document_id"]].superseded_by for d in parts[1:]] == [merged, merged]  # kept, superseded
        new = s.get(Document, merged)
        assert (new.dossier_code, new.dossier_ordinal, new.split_confidence) == (
            rows[parts[0]["document_id"]].dossier_code, 2, 1.0)
        assert s.scalar(select(func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "document.supersede")) == 2
    cat.dispose()


def test_an_uncertain_cut_is_due_in_working_time(tmp_path, monkeypatch):
    """The split item is due like every other item (reconciler/deadlines.py): tomorrow a day off,
    not 24 clock hours from now."""
    from datetime import datetime, timedelta, timezone
    from zoneinfo import ZoneInfo

    from sohoa.archive.catalogue import Catalogue, utcnow
    from sohoa.archive.models import Batch, Document, ReviewItem
    from sohoa.pipeline.split import hold_for_review
    from sohoa.reconciler.deadlines import review_due_at

    tomorrow = (datetime.now(timezone.utc) + timedelta(hours=24)).astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    (tmp_path / "days.toml").write_text(f"days_off = [{tomorrow.isoformat()}]\n")
    monkeypatch.setenv("SOHOA_WORK_CALENDAR_FILE", str(tmp_path / "days.toml"))
    cat = Catalogue(f"sqlite:///{tmp_path / 'catalogue.sqlite3'}")
    now = utcnow()
    with cat.session() as s:
        s.add(Batch(batch_id="b1", source_dir="/x", unit="u", operator="o", started_at=now))
        s.flush()
        row = Document(document_id="dp", content_sha256="e" * 64, batch_id="b1", source="ho_so.pdf",
                       source_kind="pdf", page_count=2, doc_type="decision", status="matched", converted_at=now,
                       created_at=now, updated_at=now, page_first=3, page_last=4, split_confidence=0.4)
        s.add(row)
        s.flush()
        assert hold_for_review(s, row, 0.9)
        item = s.scalars(select(ReviewItem).where(ReviewItem.document_id == "dp")).one()
        due = review_due_at(item.created_at, "decision", None).replace(tzinfo=None)
        assert item.due_at.replace(tzinfo=None) == due != item.created_at + timedelta(hours=24)
    cat.dispose()
