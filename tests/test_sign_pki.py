"""PAdES levels, PKCS#11, tamper detection and long-term validity with the local test PKI.

A real PKI (certomancer: root, intermediate, signers, TSAs, OCSP responder, CRLs)
served over HTTP on 127.0.0.1, real pyHanko signatures, a real SoftHSM2 token,
and poppler's pdfsig as the second opinion -- no mocks.
"""
from __future__ import annotations

import io
import logging
import os
import re
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path
from unittest import mock

import pikepdf
import pytest
from pdf_samples import image_pdf
from sohoa.core.config import Settings
from sohoa.core.errors import SigningError
from sohoa.corpus.pki import create_pki, serve_in_thread
from sohoa.pipeline.sign import load_signer, prepare_pdf, sign_pdf, verify_pdf
from sohoa.pipeline.sign.stamp import choose_position
from test_sign import ARCHIVAL, FIELDS, UNIT, make_marker

SOFTHSM = next((p for p in ("/usr/lib/softhsm/libsofthsm2.so",
                            "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so") if Path(p).is_file()), None)
needs_pdfsig = pytest.mark.skipif(not shutil.which("pdfsig"), reason="poppler-utils not installed")


# --- the PKI ---------------------------------------------------------------------

@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    return create_pki(tmp_path_factory.mktemp("pki"), port=0)


@pytest.fixture(scope="session")
def pki_server(pki):
    with serve_in_thread(pki) as server:
        yield server


def pki_settings(pki, home: Path, level: str, **kw) -> Settings:
    return Settings(home=home, unit=UNIT, operator="Nguyễn Văn An",
                    sign_pkcs12=str(pki.signer_p12), sign_pkcs12_password=pki.password,
                    tsa_url=pki.tsa_url(), trust_roots=str(pki.root_pem), sign_level=level,
                    sign_location="Hà Nội", **kw)


def scan_pdf(pages: int = 2, ink_top_right: bool = False) -> bytes:
    return image_pdf(pages, ink_top_right=ink_top_right, text_layer=True)


def _sign(settings: Settings, src: bytes | None = None, signer=None, **kw):
    src = src or scan_pdf()
    marker = make_marker(src)
    prepared = prepare_pdf(src, marker, FIELDS, ARCHIVAL)
    return sign_pdf(prepared, signer or load_signer(settings), marker, **kw)


def _pdfsig_main(rep) -> dict:
    return next(s for s in rep.pdfsig["signatures"] if s["field"] == "SohoaConversion")


# --- levels ------------------------------------------------------------------------

@needs_pdfsig
@pytest.mark.parametrize("level", ["B-B", "B-T", "B-LT", "B-LTA"])
def test_each_level_signs_and_verifies(pki, pki_server, tmp_path, level):
    st = pki_settings(pki, tmp_path, level)
    signer = load_signer(st)
    assert signer.level == level and not signer.is_demo
    signed = _sign(st, signer=signer)
    rep = verify_pdf(signed, trust_roots=[pki.root_pem.read_bytes()])
    assert rep.valid and rep.intact and rep.trusted, rep.to_text()
    assert rep.level == level, rep.to_text()
    sig = rep.signatures[0]
    assert sig.location == "Hà Nội" and "Converted from paper original" in sig.reason
    assert sig.contact and "Nguyễn Văn An" in sig.contact
    main = _pdfsig_main(rep)
    assert main["signature_validation"] == "Signature is Valid"  # poppler agrees
    kinds = [t["kind"] for t in rep.timestamps]
    if level == "B-B":
        assert kinds == [] and not rep.ltv_ok
    else:
        assert kinds[0] == "signature" and rep.timestamps[0]["valid"] and rep.timestamps[0]["trusted"]
        assert rep.newest_timestamp_expires
    if level in ("B-LT", "B-LTA"):
        assert rep.revocation.startswith("good"), rep.revocation
    if level == "B-LTA":
        assert kinds == ["signature", "document"] and rep.ltv_ok, rep.to_text()
        assert rep.coverage == "ENTIRE_REVISION"  # DSS + document timestamp after the signature
        # the marker XMP is signed as prepared: LTA updates do not rewrite it
        with pikepdf.open(io.BytesIO(signed)) as pdf:
            assert b"sohoa" in pdf.Root.Metadata.read_bytes()
    # untrusted without the root
    assert not verify_pdf(signed, run_pdfsig=False).trusted


