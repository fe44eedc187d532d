"""A born-digital PDF is not a conversion from paper (issue 17, item 4).

It was stamped "SAO Y" and described as converted from a paper original. Intake knows
a PDF with a text layer ("pdf_text") is born digital; the stamp, the XMP and the
signature now say "BẢN SAO VĂN BẢN ĐIỆN TỬ" (a copy of an electronic document, not a
"sao y" of paper: Decree 30/2020 Art. 25(2)); scans keep "SAO Y".
"""
from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

import pikepdf
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conftest import run_sohoa  # noqa: E402
from pdf_samples import image_pdf, text_pdf  # noqa: E402
from sohoa.pipeline.sign import (  # noqa: E402
    ELECTRONIC,
    PAPER,
    prepare_pdf,
    sign_pdf,
    source_medium_for,
    verify_pdf,
)
from sohoa.pipeline.sign.marker import COPY_FORM, COPY_FORM_ELECTRONIC  # noqa: E402
from test_sign import ARCHIVAL, FIELDS, demo_signer, make_marker, pdf_text_page1, settings, sign_home  # noqa: E402, F401

needs_poppler = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")


def test_intake_kinds_map_to_the_right_medium():
    assert source_medium_for("pdf_text") == ELECTRONIC
    for kind in ("pdf_image", "tiff", "image", "image_dir"):
        assert source_medium_for(kind) == PAPER


def test_a_born_digital_document_cannot_be_marked_sao_y():
    src = text_pdf()
    assert make_marker(src, source_medium=ELECTRONIC).copy_form == COPY_FORM_ELECTRONIC
    assert make_marker(src).copy_form == COPY_FORM  # a scan: SAO Y
    with pytest.raises(ValueError, match="born-digital"):
        make_marker(src, source_medium=ELECTRONIC, copy_form="SAO Y")
    with pytest.raises(ValueError, match="source medium"):
        make_marker(src, source_medium="papyrus")


@needs_poppler
def test_born_digital_pdf_is_stamped_and_described_as_an_electronic_copy(demo_signer, tmp_path):  # noqa: F811
    src = text_pdf()
    marker = make_marker(src, source_medium=source_medium_for("pdf_text"))
    signed = sign_pdf(prepare_pdf(src, marker, FIELDS, ARCHIVAL), demo_signer, marker)
    page1 = pdf_text_page1(signed, tmp_path)
    assert COPY_FORM_ELECTRONIC in page1 and "SAO Y" not in page1
    rep = verify_pdf(signed, run_pdfsig=False)
    assert rep.valid, rep.to_text()
    assert rep.marker["copy_form"] == COPY_FORM_ELECTRONIC
    assert rep.marker["source_medium"] == ELECTRONIC
    sig = rep.signatures[0]
    assert "born-digital electronic original" in sig.reason and "bản giấy sang" not in sig.reason
    with pikepdf.open(io.BytesIO(signed)) as pdf:
        meta = pdf.open_metadata()
        assert meta["dc:source"] == ELECTRONIC
        assert meta["dc:title"].endswith(f"({COPY_FORM_ELECTRONIC})")
        assert "bản sao văn bản điện tử gốc" in meta["dc:description"]
        assert "chuyển đổi từ bản giấy sang" not in meta["dc:description"]
    # a scan keeps the paper wording
    scan = image_pdf(1)
    paper = make_marker(scan, source_medium=source_medium_for("pdf_image"))
    signed = sign_pdf(prepare_pdf(scan, paper, FIELDS, ARCHIVAL), demo_signer, paper)
    assert "SAO Y" in pdf_text_page1(signed, tmp_path)
    assert verify_pdf(signed, run_pdfsig=False).marker["source_medium"] == PAPER


@pytest.mark.slow
@needs_poppler
def test_process_marks_a_born_digital_pdf_from_its_intake_kind(tmp_path, pg_database_url):
    """The whole pipeline: intake finds the text layer, the signer gets the medium."""

    batch = tmp_path / "batch"
    batch.mkdir()
    lines = [(72, 780 - 16 * i, t) for i, t in enumerate([
        "TÒA ÁN NHÂN DÂN QUẬN CẦU GIẤY", "Bản án số: 125/2024/HS-ST", "Ngày 18 tháng 3 năm 2024",
        "NHÂN DANH NƯỚC CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Bị cáo: Nguyễn Văn An"])]
    (batch / "ban-an.pdf").write_bytes(text_pdf([lines]))
    home = tmp_path / "home"
    env = {"SOHOA_DB_URL": pg_database_url}
    run_sohoa(home, "process", str(batch), "--report", str(tmp_path / "r.json"), env=env, check=False)
    import json

    docs = [d for d in json.loads((tmp_path / "r.json").read_text())["documents"] if d.get("object")]
    assert docs, (tmp_path / "r.json").read_text()
    out = tmp_path / "f.pdf"
    run_sohoa(home, "fetch", docs[0]["document_id"], "-o", str(out), env=env)
    page1 = pdf_text_page1(out.read_bytes(), tmp_path)
    assert COPY_FORM_ELECTRONIC in page1 and "SAO Y" not in page1
    rep = verify_pdf(out.read_bytes(), run_pdfsig=False)
    assert rep.marker["source_medium"] == ELECTRONIC
