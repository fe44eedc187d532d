"""OCR stage: real Tesseract on generated scans, text layer round trip, born-digital PDFs, bad input."""
from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
import unicodedata
from pathlib import Path

import numpy as np
import pdfplumber
import pikepdf
import pytest
from pdfa_check import check_pdfa, validator_findings
from PIL import Image
from sohoa.core.config import Settings
from sohoa.core.errors import RejectedInput
from sohoa.core.types import SourceDocument, SourceFile
from sohoa.corpus import scans
from sohoa.pipeline.ocr.document import Recognized, recognize
from test_storage import same_coefficients

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")

PID = "001090012345"
SETTINGS = Settings(ocr_jobs=2)


def _doc(kind: str, *paths: Path, relpath: str | None = None) -> SourceDocument:
    files = [SourceFile(p.resolve(), p.name, hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_size) for p in paths]
    return SourceDocument(relpath or paths[0].name, kind, files, len(paths))


def _only_image(page):
    xobjs = page.Resources.XObject
    assert len(xobjs.keys()) == 1
    return xobjs[next(iter(xobjs.keys()))]


def _all_text(rec: Recognized) -> str:
    return "\n".join(p.text for p in rec.pages)


def _check_words(rec: Recognized) -> None:
    for p in rec.pages:
        assert p.words, f"page {p.number} has no words"
        for w in p.words:
            assert w.text == unicodedata.normalize("NFC", w.text)
            assert 0.0 <= w.confidence <= 1.0
            x0, top, x1, bottom = w.bbox
            assert 0 <= x0 <= x1 <= p.width + 0.01 and 0 <= top <= bottom <= p.height + 0.01


@pytest.fixture(scope="module")
def page_rgb() -> tuple[Image.Image, str]:
    return scans.scan_page(7, seal=True, noise=10)


@pytest.fixture(scope="module")
def jpeg_rec(tmp_path_factory, page_rgb) -> tuple[Recognized, Path]:
    d = tmp_path_factory.mktemp("jpeg")
    src = d / "scan.jpg"
    # at the storage ceiling (75): its coefficients pass through; above it the page would be re-encoded
    page_rgb[0].save(src, "JPEG", quality=75, dpi=(300, 300))
    return recognize(_doc("image", src), SETTINGS, d / "work"), src


def test_image_jpeg_ocr(jpeg_rec):
    rec, _ = jpeg_rec
    assert rec.ocr_used and len(rec.pages) == 1
    page = rec.pages[0]
    assert page.source == "ocr"
    assert abs(page.width - 595.4) < 1 and abs(page.height - 841.7) < 1  # A4 at 300 dpi
    text = page.text
    assert PID in text
    for word in ("Nguyễn", "Giấy", "Trộm", "định"):
        assert word in text, word
    _check_words(rec)
    assert sum(w.confidence for w in page.words) / len(page.words) > 0.8
    lines = [w.line for w in page.words]
    assert lines == sorted(lines)  # page-unique, in reading order
    assert len(rec.page_images) == 1 and rec.page_images[0].exists()


def test_jpeg_embedded_unchanged_and_colour_kept(jpeg_rec):
    rec, src = jpeg_rec
    with pikepdf.open(rec.pdf_path) as pdf:
        assert len(pdf.pages) == 1
        page = pdf.pages[0]
        xo = _only_image(page)
        assert xo.Filter == pikepdf.Name.DCTDecode
        assert xo.ColorSpace == pikepdf.Name.DeviceRGB  # the seal stays red
        assert same_coefficients(xo.read_raw_bytes(), src.read_bytes())  # no re-encoding
        font = page.Resources.Font.F0
        assert font.Subtype == pikepdf.Name.Type0 and font.Encoding == pikepdf.Name("/Identity-H")
        assert "/ToUnicode" in font
        assert "/FontFile2" in font.DescendantFonts[0].FontDescriptor
        assert b"3 Tr" in page.Contents.read_bytes()


