"""Hostile file names: a name that is not UTF-8 does not end the batch, and a name with a
control character is archived under a spelling that verifies for ever after.

Intake spells every source name with `source_name()` (pipeline/intake.py): printable
UTF-8 kept as it is, each non-UTF-8 byte, control character, bidi control and '%'
percent-escaped. The report, the catalogue and the signed marker (XMP) hold the same
string, and `name_bytes()` gives back the exact bytes on disk.
"""
from __future__ import annotations

import io
import json
import os
import sys
from pathlib import Path

import pikepdf
import pytest
from sohoa.pipeline.intake import name_bytes, source_name

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conftest import run_sohoa  # noqa: E402

NAMES = [  # on-disk bytes -> the spelling kept
    (b"bad\xff\xfename.pdf", "bad%FF%FEname.pdf"),  # Latin-1/cp1258 bytes, not UTF-8
    (b"esc\x1b[31mred.pdf", "esc%1B[31mred.pdf"),  # an ANSI colour sequence
    (b"tab\tnew\nline.pdf", "tab%09new%0Aline.pdf"),
    (b"del\x7f.pdf", "del%7F.pdf"),
    (b"c1\xc2\x9b.pdf", "c1%C2%9B.pdf"),  # U+009B, the 8-bit CSI
    (b"hs_\xe2\x80\xaefdp.exe", "hs_%E2%80%AEfdp.exe"),  # RIGHT-TO-LEFT OVERRIDE: shows as 'exe.pdf'
    (b"50%.pdf", "50%25.pdf"),  # '%' itself, so the escape stays reversible
    (b"50%25.pdf", "50%2525.pdf"),
    ("Bản án 125-2024.pdf".encode(), "Bản án 125-2024.pdf"),  # printable UTF-8 kept as it is
    ("Ba\u0309n a\u0301n.pdf".encode(), "Ba\u0309n a\u0301n.pdf"),  # NFD kept byte-exact, not normalised
]


@pytest.mark.parametrize("raw,spelled", NAMES)
def test_source_names_are_escaped_reversibly_and_fit_xml(raw, spelled):
    assert source_name(os.fsdecode(raw)) == spelled
    assert name_bytes(spelled) == raw
    spelled.encode("utf-8")  # valid UTF-8: PostgreSQL, JSON and XMP take it
    assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in spelled)


def test_a_folder_and_its_pages_with_hostile_names_are_spelled_escaped(tmp_path):
    from PIL import Image
    from sohoa.core.config import load_settings
    from sohoa.pipeline.intake import Intake

    batch = tmp_path / "batch"
    folder = os.fsencode(batch) + b"/h\xf4 s\xe1"  # cp1258-ish bytes: not UTF-8
    os.makedirs(folder)
    for page in (b"p2\x1b.png", b"p10.png"):
        Image.new("L", (64, 64), 255).save(os.fsdecode(folder + b"/" + page), "PNG")
    (item,) = list(Intake(load_settings(env={"SOHOA_HOME": str(tmp_path / "home")})).scan(batch))
    assert item.relpath == "h%F4 s%E1" and item.kind == "image_dir"
    assert [f.relpath for f in item.files] == ["h%F4 s%E1/p2%1B.png", "h%F4 s%E1/p10.png"]  # natural order
    assert [os.fsencode(f.path).rsplit(b"/", 1)[1] for f in item.files] == [b"p2\x1b.png", b"p10.png"]


def _text_pdf(words: str) -> bytes:
    """A born-digital one-page PDF (a text layer, no OCR needed)."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    page = pdf.pages[0]
    page.obj.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(
        F1=pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)))
    lines = " ".join(f"({w}) Tj 0 -16 Td" for w in words.split("|"))
    page.obj.Contents = pdf.make_stream(f"BT /F1 12 Tf 72 760 Td {lines} ET".encode("latin-1"))
    buf = io.BytesIO()
    pdf.save(buf)
    return buf.getvalue()


@pytest.mark.slow
def test_hostile_names_do_not_end_the_batch_and_their_documents_verify(tmp_path, home, pg_database_url):
    batch = tmp_path / "batch"
    batch.mkdir()
    b = os.fsencode(batch)
    disk = {
        b"bad\xff\xfename.pdf": _text_pdf("TOA AN NHAN DAN QUAN CAU GIAY|BAN AN SO 125/2024/HS-ST|ngay 18 thang 3"),
        b"esc\x1b[31mred.pdf": _text_pdf("CUC THI HANH AN DAN SU|QUYET DINH SO 01/2024/QD-CA|ngay 2 thang 4"),
        b"zero\xe9.pdf": b"",  # a bad file with a bad name: rejected, named, the batch goes on
        b"legacy.pdf": _text_pdf("SO TU PHAP|GIAY CHUNG NHAN SO 7/2023/GCN|ngay 5 thang 6"),
    }
    for name, data in disk.items():
        with open(b + b"/" + name, "wb") as fh:
            fh.write(data)
    env = {"SOHOA_DB_URL": pg_database_url}
    report_path = tmp_path / "report.json"
    proc = run_sohoa(home, "process", "-q", str(batch), "--report", str(report_path), env=env)
    assert "Traceback" not in proc.stderr
    report = json.loads(report_path.read_text("utf-8"))
    docs = {d["source"]: d for d in report["documents"]}
    assert set(docs) == {"bad%FF%FEname.pdf", "esc%1B[31mred.pdf", "zero%E9.pdf", "legacy.pdf"}
    assert {name_bytes(s) for s in docs} == set(disk)  # byte-exact back to the names on disk
    assert docs["zero%E9.pdf"]["status"] == "rejected" and "empty file" in docs["zero%E9.pdf"]["reason"]

    from sqlalchemy import create_engine, text

    engine = create_engine(pg_database_url)
    with engine.begin() as conn:
        rows = dict(conn.execute(text("select d.document_id, f.relpath from documents d "
                                      "join source_files f on f.document_id = d.document_id")).all())
        # a document archived before names were escaped: the catalogue kept the ESC, XMP could not
        conn.execute(text("update source_files set relpath = :p where document_id = :d"),
                     {"p": "leg\x1bacy.pdf", "d": docs["legacy.pdf"]["document_id"]})
    engine.dispose()
    rows[docs["legacy.pdf"]["document_id"]] = "legacy.pdf"  # what its marker holds
    for source in ("bad%FF%FEname.pdf", "esc%1B[31mred.pdf", "legacy.pdf"):
        d = docs[source]
        assert d["status"] != "rejected", d
        assert rows[d["document_id"]] == source  # the catalogue keeps the same spelling
        out = tmp_path / f"{d['document_id']}.pdf"
        run_sohoa(home, "fetch", d["document_id"], "-o", str(out), env=env)
        verified = run_sohoa(home, "verify", "--json", str(out), env=env, check=False)
        assert verified.returncode == 0, verified.stdout + verified.stderr
        result = json.loads(verified.stdout)
        assert [s["path"] for s in result["marker"]["sources"]] == [source], result["marker"]
