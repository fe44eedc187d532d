"""Long-term validation data and timestamp renewal (issue 17, items 5-6).

The DSS held no OCSP response although B-LT promises it: the test PKI's responder
failed every request and the signer fell back to CRLs. Now the signer's OCSP response
and the chain's CRLs are embedded, and the report says which. Renewal is exercised for
real with the test PKI's rolling TSA: generation 1's certificate expires within the
renewal window; after the rollover, generation 2 renews, at the same URL, and the
signed XMP stays as it was.
"""
from __future__ import annotations

import io
import sys
import urllib.error
import urllib.request
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from asn1crypto import ocsp  # noqa: E402
from pyhanko.pdf_utils.reader import PdfFileReader  # noqa: E402
from pyhanko.sign.validation.dss import DocumentSecurityStore  # noqa: E402
from sohoa.core.config import Settings  # noqa: E402
from sohoa.corpus.pki import ROLLING, create_pki, serve_in_thread  # noqa: E402
from sohoa.pipeline.sign import (  # noqa: E402
    load_signer,
    newest_timestamp,
    prepare_pdf,
    sign_pdf,
    verify_pdf,
)
from test_sign import ARCHIVAL, FIELDS, UNIT, make_marker  # noqa: E402
from test_sign_pki import scan_pdf  # noqa: E402

from security.test_tamper_metadata import xmp_by_revision  # noqa: E402


@pytest.fixture(scope="module")
def rolling_pki(tmp_path_factory):
    """A PKI of its own: the rollover changes its state."""
    pki = create_pki(tmp_path_factory.mktemp("rolling-pki"), port=0)
    with serve_in_thread(pki):
        yield pki


def _settings(pki, home: Path, level: str) -> Settings:
    return Settings(home=home, unit=UNIT, sign_pkcs12=str(pki.signer_p12),
                    sign_pkcs12_password=pki.password, tsa_url=pki.tsa_url(ROLLING),
                    trust_roots=str(pki.root_pem), sign_level=level)


def _sign(st: Settings) -> bytes:
    src = scan_pdf(1)
    marker = make_marker(src)
    return sign_pdf(prepare_pdf(src, marker, FIELDS, ARCHIVAL), load_signer(st), marker)


def _dss(data: bytes):
    return DocumentSecurityStore.read_dss(PdfFileReader(io.BytesIO(data), strict=False))


def test_the_ocsp_responder_answers(rolling_pki):
    """The root cause: the responder was summoned without a time and answered 400."""
    from asn1crypto import pem, x509
    from pyhanko_certvalidator.authority import CertTrustAnchor
    from pyhanko_certvalidator.fetchers.common_utils import format_ocsp_request

    def cert(name: str) -> x509.Certificate:
        return x509.Certificate.load(pem.unarmor((rolling_pki.dir / name).read_bytes())[2])

    req = format_ocsp_request(cert("signer.cert.pem"), CertTrustAnchor(cert("interm.cert.pem")).authority,
                              certid_hash_algo="sha1", request_nonces=True)
    http = urllib.request.Request(rolling_pki.ocsp_url, data=req.dump(),
                                  headers={"Content-Type": "application/ocsp-request"})
    with urllib.request.urlopen(http, timeout=10) as resp:
        answer = ocsp.OCSPResponse.load(resp.read())
    assert answer["response_status"].native == "successful"
    single = answer["response_bytes"]["response"].parsed["tbs_response_data"]["responses"][0]
    assert single["cert_status"].name == "good"
    # a garbage request is refused, and the server lives on
    bad = urllib.request.Request(rolling_pki.ocsp_url, data=b"\x30\x03garbage")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(bad, timeout=10)
    assert err.value.code == 400


@pytest.mark.parametrize("level", ["B-LT", "B-LTA"])
def test_dss_embeds_the_signers_ocsp_and_the_chains_crls(rolling_pki, tmp_path, level):
    signed = _sign(_settings(rolling_pki, tmp_path, level))
    dss = _dss(signed)
    assert len(dss.ocsps) >= 1 and len(dss.crls) >= 2
    rep = verify_pdf(signed, trust_roots=[rolling_pki.root_pem.read_bytes()], run_pdfsig=False)
    assert rep.valid and rep.level == level, rep.to_text()
    assert rep.ltv_ok == (level == "B-LTA")  # offline proof of existence: the document timestamp
    assert rep.revocation.startswith("good (OCSP response produced"), rep.revocation
    held = "; ".join(rep.validation_data)
    assert "OCSP sohoa Test Signer (good" in held, held
    assert "CRL of sohoa Test Intermediate CA" in held and "CRL of sohoa Test Root CA" in held
    assert "embedded validation data: OCSP sohoa Test Signer" in rep.to_text()


def test_rollover_then_renewal_extends_the_timestamp_and_keeps_the_xmp(rolling_pki, tmp_path):
    """The renewal job for real: what generation 1 stamped is due; after the rollover the
    same TSA URL answers with generation 2, and the job renews it."""
    from sohoa.archive.catalogue import Catalogue
    from sohoa.archive.store import LocalObjectStore
    from sohoa.core.runtime import Runtime
    from sohoa.retention.timestamps import find_due, renew_timestamps
    from test_retention_timestamps import DOC_ID, _archive_one

    st = _settings(rolling_pki, tmp_path, "B-LTA")
    rt = Runtime(settings=st, catalogue=Catalogue(st.database_url),
                 store=LocalObjectStore(st.store_root), signer=None, actor="test")
    assert rolling_pki.tsa_generation() == "tsa-g1"
    signed = _sign(st)
    first = newest_timestamp(signed)
    assert "generation 1" in first["tsa"]
    soon = datetime.now(timezone.utc) + timedelta(days=st.timestamp_renewal_days)
    assert first["tsa_expires"] <= soon
    _archive_one(rt, signed, datetime.now(timezone.utc).replace(microsecond=0))
    assert [d[0] for d in find_due(rt)] == [DOC_ID]  # due within the renewal window

    assert rolling_pki.rollover_tsa() == "tsa-g2"
    results = renew_timestamps(rt)  # same settings, same TSA URL
    assert [(r.document_id, r.status) for r in results] == [(DOC_ID, "renewed")], results
    versions = rt.store.versions(rt.bucket, results[0].key)
    renewed = rt.store.get(versions[-1])
    assert len(versions) == 2 and renewed.startswith(signed)
    second = newest_timestamp(renewed)
    assert "generation 2" in second["tsa"] and second["tsa_expires"] > soon
    rep = verify_pdf(renewed, trust_roots=[rolling_pki.root_pem.read_bytes()], run_pdfsig=False)
    assert rep.valid and rep.ltv_ok and rep.level == "B-LTA", rep.to_text()
    assert [t["kind"] for t in rep.timestamps] == ["signature", "document", "document"]
    assert [("generation 2" in (t["tsa"] or "")) for t in rep.timestamps] == [False, False, True]
    assert len(set(xmp_by_revision(renewed)[1:])) == 1  # renewal did not touch the XMP
    assert renew_timestamps(rt) == []  # nothing due any more
    with pytest.raises(ValueError, match="last generation"):
        rolling_pki.rollover_tsa()
