"""The timestamp renewal job: archived B-LTA documents whose newest timestamp's TSA
certificate expires soon get a new document timestamp, as a new version (old kept),
recorded in the catalogue; running it again changes nothing."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from conftest import run_sohoa
from sohoa.archive.catalogue import Catalogue, verify_audit_chain
from sohoa.archive.models import AuditEvent, Batch, Document, SourceFileRow, StoredObject, TimestampRenewal
from sohoa.archive.store import LocalObjectStore
from sohoa.core.config import Settings
from sohoa.core.runtime import Runtime
from sohoa.pipeline.sign import ConversionMarker, load_signer, newest_timestamp, prepare_pdf, sign_pdf
from sohoa.retention.timestamps import find_due, renew_timestamps
from sqlalchemy import select
from test_sign import ARCHIVAL, FIELDS, UNIT
from test_sign_pki import pki, pki_server, scan_pdf  # noqa: F401  (fixtures)

DOC_ID = "D" + "ab" * 12


def _settings(pki, home: Path, tsa: str) -> Settings:
    return Settings(home=home, unit=UNIT, sign_pkcs12=str(pki.signer_p12),
                    sign_pkcs12_password=pki.password, tsa_url=pki.tsa_url(tsa),
                    trust_roots=str(pki.root_pem), sign_level="B-LTA", timestamp_renewal_days=30)


def _archive_one(rt: Runtime, signed: bytes, converted: datetime) -> None:
    ref = rt.store.put(rt.bucket, f"judgments/2024/{DOC_ID}.pdf", signed, {"document-id": DOC_ID})
    with rt.catalogue.session() as s:
        s.add(Batch(batch_id="B1", source_dir="/x", started_at=converted))
        s.flush()
        s.add(Document(document_id=DOC_ID, content_sha256="cd" * 32, batch_id="B1", source="a.pdf",
                       source_kind="pdf_image", page_count=1, status="matched", doc_type="judgment",
                       converted_at=converted, created_at=converted, updated_at=converted,
                       signer="x"))
        s.flush()
        s.add(SourceFileRow(document_id=DOC_ID, ordinal=0, relpath="a.pdf", sha256="ef" * 32, size=1))
        s.add(StoredObject(document_id=DOC_ID, role="signed", bucket=ref.bucket, key=ref.key,
                           version_id=ref.version_id, sha256=ref.sha256, size=ref.size,
                           created_at=converted))


@pytest.fixture
def archived(pki, pki_server, tmp_path):  # noqa: F811
    home = tmp_path / "home"
    st = _settings(pki, home, "tsa-short")  # TSA certificate expires in 20 days
    rt = Runtime(settings=st, catalogue=Catalogue(st.database_url), store=LocalObjectStore(st.store_root),
                 signer=None, actor="test")
    converted = datetime.now(timezone.utc).replace(microsecond=0)
    src = scan_pdf(1)
    marker = ConversionMarker(DOC_ID, UNIT, "op", converted, "B1", None, [("a.pdf", "ef" * 32)],
                              "sohoa 0.1.0")
    signed = sign_pdf(prepare_pdf(src, marker, FIELDS, ARCHIVAL), load_signer(st), marker)
    _archive_one(rt, signed, converted)
    return rt, signed


def test_renewal_adds_a_version_records_it_and_is_idempotent(pki, archived):  # noqa: F811
    rt, signed = archived
    before = newest_timestamp(signed)["tsa_expires"]
    assert (before - datetime.now(timezone.utc)).days < 21
    assert [d[0] for d in find_due(rt)] == [DOC_ID]
    assert find_due(rt, within_days=1) == []  # outside a 1-day window

    dry = renew_timestamps(rt, dry_run=True)
    assert [(r.document_id, r.status) for r in dry] == [(DOC_ID, "due")]
    assert len(rt.store.versions(rt.bucket, dry[0].key)) == 1  # a dry run changes nothing

    renewing = Runtime(settings=_settings(pki, rt.settings.home, "tsa"), catalogue=rt.catalogue,
                       store=rt.store, signer=None, actor="test")
    results = renew_timestamps(renewing)
    assert [(r.document_id, r.status) for r in results] == [(DOC_ID, "renewed")], results
    versions = rt.store.versions(rt.bucket, results[0].key)
    assert len(versions) == 2  # the old version is kept
    old, new = rt.store.get(versions[0]), rt.store.get(versions[1])
    assert old == signed and new.startswith(signed)  # an incremental update over it
    assert newest_timestamp(new)["tsa_expires"] > before

    from sohoa.pipeline.sign import verify_pdf
    rep = verify_pdf(new, trust_roots=[pki.root_pem.read_bytes()])
    assert rep.valid and rep.trusted and rep.ltv_ok and rep.level == "B-LTA", rep.to_text()
    assert [t["kind"] for t in rep.timestamps] == ["signature", "document", "document"]

    with rt.catalogue.session() as s:
        objs = s.scalars(select(StoredObject).where(StoredObject.document_id == DOC_ID)
                         .order_by(StoredObject.id)).all()
        assert [o.version_id for o in objs] == [v.version_id for v in versions]
        ren = s.scalars(select(TimestampRenewal)).one()
        assert ren.old_object_id == objs[0].id and ren.new_object_id == objs[1].id
        assert "Time Stamping Authority" in ren.tsa
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "document.timestamp_renew")).one()
        assert verify_audit_chain(s) == []

    again = renew_timestamps(renewing)
    assert again == []  # nothing due any more
    assert len(rt.store.versions(rt.bucket, results[0].key)) == 2


def test_a_stored_but_uncatalogued_renewal_is_adopted(pki, archived):  # noqa: F811
    rt, signed = archived
    renewing = Runtime(settings=_settings(pki, rt.settings.home, "tsa"), catalogue=rt.catalogue,
                       store=rt.store, signer=None, actor="test")
    from sohoa.pipeline.sign import add_document_timestamp, load_trust_roots, make_timestamper

    key = f"judgments/2024/{DOC_ID}.pdf"
    renewed = add_document_timestamp(signed, make_timestamper(pki.tsa_url()),
                                     trust_roots=load_trust_roots(renewing.settings))
    rt.store.put(rt.bucket, key, renewed, {})
    results = renew_timestamps(renewing)  # the run that stored it died before cataloguing
    assert [r.status for r in results] == ["adopted"]
    assert len(rt.store.versions(rt.bucket, key)) == 2
    assert renew_timestamps(renewing) == []


def test_cli_renew_then_fetch_and_verify(pki, archived, tmp_path):  # noqa: F811
    rt, _ = archived
    home = rt.settings.home
    env = {"SOHOA_SIGN_PKCS12": str(pki.signer_p12), "SOHOA_SIGN_PKCS12_PASSWORD": pki.password,
           "SOHOA_TSA_URL": pki.tsa_url("tsa"), "SOHOA_TRUST_ROOTS": str(pki.root_pem),
           "SOHOA_TIMESTAMP_RENEWAL_DAYS": "30"}
    out = run_sohoa(home, "retention", "renew-timestamps", env=env)
    assert "1 renewed" in out.stdout, out.stdout
    out = run_sohoa(home, "retention", "renew-timestamps", env=env)
    assert "nothing due" in out.stdout
    pdf = tmp_path / "f.pdf"
    run_sohoa(home, "fetch", DOC_ID, "-o", str(pdf), env=env)
    out = run_sohoa(home, "verify", str(pdf), env=env)
    assert out.stdout.startswith("VALID") and "trusted: yes" in out.stdout, out.stdout
    assert "level: B-LTA" in out.stdout and "catalogue: consistent" in out.stdout, out.stdout
    # a copy with a flipped byte in the scan: not valid, and where it changed is named
    data = bytearray(pdf.read_bytes())
    at = data.index(b"/DCTDecode")
    at = data.index(b"stream", at) + 500
    data[at] ^= 0x01
    pdf.write_bytes(bytes(data))
    out = run_sohoa(home, "verify", "--json", str(pdf), env=env, check=False)
    assert out.returncode == 1
    import json
    rep = json.loads(out.stdout)
    assert any("scanned page image" in p for p in rep["problems"]), rep["problems"]
