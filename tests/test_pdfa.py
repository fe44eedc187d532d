"""PDF/A-2b of the searchable PDF: what pdfout writes, that check_pdfa catches what breaks
it, and that the signed document still passes -- at B-LTA (marker, XMP extension schemas,
signature, DSS, document timestamp), in every revision, for check_pdfa, qpdf's syntax check and
pikepdf's PDF/A validator (less what it does not judge: pdfa_check.SIGNED_GAPS). veraPDF is not
available here; README "PDF/A" says what no tool here validates."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pikepdf
import pytest
from pdfa_check import SIGNED_GAPS, check_pdfa, revisions, validator_findings
from PIL import Image
from sohoa.core.types import Word
from sohoa.pipeline.ocr import pageimage, pdfa
from sohoa.pipeline.ocr.pdfout import OutPage, write_pdf
from test_sign_pki import pki, pki_server, pki_settings  # noqa: F401  (fixtures: the test PKI, served)

CREATED = datetime(2026, 11, 23, 10, 15, tzinfo=timezone(timedelta(hours=7)))


def _page(tmp: Path, name: str, mode: str) -> OutPage:
    rng = np.random.default_rng(1)
    a = np.full((700, 500), 255, np.uint8)
    a[100:120, 50:450] = 0
    if mode == "RGB":
        img = Image.fromarray(np.dstack([a, a, a]))
        img.paste((200, 30, 30), (300, 300, 400, 400))  # a red seal: stays colour
        img = Image.fromarray(np.clip(np.asarray(img).astype(int) + rng.integers(-20, 20, (700, 500, 3)), 0, 255)
                              .astype(np.uint8))
    elif mode == "1":
        img = Image.fromarray(a).convert("1")
    else:
        img = Image.fromarray(a)
    pimg = pageimage.encode(img, (100.0, 100.0), tmp / name)
    words = [Word("Nguyễn", 0.9, (36.0, 72.0, 100.0, 86.0), 1, 1), Word("Văn", 0.9, (104.0, 72.0, 130.0, 86.0), 1, 1),
             Word("001090012345", 0.95, (36.0, 100.0, 150.0, 114.0), 2, 1)]
    return OutPage(pimg, words, {1: (72.0, 86.0), 2: (100.0, 114.0)})


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    d = tmp_path_factory.mktemp("pdfa")
    pages = [_page(d, "p1", "RGB"), _page(d, "p2", "L"), _page(d, "p3", "1")]
    assert [p.image.colorspace for p in pages] == ["/DeviceRGB", "/DeviceGray", "/DeviceGray"]
    return write_pdf(pages, d / "out.pdf", created=CREATED)


def _mutate(src: Path, dst: Path, fn) -> Path:
    with pikepdf.open(src) as pdf:
        fn(pdf)
        pdf.save(dst, stream_decode_level=pikepdf.StreamDecodeLevel.none,
                 compress_streams=False)  # keep filters as they are
    return dst


def test_output_carries_the_pdfa_parts(good):
    assert check_pdfa(good) == []
    with pikepdf.open(good) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
        assert meta["xmp:CreateDate"] == "2026-11-23T10:15:00+07:00"
        assert str(pdf.docinfo.CreationDate) == "D:20261123101500+07'00'"
        assert str(pdf.docinfo.Producer) == meta["pdf:Producer"]
        assert str(pdf.docinfo.Creator) == meta["xmp:CreatorTool"]
        assert "/Filter" not in pdf.Root.Metadata  # plain UTF-8 XMP
        prof = pdf.Root.OutputIntents[0].DestOutputProfile
        data = prof.read_bytes()
        assert data[12:20] == b"mntrRGB " and data[8] < 5 and prof.N == 3
        font = pdf.pages[0].Resources.Font.F0.DescendantFonts[0]
        assert "/FontFile2" in font.FontDescriptor and "/CIDToGIDMap" in font and int(font.DW) == 500
    assert pdfa.srgb_icc() == pdfa.srgb_icc.__wrapped__()  # reproducible bytes


def test_pikepdf_validator_agrees(good):
    assert validator_findings(good) == []
    with pikepdf.open(good) as pdf:
        assert pdf.check_pdf_syntax() == []


def _drop_intent(pdf):
    del pdf.Root["/OutputIntents"]


def _drop_xmp(pdf):
    del pdf.Root["/Metadata"]


def _claim_1b(pdf):
    meta = pdf.Root.Metadata
    meta.write(meta.read_bytes().replace(b"<pdfaid:part>2<", b"<pdfaid:part>1<"))


def _unembed_font(pdf):
    del pdf.pages[0].Resources.Font.F0.DescendantFonts[0].FontDescriptor["/FontFile2"]


def _info_mismatch(pdf):
    pdf.docinfo["/Producer"] = "something else"


def _date_mismatch(pdf):
    pdf.docinfo["/ModDate"] = "D:20261123101501+07'00'"


def _javascript(pdf):
    pdf.Root.OpenAction = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert(1)"))


def _launch(pdf):
    pdf.Root.OpenAction = pdf.make_indirect(pikepdf.Dictionary(Type=pikepdf.Name.Action, S=pikepdf.Name.Launch,
                                                               F=pikepdf.String("x.exe")))


def _interpolate(pdf):
    img = pdf.pages[0].Resources.XObject.Im0
    img.Interpolate = True


def _lzw(pdf):
    pdf.pages[0].Contents.write(b"q Q", filter=pikepdf.Name.LZWDecode)


def _undeclared_xmp(pdf):
    meta = pdf.Root.Metadata
    meta.write(meta.read_bytes().replace(
        b'xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/">',
        b'xmlns:xmpMM="http://ns.adobe.com/xap/1.0/mm/" xmlns:foo="https://example.org/foo/">'
        b"<foo:Bar>1</foo:Bar>"))


def _cmyk_content(pdf):
    c = pdf.pages[1].Contents
    c.write(b"0 0 0 1 k\n" + c.read_bytes())


def _hidden_annot(pdf):
    pdf.pages[0].obj["/Annots"] = pikepdf.Array([pdf.make_indirect(pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text, Rect=[10, 10, 30, 30], F=2))])


@pytest.mark.parametrize("mutation, expect", [
    (_drop_intent, "no PDF/A OutputIntent"),
    (_drop_xmp, "no /Metadata"),
    (_claim_1b, "pdfaid:part is '1'"),
    (_unembed_font, "font program not embedded"),
    (_info_mismatch, "Info /Producer"),
    (_date_mismatch, "Info /ModDate"),
    (_javascript, "JavaScript"),
    (_launch, "forbidden action /Launch"),
    (_interpolate, "Interpolate"),
    (_lzw, "LZWDecode"),
    (_undeclared_xmp, "{https://example.org/foo/}Bar is neither predefined nor declared"),
    (_cmyk_content, "/DeviceCMYK with OutputIntent colour space 'RGB '"),
    (_hidden_annot, "Print must be set"),
])
def test_checker_catches(good, tmp_path, mutation, expect):
    probs = check_pdfa(_mutate(good, tmp_path / "bad.pdf", mutation))
    assert any(expect in p for p in probs), probs


def test_checker_catches_encryption(good, tmp_path):
    with pikepdf.open(good) as pdf:
        pdf.save(tmp_path / "enc.pdf", encryption=pikepdf.Encryption(owner="o", user=""))
    assert "encrypted" in check_pdfa(tmp_path / "enc.pdf")


FIELDS = {"document_number": {"value": "125/2024/HS-ST", "confidence": 0.98, "page": 1}}
ARCHIVAL = {"FileCode": "TAHN.2024.HS-01", "OrganName": "Tòa án nhân dân quận Cầu Giấy"}


def _marker(src: bytes):
    from sohoa.pipeline.sign import ConversionMarker

    return ConversionMarker(document_id="DOC-000001", unit="Sở Tư pháp thành phố Hà Nội",
                            operator="Nguyễn Văn An", converted_at=CREATED, batch_id="B-1",
                            scanner="Fujitsu fi-7160", sources=[("a/p1.jpg", hashlib.sha256(src).hexdigest())],
                            software="sohoa 0.1.0")


def test_signed_document_still_passes(good, tmp_path):
    """The signing stage keeps the claim: marker stamp, XMP (extension schemas), signature."""
    from sohoa.core.config import Settings
    from sohoa.pipeline.sign import load_signer, prepare_pdf, sign_pdf

    src = good.read_bytes()
    marker = _marker(src)
    signer = load_signer(Settings(home=tmp_path, unit=marker.unit, operator=marker.operator))
    prepared = prepare_pdf(src, marker, FIELDS, ARCHIVAL)
    signed = tmp_path / "signed.pdf"
    signed.write_bytes(sign_pdf(prepared, signer, marker))
    assert check_pdfa(signed) == []
    assert validator_findings(signed, signed=True) == []
    with pikepdf.open(signed) as pdf:
        meta = pdf.open_metadata()
        assert meta["pdfaid:part"] == "2" and meta["pdfaid:conformance"] == "B"
        assert pdf.check_pdf_syntax() == []


def test_b_lta_signed_document_passes_in_every_revision(good, tmp_path, pki, pki_server):  # noqa: F811
    """The signed output at its fullest (test PKI, B-LTA): each revision -- the PDF/A as
    written, + signature, + DSS and document timestamp -- passes check_pdfa and qpdf's
    syntax check, and pikepdf's validator finds nothing beyond SIGNED_GAPS."""
    from sohoa.pipeline.sign import load_signer, prepare_pdf, sign_pdf, verify_pdf

    src = good.read_bytes()
    marker = _marker(src)
    signer = load_signer(pki_settings(pki, tmp_path, "B-LTA"))
    signed = sign_pdf(prepare_pdf(src, marker, FIELDS, ARCHIVAL), signer, marker)
    rep = verify_pdf(signed, trust_roots=[pki.root_pem.read_bytes()], run_pdfsig=False)
    assert rep.valid and rep.level == "B-LTA", rep.to_text()
    revs = revisions(signed)
    assert len(revs) >= 3 and revs[-1] == signed
    for i, rev in enumerate(revs):
        path = tmp_path / f"rev{i}.pdf"
        path.write_bytes(rev)
        assert check_pdfa(path) == [], f"revision {i}"
        with pikepdf.open(path) as pdf:
            assert pdf.check_pdf_syntax() == [], f"revision {i}"
        assert validator_findings(path, signed=True) == [], f"revision {i}"
    with pikepdf.open(tmp_path / f"rev{len(revs) - 1}.pdf") as pdf:
        assert "/DSS" in pdf.Root and "/AcroForm" in pdf.Root  # the gaps are there and judged by check_pdfa
    assert len(SIGNED_GAPS) == 3


def test_signed_gaps_hide_nothing_else(good, tmp_path):
    """The gaps are narrow: an undeclared XMP namespace or a form field of another kind in a
    signed file is still a finding."""
    bad = _mutate(good, tmp_path / "bad.pdf", _undeclared_xmp)
    assert any("foo" in f for f in validator_findings(bad, signed=True))
    assert validator_findings(_mutate(good, tmp_path / "js.pdf", _javascript), signed=True)