def test_level_default_follows_the_tsa(tmp_path, pki):
    assert Settings(home=tmp_path).signature_level == "B-B"
    assert Settings(home=tmp_path, tsa_url=pki.tsa_url()).signature_level == "B-LTA"
    from sohoa.core.config import load_settings
    from sohoa.core.errors import ConfigError
    with pytest.raises(ConfigError, match="sign_level"):
        load_settings(env={"SOHOA_HOME": str(tmp_path), "SOHOA_SIGN_LEVEL": "B-X"})
    with pytest.raises(ConfigError, match="timestamping authority"):
        load_settings(env={"SOHOA_HOME": str(tmp_path), "SOHOA_SIGN_LEVEL": "B-LTA"})
    # the DEMO path still needs nothing
    assert load_signer(Settings(home=tmp_path)).level == "B-B"


def test_unreachable_tsa_fails_signing_clearly(tmp_path, pki):
    st = pki_settings(pki, tmp_path, "B-T")
    st = Settings(**{**st.__dict__, "tsa_url": "http://127.0.0.1:9/tsa"})
    with pytest.raises(SigningError, match="B-T"):
        _sign(st)


# --- PKCS#11 (SoftHSM2) ---------------------------------------------------------------

@pytest.fixture(scope="session")
def softhsm_session_token(pki, tmp_path_factory):
    """A SoftHSM2 token holding the test signer's key and chain, in a token directory of the
    session's own; SOFTHSM2_CONF names it only while the token is made (softhsm_token sets it
    for each test that uses it)."""
    if SOFTHSM is None or not shutil.which("softhsm2-util"):
        pytest.skip("softhsm2 not installed (scripts/bootstrap.sh installs it)")
    d = tmp_path_factory.mktemp("softhsm")
    (d / "tokens").mkdir()
    conf = d / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {d / 'tokens'}\nobjectstore.backend = file\n"
                    "log.level = ERROR\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}
    run = lambda *a: subprocess.run(["softhsm2-util", *a], check=True, capture_output=True,  # noqa: E731
                                    text=True, env=env)
    run("--init-token", "--free", "--label", "sohoa-test", "--pin", "123456", "--so-pin", "654321")
    run("--import", str(pki.dir / "signer.key.pem"), "--token", "sohoa-test", "--label", "signer",
        "--id", "01", "--pin", "123456")
    import pkcs11

    # the module reads SOFTHSM2_CONF when it initialises: only for this block
    with mock.patch.dict(os.environ, {"SOFTHSM2_CONF": str(conf)}):
        _store_chain(pkcs11.lib(SOFTHSM), pki)
    pin_file = d / "pin"
    pin_file.write_text("123456\n")
    pin_file.chmod(0o600)
    return {"module": SOFTHSM, "token": "sohoa-test", "key": "signer", "pin_file": str(pin_file), "conf": str(conf)}


@pytest.fixture
def softhsm_token(softhsm_session_token, monkeypatch):
    """The session's token, SOFTHSM2_CONF pointing at it for this test only."""
    monkeypatch.setenv("SOFTHSM2_CONF", softhsm_session_token["conf"])
    return softhsm_session_token


def test_softhsm_conf_is_set_only_for_the_tests_that_use_the_token(softhsm_session_token):
    # the session's token exists, yet a test that did not ask for it sees no SOFTHSM2_CONF of ours
    assert Path(softhsm_session_token["conf"]).is_file()
    assert os.environ.get("SOFTHSM2_CONF") != softhsm_session_token["conf"]


