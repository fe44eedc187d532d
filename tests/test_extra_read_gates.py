"""Extra reads only where the first read needs them (issue 18, item 3), with real Tesseract on
rendered pages: a sure read is not read again, an unsure one is, a turned page is still turned."""
from __future__ import annotations

import hashlib
import shutil
from dataclasses import replace

import numpy as np
import pytest
from ocr_lines import rendered_line
from sohoa.core.config import Settings
from sohoa.core.types import SourceDocument, SourceFile
from sohoa.corpus import scans
from sohoa.pipeline.ocr import engine, ocrpage, verify
from sohoa.pipeline.ocr.pages import load_page, plan_pages

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")

LINE = "Ngày 18/03/2024 bị cáo có số định danh 001090012345 cư trú"


@pytest.fixture(scope="module")
def line():
    g, words = rendered_line(LINE, 1800)
    date = next(i for i, w in enumerate(words) if w.text.startswith("18/03/2024"))
    pid = next(i for i, w in enumerate(words) if w.text.startswith("0010900"))
    return g, words, date, pid


def _with_conf(words, i, conf):
    out = list(words)
    out[i] = replace(words[i], conf=conf)
    return out


def test_a_sure_well_formed_date_is_not_read_again(line):
    g, words, date, pid = line
    words = _with_conf(_with_conf(words, date, 0.97), pid, 0.97)
    assert not verify.needs_second_read(words[date]) and verify.needs_second_read(words[pid])
    out, st = verify.second_read(g, words)
    assert st["checked"] == 1  # the ID only: a sure ID is still read again (a misread digit reads sure)
    assert out[pid].verified and not out[date].verified and out[date].conf == 0.97


def test_an_unsure_date_is_read_again(line):
    g, words, date, _ = line
    words = _with_conf(words, date, 0.85)
    assert verify.needs_second_read(words[date])
    out, st = verify.second_read(g, words)
    assert out[date].verified and st["disagreed"] == 0


@pytest.mark.parametrize("text,ok", [("18/03/2024", True), ("02-09-2023.", True), ("27-13-2019", False),
                                     ("3-8-2019", False), ("18/03-2024", False), ("001090012345", False)])
def test_plausible_date(text, ok):
    assert verify.is_plausible_date(text) is ok


def _image_doc(tmp_path, img):
    d = tmp_path / "pages"
    d.mkdir()
    p = d / "p1.png"
    img.save(p, dpi=(300, 300))
    f = SourceFile(p.resolve(), p.name, hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_size)
    return SourceDocument("pages", "image_dir", [f], 1)


def _count_reads(monkeypatch):
    """Heights of the images engine.ocr was given."""
    seen: list[int] = []
    real = engine.ocr

    def spy(gray, **kw):
        seen.append(gray.shape[0])
        return real(gray, **kw)

    monkeypatch.setattr(engine, "ocr", spy)
    return seen


def test_an_upright_page_that_reads_poorly_gets_a_probe_not_a_whole_second_read(tmp_path, monkeypatch):
    img, _ = scans.scan_page(3, gray=True, noise=8, paragraphs=scans.PARAGRAPHS[2:4])
    doc = _image_doc(tmp_path, img)
    monkeypatch.setattr(ocrpage, "OSD_BELOW_CONF", 1.01)  # every read counts as poor: the unsure path runs
    monkeypatch.setattr(ocrpage, "_orientation", lambda gray, dpi: (0, 0.0))  # and OSD cannot tell
    seen = _count_reads(monkeypatch)
    settings = Settings(ocr_jobs=1)
    src = plan_pages(doc, settings, tmp_path / "work")[0]
    res = ocrpage.process_page(doc, src, settings, tmp_path / "work")
    full = [h for h in seen if h >= 0.9 * img.height]
    probes = [h for h in seen if 0.2 * img.height <= h <= 0.4 * img.height]
    assert res.rotated == 0 and len(full) == 1 and len(probes) == 1
    assert "001090012345" in res.text.text


def test_a_confident_half_turn_is_tried_on_a_band_first(tmp_path, monkeypatch):
    img, _ = scans.scan_page(4, gray=True, noise=8, paragraphs=scans.PARAGRAPHS[2:4])
    doc = _image_doc(tmp_path, img)
    monkeypatch.setattr(ocrpage, "OSD_BELOW_CONF", 1.01)
    monkeypatch.setattr(ocrpage, "_orientation", lambda gray, dpi: (180, 3.0))  # OSD sure, and wrong
    seen = _count_reads(monkeypatch)
    settings = Settings(ocr_jobs=1)
    src = plan_pages(doc, settings, tmp_path / "work")[0]
    res = ocrpage.process_page(doc, src, settings, tmp_path / "work")
    assert res.rotated == 0 and len([h for h in seen if h >= 0.9 * img.height]) == 1


def test_an_upside_down_page_is_still_turned_when_osd_cannot_tell(tmp_path, monkeypatch):
    img, _ = scans.scan_page(12, gray=True, noise=8, rotate=180, paragraphs=scans.PARAGRAPHS[2:4])
    doc = _image_doc(tmp_path, img)
    monkeypatch.setattr(ocrpage, "_orientation", lambda gray, dpi: (0, 0.0))
    settings = Settings(ocr_jobs=1)
    src = plan_pages(doc, settings, tmp_path / "work")[0]
    res = ocrpage.process_page(doc, src, settings, tmp_path / "work")
    assert res.rotated == 180
    assert "001090012345" in res.text.text and "Nguyễn Văn An" in res.text.text


def test_a_text_band_is_where_the_ink_is():
    g = np.full((1000, 600), 250, np.uint8)
    g[600:900:20, 50:550] = 10  # text lines in the lower part only
    top, bottom = ocrpage._text_band(g)
    assert bottom - top == 300 and top >= 500 and bottom <= 1000


def test_a_lossless_pdf_page_image_is_decoded_by_its_page_not_copied_out_by_the_plan(tmp_path):
    import img2pdf

    img, _ = scans.scan_page(5, gray=True, noise=8, paragraphs=scans.PARAGRAPHS[:1])
    png = tmp_path / "p.png"
    img.save(png, dpi=(300, 300))
    pdf = tmp_path / "scan.pdf"
    pdf.write_bytes(img2pdf.convert([str(png)], layout_fun=img2pdf.get_fixed_dpi_layout_fun((300, 300))))
    f = SourceFile(pdf.resolve(), pdf.name, hashlib.sha256(pdf.read_bytes()).hexdigest(), pdf.stat().st_size)
    doc = SourceDocument("scan.pdf", "pdf_image", [f], 1)
    settings = Settings(ocr_jobs=1)
    work = tmp_path / "work"
    (src,) = plan_pages(doc, settings, work)
    assert src.pdf_object is not None and not src.rasterize
    assert not any((work / "src").iterdir())  # nothing decoded nor written in the plan
    page = load_page(doc, src, settings, work)
    assert round(page.dpi[0]) == 300 and page.jpeg_path is None
    assert np.array_equal(np.asarray(page.image), np.asarray(img.convert("L")))
