"""OCR building blocks: deskew, red-seal removal, TSV numbering, text layer font; CER effect of clean-up."""
from __future__ import annotations

import shutil

import numpy as np
import pytest
from sohoa.core.types import Word
from sohoa.corpus import scans
from sohoa.pipeline.ocr import engine, textlayer
from sohoa.pipeline.ocr import preprocess as pp


@pytest.fixture(scope="module")
def clean_page():
    img, truth = scans.render_page(scans.PARAGRAPHS[2:6], header=False)
    return img, truth


@pytest.mark.parametrize("angle", [-3.0, -1.2, 2.5])
def test_estimate_skew(clean_page, angle):
    img = scans.degrade(clean_page[0], skew_deg=angle, noise=8, seed=1)
    gray = pp.to_gray(np.asarray(img))
    assert abs(pp.estimate_skew(gray) - angle) < 0.2
    fixed = pp.rotate_small(gray, -pp.estimate_skew(gray))
    assert abs(pp.estimate_skew(fixed)) < 0.2


def test_straight_page_is_left_alone(clean_page):
    gray = pp.to_gray(np.asarray(scans.degrade(clean_page[0], noise=8, seed=2)))
    assert abs(pp.estimate_skew(gray)) < 0.2
    assert pp.estimate_skew(np.full((400, 300), 255, np.uint8)) == 0.0  # blank page


def test_red_removal_keeps_black_text(clean_page):
    rgb = np.asarray(scans.add_seal(clean_page[0]))
    gray = pp.to_gray(rgb)
    cleaned = pp.remove_red(rgb, gray)
    mask = pp.red_mask(rgb)
    assert mask.mean() > 0.002  # the seal is there
    assert (cleaned[mask] == 255).all()
    black = (rgb.max(axis=2) < 60)  # text pixels, also those under the seal
    assert (cleaned[black] < 100).all()
    assert pp.is_colour(rgb) and not pp.is_colour(np.asarray(clean_page[0]))


def test_rotate_quarter_round_trip():
    a = np.arange(12, dtype=np.uint8).reshape(3, 4)
    for r in (90, 180, 270):
        assert (pp.rotate_quarter(pp.rotate_quarter(a, r), 360 - r) == a).all()


def test_parse_tsv_page_unique_numbers():
    head = "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext\n"
    rows = [
        "4\t1\t1\t1\t1\t0\t10\t10\t200\t30\t-1\t",
        "5\t1\t1\t1\t1\t1\t10\t12\t50\t26\t96.5\tNgu\u1ec5n",  # NFC already
        "5\t1\t1\t1\t1\t2\t70\t12\t50\t26\t90\tVa\u0306n",  # decomposed: must come back NFC
        "4\t1\t2\t1\t1\t0\t10\t60\t200\t30\t-1\t",
        "5\t1\t2\t1\t1\t1\t10\t60\t50\t30\t50\t001090012345",
        "5\t1\t2\t1\t1\t2\t70\t60\t50\t30\t-1\t ",
    ]
    words = engine.parse_tsv(head + "\n".join(rows))
    assert [w.text for w in words] == ["Nguễn", "Văn", "001090012345"]
    assert [w.line for w in words] == [1, 1, 2]  # line_num restarts per block in Tesseract
    assert [w.block for w in words] == [1, 1, 2]
    assert words[0].conf == pytest.approx(0.965) and words[0].line_box == (10, 10, 210, 40)


def test_text_layer_operators_and_cmap():
    words = [Word("Nguyễn", 0.9, (72, 100, 120, 112), 1), Word("An", 0.9, (125, 100, 140, 112), 1)]
    ops = textlayer.content(words, 842.0, {1: (98.0, 114.0)})
    assert b"3 Tr" in ops
    # UTF-16BE codes of "Nguyễn " (with the word gap) then "An"
    assert ("<" + "Nguyễn ".encode("utf-16-be").hex().upper() + ">").encode() in ops
    assert b"16 Tf" in ops and b"728 Tm" in ops  # size = line height, baseline = 842 - 114
    cmap = textlayer.to_unicode_cmap(textlayer.codes_of(words)).decode()
    assert "<1EC5> <1EC5>" in cmap and "beginbfchar" in cmap


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract not installed")
def test_cleanup_lowers_cer():
    """The clean-up steps kept in ocrpage earn their place (CER on rendered pages)."""

    def run(gray):
        words = engine.ocr(gray)
        lines: dict[int, list[str]] = {}
        for w in words:
            lines.setdefault(w.line, []).append(w.text)
        return "\n".join(" ".join(v) for _, v in sorted(lines.items()))

    # one paragraph (4 lines) at the top of a page; only that strip is OCR'd
    img, truth = scans.render_page(scans.PARAGRAPHS[3:4], header=False)
    strip = slice(0, 700)
    sealed = np.asarray(scans.degrade(scans.add_seal(img, center=(900, 420), radius=280), seed=3, noise=8))[strip]
    gray = pp.to_gray(sealed)
    cer_gray = scans.cer(truth, run(pp.denoise(gray)))
    cer_red = scans.cer(truth, run(pp.denoise(pp.remove_red(sealed, gray))))
    assert cer_red < 0.01 and cer_red < cer_gray

    noisy = pp.to_gray(np.asarray(scans.degrade(img, seed=4, noise=35, blur=1.0, salt=0.004)))[strip]
    cer_raw = scans.cer(truth, run(noisy))
    cer_med = scans.cer(truth, run(pp.denoise(noisy)))
    assert cer_med < 0.01 and cer_med < cer_raw


def test_flattening_lifts_a_shadow_and_leaves_even_paper_alone():
    """A shadow darkening the right third of the page (a lid left open): flattened, it reads; an
    even page is returned as it is."""

    def run(gray):
        lines: dict[int, list[str]] = {}
        for w in engine.ocr(gray):
            lines.setdefault(w.line, []).append(w.text)
        return "\n".join(" ".join(v) for _, v in sorted(lines.items()))

    img, truth = scans.render_page(scans.PARAGRAPHS[3:4], header=False)
    gray = pp.to_gray(np.asarray(scans.degrade(img, seed=5)))[0:700]
    assert pp.normalize_background(gray, only_uneven=True) is gray
    w = gray.shape[1]
    x = np.arange(w, dtype=np.float32)[None, :]
    shade = 1.0 - 0.6 * np.clip((x - 0.6 * w) / (0.25 * w), 0, 1) ** 1.5
    shadowed = np.clip(gray.astype(np.float32) * shade, 0, 255).astype(np.uint8)
    flat = pp.normalize_background(shadowed, only_uneven=True)
    assert flat is not shadowed
    assert scans.cer(truth, run(pp.denoise(flat))) < scans.cer(truth, run(pp.denoise(shadowed)))
