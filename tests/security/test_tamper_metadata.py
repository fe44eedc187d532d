"""Hostile incremental updates against the signed conversion marker (issue 17, items 1-2).

pdfsig and pyHanko's difference analysis allow a later revision to replace the XMP, so
a forged marker or field would pass as signed. What counts is the signed revision's
metadata: any later change to the marker, the fields or the archival metadata makes the
file NOT VALID, the changed property named. And sohoa's own later revisions (DSS,
document timestamps, renewal) never touch the metadata.

Each case: the attempt, what is expected, and the outcome asserted.
"""
from __future__ import annotations

import io
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from conftest import run_sohoa  # noqa: E402
from pyhanko.pdf_utils import generic  # noqa: E402
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter  # noqa: E402
from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: E402
from sohoa.pipeline.sign import load_signer, prepare_pdf, sign_pdf, verify_pdf  # noqa: E402
from sohoa.pipeline.sign.signer import _KeepMetadataWriter  # noqa: E402
from test_sign import ARCHIVAL, FIELDS, make_marker  # noqa: E402
from test_sign_pki import pki, pki_server, pki_settings, scan_pdf  # noqa: E402, F401  (fixtures)

PERSON_ID = "001085012345"
SIGNED_FIELDS = {**FIELDS, "person_id": {"value": PERSON_ID, "confidence": 0.99, "page": 1}}


@pytest.fixture(scope="module")
def lta(pki, pki_server, tmp_path_factory) -> bytes:  # noqa: F811
    st = pki_settings(pki, tmp_path_factory.mktemp("tamper-lta"), "B-LTA")
    src = scan_pdf(1)
    marker = make_marker(src)
    return sign_pdf(prepare_pdf(src, marker, SIGNED_FIELDS, ARCHIVAL), load_signer(st), marker)


def xmp_by_revision(data: bytes) -> list[bytes | None]:
    """The XMP packet each revision's catalog points to."""
    reader = PdfFileReader(io.BytesIO(data), strict=False)
    out = []
    for rev in range(reader.xrefs.total_revisions):
        hist = reader.get_historical_resolver(rev)
        ref = hist.root.raw_get("/Metadata") if "/Metadata" in hist.root else None
        out.append(hist(ref).data if ref is not None else None)
    return out


def _new_xmp_revision(data: bytes, packet: bytes | None, *, same_object: bool = False,
                      writer: type = _KeepMetadataWriter, typed: bool = True) -> bytes:
    """A later incremental update whose catalog points to packet (None: no XMP at all).
    typed=False: a stream without /Type and /Subtype (pyHanko would parse a typed one)."""
    w = writer(io.BytesIO(data), strict=False)
    if not typed:
        w.root["/Metadata"] = w.add_object(generic.StreamObject({}, stream_data=packet))
    elif packet is None:
        del w.root["/Metadata"]
    elif same_object:  # the same object number, a new body in the new revision
        ref = w.root.raw_get("/Metadata").reference
        stream = generic.StreamObject({"/Type": generic.NameObject("/Metadata"),
                                       "/Subtype": generic.NameObject("/XML")}, stream_data=packet)
        w.mark_update(ref)
        w.objects[(ref.generation, ref.idnum)] = stream  # replaces what mark_update queued
    else:
        w.root["/Metadata"] = w.add_object(generic.StreamObject(
            {"/Type": generic.NameObject("/Metadata"), "/Subtype": generic.NameObject("/XML")},
            stream_data=packet))
    w.update_root()
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _edit(data: bytes, old: bytes, new: bytes) -> bytes:
    packet = xmp_by_revision(data)[-1]
    assert packet is not None and old in packet, old
    return packet.replace(old, new)


def _strip_marker(packet: bytes) -> bytes:
    """Every sohoa: property removed from the packet (the conversion marker stripped)."""
    from lxml import etree
    from sohoa.pipeline.sign import NS_SOHOA

    start = packet.index(b"<x:xmpmeta")
    end = packet.index(b"</x:xmpmeta>") + len(b"</x:xmpmeta>")
    root = etree.fromstring(packet[start:end])
    for el in root.iter():
        if isinstance(el.tag, str) and el.tag.startswith(f"{{{NS_SOHOA}}}"):
            el.getparent().remove(el)
    return packet[:start] + etree.tostring(root, encoding="utf-8") + packet[end:]


