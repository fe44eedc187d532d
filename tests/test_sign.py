"""Signing stage: conversion marker, XMP, PAdES signature, verification.

Real keys, real signatures, real pyHanko and poppler `pdfsig` -- no mocks.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import stat
import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pikepdf
import pytest
from pdf_samples import image_pdf, text_pdf
from sohoa.core.config import Settings
from sohoa.core.errors import SigningError
from sohoa.pipeline.sign import (
    NS_ND30,
    NS_SOHOA,
    ConversionMarker,
    load_signer,
    prepare_pdf,
    sign_pdf,
    verify_pdf,
)

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
UNIT = "Sở Tư pháp thành phố Hà Nội"
CONVERTED = datetime(2026, 11, 23, 3, 15, tzinfo=timezone.utc)  # 10:15 in Vietnam
CONVERTED_ISO = "2026-11-23T10:15:00+07:00"
FIELDS = {"document_number": {"value": "125/2024/HS-ST", "confidence": 0.98, "page": 1},
          "person_name": {"value": "Nguyễn Văn An", "confidence": 0.95, "page": 1}}
ARCHIVAL = {"FileCode": "TAHN.2024.HS-01", "TypeName": "Bản án", "CodeNumber": "125",
            "CodeNotation": "2024/HS-ST", "IssuedDate": "2024-03-18",
            "OrganName": "Tòa án nhân dân quận Cầu Giấy", "Maintenance": "Vĩnh viễn",
            "SignerInfo": {"position": "Thẩm phán", "name": "Trần Thị B"}}

needs_poppler = pytest.mark.skipif(not shutil.which("pdfsig") or not shutil.which("pdftotext"),
                                   reason="poppler-utils not installed")


# --- inputs -------------------------------------------------------------------

def make_marker(src: bytes, **kw) -> ConversionMarker:
    args = dict(document_id="DOC-000001", unit=UNIT, operator="Nguyễn Văn An",
                converted_at=CONVERTED, batch_id="BATCH-2026-11-23", scanner="Fujitsu fi-7160",
                sources=[("lo1/ban-an-125.pdf", hashlib.sha256(src).hexdigest())],
                software="sohoa 0.1.0")
    args.update(kw)
    return ConversionMarker(**args)


# --- fixtures -----------------------------------------------------------------

@pytest.fixture(scope="session")
def sign_home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("sign-home")


@pytest.fixture(scope="session")
def settings(sign_home) -> Settings:
    return Settings(home=sign_home, unit=UNIT, operator="Nguyễn Văn An")


@pytest.fixture(scope="session")
def demo_signer(settings):
    return load_signer(settings)


@pytest.fixture(scope="session")
def signed_text(demo_signer) -> tuple[bytes, bytes, ConversionMarker]:
    src = text_pdf()
    marker = make_marker(src)
    prepared = prepare_pdf(src, marker, FIELDS, ARCHIVAL)
    return prepared, sign_pdf(prepared, demo_signer, marker), marker


@pytest.fixture(scope="session")
def signed_image(demo_signer) -> tuple[bytes, bytes, ConversionMarker]:
    src = image_pdf()
    marker = make_marker(src, document_id="DOC-000002")
    prepared = prepare_pdf(src, marker, FIELDS, ARCHIVAL)
    return prepared, sign_pdf(prepared, demo_signer, marker), marker


def pdf_text_page1(data: bytes, tmp_path: Path) -> str:
    p = tmp_path / "x.pdf"
    p.write_bytes(data)
    return subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(p), "-"], check=True,
                          capture_output=True, text=True).stdout


# --- keys -----------------------------------------------------------------------

def test_demo_key_made_once_and_reused(settings, demo_signer):
    key_file = settings.keys_dir / "demo-signer.pem"
    assert key_file.is_file()
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    again = load_signer(settings)
    assert again.certificate.dump() == demo_signer.certificate.dump()
    assert demo_signer.is_demo and again.is_demo
    assert "DEMO" in demo_signer.subject and "NOT FOR PRODUCTION" in demo_signer.subject
    assert f"O={UNIT}" in demo_signer.subject
    assert (settings.keys_dir / "demo-signer.cert.pem").is_file()


def _p12(tmp_path: Path, password: bytes | None) -> tuple[Path, object]:
    """A CA and a leaf signing certificate, the leaf's key and chain in a PKCS#12."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    now = datetime.now(timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Root CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name)
          .public_key(ca_key.public_key()).serial_number(1)
          .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=3650))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                         critical=True)
          .sign(ca_key, hashes.SHA256()))
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Sở Tư pháp Hà Nội — ký số"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, UNIT)])
    leaf = (x509.CertificateBuilder().subject_name(name).issuer_name(ca_name)
            .public_key(key.public_key()).serial_number(2)
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365))
            .add_extension(x509.KeyUsage(True, True, False, False, False, False, False, False, False),
                           critical=True)
            .sign(ca_key, hashes.SHA256()))
    enc = (serialization.BestAvailableEncryption(password) if password
           else serialization.NoEncryption())
    path = tmp_path / "signer.p12"
    path.write_bytes(pkcs12.serialize_key_and_certificates(b"signer", key, leaf, [ca], enc))
    return path, ca


