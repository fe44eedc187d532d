"""The header's second read (pipeline/ocr/region_reread.py, issue 15): real Tesseract on a drawn
header whose place-date line lies under a violet 'VĂN THƯ - ĐẾN' stamp."""
from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw
from sohoa.corpus import fonts, marks
from sohoa.pipeline.ocr import engine
from sohoa.pipeline.ocr import preprocess as pp
from sohoa.pipeline.ocr import region_reread as rr

W, H = 2480, 3508  # A4 at 300 dpi; only the header is drawn


def _page(stamp: bool = False, initials: bool = False) -> np.ndarray:
    img = Image.new("RGB", (W, H), (250, 249, 245))
    d = ImageDraw.Draw(img)
    bold, plain, italic = (fonts.pil_font("free-serif", st, 50) for st in ("B", "R", "I"))
    d.text((330, 200), "TÒA ÁN NHÂN DÂN", font=bold, fill=(20, 20, 20))
    d.text((360, 270), "TỈNH NAM ĐỊNH", font=bold, fill=(20, 20, 20))
    d.text((1250, 200), "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", font=bold, fill=(20, 20, 20))
    d.text((1420, 270), "Độc lập - Tự do - Hạnh phúc", font=bold, fill=(20, 20, 20))
    d.text((330, 400), "Số: 421/2024/QĐ-CA", font=plain, fill=(20, 20, 20))
    d.text((1300, 400), "Nam Định, ngày 18 tháng 3 năm 2024", font=italic, fill=(20, 20, 20))
    d.text((1000, 560), "QUYẾT ĐỊNH", font=bold, fill=(20, 20, 20))
    if stamp:
        s = marks.stamp_image(["VĂN THƯ - ĐẾN", "Số: 1708", "Ngày: 1/2/2024", "Chuyển: PHS"], 560, 230, seed=7)
        img.paste(s, (1420, 300), s)
    if initials:  # blue initials across the number, as an office initials a paper it checked
        sig = marks.signature_image(300, 140, seed=3)
        arr = np.asarray(sig).copy()
        arr[..., :3] = (30, 50, 170)
        sig = Image.fromarray(arr, "RGBA")
        img.paste(sig, (560, 360), sig)
    return np.asarray(img)


def _read(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[engine.TessWord]]:
    gray = pp.remove_red(rgb)
    return rgb, gray, engine.ocr(gray, lang="vie", dpi=300, psm=3)


def test_a_header_that_reads_is_not_read_again():
    rgb, gray, words = _read(_page(stamp=False))
    out, done = rr.reread_header(gray, words, lang="vie", dpi=300)
    assert done == [] and out == words


def test_a_header_line_under_initials_is_read_again_and_sent_to_review():
    """Blue initials across the number: the page's read of the line is junk, so the band is read again;
    whatever the second read gives for that line is capped below the review threshold, and no other line
    of the header changes."""
    rgb, gray, words = _read(_page(initials=True))
    bottom = int(H * rr.HEADER_SHARE)
    assert rr.missing(words, bottom, W) == ["number"]
    out, done = rr.reread_header(gray, words, lang="vie", dpi=300,
                                 colourless=lambda: rr.colour_free(rgb, gray, 0, 0.0, gray.shape))
    again = [w for w in out if w.line >= rr.LINE_ID_BASE]
    assert all(w.conf <= rr.REREAD_CONF_CAP for w in again)
    assert bool(again) == (done == ["number"])
    kept = [w for w in out if w.line < rr.LINE_ID_BASE]
    assert all(w in words for w in kept)
    assert any("18" == w.text for w in kept) and any(w.text == "TỈNH" for w in kept)  # the date line and the issuer stay


def test_a_grey_scan_is_not_asked_for_a_colourless_image():
    assert rr.colour_free(np.zeros((10, 10), np.uint8), np.zeros((10, 10), np.uint8), 0, 0.0, (10, 10)) is None
