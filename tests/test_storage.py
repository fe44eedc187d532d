"""Storage of the archived page images (pipeline/ocr/pageimage.py): the scan as it came.

A JPEG scan's coefficients pass through (its bytes, Huffman-optimised losslessly when
jpegtran is there) even when the OCR turned or deskewed the page (the page's drawing
matrix does that, and the text layer still lies over the words); a
bitonal page is CCITT G4; colour stays where the paper has it; re-encoding is by budget
(storage_policy: a JPEG at or below the ceiling passes through, above it or lossless it is
re-encoded at the lowest quality whose SSIM against the scan meets the threshold, never above
the source's quality nor the ceiling); the signed result verifies and stays PDF/A-2b.
"""
from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from pdfa_check import check_pdfa, validator_findings
from PIL import Image, ImageDraw
from sohoa.core.config import Settings
from sohoa.core.types import SourceDocument, SourceFile, Word
from sohoa.corpus import scans
from sohoa.pipeline.ocr import pageimage
from sohoa.pipeline.ocr.document import recognize
from sohoa.pipeline.ocr.pages import load_page, plan_pages
from sohoa.pipeline.ocr.pdfout import OutPage, write_pdf
from sohoa.pipeline.ocr.preprocess import is_colour
from sohoa.pipeline.ocr.storage_policy import StoragePolicy, ssim, store_page
from test_sign import ARCHIVAL, FIELDS, demo_signer, make_marker, settings, sign_home  # noqa: F401  (fixtures: the DEMO key)

PID = "001090012345"


def _doc(kind: str, *paths: Path) -> SourceDocument:
    files = [SourceFile(p, p.name, hashlib.sha256(p.read_bytes()).hexdigest(), p.stat().st_size) for p in paths]
    return SourceDocument(paths[0].name, kind, files, len(paths))


def _image_of(page) -> pikepdf.Stream:
    (xo,) = page.Resources.XObject.values()
    return xo


def same_coefficients(stored: bytes, source: bytes) -> bool:
    """The stored JPEG holds the source's quantised DCT coefficients: the same tables, the same
    pixels bit for bit, no more bytes (pageimage.lossless_jpeg only recodes the Huffman tables)."""
    with Image.open(io.BytesIO(stored)) as a, Image.open(io.BytesIO(source)) as b:
        return (a.quantization == b.quantization and a.mode == b.mode and len(stored) <= len(source)
                and np.array_equal(np.asarray(a), np.asarray(b)))


def _text_page(dpi: int = 150) -> Image.Image:
    img, _ = scans.render_page(scans.PARAGRAPHS[1:3], dpi=dpi)
    return img


@pytest.fixture(scope="module")
def skewed_jpeg(tmp_path_factory):
    """A grey JPEG scan skewed 1.5 deg, through the OCR stage: (source path, Recognized)."""
    d = tmp_path_factory.mktemp("storage")
    img, _ = scans.scan_page(5, gray=True, noise=4, skew_deg=1.5, paragraphs=scans.PARAGRAPHS[1:3], dpi=200)
    src = d / "scan.jpg"
    img.save(src, "JPEG", quality=70, dpi=(200, 200))
    return src, recognize(_doc("image", src), Settings(ocr_jobs=1), d / "work")


