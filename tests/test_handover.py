"""The hand-over package (handover/, `sohoa export`) on a real processed archive: exported by
batch, by date range and by dossier (Dossier rows and dossier_code/page ranges set the way the
splitting step leaves them), checked offline by `sohoa export --verify`, audited, and the same
package twice apart from times."""
from __future__ import annotations

import csv
import hashlib
import io
import re
import time
from datetime import datetime, timedelta, timezone

import bagit
import pytest
from conftest import run_sohoa
from handover_archive import copy_home, processed_archive, runtime
from lxml import etree
from sohoa.archive.models import AuditEvent, Document, Dossier
from sohoa.handover.bag import export_package
from sohoa.handover.selection import Selection
from sohoa.handover.verify import verify_package
from sqlalchemy import select

NS = {"mets": "http://www.loc.gov/METS/", "premis": "http://www.loc.gov/premis/v3",
      "xlink": "http://www.w3.org/1999/xlink", "arc": "urn:sohoa:archival-metadata:1"}


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    return processed_archive(tmp_path_factory)


def test_export_by_batch_from_the_cli_verifies_offline(archive, tmp_path):
    home, batch_id = archive
    out = tmp_path / "pkg"
    done = run_sohoa(home, "export", "--batch", batch_id, "-o", str(out))
    assert "documents: 2" in done.stdout
    bag = bagit.Bag(str(out))
    assert bag.is_valid() and set(bag.algorithms) == {"sha256", "sha512"}
    pdfs = sorted(out.glob("data/objects/*/signed.pdf"))
    assert len(pdfs) == 2
    # the PDFs are the archive's signed originals, byte for byte
    rt = runtime(home)
    with rt.catalogue.session() as s:
        docs = list(s.scalars(select(Document).where(Document.batch_id == batch_id)))
        expected = {d.document_id: d.latest_signed.sha256 for d in docs}
        event = s.scalars(select(AuditEvent).where(AuditEvent.action == "handover.export")
                          .order_by(AuditEvent.id.desc())).first()
    assert {p.parent.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in pdfs} == expected
    # audited, with the selection and the manifest's hash
    assert event is not None and event.detail["selection"] == {"batch": batch_id}
    assert event.detail["manifest_sha256"] == hashlib.sha256((out / "manifest-sha256.txt").read_bytes()).hexdigest()
    # METS per dossier: dmdSec, PREMIS events with agents, fileSec, structMap dossier -> documents -> pages
    mets = sorted(out.glob("data/mets/*.xml"))
    assert mets
    seen_events: set[str] = set()
    for m in mets:
        tree = etree.parse(str(m))
        top = tree.find("mets:structMap/mets:div", NS)
        assert top.get("TYPE") == "dossier"
        for doc_div in top.findall("mets:div", NS):
            pages = doc_div.findall("mets:div[@TYPE='page']", NS)
            assert pages and [p.get("ORDER") for p in pages] == [str(i) for i in range(1, len(pages) + 1)]
        fields = {f.get("name"): f.text for f in tree.iterfind(".//mets:dmdSec[@ID='DMD-DOSSIER']//arc:field", NS)}
        assert fields["Maintenance"] == "Vĩnh viễn" and int(fields["DocTotal"]) >= 1
        seen_events |= {e.text for e in tree.iterfind(".//premis:eventType", NS)}
        for f in tree.iterfind(".//mets:file", NS):
            href = f.find("mets:FLocat", NS).get(f"{{{NS['xlink']}}}href")
            assert hashlib.sha256((m.parent / href).read_bytes()).hexdigest() == f.get("CHECKSUM")
        agents = {a.text for a in tree.iterfind(".//premis:agent/premis:agentType", NS)}
        assert {"person", "software", "certificate"} <= agents
    assert {"capture", "OCR", "digital signature generation", "ingestion"} <= seen_events
    # inventory in Vietnamese
    html = (out / "data" / "muc-luc-ho-so.html").read_text("utf-8")
    assert "MỤC LỤC HỒ SƠ" in html and "Vĩnh viễn" in html
    table = list(csv.DictReader(io.StringIO((out / "data" / "muc-luc-ho-so.csv").read_text("utf-8-sig"))))
    assert len(table) == 2 and all(r["Thời hạn bảo quản"] == "Vĩnh viễn" and r["Số, ký hiệu"] for r in table)
    verified = run_sohoa(home, "export", "--verify", str(out))
    assert verified.stdout.startswith("VALID") and "2 signatures checked offline" in verified.stdout


