"""Second read of digit-heavy words (pipeline/ocr/verify.py), with real Tesseract on a rendered line."""
from __future__ import annotations

import shutil
from dataclasses import replace

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont
from sohoa.corpus import scans
from sohoa.pipeline.ocr import engine, verify

pytestmark = pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")

LINE = "Số định danh cá nhân: 001090012345; Bản án số 125/2024/HS-ST ngày 18/03/2024"


@pytest.fixture(scope="module")
def line_words():
    img = Image.new("L", (1900, 160), 255)
    ImageDraw.Draw(img).text((40, 50), LINE, font=ImageFont.truetype(scans.SERIF, 40), fill=0)
    g = np.asarray(img)
    return g, engine.ocr(g, dpi=300, psm=6)


def _id_index(words):
    return next(i for i, w in enumerate(words) if w.text.startswith("0010900"))


@pytest.mark.parametrize("text,heavy", [("001090012345", True), ("125/2024/HS-ST", True), ("18/03/2024", True),
                                        ("2024", False), ("HS-ST", False), ("Nguyễn", False), ("12/12;", False)])
def test_digit_heavy(text, heavy):
    assert verify.is_digit_heavy(text) is heavy


def test_clean_id_keeps_its_confidence(line_words):
    g, words = line_words
    i = _id_index(words)
    assert words[i].text.rstrip(";") == "001090012345"
    out, st = verify.second_read(g, words)
    assert st["checked"] >= 2 and st["disagreed"] == 0
    assert [w.conf for w in out] == [w.conf for w in words]


def test_misread_digit_lowers_confidence(line_words):
    g, words = line_words
    i = _id_index(words)
    # the first read got one digit wrong (as a degraded scan does): the second read of the crop disagrees
    bad = list(words)
    bad[i] = replace(words[i], text="001090012845;", conf=0.97)
    out, st = verify.second_read(g, bad)
    assert st["disagreed"] == 1
    assert out[i].conf <= 0.97 * verify.DISAGREE_FACTOR + 1e-6
    assert all(out[k].conf == bad[k].conf for k in range(len(bad)) if k != i)


@pytest.mark.parametrize("first,second,verdict", [
    ("001090012345", "001090012345", True),
    ("001090012845;", "001090012345;", False),
    ("092061202218", "09206120221B", False),  # a letter where a digit was read: unsure glyph
    ("27/6/2021", "27I6/2021", True),  # 'I' for '/' is not a digit disagreement
    ("12/10/2022", "12/10/2022^6SẾA—XP", True),  # junk the margin took in after the number
    ("326/2016/UBTVQH14", "326/2016/UBTVQHI4", True),  # mixed token: I/1 confusion on both sides
    ("3-8-2019.", "ngày 13-8-2019", False),  # the first read lost a digit
    ("001090012345", "", None), ("001090012345", "~~", None),  # nothing read: no evidence
])
def test_compare(first, second, verdict):
    assert verify.compare(first, second) is verdict


def test_letter_for_digit_needs_no_tiebreak():
    assert verify._letter_for_digit("092061202218", "09206120221B")
    assert not verify._letter_for_digit("001090012845", "001090012345")
    assert not verify._letter_for_digit("125/2024/HS-ST", "125/2024/H5-ST")


def test_streak_is_whited_out_of_the_crop():
    g = np.full((100, 300), 240, np.uint8)
    g[40:60, 50:250:12] = 20  # 'glyphs': short strokes
    g[:, 200] = 90  # a scanner streak through the whole height
    w = engine.TessWord("001090012345", 0.95, 50, 40, 200, 20, 1, 1, (50, 40, 250, 60))
    c = verify._crop(g, w)
    assert (c < 128).any()  # the glyph strokes stay
    assert (c < 180).mean(axis=0).max() < 0.85  # no column dark from top to bottom


def test_no_digit_words_no_tesseract_call(monkeypatch):
    def boom(*a, **k):
        raise AssertionError("tesseract called")

    monkeypatch.setattr(engine, "ocr", boom)
    w = engine.TessWord("Nguyễn", 0.9, 0, 0, 10, 10, 1, 1, (0, 0, 10, 10))
    out, st = verify.second_read(np.full((20, 20), 255, np.uint8), [w])
    assert out == [w] and st["checked"] == 0


# --- orientation: an upside-down page when OSD is unsure -------------------------------------------

@pytest.mark.parametrize("osd", [(180, 0.89), pytest.param((0, 0.0), marks=pytest.mark.slow)])
def test_upside_down_page_turned_when_osd_unsure(tmp_path, monkeypatch, osd):
    import hashlib

    from sohoa.core.config import Settings
    from sohoa.core.types import SourceDocument, SourceFile
    from sohoa.pipeline.ocr import ocrpage
    from sohoa.pipeline.ocr.document import recognize

    img, _ = scans.scan_page(12, gray=True, noise=8, rotate=180, paragraphs=scans.PARAGRAPHS[2:4])
    d = tmp_path / "pages"
    d.mkdir()
    p = d / "p1.png"
    img.save(p, dpi=(300, 300))
    monkeypatch.setattr(ocrpage, "_orientation", lambda gray, dpi: osd)
    doc = SourceDocument("pages", "image_dir",
                         [SourceFile(p.resolve(), p.name, hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_size)], 1)
    rec = recognize(doc, Settings(ocr_jobs=1), tmp_path / "work")
    assert "001090012345" in rec.pages[0].text and "Nguyễn Văn An" in rec.pages[0].text