def test_deskewed_jpeg_page_keeps_the_scan_bytes_and_its_text_fits(skewed_jpeg, tmp_path):
    src, rec = skewed_jpeg
    with pikepdf.open(rec.pdf_path) as pdf:
        xo = _image_of(pdf.pages[0])
        assert xo.Filter == pikepdf.Name.DCTDecode
        assert same_coefficients(xo.read_raw_bytes(), src.read_bytes())  # not re-encoded
        a, b, c, d = (float(v) for v in pdf.pages[0].Contents.read_bytes().split(b" cm")[0].split()[1:5])
    assert abs(b) > 1 and abs(c) > 1 and abs(np.degrees(np.arctan2(b, a))) == pytest.approx(1.5, abs=0.3)
    # the deskew is the drawing matrix: rendered, the widest well-read word's box lies over ink
    word = max((w for w in rec.pages[0].words if w.confidence > 0.9), key=lambda w: w.bbox[2] - w.bbox[0])
    subprocess.run(["pdftoppm", "-r", "72", "-gray", "-singlefile", str(rec.pdf_path), str(tmp_path / "r")], check=True)
    page = np.asarray(Image.open(tmp_path / "r.pgm"))
    x0, y0, x1, y1 = (int(round(v)) for v in word.bbox)
    box = page[y0:y1 + 1, x0:x1 + 1] < 128
    assert box.mean() > 0.08  # ink under the word's box ...
    cols = box.any(axis=0)
    assert cols[: max(1, len(cols) // 8)].any() and cols[-max(1, len(cols) // 8):].any()  # ... from end to end


def test_bitonal_page_is_ccitt_g4_and_lossless(tmp_path):
    bw = _text_page(200).convert("L").point(lambda v: 255 if v > 128 else 0).convert("1")
    pimg = pageimage.encode(bw, (200.0, 200.0), tmp_path / "p1")
    assert pimg.filter == "CCITT" and pimg.bits == 1
    out = write_pdf([OutPage(pimg, [])], tmp_path / "bw.pdf")
    with pikepdf.open(out) as pdf:
        xo = _image_of(pdf.pages[0])
        assert xo.Filter == pikepdf.Name.CCITTFaxDecode and xo.DecodeParms.K == -1
        decoded = np.asarray(pikepdf.PdfImage(xo).as_pil_image().convert("L"))
        g4 = len(xo.read_raw_bytes())
    assert (decoded == np.asarray(bw.convert("L"))).all()
    png = io.BytesIO()
    bw.save(png, "PNG")
    assert g4 < png.tell()  # smaller than the 1-bit PNG it was stored as before


def test_red_seal_keeps_colour_and_a_colourless_colour_scan_goes_grey(tmp_path):
    grey_paper = _text_page().convert("L").convert("RGB")
    sealed = scans.add_seal(grey_paper, seed=1)
    p = pageimage.encode(sealed, (150.0, 150.0), tmp_path / "seal")
    assert p.colorspace == "/DeviceRGB"
    with Image.open(p.path) as im:
        r, g, b = np.asarray(im.convert("RGB")).reshape(-1, 3).astype(int).T
    assert ((r - np.maximum(g, b)) > 60).sum() > 1000  # the seal is still red
    plain = pageimage.encode(grey_paper, (150.0, 150.0), tmp_path / "plain")
    assert plain.colorspace == "/DeviceGray"
    # a 3 cm ballpoint signature is a small share of the page (is_colour's measure misses it), not of colour
    signed = grey_paper.copy()
    ImageDraw.Draw(signed).line([(800 + 3 * i, 1500 + int(20 * np.sin(i / 3))) for i in range(60)],
                                fill=(35, 55, 160), width=3)
    assert not is_colour(np.asarray(signed))
    assert pageimage.encode(signed, (150.0, 150.0), tmp_path / "sig").colorspace == "/DeviceRGB"


@pytest.mark.skipif(not shutil.which("jpegtran"), reason="jpegtran (libjpeg-turbo-progs) not installed")
def test_colourless_colour_jpeg_keeps_its_luma_losslessly(tmp_path):
    """A colour scan of a black-and-white page keeps only its luma: the same DCT coefficients
    (jpegtran -grayscale), not a re-encode, and smaller. A page with a seal is passed through."""
    yellowed = Image.fromarray((np.asarray(_text_page(), np.float32) * [1.0, 0.98, 0.9]).astype(np.uint8))
    src = tmp_path / "colour.jpg"
    yellowed.save(src, "JPEG", quality=85, dpi=(150, 150))
    with Image.open(src) as im:
        rgb = np.asarray(im)
    p = pageimage.keep_jpeg(src, (150.0, 150.0), tmp_path / "p1", pixels=rgb)
    assert p.colorspace == "/DeviceGray" and p.path.stat().st_size < src.stat().st_size
    with Image.open(p.path) as g, Image.open(src) as im:
        assert g.mode == "L" and g.quantization[0] == im.quantization[0]  # the luma's own table
        im.draft("YCbCr", im.size)
        assert (np.asarray(g) == np.asarray(im.getchannel(0))).all()  # the stored luma, pixel for pixel
    sealed = tmp_path / "sealed.jpg"
    scans.add_seal(yellowed, seed=2).save(sealed, "JPEG", quality=85, dpi=(150, 150))
    with Image.open(sealed) as im:
        kept = pageimage.keep_jpeg(sealed, (150.0, 150.0), tmp_path / "p2", pixels=np.asarray(im))
    assert kept.colorspace == "/DeviceRGB" and same_coefficients(kept.path.read_bytes(), sealed.read_bytes())


def test_passed_through_jpeg_is_the_source_byte_for_byte_without_jpegtran(tmp_path, monkeypatch):
    """Where jpegtran is not installed (or OPTIMIZE_HUFFMAN is off) the scan's bytes are kept as they are."""
    src = tmp_path / "scan.jpg"
    _text_page().save(src, "JPEG", quality=70)
    monkeypatch.setattr(pageimage, "OPTIMIZE_HUFFMAN", False)
    assert pageimage.keep_jpeg(src, (150.0, 150.0), tmp_path / "p").path.read_bytes() == src.read_bytes()
    monkeypatch.setattr(pageimage, "OPTIMIZE_HUFFMAN", True)
    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    assert pageimage.keep_jpeg(src, (150.0, 150.0), tmp_path / "q").path.read_bytes() == src.read_bytes()


def _noisy(page: Image.Image, sigma: float = 8) -> Image.Image:
    a = np.asarray(page.convert("L"), np.int16) + np.random.default_rng(0).normal(0, sigma, page.size[::-1])
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8))