def test_same_input_same_package_apart_from_times(archive, tmp_path):
    home, batch_id = archive
    rt = runtime(home)
    a = export_package(rt, Selection("batch", batch=batch_id), tmp_path / "a")
    time.sleep(1.1)  # another second on the clock
    b = export_package(rt, Selection("batch", batch=batch_id), tmp_path / "b")
    pa, pb = tmp_path / "a", tmp_path / "b"
    assert a.manifest_sha256 == b.manifest_sha256
    assert (pa / "manifest-sha512.txt").read_bytes() == (pb / "manifest-sha512.txt").read_bytes()
    names = sorted(p.name for p in (pa / "data" / "mets").iterdir())
    assert names == sorted(p.name for p in (pb / "data" / "mets").iterdir())
    for n in names:  # byte for byte: CREATEDATE is the catalogue's newest time, not the clock's
        assert (pa / "data" / "mets" / n).read_bytes() == (pb / "data" / "mets" / n).read_bytes()
    info = [re.sub(r"Bagging-Date: .*", "", (p / "bag-info.txt").read_text("utf-8")) for p in (pa, pb)]
    assert info[0] == info[1]


def test_export_by_date_range_takes_the_days_conversions(archive, tmp_path):
    home, batch_id = archive
    today = datetime.now(timezone(timedelta(hours=7))).date()
    rt = runtime(home)
    res = export_package(rt, Selection("dates", date_from=today - timedelta(days=1), date_to=today),
                         tmp_path / "days")
    assert len(res.documents) == 2
    assert verify_package(tmp_path / "days").ok
    with pytest.raises(Exception, match="no archived document"):
        export_package(rt, Selection("dates", date_from=today - timedelta(days=30),
                                     date_to=today - timedelta(days=20)), tmp_path / "none")
    assert not (tmp_path / "none").exists()


def test_export_by_dossier_with_page_ranges(archive, tmp_path):
    home = copy_home(archive[0], tmp_path / "home")
    rt = runtime(home)
    now = datetime.now(timezone.utc)
    with rt.catalogue.session() as s:
        docs = list(s.scalars(select(Document).order_by(Document.document_id)))
        s.add(Dossier(code="HS-2024-001", title="Hồ sơ thi hành án Nguyễn Văn A", batch_id=docs[0].batch_id,
                      declared=True, archival={"Title": "Hồ sơ thi hành án Nguyễn Văn A", "AccessLevel": "Hạn chế"},
                      created_at=now, updated_at=now))
        s.flush()
        first = 1
        for i, d in enumerate(reversed(docs), 1):  # the scan's order: ordinals, page ranges of one source
            d.dossier_code, d.dossier_ordinal = "HS-2024-001", i
            d.page_first, d.page_last = first, first + d.page_count - 1
            first += d.page_count
        order = [d.document_id for d in reversed(docs)]
        counts = [d.page_count for d in reversed(docs)]
    res = export_package(rt, Selection("dossier", dossier="HS-2024-001"), tmp_path / "hs")
    assert res.dossiers == ["HS-2024-001"]
    tree = etree.parse(str(tmp_path / "hs" / "data" / "mets" / "HS-2024-001.xml"))
    top = tree.find("mets:structMap/mets:div", NS)
    assert top.get("LABEL") == "Hồ sơ thi hành án Nguyễn Văn A"
    divs = top.findall("mets:div", NS)
    assert [d.get("DMDID").removeprefix("DMD-") for d in divs] == order
    labels = [p.get("ORDERLABEL") for d in divs for p in d.findall("mets:div", NS)]
    assert labels == [str(i) for i in range(1, sum(counts) + 1)]  # the scan's pages, in order
    fields = {f.get("name"): f.text for f in tree.iterfind(".//mets:dmdSec[@ID='DMD-DOSSIER']//arc:field", NS)}
    assert fields["AccessLevel"] == "Hạn chế" and fields["DocTotal"] == "2"
    assert verify_package(tmp_path / "hs").ok