def _second_description(packet: bytes) -> bytes:
    """A second rdf:Description with another Operator: read_xmp sees the first value,
    another reader may show the second."""
    extra = (b'<rdf:Description rdf:about="" xmlns:sohoa="https://sohoa.example/ns/conversion/1.0/">'
             b"<sohoa:Operator>K\xe1\xba\xbb gi\xe1\xba\xa3 m\xe1\xba\xa1o</sohoa:Operator>"
             b"</rdf:Description></rdf:RDF>")
    return packet.replace(b"</rdf:RDF>", extra, 1)


_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
           + b"".join(b'<!ENTITY %c "&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;&%c;">' % ((98 + i,) + (97 + i,) * 10)
                      for i in range(8))
           + b']><x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
             b'22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:sohoa="https://sohoa.example/'
             b'ns/conversion/1.0/"><sohoa:Operator>&i;</sohoa:Operator></rdf:Description></rdf:RDF>'
             b"</x:xmpmeta>")
_XXE = (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/hostname">]>'
        b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/'
        b'22-rdf-syntax-ns#"><rdf:Description rdf:about="" xmlns:sohoa="https://sohoa.example/'
        b'ns/conversion/1.0/"><sohoa:Operator>&e;</sohoa:Operator></rdf:Description></rdf:RDF>'
        b"</x:xmpmeta>")


# (attempt, how the forged revision is made, the property the report must name)
ATTEMPTS = [
    ("conversion marker stripped from the XMP",
     lambda d: _new_xmp_revision(d, _strip_marker(xmp_by_revision(d)[-1])), "sohoa:CopyForm"),
    ("sohoa:Operator changed",
     lambda d: _new_xmp_revision(d, _edit(d, b">Nguy\xe1\xbb\x85n V\xc4\x83n An</sohoa:Operator>",
                                          b">Tr\xe1\xba\xa7n V\xc4\x83n Gi\xe1\xba\xa3</sohoa:Operator>")),
     "sohoa:Operator"),
    ("personal ID inside sohoa:Fields changed",
     lambda d: _new_xmp_revision(d, _edit(d, PERSON_ID.encode(), b"001085099999")),
     "sohoa:Fields field 'person_id'"),
    ("nd30:CodeNumber changed",
     lambda d: _new_xmp_revision(d, _edit(d, b"<nd30:CodeNumber>125<", b"<nd30:CodeNumber>126<")),
     "nd30:CodeNumber"),
    ("copy form 'SAO Y' removed from dc:title",
     lambda d: _new_xmp_revision(d, _edit(d, b" (SAO Y)</rdf:li>", b"</rdf:li>")), "dc:title"),
    ("XMP stream rewritten under its own object number",
     lambda d: _new_xmp_revision(d, _edit(d, b"BATCH-2026-11-23", b"BATCH-2099-01-01"),
                                 same_object=True), "sohoa:BatchId"),
    ("XMP removed from the catalog",
     lambda d: _new_xmp_revision(d, None), "sohoa:DocumentId 'DOC-000001' -> (absent)"),
    ("a second rdf:Description with another sohoa:Operator",
     lambda d: _new_xmp_revision(d, _second_description(xmp_by_revision(d)[-1])), "sohoa:Operator"),
    ("XMP replaced by an entity-expansion bomb (billion laughs)",
     lambda d: _new_xmp_revision(d, _LAUGHS, typed=False), "sohoa:"),
    ("XMP replaced by an external-entity (XXE) packet naming a local file",
     lambda d: _new_xmp_revision(d, _XXE, typed=False), "sohoa:"),
    ("a plain pyHanko update re-serialising the XMP (its metadata rewrite)",
     lambda d: _new_xmp_revision(d, xmp_by_revision(d)[-1], writer=IncrementalPdfFileWriter),
     "sohoa:"),
]