def test_grey_page_never_above_the_source_quality(tmp_path):
    """A TIFF of grey JPEG frames (q60) and an EXIF-rotated JPEG (q55) must be re-encoded, and at or
    below the ceiling they keep the source's own tables. A lossless grey scan goes no higher than the ceiling."""
    noisy = _noisy(_text_page())
    tif = tmp_path / "scan.tif"
    noisy.save(tif, "TIFF", save_all=True, append_images=[noisy], compression="jpeg", quality=60, dpi=(150, 150))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotated: the pixels must be turned, so re-encoded
    rot = tmp_path / "rot.jpg"
    noisy.save(rot, "JPEG", quality=55, exif=exif, dpi=(150, 150))
    png = tmp_path / "scan.png"
    noisy.save(png, dpi=(150, 150))
    settings = Settings()
    policy = StoragePolicy.of(settings)
    for src, kind, q in ((tif, "tiff", 60), (rot, "image", 55), (png, "image", None)):
        doc = _doc(kind, src)
        plan = plan_pages(doc, settings, tmp_path / "w")
        lp = load_page(doc, plan[-1], settings, tmp_path / "w")
        assert lp.jpeg_path is None  # nothing to pass through
        assert pageimage.jpeg_quality(lp.qtables) == q
        out = store_page(lp.image, lp.dpi, tmp_path / f"out_{kind}_{src.suffix[1:]}", policy, qtables=lp.qtables)
        assert out.filter == "DCT"
        with Image.open(out.path) as im:
            assert pageimage.jpeg_quality(im.quantization) <= (q or policy.ceiling)
            if q:
                assert im.quantization[0] == lp.qtables[0]  # the very same quantisation
    with Image.open(rot) as im:
        assert pageimage.dqt_tables(rot.read_bytes()) == {k: list(v) for k, v in im.quantization.items()}


def test_jpeg_at_the_ceiling_passes_through_and_above_it_is_re_encoded_within_budget(tmp_path):
    """Re-encoding by budget: a q75 scan (the default ceiling) keeps its coefficients; a q95 scan of
    the same page is re-encoded at a quality between the floor and the ceiling, and is smaller."""
    policy = StoragePolicy.of(Settings())
    assert (policy.ceiling, policy.floor) == (75, 50)
    page = _noisy(_text_page(200), 4)
    for q in (policy.ceiling, 95):
        src = tmp_path / f"q{q}.jpg"
        page.save(src, "JPEG", quality=q, dpi=(200, 200))
        with Image.open(src) as im:
            im.load()
            out = store_page(im, (200.0, 200.0), tmp_path / f"out{q}", policy, jpeg_path=src,
                             qtables=pageimage.source_qtables(im))
        if q <= policy.ceiling:
            assert out.quality is None and same_coefficients(out.path.read_bytes(), src.read_bytes())
        else:
            with Image.open(out.path) as im:
                stored_q = pageimage.jpeg_quality(im.quantization)
            assert out.quality is not None and policy.floor <= stored_q == out.quality <= policy.ceiling
            assert out.path.stat().st_size < 0.7 * src.stat().st_size


