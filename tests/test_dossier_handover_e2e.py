"""Issue 20's "done": a dossier — a judgment, the decision executing it and the certificate
closing it — scanned as ONE image PDF (light damage, a blank separator sheet, real OCR) goes
through `sohoa process`; it comes out as three signed documents of one dossier, and
`sohoa export --dossier` makes a BagIt package with METS/PREMIS that `sohoa export --verify`
accepts offline."""
from __future__ import annotations

import json

import bagit
import jsonschema
import pytest
from conftest import run_sohoa
from lxml import etree
from sohoa.corpus.dossier import generate_dossier

NS = {"mets": "http://www.loc.gov/METS/", "premis": "http://www.loc.gov/premis/v3"}


@pytest.mark.slow
def test_a_dossier_scanned_as_one_pdf_becomes_a_verified_hand_over_package(tmp_path, report_schema):
    batch = tmp_path / "batch"
    gen = generate_dossier(batch / "ho_so.pdf", seed=11, degradation="light", blank_separator=True,
                           max_judgment_pages=2)
    (batch / "batch.json").write_text(json.dumps({"batch_id": "HS-E2E", "unit": "THA Hà Nội",
                                                  "operator": "Nguyễn Thị Lan",
                                                  "scanned_at": "2026-12-07T08:00:00+07:00"}), "utf-8")
    home = tmp_path / "home"
    report_path = tmp_path / "report.json"
    run_sohoa(home, "process", str(batch), "--report", str(report_path))
    report = json.loads(report_path.read_text("utf-8"))
    jsonschema.validate(report, report_schema)
    parts = [d for d in report["documents"] if d["source"] == "ho_so.pdf"]
    # three documents, in order, each with its own page range (the blank sheet in none)
    assert [d["pages"] for d in parts] == [list(p) for p in gen.parts]
    assert [d["doc_type"] for d in parts] == ["judgment", "decision", "certificate"]
    assert len({d["document_id"] for d in parts}) == 3 and all(d["object"]["sha256"] for d in parts)

    from sohoa.archive.catalogue import Catalogue
    from sohoa.archive.models import Document
    from sqlalchemy import select

    cat = Catalogue(f"sqlite:///{home / 'catalogue.sqlite3'}")
    with cat.session() as s:
        rows = {r.document_id: r for r in s.scalars(select(Document))}
        codes = {rows[d["document_id"]].dossier_code for d in parts}
        ordinals = [rows[d["document_id"]].dossier_ordinal for d in parts]
    cat.dispose()
    assert len(codes) == 1 and None not in codes and ordinals == [1, 2, 3]
    code = codes.pop()

    out = tmp_path / "package"
    run_sohoa(home, "export", "--dossier", code, "-o", str(out))
    assert bagit.Bag(str(out)).is_valid()
    [mets] = list((out / "data" / "mets").glob("*.xml"))
    tree = etree.parse(str(mets))
    dossier = tree.find("mets:structMap/mets:div", NS)
    assert dossier.get("TYPE") == "dossier"
    docs = dossier.findall("mets:div", NS)
    assert len(docs) == 3  # dossier -> documents -> pages, each page labelled with its page in the scan
    for div, (first, last) in zip(docs, gen.parts):
        labels = [p.get("ORDERLABEL") for p in div.findall("mets:div[@TYPE='page']", NS)]
        assert labels == [str(n) for n in range(first, last + 1)]
    events = {e.text for e in tree.iterfind(".//premis:eventType", NS)}
    assert {"capture", "OCR", "digital signature generation", "ingestion"} <= events
    verified = run_sohoa(home, "export", "--verify", str(out))
    assert verified.stdout.startswith("VALID") and "3 signatures checked offline" in verified.stdout