def test_output_is_pdfa_2b(jpeg_rec):
    """The searchable PDF claims PDF/A-2b and pikepdf sees nothing against it (pdfa_check.check_pdfa)."""
    rec, _ = jpeg_rec
    assert check_pdfa(rec.pdf_path) == []
    with pikepdf.open(rec.pdf_path) as pdf:
        with pdf.open_metadata() as meta:
            assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
            assert meta["xmp:CreateDate"] == meta["xmp:ModifyDate"]
        assert set(pdf.docinfo.keys()) == {"/Producer", "/Creator", "/CreationDate", "/ModDate"}
        (intent,) = pdf.Root.OutputIntents
        assert intent.S == pikepdf.Name.GTS_PDFA1 and intent.DestOutputProfile.N == 3
        assert len(pdf.trailer.ID) == 2


def test_output_passes_pikepdf_pdfa_validator(jpeg_rec):
    """pikepdf's allow-list PDF/A validator (veraPDF's rule ids; pikepdf >= 10.18) approves it."""
    rec, _ = jpeg_rec
    assert validator_findings(rec.pdf_path) == []


def test_text_layer_round_trip(jpeg_rec):
    rec, _ = jpeg_rec
    ocr_words = {w.text: w for w in rec.pages[0].words}
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(rec.pdf_path), "-"], capture_output=True, check=True).stdout
    txt = out.decode("utf-8")
    assert txt == unicodedata.normalize("NFC", txt)
    assert PID in txt and "Nguyễn" in txt and "Cầu Giấy" in txt
    with pdfplumber.open(rec.pdf_path) as pdf:
        words = pdf.pages[0].extract_words()
    found = [w for w in words if w["text"].strip(";:,.") == PID]
    assert found, "ID number not found by pdfplumber"
    ref = ocr_words.get(PID) or next(w for t, w in ocr_words.items() if PID in t)
    got = found[0]
    assert abs(got["x0"] - ref.bbox[0]) < 2 and abs(got["x1"] - ref.bbox[2]) < 8
    assert got["top"] <= ref.bbox[1] + 2 and got["bottom"] >= ref.bbox[3] - 2
    assert got["bottom"] - got["top"] < 3 * (ref.bbox[3] - ref.bbox[1]) + 2
    # every OCR word comes back from the text layer
    plumber = {w["text"] for w in words}
    missing = [w.text for w in rec.pages[0].words if w.text not in plumber]
    assert len(missing) <= len(rec.pages[0].words) * 0.02, missing[:10]


def test_tiff_two_pages_one_upside_down(tmp_path):
    a, _ = scans.scan_page(11, gray=True, noise=8)
    b, _ = scans.scan_page(12, gray=True, noise=8, rotate=180, paragraphs=scans.PARAGRAPHS[2:5])
    src = tmp_path / "two.tif"
    a.save(src, save_all=True, append_images=[b], compression="tiff_lzw", dpi=(300, 300))
    rec = recognize(_doc("tiff", src), SETTINGS, tmp_path / "work")
    assert len(rec.pages) == 2
    _check_words(rec)
    assert PID in rec.pages[0].text
    assert PID in rec.pages[1].text and "Nguyễn Văn An" in rec.pages[1].text  # the 180 page was turned
    # the kept image is turned too: the first line of text is near the top
    assert min(w.bbox[1] for w in rec.pages[1].words) < 150
    with pikepdf.open(rec.pdf_path) as pdf:
        assert len(pdf.pages) == 2
        for page in pdf.pages:
            xo = _only_image(page)
            assert xo.ColorSpace == pikepdf.Name.DeviceGray
    assert rec.pdf_path.stat().st_size < 8_000_000
    assert check_pdfa(rec.pdf_path) == []


