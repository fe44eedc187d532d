"""Archival metadata (archive/archival.py, pipeline/archival.py): a judgment and the decision
executing it, born-digital, processed by the real CLI; their sets in the catalogue, in the
signed PDFs' XMP (verify VALID) and from the API; the dossier's set; the backfill.

Real catalogue (SQLite; the file-membership query also on PostgreSQL), real DEMO signature.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import random
import re
import warnings
from pathlib import Path

import pikepdf
import pytest
from conftest import run_sohoa
from sqlalchemy import select, update

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

UNIT = "Sở Tư pháp thành phố Hà Nội"
SCANNED_AT = "2026-11-23T08:00:00+07:00"
PLACEHOLDERS = ("CHUAXACDINH", ".0000.", "Tài liệu")
DOCUMENT_KEYS = {"Identifier", "FileCode", "DocOrdinal", "ArchiveCode", "TypeName", "CodeNumber", "CodeNotation",
                 "IssuedDate", "OrganName", "Subject", "Language", "PageAmount", "Mode", "ConfidenceLevel",
                 "Maintenance", "SignerInfo", "Keyword", "Description", "DigitizedBy", "ScannedAt"}
DOSSIER_KEYS = {"FileCode", "Title", "Maintenance", "Rights", "Language", "StartDate", "EndDate", "Keyword",
                "DocTotal", "PageTotal", "ConfidenceLevel", "Creator"}


def _pdf(doc, rng) -> bytes:
    from sohoa.corpus.layout import Style, layout
    from sohoa.corpus.render import render_pdf

    buf = io.BytesIO()
    render_pdf(layout(doc, Style.random(rng), rng), buf)
    return buf.getvalue()


@pytest.fixture(scope="module")
def archived(tmp_path_factory):
    """A judgment and the decision executing it (the decision first in the batch: it is
    archived before its judgment), processed by `sohoa process`."""
    from sohoa.corpus.execution_text import execution_doc
    from sohoa.corpus.facts import make_judgment
    from sohoa.corpus.judgment_text import judgment_doc

    base = tmp_path_factory.mktemp("archival")
    batch = base / "batch"
    batch.mkdir()
    rng = random.Random(7)
    j = make_judgment(rng, dt.date(2024, 3, 18), "ST")
    jdoc, jfields, _, _ = judgment_doc(rng, j)
    ddoc, dfields, _, _ = execution_doc(rng, "decision", "execute_sentence", j, j.date + dt.timedelta(days=40))
    (batch / "a_quyet_dinh.pdf").write_bytes(_pdf(ddoc, rng))
    (batch / "b_ban_an.pdf").write_bytes(_pdf(jdoc, rng))
    (batch / "batch.json").write_text(json.dumps({"batch_id": "B-ARCH", "unit": UNIT, "operator": "Lê Thu Trang",
                                                  "scanned_at": SCANNED_AT, "scanner": "Fujitsu fi-7160"},
                                                 ensure_ascii=False), "utf-8")
    home = base / "home"
    run_sohoa(home, "process", str(batch), "--report", str(base / "report.json"))
    report = json.loads((base / "report.json").read_text("utf-8"))
    ids = {d["source"]: d["document_id"] for d in report["documents"]}
    return {"home": home, "base": base, "judgment": ids["b_ban_an.pdf"], "decision": ids["a_quyet_dinh.pdf"],
            "jfields": jfields, "dfields": dfields}


def _runtime(home: Path):
    import os

    from sohoa.core.config import load_settings

    from sohoa.runtime import build_runtime

    old = os.environ.get("SOHOA_HOME")
    os.environ["SOHOA_HOME"] = str(home)
    try:
        settings = load_settings()
    finally:
        if old is None:
            os.environ.pop("SOHOA_HOME", None)
        else:
            os.environ["SOHOA_HOME"] = old
    return build_runtime(settings, need_signer=False, actor="test")


def _rows(home: Path):
    from sohoa.archive.catalogue import Catalogue
    from sohoa.archive.models import Document, Dossier

    cat = Catalogue(f"sqlite:///{home / 'catalogue.sqlite3'}")
    with cat.session() as s:
        docs = {d.document_id: (d.archival, d.page_count) for d in s.scalars(select(Document))}
        dossiers = {d.code: d.archival for d in s.scalars(select(Dossier))}
    cat.dispose()
    return docs, dossiers


def _walk(value):
    if isinstance(value, dict):
        for v in value.values():
            yield from _walk(v)
    elif isinstance(value, list):
        for v in value:
            yield from _walk(v)
    else:
        yield value


def _demo_signer_info(home: Path) -> dict:
    from sohoa.core.config import Settings
    from sohoa.pipeline.sign import load_signer
    from sohoa.pipeline.sign.signer_info import signer_info

    return signer_info(load_signer(Settings(home=home)).certificate)


def test_document_sets_are_complete_with_the_certificate_and_no_placeholder(archived):
    docs, _ = _rows(archived["home"])
    expected_signer = _demo_signer_info(archived["home"])
    assert expected_signer["serial"] and expected_signer["issuer"] and "DEMO" in expected_signer["subject"]
    for doc_id in (archived["judgment"], archived["decision"]):
        a, pages = docs[doc_id]
        assert DOCUMENT_KEYS <= set(a), DOCUMENT_KEYS - set(a)
        assert a["Identifier"] == doc_id and a["PageAmount"] == pages
        # Decree 113/2025: the link to the archival document itself, the signed object as stored
        assert re.fullmatch(rf"s3://[a-z0-9.-]+/\w+/\d{{4}}/{doc_id}\.pdf(\?versionId=\S+)?", a["FileLink"])
        assert a["SignerInfo"] == expected_signer  # subject, issuer, serial, validity, fingerprint
        assert a["Maintenance"] == "Vĩnh viễn" and a["DigitizedBy"] == UNIT and a["ScannedAt"] == SCANNED_AT
        assert a["ConfidenceLevel"] == "Gốc điện tử"  # born-digital sources: no paper was scanned
        assert a["Unknown"] == {"Format": "an electronic original: no paper was scanned"}
        for v in _walk(a):
            assert v is not None and v != ""
            assert not any(p in str(v) for p in PLACEHOLDERS if p != "Tài liệu") and v != "Tài liệu", v
    j, d = docs[archived["judgment"]][0], docs[archived["decision"]][0]
    assert j["TypeName"] == "Bản án" and d["TypeName"] == "Quyết định thi hành án"
    number = archived["jfields"]["document_number"]
    assert f"{j['CodeNumber']}/{j['CodeNotation']}" == number and j["IssuedDate"] == archived["jfields"]["issue_date"]
    assert d["IssuedDate"] == archived["dfields"]["issue_date"] and number in d["Subject"]


def test_judgment_and_its_decision_share_the_file_code_in_issue_date_order(archived):
    docs, _ = _rows(archived["home"])
    j, d = docs[archived["judgment"]][0], docs[archived["decision"]][0]
    number, year = archived["jfields"]["document_number"].split("/")[:2]
    assert j["FileCode"] == d["FileCode"] == f"DEMO.{year}.{number}-HS-ST"
    # the decision was archived first, the judgment (issued earlier) comes first all the same
    assert (j["DocOrdinal"], d["DocOrdinal"]) == (1, 2)
    assert j["ArchiveCode"] == f"{j['FileCode']}.001" and d["ArchiveCode"] == f"{d['FileCode']}.002"


def test_the_dossier_set_counts_documents_pages_and_dates(archived):
    docs, dossiers = _rows(archived["home"])
    j, d = docs[archived["judgment"]], docs[archived["decision"]]
    dossier = dossiers[j[0]["FileCode"]]
    assert DOSSIER_KEYS <= set(dossier), DOSSIER_KEYS - set(dossier)
    assert dossier["DocTotal"] == 2 and dossier["PageTotal"] == j[1] + d[1]
    assert (dossier["StartDate"], dossier["EndDate"]) == (j[0]["IssuedDate"], d[0]["IssuedDate"])
    assert dossier["Title"].startswith("Hồ sơ thi hành án hình sự: Bản án số")
    assert dossier["Creator"] == UNIT and dossier["Rights"] == "Tiếp cận có điều kiện"
    # what is not known says why; nothing is made up
    assert set(dossier["Unknown"]) == {"Format", "PaperFileCode", "SheetTotal", "BackupMode", "BackupStatus"}
    assert all(isinstance(v, str) and len(v) > 10 for v in dossier["Unknown"].values())


def test_the_signed_xmp_carries_the_set_and_verify_is_valid(archived):
    from sohoa.pipeline.sign import read_xmp

    home, doc_id = archived["home"], archived["judgment"]
    out = archived["base"] / "judgment.pdf"
    run_sohoa(home, "fetch", doc_id, "-o", str(out))
    proc = run_sohoa(home, "verify", str(out))
    assert proc.stdout.startswith("VALID"), proc.stdout
    with pikepdf.open(out) as pdf:
        xmp = read_xmp(pdf)["archival"]
        raw = pdf.Root.Metadata.read_bytes()
    docs, _ = _rows(home)
    a = docs[doc_id][0]
    assert b"<ltr:Identifier>" + doc_id.encode() + b"</ltr:Identifier>" in raw  # ours: the ltr: namespace
    assert b"<nd30:FileCode>" + a["FileCode"].encode() + b"</nd30:FileCode>" in raw  # Appendix VI names kept
    for key in ("FileCode", "TypeName", "CodeNumber", "CodeNotation", "IssuedDate", "OrganName", "Subject",
                "ArchiveCode", "Maintenance", "Mode"):
        assert xmp[key] == a[key], key
    assert json.loads(xmp["SignerInfo"]) == a["SignerInfo"]


def test_the_api_serves_document_and_dossier_metadata(archived):
    from sohoa.api import create_app
    from sohoa.api.tokens import create_token

    rt = _runtime(archived["home"])
    with rt.catalogue.session() as s:
        secret, _ = create_token(s, "archival-reader", ["read"], actor="test")
    client = TestClient(create_app(rt))
    auth = {"Authorization": f"Bearer {secret}"}
    docs, _ = _rows(archived["home"])
    a = docs[archived["judgment"]][0]
    r = client.get(f"/documents/{archived['judgment']}", headers=auth)
    assert r.status_code == 200 and r.json()["archival"]["FileCode"] == a["FileCode"]
    assert r.json()["archival"]["SignerInfo"]["serial"] == a["SignerInfo"]["serial"]
    r = client.get(f"/dossiers/{a['FileCode']}", headers=auth)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["archival"]["DocTotal"] == 2 and body["masked"] is True
    assert [d["document_id"] for d in body["documents"]] == [archived["judgment"], archived["decision"]]
    assert [d["ordinal"] for d in body["documents"]] == [1, 2]
    assert client.get("/dossiers/DEMO.1999.0-XX", headers=auth).status_code == 404
    assert client.get(f"/dossiers/{a['FileCode']}").status_code == 401  # no token, no dossier
    rt.catalogue.dispose()


def test_backfill_rebuilds_the_sets_of_documents_archived_before(archived, tmp_path):
    import shutil

    from sohoa.archive.models import Document, Dossier
    from sohoa.pipeline.archival import backfill

    home = tmp_path / "home"
    shutil.copytree(archived["home"], home)
    before, dossiers_before = _rows(home)
    rt = _runtime(home)
    with rt.catalogue.session() as s:
        s.execute(update(Document).values(archival=None))
        s.execute(update(Dossier).values(archival=None))
    assert backfill(rt) == 2
    assert backfill(rt) == 0  # only what has none
    rt.catalogue.dispose()
    after, dossiers_after = _rows(home)
    for doc_id, (a, _) in before.items():
        b = after[doc_id][0]
        # SignerInfo now read from the stored PDF's own signature: the same certificate
        assert b["SignerInfo"] == a["SignerInfo"]
        for key in ("FileCode", "DocOrdinal", "ArchiveCode", "TypeName", "CodeNumber", "IssuedDate", "Subject",
                    "FileLink"):
            assert b[key] == a[key], key
    code = before[archived["judgment"]][0]["FileCode"]
    for key in ("DocTotal", "PageTotal", "StartDate", "EndDate", "Title"):
        assert dossiers_after[code][key] == dossiers_before[code][key], key


@pytest.mark.parametrize("catalogue_url", ["postgresql"], indirect=True)
def test_file_members_and_ordinals_on_postgresql(catalogue_url):
    """The FileCode lookup is a JSON path query: the same on PostgreSQL as on SQLite."""
    from sohoa.archive.archival import document_archival
    from sohoa.archive.archival_catalogue import file_members, ordinal_in_file, refresh_file
    from sohoa.archive.catalogue import Catalogue
    from sohoa.archive.models import Batch, Document, Dossier
    from sohoa.core.config import Settings

    cat = Catalogue(catalogue_url)
    now = dt.datetime.now(dt.timezone.utc)
    values = {"judgment": {"document_number": "7/2023/HS-ST", "issue_date": "2023-05-02", "issuer": "TAND quận A"},
              "decision": {"document_number": "3/2023/QĐ-CA", "issue_date": "2023-06-10",
                           "judgment_ref": "7/2023/HS-ST", "decision_kind": "execute_sentence"}}
    with cat.session() as s:
        s.add(Batch(batch_id="B1", unit=UNIT, source_dir="/x", status="done", started_at=now))
        s.flush()
        for i, kind in enumerate(("decision", "judgment")):
            doc_id = f"D{i:024d}"
            a = document_archival(document_id=doc_id, organ_code="TAHN", doc_type=kind, values=values[kind],
                                  page_count=2, born_digital=False, ocr_confidence=0.9)
            s.add(Document(document_id=doc_id, content_sha256=f"{i:064d}", batch_id="B1", source=f"{kind}.pdf",
                           source_kind="pdf_image", page_count=2, doc_type=kind, status="matched",
                           converted_at=now, created_at=now, updated_at=now, archival=a.to_dict()))
        s.flush()
        assert len(file_members(s, "TAHN.2023.7-HS-ST")) == 2
        assert ordinal_in_file(s, "TAHN.2023.7-HS-ST", "Dnew", "2023-01-01") == 1
        row = refresh_file(s, "TAHN.2023.7-HS-ST", Settings(home=Path("/nonexistent"), unit=UNIT))
        assert row.archival["DocTotal"] == 2 and row.archival["PageTotal"] == 4
        assert row.archival["ConfidenceLevel"] == "Số hóa" and "Format" in row.archival
    with cat.session() as s:
        ordinals = {d.doc_type: d.archival["DocOrdinal"] for d in s.scalars(select(Document))}
        assert ordinals == {"judgment": 1, "decision": 2}
        assert s.get(Dossier, "TAHN.2023.7-HS-ST").archival["StartDate"] == "2023-05-02"
    cat.dispose()
