"""Hostile values in the archival metadata (archive/archival.py -> XMP, pipeline/sign/xmp.py):
what a page was read as, or a certificate says, ends up in the signed XMP. Very long text,
characters XML cannot carry, markup, bidi overrides, combining marks and astral characters
must neither break the packet nor the signature, and come back as written (less what XML
cannot carry); a later edit of a ltr: (our namespace) value is caught like a nd30: one.

Real DEMO signature, real pikepdf/lxml -- no mocks.
"""
from __future__ import annotations

import hashlib
import io
import json
from datetime import datetime, timezone

import pikepdf
import pytest
from pdf_samples import text_pdf
from sohoa.archive.archival import MAX_TEXT, document_archival, dossier_archival
from sohoa.core.config import Settings
from sohoa.pipeline.sign import ConversionMarker, load_signer, prepare_pdf, read_xmp, sign_pdf, verify_pdf
from sohoa.pipeline.sign.marker import to_json
from sohoa.pipeline.sign.signer_info import signer_info
from sohoa.pipeline.sign.xmp import _clean

HOSTILE = {
    "long": "Tòa án " * 50_000,  # 350 000 characters
    "xml": "</nd30:Subject><x:evil/>]]><!ENTITY e SYSTEM 'file:///etc/passwd'>&e;&amp;",
    "controls": "Bản án\x00\x01\x0b\x1b[31m\x7f\ufffe\uffff số 1",
    "surrogate": "Nguyễn \ud800Văn\udfff An",
    "bidi": "\u202eNS-SH/4202/521\u202c \u200b\u200d\u2066x\u2069",
    "combining": "Nguye\u0302\u0303n Va\u0306n A" + "\u0301" * 500,
    "astral": "𝔗𝔬̀𝔞 𝔞́𝔫 🏛️👩‍⚖️ 𠀀𪚥",
}


@pytest.fixture(scope="module")
def demo_signer(tmp_path_factory):
    return load_signer(Settings(home=tmp_path_factory.mktemp("hostile-archival"), unit="Đơn vị"))


def _sign(demo_signer, archival: dict) -> bytes:
    src = text_pdf()
    marker = ConversionMarker(document_id="D" + "ab" * 12, unit="Đơn vị", operator="Người quét",
                              converted_at=datetime(2026, 11, 23, 3, 15, tzinfo=timezone.utc), batch_id="B-H",
                              scanner="s", sources=[("a.pdf", hashlib.sha256(src).hexdigest())],
                              software="sohoa test")
    return sign_pdf(prepare_pdf(src, marker, {}, archival), demo_signer, marker)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_read_value_keeps_the_packet_and_the_signature(demo_signer, name):
    evil = HOSTILE[name]
    values = {"document_number": f"125/2024/{evil}", "issue_date": "2024-03-18", "issuer": evil,
              "person_name": evil, "judgment_ref": evil, "charges": [evil, evil]}
    info = {**signer_info(demo_signer.certificate), "position": evil}
    a = document_archival(document_id="D" + "ab" * 12, organ_code="DEMO", doc_type="decision", values=values,
                          page_count=2, born_digital=False, signer_info=info, unit=evil, scanned_at=evil,
                          ocr_confidence=0.5).to_dict()
    assert all(len(v) <= MAX_TEXT + 200 for v in a.values() if isinstance(v, str))  # cut: metadata, not pages
    assert len(a["FileCode"]) <= 64 and "/" not in a["FileCode"]
    signed = _sign(demo_signer, a)
    report = verify_pdf(signed)
    assert report.valid, report.problems
    with pikepdf.open(io.BytesIO(signed)) as pdf:
        xmp = read_xmp(pdf)["archival"]
        packet = pdf.Root.Metadata.read_bytes()
    for key in ("OrganName", "Subject", "Keyword", "DigitizedBy", "ScannedAt", "FileCode", "CodeNotation"):
        assert xmp[key] == _clean(str(a[key])), key  # as written, less what XML 1.0 cannot carry
    assert json.loads(xmp["SignerInfo"]) == json.loads(_clean(to_json(a["SignerInfo"])))  # JSON text, as written
    assert b"<x:evil" not in packet and b"<!ENTITY" not in packet  # markup stays text, never elements
    assert xmp["Identifier"] == "D" + "ab" * 12


def test_a_hostile_dossier_title_is_cut_and_kept_as_text():
    members = [{"Identifier": "D1", "IssuedDate": "2024-01-01", "PageAmount": 3, "Language": "vi",
                "TypeName": "Bản án", "Subject": HOSTILE["long"], "Keyword": HOSTILE["bidi"],
                "ConfidenceLevel": "Số hóa", "Format": HOSTILE["controls"]}]
    d = dossier_archival(code="DEMO.2024.1-HS-ST", members=members).to_dict()
    assert len(d["Title"]) <= MAX_TEXT and len(d["Format"]) <= MAX_TEXT
    assert d["DocTotal"] == 1 and d["PageTotal"] == 3


def _new_xmp_revision(data: bytes, packet: bytes) -> bytes:
    """A later incremental update whose catalog points to a new XMP stream (the signed revision kept)."""
    import io

    from pyhanko.pdf_utils import generic
    from sohoa.pipeline.sign.signer import _KeepMetadataWriter

    w = _KeepMetadataWriter(io.BytesIO(data), strict=False)
    w.root["/Metadata"] = w.add_object(generic.StreamObject(
        {"/Type": generic.NameObject("/Metadata"), "/Subtype": generic.NameObject("/XML")}, stream_data=packet))
    w.update_root()
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def test_editing_an_ltr_value_after_signing_is_reported(demo_signer):
    """ltr: (our namespace) is covered by the signed-revision check like nd30: -- an
    incremental update that rewrites ltr:ArchiveCode is NOT VALID, and says which."""
    import io

    a = document_archival(document_id="D" + "cd" * 12, organ_code="DEMO", doc_type="judgment",
                          values={"document_number": "5/2024/HS-ST", "issue_date": "2024-02-02"},
                          page_count=1, born_digital=True, ordinal=1).to_dict()
    signed = _sign(demo_signer, a)
    assert verify_pdf(signed).valid
    with pikepdf.open(io.BytesIO(signed)) as pdf:
        packet = pdf.Root.Metadata.read_bytes()
    assert b"<ltr:ArchiveCode>DEMO.2024.5-HS-ST.001<" in packet
    tampered = _new_xmp_revision(signed, packet.replace(b"<ltr:ArchiveCode>DEMO.2024.5-HS-ST.001<",
                                                        b"<ltr:ArchiveCode>DEMO.2024.5-HS-ST.009<"))
    report = verify_pdf(tampered)
    assert not report.valid
    assert any("ltr:ArchiveCode" in p for p in report.problems), report.problems