def _store_chain(lib, pki) -> None:
    """The signer's and the intermediate's certificates onto the token, beside the key."""
    from asn1crypto import pem, x509
    from pkcs11 import Attribute, CertificateType, ObjectClass

    token = lib.get_token(token_label="sohoa-test")
    with token.open(rw=True, user_pin="123456") as s:
        for label, path, oid in (("signer", "signer.cert.pem", b"\x01"),
                                 ("interm", "interm.cert.pem", b"\x02")):
            _, _, der = pem.unarmor((pki.dir / path).read_bytes())
            cert = x509.Certificate.load(der)
            s.create_object({Attribute.CLASS: ObjectClass.CERTIFICATE,
                             Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                             Attribute.TOKEN: True, Attribute.LABEL: label, Attribute.ID: oid,
                             Attribute.SUBJECT: cert.subject.dump(),
                             Attribute.ISSUER: cert.issuer.dump(),
                             Attribute.SERIAL_NUMBER: cert["tbs_certificate"]["serial_number"].dump(),
                             Attribute.VALUE: der})


def _p11_settings(pki, home, tok, level="B-LTA", **kw) -> Settings:
    return Settings(home=home, unit=UNIT, operator="Nguyễn Văn An", sign_pkcs11_module=tok["module"],
                    sign_pkcs11_token_label=tok["token"], sign_pkcs11_key_label=tok["key"],
                    sign_pkcs11_pin_file=kw.pop("pin_file", tok["pin_file"]), tsa_url=pki.tsa_url(),
                    trust_roots=str(pki.root_pem), sign_level=level, **kw)