def test_pkcs12_signer_signs_and_chains_to_given_root(tmp_path):
    path, ca = _p12(tmp_path, b"s3cret")
    st = Settings(home=tmp_path / "h", sign_pkcs12=str(path), sign_pkcs12_password="s3cret",
                  sign_location="Hà Nội")
    signer = load_signer(st)
    assert not signer.is_demo and "ký số" in signer.subject
    assert not (tmp_path / "h" / "keys").exists()  # no DEMO key made
    src = text_pdf()
    marker = make_marker(src)
    signed = sign_pdf(prepare_pdf(src, marker, FIELDS, ARCHIVAL), signer, marker)
    rep = verify_pdf(signed, trust_roots=[ca], run_pdfsig=False)
    assert rep.valid and rep.trusted and not rep.is_demo, rep.to_text()
    assert rep.signatures[0].location == "Hà Nội"
    untrusted = verify_pdf(signed, run_pdfsig=False)
    assert untrusted.valid and not untrusted.trusted
    assert "not trusted" in untrusted.trust


def test_pkcs12_missing_corrupt_or_wrong_password(tmp_path):
    with pytest.raises(SigningError, match="no such file"):
        load_signer(Settings(home=tmp_path, sign_pkcs12=str(tmp_path / "nope.p12")))
    bad = tmp_path / "bad.p12"
    bad.write_bytes(b"this is not PKCS#12")
    with pytest.raises(SigningError, match="cannot open PKCS#12"):
        load_signer(Settings(home=tmp_path, sign_pkcs12=str(bad)))
    path, _ = _p12(tmp_path, b"right")
    with pytest.raises(SigningError, match="wrong password"):
        load_signer(Settings(home=tmp_path, sign_pkcs12=str(path), sign_pkcs12_password="wrong"))


# --- marker, XMP, visible stamp ------------------------------------------------

def test_marker_rejects_naive_time_and_renders_vietnam_time(signed_text):
    with pytest.raises(ValueError):
        make_marker(b"x", converted_at=datetime(2026, 11, 23, 10, 15))
    assert signed_text[2].converted_at_iso == CONVERTED_ISO


def test_xmp_round_trip_every_marker_field(signed_text):
    _, signed, marker = signed_text
    with pikepdf.open(io.BytesIO(signed)) as pdf:
        meta = pdf.open_metadata()
        s = lambda p: meta[f"{{{NS_SOHOA}}}{p}"]  # noqa: E731
        a = lambda p: meta[f"{{{NS_ND30}}}{p}"]  # noqa: E731
        assert s("DocumentId") == marker.document_id
        assert s("ConvertingUnit") == UNIT
        assert s("Operator") == "Nguyễn Văn An"
        assert s("ConvertedAt") == CONVERTED_ISO
        assert s("BatchId") == "BATCH-2026-11-23"
        assert s("Scanner") == "Fujitsu fi-7160"
        assert s("SourceMedium") == "paper original"
        assert s("Software") == "sohoa 0.1.0"
        assert s("CopyForm") == "SAO Y"
        assert s("Sources") == [f"{marker.sources[0][1]}  {marker.sources[0][0]}"]
        assert json.loads(s("Fields")) == FIELDS
        assert a("CodeNumber") == "125" and a("CodeNotation") == "2024/HS-ST"
        assert a("OrganName") == "Tòa án nhân dân quận Cầu Giấy"
        assert a("PageAmount") == "2" and a("Language") == "vi"
        assert json.loads(a("SignerInfo")) == ARCHIVAL["SignerInfo"]
        assert meta["xmp:CreateDate"] == CONVERTED_ISO
        assert "sohoa" in meta["pdf:Producer"]
        assert "125/2024/HS-ST" in meta["dc:title"]
        assert UNIT in meta["dc:description"]
        assert "pdfaid:part" not in meta  # no PDF/A claim for a non-PDF/A input
        raw = pdf.Root.Metadata.read_bytes()
        assert b"pdfaExtension:schemas" in raw and NS_SOHOA.encode() in raw


