"""The visible marker never covers printed text (issue 17, item 3).

It was once put over a judgment's title: the least-covered candidate spot won while the
top 50 pt of the page were empty. Now every free spot of the page is searched; when
none fits, closer to the edge, then smaller (down to 6 pt), and when the page has no
free spot at all, a band is added above it. Pages with little or no margin here.
"""
from __future__ import annotations

import io
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pikepdf
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pdf_samples import text_pdf  # noqa: E402
from sohoa.pipeline.sign import prepare_pdf  # noqa: E402
from sohoa.pipeline.sign.stamp import SCALES, place_marker  # noqa: E402
from test_sign import make_marker  # noqa: E402

pytestmark = pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")

A4_H = 842.0
_WORD = re.compile(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>')


def page_words(data: bytes, tmp: Path) -> list[tuple[float, float, float, float, str]]:
    """Page 1's words as pdftotext sees them: (x0, top, x1, bottom, text), points from the
    top left of the page as displayed (the convention prepare_pdf's words= takes)."""
    p = tmp / "w.pdf"
    p.write_bytes(data)
    html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(p), "-"],
                          check=True, capture_output=True, text=True).stdout
    return [(float(a), float(b), float(c), float(d), t) for a, b, c, d, t in _WORD.findall(html)]


def _lines(top: float, bottom: float, x0: float, step: float = 14.0):
    """Filler text lines from `top` pt below the page top down to `bottom` pt above its
    foot, from x0 to about x0 pt from the right edge (ASCII words: none is a word of
    the marker)."""
    out, y = [], A4_H - top - 10
    width = int((595 - 2 * x0 + 4) // 57.9)  # 12 pt DejaVu Serif: 57.9 pt a word
    while y > bottom:
        out.append((x0, y, " ".join(["xxxxxxxx"] * width)))
        y -= step
    return out


def _overlaps(a, b) -> bool:
    return min(a[2], b[2]) > max(a[0], b[0]) and min(a[3], b[3]) > max(a[1], b[1])


def _stamp_and_check(src: bytes, tmp: Path):
    """Stamp src with its text layer's words; every marker word must cover no page word."""
    marker = make_marker(src)
    marker_tokens = set(" ".join(marker.visible_lines()).split())
    words = page_words(src, tmp)
    assert words and not (marker_tokens & {w[4] for w in words})
    out = prepare_pdf(src, marker, {}, {}, words=[w[:4] for w in words])
    after = page_words(out, tmp)
    mine = [w for w in after if w[4] in marker_tokens]
    theirs = [w for w in after if w[4] not in marker_tokens]
    assert len(theirs) == len(words)  # nothing lost
    assert {w[4] for w in mine} == marker_tokens
    for m in mine:
        for t in theirs:
            assert not _overlaps(m, t), f"marker word {m} covers page word {t}"
    return out, mine


def test_judgment_title_below_an_empty_top_band_is_not_covered(tmp_path):
    """The reported page: nothing in the top 50 pt, the title and the text right below,
    margins of 20 pt. The marker goes into the top band, not over the title."""
    title = [(150, A4_H - 62, "BAN AN SO 125/2024/HS-ST XXXXXXXX XXXXXXXX XXXXXXXX")]
    src = text_pdf([title + _lines(66, 20, 20)])
    out, mine = _stamp_and_check(src, tmp_path)
    assert max(w[3] for w in mine) < 50  # all of it in the empty top 50 pt
    with pikepdf.open(io.BytesIO(out)) as pdf:
        assert [float(v) for v in pdf.pages[0].mediabox] == [0, 0, 595.2756, 841.8898]


def test_page_with_no_free_spot_gets_a_band_above_not_a_covered_line(tmp_path):
    """Text from 2 pt below the top to 6 pt above the foot, 4 pt from the sides: no spot
    anywhere, at any size. The page grows a band on top; the marker sits in it."""
    src = text_pdf([_lines(2, 6, 4, step=10)])
    with pikepdf.open(io.BytesIO(src)) as pdf:
        height = float(pdf.pages[0].mediabox[3])
    out, mine = _stamp_and_check(src, tmp_path)
    with pikepdf.open(io.BytesIO(out)) as pdf:
        grown = float(pdf.pages[0].mediabox[3]) - height
    assert 30 < grown < 60
    assert max(w[3] for w in mine) < grown  # inside the band


def test_little_margin_left_shrinks_the_marker_rather_than_covering(tmp_path):
    """Only a 30 pt strip at the top is free: 10 pt lines do not fit, smaller ones do."""
    src = text_pdf([_lines(30, 4, 4, step=10)])
    out, mine = _stamp_and_check(src, tmp_path)
    assert max(w[3] for w in mine) < 32
    with pikepdf.open(io.BytesIO(out)) as pdf:
        assert float(pdf.pages[0].mediabox[3]) < 842  # no band: it fitted, smaller
        page1 = pdf.pages[0].obj.Contents
        last = (page1[-1] if isinstance(page1, pikepdf.Array) else page1).read_bytes()
    size = float(re.search(rb"/SohoaMk\S* ([\d.]+) Tf", last).group(1))
    assert 6.0 <= size < 10.0


@pytest.mark.parametrize("rotate", [90, 180, 270])
def test_band_goes_above_the_page_as_displayed_when_rotated(tmp_path, rotate):
    src = text_pdf([_lines(2, 6, 4, step=10)])
    with pikepdf.open(io.BytesIO(src)) as pdf:
        pdf.pages[0].obj.Rotate = rotate
        buf = io.BytesIO()
        pdf.save(buf)
    words = page_words(buf.getvalue(), tmp_path)
    # the text covers the whole page as displayed, whichever way it is turned
    full = [(0.0, 0.0, 842.0, 842.0)]
    out = prepare_pdf(buf.getvalue(), make_marker(src), {}, {}, words=full)
    with pikepdf.open(io.BytesIO(out)) as pdf:
        box = [float(v) for v in pdf.pages[0].mediabox]
    grew = {90: box[0] < 0, 180: box[1] < 0, 270: box[2] > 596}[rotate]
    assert grew, (rotate, box)
    after = page_words(out, tmp_path)
    sao = [w for w in after if w[4] == "SAO"]
    assert sao and sao[0][3] < 60, sao  # at the displayed top
    theirs = [w for w in after if w[4].startswith("xxxx")]
    assert len(theirs) == len(words)
    assert not any(_overlaps(m, t) for m in sao for t in theirs)


def test_placement_order_free_spot_margin_scale_band():
    vw, vh, bw, bh = 595.0, 842.0, 180.0, 36.0
    assert place_marker(vw, vh, bw, bh, []).box[2:] == pytest.approx((vw - 14, vh - 14), abs=2)
    # top 46 pt free: the usual 14 pt margin does not fit, 4 pt does, full size
    p = place_marker(vw, vh, bw, bh, [(0, 0, vw, vh - 46)])
    assert p.scale == 1.0 and p.band == 0 and p.box[1] >= vh - 46 + 3
    # top 32 pt free: only smaller
    p = place_marker(vw, vh, bw, bh, [(0, 0, vw, vh - 32)])
    assert p.scale < 1.0 and p.scale >= SCALES[-1] and p.box[1] >= vh - 32 + 3
    # nothing free: a band above the page
    p = place_marker(vw, vh, bw, bh, [(0, 0, vw, vh)])
    assert p.band > bh and p.box[1] > vh
