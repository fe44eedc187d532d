"""PAdES B-LTA through the real pipeline: `sohoa process` signing with the test PKI (PKCS#12),
with a PKCS#11 token (SoftHSM2) in the process itself, and with the token inside a Celery
worker. Each archived document is read back from the store and validated by pyHanko (chain to
the test root, revocation, LTA with the document timestamp) and by poppler's pdfsig, and its
PDF/A-2b claim is checked after every signature revision.

The test PKI's TSA/OCSP/CRL server runs in a thread of this process (test_sign_pki's
fixtures); the CLI and the worker are subprocesses reaching it over HTTP. SOFTHSM2_CONF is
only ever passed in a subprocess's environment, never set in this one."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from conftest import ROOT, machine_service_lock, run_sohoa
from pdfa_check import check_pdfa, revisions, validator_findings
from sohoa.archive.models import Document
from sohoa.core.config import load_settings
from sohoa.pipeline.sign import verify_pdf
from sqlalchemy import select
from test_sign_pki import SOFTHSM, pki, pki_server  # noqa: F401  (fixtures: the test PKI, served)

from sohoa.runtime import build_runtime

pytestmark = pytest.mark.slow  # OCR of a generated document, one `sohoa process` per test

TOKEN = "sohoa-process"
PIN = "246810"
# Runs with SOFTHSM2_CONF set: the signer's certificate and its issuer onto the token
# (softhsm2-util imports only keys).
_CERTS_ONTO_TOKEN = """
import sys
from pathlib import Path
import pkcs11
from asn1crypto import pem, x509
from pkcs11 import Attribute, CertificateType, ObjectClass

module, token_label, pin, pki_dir = sys.argv[1:5]
token = pkcs11.lib(module).get_token(token_label=token_label)
with token.open(rw=True, user_pin=pin) as s:
    for label, name, oid in (("signer", "signer.cert.pem", b"\\x01"), ("interm", "interm.cert.pem", b"\\x02")):
        _, _, der = pem.unarmor((Path(pki_dir) / name).read_bytes())
        cert = x509.Certificate.load(der)
        s.create_object({Attribute.CLASS: ObjectClass.CERTIFICATE, Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
                         Attribute.TOKEN: True, Attribute.LABEL: label, Attribute.ID: oid,
                         Attribute.SUBJECT: cert.subject.dump(), Attribute.ISSUER: cert.issuer.dump(),
                         Attribute.SERIAL_NUMBER: cert["tbs_certificate"]["serial_number"].dump(),
                         Attribute.VALUE: der})
"""


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """One generated scanned document (clean scan), no bad files."""
    out = tmp_path_factory.mktemp("signproc") / "sample"
    run_sohoa(out.parent / "unused-home", "sample", str(out), "--docs", "1", "--seed", "3",
              "--degradation", "none", "--no-bad-files")
    return out


@pytest.fixture(scope="module")
def token_env(pki, tmp_path_factory) -> dict[str, str]:  # noqa: F811
    """A SoftHSM2 token holding the test signer's key and certificates: the SOHOA_* settings
    (and SOFTHSM2_CONF) a process needs to sign with it."""
    if SOFTHSM is None or not shutil.which("softhsm2-util"):
        pytest.skip("softhsm2 not installed (scripts/bootstrap.sh installs it)")
    d = tmp_path_factory.mktemp("hsm")
    (d / "tokens").mkdir()
    conf = d / "softhsm2.conf"
    conf.write_text(f"directories.tokendir = {d / 'tokens'}\nobjectstore.backend = file\nlog.level = ERROR\n")
    env = {**os.environ, "SOFTHSM2_CONF": str(conf)}

    def run(*cmd: str) -> None:
        proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=120)
        assert proc.returncode == 0, f"{cmd[:2]}: {proc.stderr}"

    run("softhsm2-util", "--init-token", "--free", "--label", TOKEN, "--pin", PIN, "--so-pin", "135790")
    run("softhsm2-util", "--import", str(pki.dir / "signer.key.pem"), "--token", TOKEN, "--label", "signer",
        "--id", "01", "--pin", PIN)
    run(sys.executable, "-c", _CERTS_ONTO_TOKEN, SOFTHSM, TOKEN, PIN, str(pki.dir))
    pin_file = d / "pin"
    pin_file.write_text(PIN + "\n")
    pin_file.chmod(0o600)
    return {"SOFTHSM2_CONF": str(conf), "SOHOA_SIGN_PKCS11_MODULE": SOFTHSM,
            "SOHOA_SIGN_PKCS11_TOKEN_LABEL": TOKEN, "SOHOA_SIGN_PKCS11_KEY_LABEL": "signer",
            "SOHOA_SIGN_PKCS11_PIN_FILE": str(pin_file)}


def _lta_env(pki, key: dict[str, str] | None = None) -> dict[str, str]:  # noqa: F811
    """The test PKI's B-LTA settings; `key` (a token's) replaces its PKCS#12 key."""
    env = {**pki.env("B-LTA"), "SOHOA_OCR_JOBS": "1"}
    if key is not None:
        env = {k: v for k, v in env.items() if not k.startswith("SOHOA_SIGN_PKCS12")} | key
    return env


def _archived(home: Path, env: dict[str, str]) -> list[tuple[str, bytes]]:
    """(document id, newest signed version's bytes, hash-checked by the store) of every document."""
    settings = load_settings(env={**env, "SOHOA_HOME": str(home), "SOHOA_BROKER_URL": ""})
    rt = build_runtime(settings, need_signer=False, actor="test")
    try:
        with rt.catalogue.session() as s:
            refs = [(d.document_id, d.latest_signed.ref) for d in s.scalars(select(Document))
                    if d.latest_signed is not None]
        return [(doc_id, rt.store.get(ref)) for doc_id, ref in refs]
    finally:
        rt.catalogue.dispose()