def test_signing_keeps_prepared_xmp_verbatim(signed_text):
    prepared, signed, _ = signed_text
    with pikepdf.open(io.BytesIO(prepared)) as a, pikepdf.open(io.BytesIO(signed)) as b:
        assert a.Root.Metadata.read_bytes() == b.Root.Metadata.read_bytes()


@needs_poppler
def test_visible_marker_on_page_one(signed_image, tmp_path):
    _, signed, _ = signed_image
    text = pdf_text_page1(signed, tmp_path)
    assert "SAO Y" in text and CONVERTED_ISO in text and UNIT in text
    # top right, small: bbox of the words from pdftotext -bbox
    p = tmp_path / "s.pdf"
    p.write_bytes(signed)
    html = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(p), "-"],
                          check=True, capture_output=True, text=True).stdout
    import re
    boxes = [tuple(map(float, m)) for m in re.findall(
        r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">SAO', html)]
    assert boxes, html[:500]
    x0, y0, x1, y1 = boxes[0]
    assert x0 > 595 / 2 and y1 < 40  # right half, within the top 40 pt
    with pikepdf.open(io.BytesIO(signed)) as pdf:
        fonts = [f for f in pdf.pages[0].Resources.Font.values() if "DejaVuSerif" in str(f.BaseFont)]
        assert fonts and fonts[0].DescendantFonts[0].FontDescriptor.get("/FontFile2") is not None
        assert len(list(pdf.pages[0].get_images())) <= 1  # the scan only; the stamp is text


@needs_poppler
def test_marker_on_rotated_page(demo_signer, tmp_path):
    src = text_pdf()
    with pikepdf.open(io.BytesIO(src)) as pdf:
        pdf.pages[0].Rotate = 90
        out = io.BytesIO()
        pdf.save(out)
    marker = make_marker(out.getvalue())
    prepared = prepare_pdf(out.getvalue(), marker, {}, {})
    assert "SAO Y" in pdf_text_page1(prepared, tmp_path)


# --- sign + verify ---------------------------------------------------------------

@needs_poppler
@pytest.mark.parametrize("which", ["signed_text", "signed_image"])
def test_signed_pdf_verifies(which, request):
    prepared, signed, marker = request.getfixturevalue(which)
    assert signed.startswith(prepared)  # incremental update over the prepared bytes
    rep = verify_pdf(signed)
    assert rep.valid and rep.intact, rep.to_text()
    assert rep.coverage == "ENTIRE_FILE"
    assert rep.trusted and "demo self-signed" in rep.trust and rep.is_demo
    assert "DEMO" in rep.signer
    assert rep.marker["unit"] == UNIT and rep.marker["converted_at"] == CONVERTED_ISO
    assert rep.marker["sources"] == [{"path": marker.sources[0][0], "sha256": marker.sources[0][1]}]
    assert rep.fields == json.loads(json.dumps(FIELDS))
    sig = rep.signatures[0]
    assert sig.field == "SohoaConversion" and sig.subfilter == "ETSI.CAdES.detached"
    assert "Converted from paper original by " + UNIT in sig.reason
    assert rep.pdfsig["available"] and rep.pdfsig["valid"]
    assert rep.pdfsig["signatures"][0]["signature_validation"] == "Signature is Valid"
    assert rep.pdfsig["total_document_signed"]
    assert "Signature is Valid" in rep.pdfsig["text"]
    json.dumps(rep.to_dict(), ensure_ascii=False)
    assert rep.to_text().startswith("VALID")


# --- tampering -------------------------------------------------------------------

def test_byte_flipped_in_signed_range_is_detected(signed_image):
    _, signed, _ = signed_image
    data = bytearray(signed)
    at = data.index(b"/DCTDecode")
    at = data.index(b"stream", at) + 2000  # inside the JPEG data of page 1
    data[at] ^= 0x01
    rep = verify_pdf(bytes(data))
    assert not rep.valid and not rep.intact
    assert any("digest mismatch" in p for p in rep.problems), rep.problems


def test_appended_page_change_is_detected(signed_text):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    _, signed, _ = signed_text
    w = IncrementalPdfFileWriter(io.BytesIO(signed))
    ref = w.add_object(generic.StreamObject(stream_data=b"q 1 0 0 rg 72 650 300 40 re f Q"))
    w.add_stream_to_page(0, ref)
    out = io.BytesIO()
    w.write(out)
    rep = verify_pdf(out.getvalue())
    assert not rep.valid and rep.intact  # the signed revision itself is untouched
    assert rep.coverage == "ENTIRE_REVISION"
    assert any("changed after signing" in p for p in rep.problems), rep.problems
    if rep.pdfsig.get("available"):
        assert not rep.pdfsig["total_document_signed"]


def test_stripped_signature_is_detected(signed_text):
    _, signed, _ = signed_text
    with pikepdf.open(io.BytesIO(signed)) as pdf:
        for annot in list(pdf.pages[0].get("/Annots", [])):
            if annot.get("/FT") == "/Sig":
                del annot["/V"]
        out = io.BytesIO()
        pdf.save(out)
    rep = verify_pdf(out.getvalue())
    assert not rep.valid
    assert any("SohoaConversion" in p and "no signature" in p for p in rep.problems), rep.problems
    with pikepdf.open(io.BytesIO(signed)) as pdf:
        del pdf.Root["/AcroForm"]
        del pdf.pages[0].obj["/Annots"]
        out = io.BytesIO()
        pdf.save(out)
    rep = verify_pdf(out.getvalue())
    assert not rep.valid
    assert any("no digital signature" in p for p in rep.problems), rep.problems
    assert rep.marker.get("unit") == UNIT  # the marker is still readable, just unsigned


def test_unsigned_and_garbage_inputs():
    rep = verify_pdf(text_pdf(), run_pdfsig=False)
    assert not rep.valid and any("no digital signature" in p for p in rep.problems)
    rep = verify_pdf(b"%PDF-1.7\nnot really a pdf", run_pdfsig=False)
    assert not rep.valid and rep.problems


def test_existing_pdfa_claim_is_kept_and_none_is_invented(demo_signer):
    src = text_pdf()
    with pikepdf.open(io.BytesIO(src)) as pdf:
        with pdf.open_metadata(set_pikepdf_as_editor=False) as meta:
            meta["pdfaid:part"] = "2"
            meta["pdfaid:conformance"] = "B"
        out = io.BytesIO()
        pdf.save(out)
    marker = make_marker(src)
    signed = sign_pdf(prepare_pdf(out.getvalue(), marker, {}, {}), demo_signer, marker)
    rep = verify_pdf(signed, run_pdfsig=False)
    assert rep.valid and rep.pdfa == "2b" and rep.marker["document_id"] == marker.document_id


def test_malformed_xmp_in_the_input_is_replaced_not_trusted(demo_signer):
    """A born-digital input with a broken (or hostile) XMP packet: ours replaces it, signed."""
    src = text_pdf()
    with pikepdf.open(io.BytesIO(src)) as pdf:
        pdf.Root.Metadata = pdf.make_stream(
            b'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
            b'<rdf:RDF <<< &xxe; <!ENTITY xxe SYSTEM "file:///etc/passwd"> </x:xmpmeta>')
        out = io.BytesIO()
        pdf.save(out)
    marker = make_marker(out.getvalue(), document_id="DOC-000009")
    signed = sign_pdf(prepare_pdf(out.getvalue(), marker, FIELDS, ARCHIVAL), demo_signer, marker)
    rep = verify_pdf(signed, run_pdfsig=False)
    assert rep.valid and rep.marker["document_id"] == "DOC-000009"
    assert b"root:x:0:0" not in signed  # no entity was ever expanded