def test_lossless_scan_is_re_encoded_as_legible_as_the_threshold_asks(tmp_path):
    """The page's quality is measured on the page: its SSIM against the scan (luma, area-averaged to
    ~150 dpi) is at least the threshold, and a stricter threshold buys a higher quality."""
    import cv2

    page = _text_page(300)
    scan = _noisy(page.crop((0, 0, page.width, page.height // 3)), 6)  # a third of the page: enough text, cheaper
    grey = np.asarray(scan)

    def ssim_of(path: Path) -> float:
        with Image.open(path) as im:
            dec = np.asarray(im.convert("L"))
        half = (grey.shape[1] // 2, grey.shape[0] // 2)  # 300 dpi -> 150 dpi, as the policy measures
        return ssim(cv2.resize(grey, half, interpolation=cv2.INTER_AREA), cv2.resize(dec, half, interpolation=cv2.INTER_AREA))

    chosen = {}
    for threshold in (0.95, 0.995):
        policy = StoragePolicy(ceiling=75, ssim_min=threshold, floor=50)
        out = store_page(scan, (300.0, 300.0), tmp_path / f"t{threshold}", policy)
        assert out.filter == "DCT" and out.quality is not None and 50 <= out.quality <= 75
        if out.quality < 75:  # the top candidate is kept even when it misses
            assert ssim_of(out.path) >= threshold - 0.005  # measured on the inky bands: the page within noise
        chosen[threshold] = out.quality
    assert chosen[0.995] > chosen[0.95], chosen


def test_signed_archive_pages_verify_and_stay_pdfa(skewed_jpeg, demo_signer, tmp_path):  # noqa: F811
    """A turned and deskewed pass-through JPEG, a G4 page and a colour seal page, signed."""
    from sohoa.pipeline.sign import prepare_pdf, sign_pdf, verify_pdf

    src, _ = skewed_jpeg
    jpeg = pageimage.keep_jpeg(src, (200.0, 200.0), tmp_path / "p1", turn=90, skew=1.2)
    bw = pageimage.encode(_text_page().convert("1"), (150.0, 150.0), tmp_path / "p2")
    sealed = tmp_path / "seal95.jpg"  # above the ceiling: re-encoded by the policy, colour 4:2:0
    scans.add_seal(_text_page()).save(sealed, "JPEG", quality=95, dpi=(150, 150))
    with Image.open(sealed) as im:
        im.load()
        seal = store_page(im, (150.0, 150.0), tmp_path / "p3", StoragePolicy(), jpeg_path=sealed,
                          qtables=pageimage.source_qtables(im))
    assert [p.filter for p in (jpeg, bw, seal)] == ["DCT", "CCITT", "DCT"]
    assert seal.colorspace == "/DeviceRGB" and seal.quality is not None and seal.quality <= 75
    words = [Word("Nguyễn", 0.9, (72.0, 72.0, 130.0, 86.0), 1, 1), Word(PID, 0.95, (72.0, 100.0, 180.0, 114.0), 2, 1)]
    pages = [OutPage(p, words, {1: (72.0, 86.0), 2: (100.0, 114.0)}) for p in (jpeg, bw, seal)]
    out = write_pdf(pages, tmp_path / "ocr.pdf")
    assert check_pdfa(out) == []
    data = out.read_bytes()
    marker = make_marker(data)
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(sign_pdf(prepare_pdf(data, marker, FIELDS, ARCHIVAL), demo_signer, marker))
    rep = verify_pdf(signed.read_bytes())
    assert rep.valid and rep.intact, rep.to_text()
    assert check_pdfa(signed) == []
    assert validator_findings(signed, signed=True) == []
    with pikepdf.open(signed) as pdf:
        assert same_coefficients(_image_of(pdf.pages[0]).read_raw_bytes(), src.read_bytes())
        w, h = float(pdf.pages[0].mediabox[2]), float(pdf.pages[0].mediabox[3])
    assert w > h  # the portrait scan, turned a quarter by the page


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_drawing_matrix_turns_and_deskews_like_the_ocr_image(turn, tmp_path):
    """pageimage.placement draws the stored scan as preprocess.rotate_quarter + rotate_small(-skew)
    made the OCR's image, so the text layer's boxes (in that image's frame) lie over the words."""
    from sohoa.pipeline.ocr import preprocess as pp

    a = np.full((300, 200), 255, np.uint8)
    a[20:60, 20:120] = 0
    a[200:280, 150:190] = 80
    Image.fromarray(a).save(tmp_path / "s.png")
    p = pageimage.PageImage(tmp_path / "s.png", 200, 300, (72.0, 72.0), "Flate", "/DeviceGray", 8, turn, 2.0)
    write_pdf([OutPage(p, [])], tmp_path / "t.pdf")
    subprocess.run(["pdftoppm", "-r", "72", "-gray", "-singlefile", str(tmp_path / "t.pdf"), str(tmp_path / "r")],
                   check=True)
    rendered = np.asarray(Image.open(tmp_path / "r.pgm"), np.int16)
    expected = pp.rotate_small(pp.rotate_quarter(a, turn), -2.0).astype(np.int16)
    assert rendered.shape == expected.shape
    assert np.abs(rendered - expected).mean() < 2  # grey levels: rendering and resampling agree