@needs_pdfsig
def test_pkcs11_token_signs_a_batch_in_one_session(pki, pki_server, softhsm_token, tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    signer = load_signer(_p11_settings(pki, tmp_path, softhsm_token))
    try:
        assert signer.is_pkcs11 and "sohoa Test Signer" in signer.subject
        assert any("Intermediate" in str(c.subject.human_friendly) for c in signer.chain)
        session = signer.session
        outs = [_sign(None, src=scan_pdf(1), signer=signer) for _ in range(3)]
        assert signer.session is session  # one session for the whole batch
        for out in outs:
            rep = verify_pdf(out, trust_roots=[pki.root_pem.read_bytes()])
            assert rep.valid and rep.trusted and rep.level == "B-LTA" and rep.ltv_ok, rep.to_text()
            assert _pdfsig_main(rep)["signature_validation"] == "Signature is Valid"
    finally:
        signer.close()
        signer.close()  # twice is harmless
    assert signer.session is None
    logged = caplog.text + repr(signer)
    assert "123456" not in logged  # no PIN
    key_b64 = (pki.dir / "signer.key.pem").read_text().splitlines()[1]
    assert key_b64 not in logged  # no key material


def test_pkcs11_wrong_pin_or_label_is_a_clear_error(pki, softhsm_token, tmp_path):
    bad = tmp_path / "badpin"
    bad.write_text("999999")
    with pytest.raises(SigningError) as err:
        load_signer(_p11_settings(pki, tmp_path, softhsm_token, pin_file=str(bad)))
    assert "999999" not in str(err.value) and "cannot open a session" in str(err.value)
    tok = {**softhsm_token, "key": "nope"}
    with pytest.raises(SigningError, match="nope"):
        load_signer(_p11_settings(pki, tmp_path, tok))
    with pytest.raises(SigningError, match="no such PKCS#11 module"):
        load_signer(_p11_settings(pki, tmp_path, {**softhsm_token, "module": "/nonexistent.so"}))


def test_runtime_keeps_one_signer_per_process(pki, pki_server, softhsm_token, tmp_path):
    from sohoa.runtime import close_signers, shared_signer

    st = _p11_settings(pki, tmp_path, softhsm_token)
    a, b = shared_signer(st), shared_signer(st)
    assert a is b and a.session is not None
    close_signers()
    assert a.session is None


# --- tampering -------------------------------------------------------------------------

@pytest.fixture(scope="session")
def lta_signed(pki, pki_server, tmp_path_factory) -> bytes:
    return _sign(pki_settings(pki, tmp_path_factory.mktemp("lta"), "B-LTA"))


def _obj_offset(data: bytes, objgen: tuple[int, int]) -> int:
    m = list(re.finditer(rb"(?<![0-9])%d %d obj" % objgen, data))
    assert m, objgen
    return m[0].end()


def _flip(data: bytes, at: int) -> bytes:
    b = bytearray(data)
    b[at] ^= 0x01
    return bytes(b)


def _verify(pki, data: bytes, reference: bytes | None = None):
    return verify_pdf(data, trust_roots=[pki.root_pem.read_bytes()], reference=reference)


@needs_pdfsig
@pytest.mark.parametrize("where,reason", [
    ("image", "scanned page image of page 1"),
    ("text", "page 1's content stream (text layer"),
    ("xmp", "XMP metadata (conversion marker)"),
])
def test_flipped_byte_is_detected_and_located(pki, lta_signed, where, reason):
    with pikepdf.open(io.BytesIO(lta_signed)) as pdf:
        page = pdf.pages[0]
        if where == "image":
            og = next(iter(page.get_images().values())).objgen
        elif where == "text":
            contents = page.obj.Contents
            og = (contents[0] if isinstance(contents, pikepdf.Array) else contents).objgen
            for c in (contents if isinstance(contents, pikepdf.Array) else [contents]):
                if b"3 Tr" in c.read_bytes():
                    og = c.objgen
        else:
            og = pdf.Root.Metadata.objgen
    at = _obj_offset(lta_signed, og) + 60  # inside the stream data
    if where == "xmp":
        at = lta_signed.index(b"DOC-000001", at)  # a marker property value
    bad = _flip(lta_signed, at)
    rep = _verify(pki, bad, reference=lta_signed)
    assert not rep.valid and not rep.intact
    assert any("digest mismatch" in p for p in rep.problems), rep.problems
    assert any(reason in p for p in rep.problems), rep.problems
    assert _pdfsig_main(rep)["signature_validation"] != "Signature is Valid"  # poppler agrees


@needs_pdfsig
def test_incremental_update_changing_a_field_is_detected(pki, lta_signed):
    from pyhanko.pdf_utils import generic
    from sohoa.pipeline.sign.signer import _KeepMetadataWriter  # writes our XMP as given

    w = _KeepMetadataWriter(io.BytesIO(lta_signed))
    form = w.root["/AcroForm"]
    sig_field = next(f.get_object() for f in form["/Fields"]
                     if f.get_object().get("/T") == "SohoaConversion")
    sig_field["/TU"] = generic.TextStringObject("changed later")  # a field edited after signing
    w.update_container(sig_field)
    # and the marker's document number in the XMP
    meta = w.root["/Metadata"].get_object()
    new_xmp = meta.data.replace(b"DOC-000001", b"DOC-999999")
    w.root["/Metadata"] = w.add_object(generic.StreamObject(
        {"/Type": generic.NameObject("/Metadata"), "/Subtype": generic.NameObject("/XML")},
        stream_data=new_xmp))
    w.update_root()
    out = io.BytesIO()
    w.write(out)
    rep = _verify(pki, out.getvalue())
    assert not rep.valid and rep.intact  # signed bytes untouched, but changed after
    assert any("changed after signing" in p or "changed after it" in p for p in rep.problems), rep.problems
    # the marker that counts is the signed one; the later claim is named as a change
    assert rep.marker.get("document_id") == "DOC-000001"
    assert any("sohoa:DocumentId 'DOC-000001' -> 'DOC-999999'" in p for p in rep.problems), rep.problems
    exp = {"document_id": "DOC-000001", "sources": [], "converted_at": None, "stored_sha256": []}
    rep2 = verify_pdf(out.getvalue(), trust_roots=[pki.root_pem.read_bytes()], run_pdfsig=False,
                      expected=exp)
    assert not rep2.valid and rep2.catalogue["consistent"]  # signed marker = catalogue's


@needs_pdfsig
def test_swapped_pages_are_detected(pki, lta_signed):
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    w = IncrementalPdfFileWriter(io.BytesIO(lta_signed))
    pages = w.root["/Pages"].get_object()
    kids = pages["/Kids"]
    pages["/Kids"] = generic.ArrayObject([kids[1], kids[0]])
    w.update_container(pages)
    out = io.BytesIO()
    w.write(out)
    rep = _verify(pki, out.getvalue())
    assert not rep.valid
    assert any("changed after" in p and "incremental update" in p for p in rep.problems), rep.problems
    # swapped by rewriting the file instead: the signature no longer matches the bytes
    with pikepdf.open(io.BytesIO(lta_signed)) as pdf:
        pdf.pages.reverse()
        b = io.BytesIO()
        pdf.save(b)
    rep = _verify(pki, b.getvalue())
    assert not rep.valid and rep.problems


def test_stripped_signature_is_detected(pki, lta_signed):
    with pikepdf.open(io.BytesIO(lta_signed)) as pdf:
        del pdf.Root["/AcroForm"]
        for p in pdf.pages:
            if "/Annots" in p.obj:
                del p.obj["/Annots"]
        if "/DSS" in pdf.Root:
            del pdf.Root["/DSS"]
        b = io.BytesIO()
        pdf.save(b)
    rep = _verify(pki, b.getvalue())
    assert not rep.valid and any("no digital signature" in p for p in rep.problems), rep.problems
    assert rep.marker.get("document_id") == "DOC-000001"


# --- long-term validity ---------------------------------------------------------------

@needs_pdfsig
def test_expired_signer_with_valid_lta_is_still_valid(pki, pki_server, tmp_path):
    """Signed in 2021 with a certificate that expired in 2022: the B-LTA evidence (signature
    timestamp, embedded revocation data, document timestamp) proves it was valid then."""
    from cryptography.hazmat.primitives.serialization import pkcs12
    from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
    from sohoa.pipeline.sign import keys
    from sohoa.pipeline.sign.signer import _run, signing_validation_context

    key, cert, extra = pkcs12.load_key_and_certificates((pki.dir / "signer-old.p12").read_bytes(),
                                                        pki.password.encode())
    old = keys._build(key, cert, list(extra), False, "signer-old.p12")
    then = datetime(2021, 6, 1, tzinfo=timezone.utc)
    pki_server.fake_time = then
    backend = AIOHttpFetcherBackend()
    try:
        vc = signing_validation_context(old, roots=[keys.load_trust_roots(
            Settings(trust_roots=str(pki.root_pem)))[0]], moment=then, fetcher_backend=backend)
        signed = _sign(None, signer=old, level="B-LTA", validation_context=vc,
                       timestamper=keys.make_timestamper(pki.tsa_url()))
    finally:
        pki_server.fake_time = None
        _run(backend.close())
    with pytest.raises(SigningError, match="expired"):  # never signs anew with it
        load_signer(Settings(home=tmp_path, sign_pkcs12=str(pki.dir / "signer-old.p12"),
                             sign_pkcs12_password=pki.password))
    # years later, the retention job has added a document timestamp (today's TSA)
    from sohoa.pipeline.sign import add_document_timestamp

    signed = add_document_timestamp(signed, keys.make_timestamper(pki.tsa_url()),
                                    trust_roots=keys.load_trust_roots(Settings(trust_roots=str(pki.root_pem))))
    rep = _verify(pki, signed)
    assert rep.valid and rep.trusted and rep.ltv_ok, rep.to_text()
    assert "proven signing time 2021-06-01" in rep.trust, rep.trust
    assert [t["kind"] for t in rep.timestamps] == ["signature", "document", "document"]
    assert rep.signatures[0].cert_expires.startswith("2022-01-01")
    main = _pdfsig_main(rep)
    assert main["signature_validation"] == "Signature is Valid"


def test_revoked_signer_is_reported(pki, pki_server, tmp_path):
    st = Settings(home=tmp_path, sign_pkcs12=str(pki.dir / "signer-revoked.p12"),
                  sign_pkcs12_password=pki.password, tsa_url=pki.tsa_url(),
                  trust_roots=str(pki.root_pem), sign_level="B-T")
    signed = _sign(st)
    rep = verify_pdf(signed, trust_roots=[pki.root_pem.read_bytes()], online=True, run_pdfsig=False)
    assert not rep.valid and not rep.trusted
    assert "REVOKED" in rep.revocation, rep.to_text()
    assert any("revoked" in p.lower() for p in rep.problems)
    with pytest.raises(SigningError, match="B-LT"):  # B-LT refuses to embed a revoked chain
        _sign(Settings(**{**st.__dict__, "sign_level": "B-LT"}))


# --- the visible marker covers no text -------------------------------------------------

def test_marker_position_avoids_words_and_finds_no_spot_on_a_full_page():
    vw, vh, bw, bh = 595.0, 842.0, 180.0, 36.0
    x0, y0, x1, y1 = choose_position(vw, vh, bw, bh, [])
    assert vw - 16 <= x1 <= vw - 14 and vh - 16 <= y1 <= vh - 14  # top right when free
    top_right_words = [(400.0, 800.0, 580.0, 830.0)]
    x0, y0, x1, y1 = choose_position(vw, vh, bw, bh, top_right_words)
    assert not (x1 > 400 and y1 > 800 and x0 < 580 and y0 < 830)
    everything = [(0.0, 0.0, vw, vh)]
    assert choose_position(vw, vh, bw, bh, everything) is None  # nowhere free: no spot


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_marker_moves_off_ink_in_the_top_right(tmp_path, pki):
    src = scan_pdf(1, ink_top_right=True)
    marker = make_marker(src)
    prepared = prepare_pdf(src, marker, {}, {})
    p = tmp_path / "p.pdf"
    p.write_bytes(prepared)
    html = subprocess.run(["pdftotext", "-bbox", str(p), "-"], check=True, capture_output=True,
                          text=True).stdout
    box = [float(v) for v in re.search(
        r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">SAO', html).groups()]
    # the printed header occupies x 317..578 pt, y 11..70 pt (from the top): not there
    assert not (box[2] > 317 and box[0] < 578 and box[1] < 70), box
    # with OCR words given for the top left too, it avoids those as well
    words = [(14.0, 10.0, 300.0, 80.0)]
    prepared = prepare_pdf(src, marker, {}, {}, words=words)
    p.write_bytes(prepared)
    html = subprocess.run(["pdftotext", "-bbox", str(p), "-"], check=True, capture_output=True,
                          text=True).stdout
    box = [float(v) for v in re.search(
        r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">SAO', html).groups()]
    assert not (box[0] < 300 and box[1] < 80) and not (box[2] > 317 and box[1] < 70), box


def _marker_box(prepared: bytes, tmp_path: Path) -> list[float]:
    p = tmp_path / "m.pdf"
    p.write_bytes(prepared)
    html = subprocess.run(["pdftotext", "-bbox", str(p), "-"], check=True, capture_output=True, text=True).stdout
    return [float(v) for v in re.search(
        r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">SAO', html).groups()]


@pytest.mark.skipif(not shutil.which("pdftotext"), reason="poppler-utils not installed")
def test_ink_mask_handed_over_by_ocr_places_the_marker_as_decoding_does(tmp_path):
    """The OCR stage hands page 1's ink mask over (pipeline.ink) so signing need not decode
    the scan: same placement as decoding it, and the mask is what decides."""
    import numpy as np
    from PIL import Image
    from sohoa.core.ink import ink_mask

    src = scan_pdf(1, ink_top_right=True)
    marker = make_marker(src)
    with pikepdf.open(io.BytesIO(src)) as pdf:
        pixels = pikepdf.PdfImage(next(iter(pdf.pages[0].get_images().values()))).as_pil_image().convert("L")
    decoded = _marker_box(prepare_pdf(src, marker, {}, {}), tmp_path)
    handed = _marker_box(prepare_pdf(src, marker, {}, {}, ink=ink_mask(pixels)), tmp_path)
    assert handed == decoded and not (handed[2] > 317 and handed[1] < 70)

    # a blank scan, but the mask says the top right is inked: the marker moves
    blank = scan_pdf(1)
    free = _marker_box(prepare_pdf(blank, marker, {}, {}), tmp_path)
    inked = np.asarray(Image.new("L", pixels.size, 255)).copy()
    inked[: pixels.height // 10, pixels.width // 2:] = 0
    moved = _marker_box(prepare_pdf(blank, marker, {}, {}, ink=ink_mask(inked)), tmp_path)
    assert free[0] > 595 / 2 and free[1] < 40
    assert not (moved[2] > 595 / 2 and moved[1] < 595 * 1.414 / 10), moved