@pytest.mark.parametrize("attempt,forge,named", ATTEMPTS, ids=[a[0] for a in ATTEMPTS])
def test_metadata_changed_after_signing_is_not_valid(pki, lta, attempt, forge, named):  # noqa: F811
    forged = forge(lta)
    assert forged.startswith(lta)  # signed bytes untouched: only a later revision
    rep = verify_pdf(forged, trust_roots=[pki.root_pem.read_bytes()], run_pdfsig=False)
    assert not rep.valid, f"{attempt}: reported VALID\n{rep.to_text()}"
    assert rep.intact  # the signature itself still verifies: the change is named instead
    changed = [p for p in rep.problems if p.startswith("conversion marker or metadata changed")
               or p.startswith("the XMP metadata was replaced after signing")]
    assert changed and named in changed[0], (attempt, rep.problems)
    # the report shows the signed marker, never the forged one
    assert rep.marker["operator"] == "Nguyễn Văn An" and rep.marker["copy_form"] == "SAO Y"
    assert rep.fields["person_id"]["value"] == PERSON_ID
    assert "aaaaaaaaaaaaaaaaaaaa" not in rep.to_text()  # no entity was expanded
    assert Path("/etc/hostname").read_text().strip() not in "".join(rep.problems)


@pytest.mark.slow  # two CLI processes; the library verdict is the test above
def test_cli_verify_exits_1_and_names_the_forged_operator(pki, lta, tmp_path):  # noqa: F811
    forged = ATTEMPTS[1][1](lta)
    pdf = tmp_path / "forged.pdf"
    pdf.write_bytes(forged)
    env = {"SOHOA_TRUST_ROOTS": str(pki.root_pem)}
    out = run_sohoa(tmp_path / "home", "verify", "--no-catalogue", str(pdf), env=env, check=False)
    assert out.returncode == 1, out.stdout + out.stderr
    assert out.stdout.startswith("NOT VALID"), out.stdout
    assert "sohoa:Operator 'Nguyễn Văn An' -> 'Trần Văn Giả'" in out.stdout, out.stdout
    assert "(Nguyễn Văn An)" in out.stdout  # the marker line shows the signed operator
    pdf.write_bytes(lta)
    assert run_sohoa(tmp_path / "home", "verify", "--no-catalogue", str(pdf), env=env).returncode == 0


def test_forged_marker_countersigned_by_another_key_is_not_valid(pki, lta, tmp_path):  # noqa: F811
    """The forger signs the revision with the forged XMP (a key of their own, a field of
    their own): the conversion signature's revision still decides."""
    from pyhanko.sign import signers
    from sohoa.core.config import Settings

    forged = ATTEMPTS[1][1](lta)
    forger = load_signer(Settings(home=tmp_path, unit="Kẻ giả mạo"))  # a DEMO key
    w = _KeepMetadataWriter(io.BytesIO(forged), strict=False)
    out = signers.PdfSigner(signers.PdfSignatureMetadata(field_name="Countersign"),
                            signer=forger.signer).sign_pdf(w)
    countersigned = out.getvalue()
    rep = verify_pdf(countersigned, trust_roots=[pki.root_pem.read_bytes()], run_pdfsig=False)
    assert len(rep.signatures) == 2 and all(s.intact for s in rep.signatures)
    assert not rep.valid, rep.to_text()
    assert any("sohoa:Operator 'Nguyễn Văn An' -> 'Trần Văn Giả'" in p for p in rep.problems), rep.problems
    assert rep.marker["operator"] == "Nguyễn Văn An"


def test_sohoa_revisions_after_the_signature_leave_the_xmp_as_signed(pki, lta):  # noqa: F811
    """Item 2: the DSS and document-timestamp revisions keep the signed XMP byte for byte
    (pyHanko's writers would rewrite producer, namespaces and extension schema)."""
    packets = xmp_by_revision(lta)
    reader = PdfFileReader(io.BytesIO(lta), strict=False)
    signed_rev = reader.embedded_regular_signatures[0].signed_revision
    assert len(packets) > signed_rev + 1  # there are later revisions (DSS, timestamp)
    assert all(p == packets[signed_rev] for p in packets[signed_rev:])
    assert b"x:xmptk=\"pyHanko" not in packets[-1]
    rep = verify_pdf(lta, trust_roots=[pki.root_pem.read_bytes()], run_pdfsig=False)
    assert rep.valid and rep.level == "B-LTA", rep.to_text()
    assert not any("XMP" in n for n in rep.notes)