def test_history_and_verification_records_reach_premis(archive, tmp_path):
    """A verification record (another role than signed/source) travels with its document; an
    integrity run, a verifier's decision and its audit entry become PREMIS events with agents."""
    from sohoa.archive.catalogue import audit
    from sohoa.archive.models import ReviewItem, StoredObject, TimestampRenewal
    from sohoa.pipeline.sign.seal import SealKey, seal
    from sohoa.retention.integrity import check_integrity

    home = copy_home(archive[0], tmp_path / "home")
    rt = runtime(home)
    assert check_integrity(rt, signatures=False, alert=False).ok
    record = b'{"decision": "accepted", "field": "issuer", "verifier": "kiemtra1"}'
    with rt.catalogue.session() as s:
        doc = s.scalars(select(Document).order_by(Document.document_id)).first()
        with SealKey(rt) as key:  # sealed as pipeline/sign/record.py seals: <n>.json + detached <n>.p7s
            cms = seal(key, record)
        for role, name, data in (("verification", "1.json", record), ("verification_sig", "1.p7s", cms)):
            ref = rt.store.put(rt.bucket, f"verifications/{doc.document_id}/{name}", data,
                               {"document-id": doc.document_id})
            s.add(StoredObject(document_id=doc.document_id, role=role, bucket=ref.bucket, key=ref.key,
                               version_id=ref.version_id, sha256=ref.sha256, size=ref.size,
                               created_at=datetime.now(timezone.utc)))
        item = s.scalars(select(ReviewItem).where(ReviewItem.document_id == doc.document_id)).first()
        if item is None:  # a document without review items: one as reconciliation queues them
            item = ReviewItem(document_id=doc.document_id, kind="low_confidence", field="issuer",
                              created_at=datetime.now(timezone.utc), due_at=datetime.now(timezone.utc))
            s.add(item)
            s.flush()
        item.status, item.resolved_at = "resolved", datetime.now(timezone.utc)
        item.resolution = "accept: value confirmed (by kiemtra1)"
        audit(s, "ui:kiemtra1", "ui.item.accept", f"review_item:{item.id}", field=item.field, value="x")
        doc_id = doc.document_id
        # a timestamp renewal adds a newer signed version (here the same bytes under another key):
        # the package takes the newest, and the renewal is an event
        old = doc.latest_signed
        again = rt.store.put(rt.bucket, f"renewed/{doc_id}.pdf", rt.store.get(old.ref), {"document-id": doc_id})
        new = StoredObject(document_id=doc_id, role="signed", bucket=again.bucket, key=again.key,
                           version_id=again.version_id, sha256=again.sha256, size=again.size,
                           created_at=datetime.now(timezone.utc))
        s.add(new)
        s.flush()
        s.add(TimestampRenewal(document_id=doc_id, old_object_id=old.id, new_object_id=new.id, tsa="CN=Test TSA",
                               new_expires=datetime.now(timezone.utc) + timedelta(days=3650),
                               at=datetime.now(timezone.utc), actor="beat"))
    out = tmp_path / "pkg"
    export_package(rt, Selection("batch", batch=archive[1]), out)
    extra = out / "data" / "objects" / doc_id / "verification-1.json"
    assert extra.read_bytes() == record and extra.with_name("verification_sig-1.p7s").read_bytes() == cms
    mets = next(m for m in (out / "data" / "mets").iterdir() if doc_id in m.read_text("utf-8"))
    tree = etree.parse(str(mets))
    grp = tree.find(".//mets:fileGrp[@USE='verification']", NS)
    assert grp is not None and len(grp) == 1
    assert tree.find(".//mets:fileGrp[@USE='verification_sig']/mets:file", NS).get("MIMETYPE") == \
        "application/pkcs7-signature"
    events = {(e.findtext("premis:eventType", namespaces=NS), e.findtext(".//premis:eventOutcome", namespaces=NS))
              for e in tree.iterfind(f".//mets:digiprovMD[@ID='PREMIS-{doc_id}']//premis:event", NS)}
    assert ("fixity check", "pass") in events and ("timestamp renewal", "success") in events
    locations = [t.text for t in tree.iterfind(f".//mets:digiprovMD[@ID='PREMIS-{doc_id}']"
                                               "//premis:contentLocationValue", NS)]
    assert any(f"/renewed/{doc_id}.pdf@" in loc for loc in locations)
    assert ("verification decision", "resolved") in events and ("verification decision", "ok") in events
    roles = {r.text for r in tree.iterfind(".//premis:linkingAgentRole", NS)}
    assert {"verifier", "signer", "operator"} <= roles
    rep = verify_package(out)
    assert rep.ok and rep.signatures == 3  # two PAdES originals, one record's detached CMS
    extra.write_bytes(record.replace(b"accepted", b"rejected"))  # the record changed, manifests too
    bagit.Bag(str(out)).save(manifests=True)
    rep = verify_package(out)
    assert not rep.ok and any(p.startswith(f"data/objects/{doc_id}/verification-1.json: its signature "
                                           "verification_sig-1.p7s: the signed bytes differ") for p in rep.problems)


def test_verify_is_offline_and_trusts_only_its_roots(archive, tmp_path, monkeypatch):
    """No socket is opened; a root the signatures do not chain to makes them untrusted."""
    import socket

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    home, batch_id = archive
    out = tmp_path / "pkg"
    export_package(runtime(home), Selection("batch", batch=batch_id), out)

    def no_network(*args, **kwargs):
        raise AssertionError("verify opened a network connection")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    assert verify_package(out).ok
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Another root")])
    now = datetime.now(timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + timedelta(days=1))
            .sign(key, hashes.SHA256()))
    other = tmp_path / "other.pem"
    other.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    rep = verify_package(out, [other])
    assert not rep.ok and "Another root" in rep.trust_roots[0]
    assert all("not trusted" in p for p in rep.problems) and len(rep.problems) == 2