def test_image_only_pdf_images_taken_out_not_rerendered(tmp_path):
    img, _ = scans.scan_page(21, noise=6, paragraphs=scans.PARAGRAPHS[3:4])
    img = img.resize((img.width // 2, img.height // 2))  # a 150 dpi scan
    img.info["dpi"] = (150, 150)
    src = scans.save_image_pdf([img], tmp_path / "scan.pdf", jpeg=True)
    with pikepdf.open(src) as pdf:
        orig = _only_image(pdf.pages[0]).read_raw_bytes()
    # the PDF's JPEG is q85: a storage ceiling that admits it, so its coefficients pass through
    # (above the ceiling it would be re-encoded: tests/test_storage.py)
    settings = Settings(ocr_jobs=2, storage_jpeg_ceiling=85)
    rec = recognize(_doc("pdf_image", src), settings, tmp_path / "work")
    page = rec.pages[0]
    assert abs(page.width - 595.4) < 1.5
    assert PID in page.text and "Nguyễn" in page.text
    with pikepdf.open(rec.pdf_path) as pdf:
        xo = _only_image(pdf.pages[0])
        assert xo.Width == img.width  # not rasterized again at 300 dpi
        data = xo.read_raw_bytes()
    if shutil.which("jpegtran"):  # a colour scan with no colour on it keeps its luma as stored (pageimage)
        with Image.open(io.BytesIO(data)) as g, Image.open(io.BytesIO(orig)) as o:
            o.draft("YCbCr", o.size)
            assert g.mode == "L" and (np.asarray(g) == np.asarray(o.getchannel(0))).all()
    else:
        assert data == orig
    assert check_pdfa(rec.pdf_path) == []
    assert not (tmp_path / "work" / "src").exists()  # temporary extraction removed


@pytest.mark.slow
def test_pdf_page_with_vector_parts_is_rasterized(tmp_path):
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    img, _ = scans.scan_page(31, noise=5, paragraphs=scans.PARAGRAPHS[3:4])
    png = tmp_path / "p.png"
    img.save(png)
    src = tmp_path / "mixed.pdf"
    c = canvas.Canvas(str(src), pagesize=(595.28, 841.89))
    c.drawImage(ImageReader(str(png)), 0, 0, 595.28, 841.89)
    c.rect(20, 20, 100, 40)  # a vector frame: not a plain one-image page
    c.showPage()
    c.save()
    rec = recognize(_doc("pdf_image", src), SETTINGS, tmp_path / "work")
    assert PID in rec.pages[0].text
    assert abs(rec.pages[0].width - 595.28) < 1


def _text_pdf(path: Path) -> Path:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.pdfgen import canvas

    pdfmetrics.registerFont(TTFont("DejaVuSans", "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"))
    c = canvas.Canvas(str(path), pagesize=(595.28, 841.89))
    c.setFont("DejaVuSans", 12)
    y = 780
    for line in ["TÒA ÁN NHÂN DÂN QUẬN CẦU GIẤY", "", "Bị cáo: Nguyễn Văn An, số định danh cá nhân: " + PID,
                 "phạm tội Trộm cắp tài sản theo Điều 173 Bộ luật Hình sự."]:
        if line:
            c.drawString(72, y, line)
        y -= 18 if line else 30
    c.showPage()
    c.setFont("DejaVuSans", 12)
    c.drawString(72, 780, "Trang hai: xử phạt 24 tháng tù.")
    c.showPage()
    c.save()
    return path


def test_born_digital_pdf_uses_text_layer(tmp_path):
    src = _text_pdf(tmp_path / "born.pdf")
    rec = recognize(_doc("pdf_text", src), SETTINGS, tmp_path / "work")
    assert rec.ocr_used is False and rec.page_images == []
    assert rec.pdf_path.read_bytes() == src.read_bytes()
    assert [p.number for p in rec.pages] == [1, 2]
    p1 = rec.pages[0]
    assert p1.source == "text_layer"
    assert all(w.confidence == 1.0 for w in p1.words)
    lines = p1.text.splitlines()
    assert lines[0] == "TÒA ÁN NHÂN DÂN QUẬN CẦU GIẤY"
    assert lines[1] == "Bị cáo: Nguyễn Văn An, số định danh cá nhân: " + PID
    assert len({w.block for w in p1.words}) == 2  # heading, then the paragraph
    idw = next(w for w in p1.words if w.text == PID)
    assert abs(idw.bbox[3] - (841.89 - 732 + 3)) < 3  # top-left origin, baseline 732 pt from the bottom
    assert "24 tháng tù" in rec.pages[1].text


def test_corrupt_image_data_is_rejected(tmp_path, page_rgb):
    good = tmp_path / "p1.jpg"
    page_rgb[0].resize((800, 1130)).save(good, "JPEG", quality=80)
    bad = tmp_path / "p2.jpg"
    data = good.read_bytes()
    bad.write_bytes(data[:600] + b"\x00" * 50 + data[650:2000])  # damaged and truncated
    with pytest.raises(RejectedInput) as exc:
        recognize(_doc("image_dir", good, bad, relpath="folder"), SETTINGS, tmp_path / "work")
    assert exc.value.source == "folder"
    assert "page 2" in exc.value.reason and "p2.jpg" in exc.value.reason


def test_not_an_image_is_rejected(tmp_path):
    bad = tmp_path / "x.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\nnot really")
    with pytest.raises(RejectedInput) as exc:
        recognize(_doc("image", bad), SETTINGS, tmp_path / "work")
    assert "x.png" in exc.value.reason or "decode" in exc.value.reason


def test_pdf_page_without_image_is_rejected(tmp_path):
    src = _text_pdf(tmp_path / "t.pdf")
    with pytest.raises(RejectedInput) as exc:
        recognize(_doc("pdf_image", src), SETTINGS, tmp_path / "work")
    assert "page 1" in exc.value.reason and "no image" in exc.value.reason


def test_oversized_page_is_rejected(tmp_path):
    src = tmp_path / "big.png"
    Image.new("L", (3000, 3000), 255).save(src)
    with pytest.raises(RejectedInput) as exc:
        recognize(_doc("image", src), Settings(max_page_pixels=4_000_000), tmp_path / "work")
    assert "pixel limit" in exc.value.reason


def test_bilevel_png_stays_one_bit(tmp_path):
    img, _ = scans.render_page(scans.PARAGRAPHS[3:4], header=False)
    bw = img.convert("L").point(lambda v: 255 if v > 128 else 0).convert("1")
    src = tmp_path / "bw.png"
    bw.save(src, dpi=(300, 300))
    rec = recognize(_doc("image", src), SETTINGS, tmp_path / "work")
    assert PID in rec.pages[0].text
    with pikepdf.open(rec.pdf_path) as pdf:
        xo = _only_image(pdf.pages[0])
        assert xo.BitsPerComponent == 1 and xo.Filter == pikepdf.Name.CCITTFaxDecode  # G4
        arr = np.asarray(pikepdf.PdfImage(xo).as_pil_image().convert("L"))
    assert (arr == np.asarray(bw.convert("L"))).all()  # lossless
    assert rec.pdf_path.stat().st_size < 400_000
    assert check_pdfa(rec.pdf_path) == []


def test_sideways_low_dpi_page_is_turned(tmp_path):
    img, _ = scans.scan_page(41, gray=True, noise=6, rotate=270, paragraphs=scans.PARAGRAPHS[2:5])
    img = img.resize((img.width // 2, img.height // 2))  # 150 dpi, landscape as scanned
    src = tmp_path / "side.png"
    img.save(src, dpi=(150, 150))
    rec = recognize(_doc("image", src), SETTINGS, tmp_path / "work")
    page = rec.pages[0]
    assert page.height > page.width  # turned back to portrait
    assert abs(page.width - 595.2) < 2
    assert "Nguyễn Văn An" in page.text and PID in page.text
    with Image.open(rec.page_images[0]) as im:
        assert im.width > im.height  # the archive keeps the scan as scanned (landscape) ...
    with pikepdf.open(rec.pdf_path) as pdf:  # ... and the portrait page draws it turned upright
        mb = [float(v) for v in pdf.pages[0].mediabox]
        a, b, c, d = (float(v) for v in pdf.pages[0].Contents.read_bytes().split(b" cm")[0].split()[1:5])
    assert mb[3] > mb[2] and abs(a) < 1e-3 and abs(d) < 1e-3 and abs(b) > 100 and abs(c) > 100


def test_sideways_page_is_turned_even_when_osd_points_the_wrong_way():
    """Tesseract reads a sideways page as vertical text at high confidence (scrambled lines), and on
    damaged scans OSD can be unsure or a half turn off (a bench page: OSD 90 at 1.31, upright at 270):
    the page is turned the other way when OSD's turn does not read."""
    from sohoa.pipeline.ocr import ocrpage

    img, _ = scans.scan_page(41, gray=True, noise=6, rotate=270, dpi=200, paragraphs=scans.PARAGRAPHS[2:5])
    gray = np.asarray(img)
    as_scanned = ocrpage._ocr_attempt(gray, 0, (200.0, 200.0), SETTINGS)
    assert as_scanned.mean_conf > 0.9 and ocrpage._vertical_share(as_scanned.words) > 0.9
    turned = ocrpage._quarter_turn(gray, 90, (200.0, 200.0), SETTINGS)  # OSD's wrong guess first
    assert turned.rot == 270 and ocrpage._vertical_share(turned.words) < 0.1
    assert "Nguyễn Văn An" in " ".join(w.text for w in turned.words)