def check_lta_document(pki, doc_id: str, data: bytes, tmp_path: Path) -> None:  # noqa: F811
    """B-LTA, valid and trusted for pyHanko and pdfsig; PDF/A-2b for check_pdfa and pikepdf's
    validator (less pdfa_check.SIGNED_GAPS), in the final file and in every earlier revision."""
    rep = verify_pdf(data, trust_roots=[pki.root_pem.read_bytes()])
    assert rep.valid and rep.intact and rep.trusted, f"{doc_id}:\n{rep.to_text()}"
    assert rep.level == "B-LTA" and rep.ltv_ok, f"{doc_id}:\n{rep.to_text()}"
    assert [t["kind"] for t in rep.timestamps] == ["signature", "document"], rep.timestamps
    assert all(t["valid"] and t["trusted"] for t in rep.timestamps), rep.timestamps
    assert rep.revocation.startswith("good"), rep.revocation
    assert "sohoa Test Signer" in (rep.signer or "") and not rep.is_demo
    assert rep.marker.get("document_id") == doc_id, rep.marker  # the conversion marker, signed
    main = next(s for s in rep.pdfsig["signatures"] if s["field"] == "SohoaConversion")
    assert main["signature_validation"] == "Signature is Valid", rep.pdfsig
    revs = revisions(data)
    assert len(revs) >= 3, "expected the scan, the signature, then DSS and the document timestamp"
    for i, rev in enumerate(revs):
        path = tmp_path / f"{doc_id}-rev{i}.pdf"
        path.write_bytes(rev)
        assert check_pdfa(path) == [], f"{doc_id} revision {i}"
        assert validator_findings(path, signed=True) == [], f"{doc_id} revision {i}"


def test_process_signs_b_lta_with_the_test_pki(pki, pki_server, sample, tmp_path):  # noqa: F811
    home = tmp_path / "home"
    env = _lta_env(pki)
    run_sohoa(home, "process", str(sample / "batch"), "--report", str(tmp_path / "report.json"), env=env)
    docs = _archived(home, env)
    assert len(docs) == 1
    for doc_id, data in docs:
        check_lta_document(pki, doc_id, data, tmp_path)


def test_process_signs_with_a_pkcs11_token(pki, pki_server, sample, token_env, tmp_path):  # noqa: F811
    assert "SOFTHSM2_CONF" not in os.environ or os.environ["SOFTHSM2_CONF"] != token_env["SOFTHSM2_CONF"]
    home = tmp_path / "home"
    env = _lta_env(pki, token_env)
    out = run_sohoa(home, "process", str(sample / "batch"), "--report", str(tmp_path / "report.json"), env=env)
    assert PIN not in out.stdout + out.stderr
    docs = _archived(home, env)
    assert len(docs) == 1
    for doc_id, data in docs:
        check_lta_document(pki, doc_id, data, tmp_path)
    logs = "".join(p.read_text(errors="replace") for p in (home / "logs").glob("*") if p.is_file())
    assert PIN not in logs


@pytest.fixture
def rabbit_vhost():
    """A RabbitMQ virtual host of this test's own (other tests' workers on the same broker,
    e.g. a shared Redis database, must not take its tasks), deleted afterwards."""
    services = subprocess.run(["bash", str(ROOT / "scripts" / "services.sh"), "rabbitmq"], capture_output=True,
                              text=True, timeout=600)
    assert services.returncode == 0, services.stderr[-2000:]
    vhost = f"sohoa-sign-{uuid.uuid4().hex[:8]}"
    for cmd in (["add_vhost", vhost], ["set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"]):
        subprocess.run(["rabbitmqctl", "-q", *cmd], check=True, capture_output=True, timeout=120)
    with machine_service_lock("rabbitmq"):  # test_workers restarts the broker: not while this test uses it
        yield f"amqp://guest:guest@127.0.0.1:5672/{vhost}"
    subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], capture_output=True, timeout=120)


@pytest.mark.workers
def test_a_celery_worker_signs_with_a_pkcs11_token(pki, pki_server, sample, token_env, pg_database_url,  # noqa: F811
                                                     rabbit_vhost, tmp_path):
    home = tmp_path / "home"
    env = {**_lta_env(pki, token_env), "SOHOA_HOME": str(home), "SOHOA_DB_URL": pg_database_url,
           "SOHOA_BROKER_URL": rabbit_vhost, "PYTHONUNBUFFERED": "1"}
    log = tmp_path / "worker.log"
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "sohoa.worker", "worker", "-c", "1",
         "-n", f"p11-{uuid.uuid4().hex[:6]}@%h", "--without-gossip", "--without-mingle", "--without-heartbeat",
         "--loglevel=INFO"], cwd=ROOT, env={**os.environ, **env}, stdout=log.open("w"), stderr=subprocess.STDOUT,
        start_new_session=True)
    try:
        run_sohoa(home, "process", str(sample / "batch"), "--report", str(tmp_path / "report.json"), env=env)
    finally:
        try:
            os.killpg(worker.pid, signal.SIGTERM)
            worker.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait(timeout=10)
    text = log.read_text(errors="replace")
    assert re.search(r"Task sohoa\.\w*sign\w*\[[0-9a-f-]{36}\] succeeded", text), text[-3000:]
    assert PIN not in text
    docs = _archived(home, env)
    assert len(docs) == 1
    for doc_id, data in docs:
        check_lta_document(pki, doc_id, data, tmp_path)
