"""The service API (api/): tokens and scopes, masking, the audit trail, fetching and
verifying originals, hostile input; the CLI (sohoa/cli_api.py); a schemathesis run.

Real catalogue (SQLite and PostgreSQL), real LocalObjectStore, a real PAdES-signed
document made with the DEMO signer -- no mocks.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import warnings
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select, text, update

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from conftest import run_sohoa
from pdf_samples import text_pdf
from sohoa.api import create_app
from sohoa.api.tokens import create_token, revoke_token
from sohoa.archive.catalogue import Catalogue, verify_audit_chain
from sohoa.archive.models import (
    ApiToken,
    AuditEvent,
    Batch,
    Document,
    FieldValue,
    RegistryRecord,
    SourceFileRow,
    StoredObject,
)
from sohoa.archive.store import LocalObjectStore
from sohoa.core.config import Settings, load_settings
from sohoa.core.logs import configure_logging
from sohoa.core.runtime import Runtime
from sohoa.pipeline.sign import ConversionMarker, load_signer, prepare_pdf, sign_pdf
from test_s3store import s3_env  # noqa: F401  (session fixture: a local S3 server with object lock)

ROOT = Path(__file__).resolve().parent.parent
DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf"
UNIT = "Sở Tư pháp thành phố Hà Nội"
DOC_A = "D" + "a1" * 12
DOC_B = "D" + "b2" * 12
MISSING = "D" + "0" * 24
PID = "001090012345"
SOURCE = ("lo1/ban-an-125.pdf", "5" * 64)
CONVERTED = datetime(2026, 11, 23, 3, 15, tzinfo=timezone.utc)


# --- a real signed document ---------------------------------------------------------

FIELDS = {"document_number": "125/2024/HS-ST", "issue_date": "2024-03-18", "person_name": "Nguyễn Văn An",
          "personal_id": PID, "birth_date": "1990-05-02",
          "residence_address": "Số 12 phố Trần Hưng Đạo, phường Hàng Bài, Hà Nội"}


@pytest.fixture(scope="module")
def signed(tmp_path_factory) -> tuple[Path, bytes]:
    """(keys dir holding the DEMO key, the signed PDF of DOC_A)."""
    home = tmp_path_factory.mktemp("api-sign")
    settings = Settings(home=home, unit=UNIT, operator="Nguyễn Văn An")
    marker = ConversionMarker(document_id=DOC_A, unit=UNIT, operator="Nguyễn Văn An", converted_at=CONVERTED,
                              batch_id="B-API", scanner="Fujitsu fi-7160", sources=[SOURCE], software="sohoa 0.1.0")
    fields = {k: {"value": v, "confidence": 0.97, "page": 1} for k, v in FIELDS.items()}
    pdf = sign_pdf(prepare_pdf(text_pdf([[(72, 760, "TÒA ÁN NHÂN DÂN QUẬN CẦU GIẤY"), (72, 700, "Bản án số: 125/2024/HS-ST"), (72, 680, f"Nguyễn Văn An, sinh ngày 02/05/1990, CCCD {PID}")]]), marker, fields, {"TypeName": "Bản án"}), load_signer(settings), marker)
    return settings.keys_dir, pdf


def _seed(rt: Runtime, pdf: bytes) -> None:
    """Catalogue rows for DOC_A (the signed PDF, its fields) and DOC_B (matched to a
    registry record of the same person, no personal_id field of its own)."""
    now = datetime.now(timezone.utc)
    ref_a = rt.store.put(rt.bucket, f"judgments/2024/{DOC_A}.pdf", pdf, {"document-id": DOC_A})
    ref_b = rt.store.put(rt.bucket, f"decisions/2024/{DOC_B}.pdf", pdf, {"document-id": DOC_B})
    with rt.catalogue.session() as s:
        s.add(Batch(batch_id="B-API", source_dir="/scan/B-API", status="done", total=2, done=2, started_at=now))
        s.add(RegistryRecord(record_id="R1", doc_type="decision", document_number="01/2024/QĐ-CA",
                             personal_id=PID, issue_date="2024-05-01",
                             data={"personal_id": PID, "birth_date": "1990-05-02"}, imported_at=now, updated_at=now))
        s.flush()
        for doc_id, ref, status, rec, source in ((DOC_A, ref_a, "matched", None, SOURCE[0]),
                                                 (DOC_B, ref_b, "matched", "R1", "lo1/qd-01.pdf")):
            s.add(Document(document_id=doc_id, content_sha256=hashlib.sha256(doc_id.encode()).hexdigest(),
                           batch_id="B-API", source=source, source_kind="pdf_text", page_count=1, ocr_used=False,
                           doc_type="judgment" if doc_id == DOC_A else "decision", doc_type_confidence=0.99,
                           status=status, registry_record_id=rec, signer="DEMO", converted_at=CONVERTED,
                           created_at=now, updated_at=now))
            s.flush()
            s.add(StoredObject(document_id=doc_id, role="signed", bucket=ref.bucket, key=ref.key,
                               version_id=ref.version_id, sha256=ref.sha256, size=ref.size, created_at=now))
        s.add(SourceFileRow(document_id=DOC_A, ordinal=0, relpath=SOURCE[0], sha256=SOURCE[1], size=1234))
        for name, value in FIELDS.items():
            s.add(FieldValue(document_id=DOC_A, name=name, value=value, confidence=0.97, page=1, bbox=[1, 2, 3, 4]))
        s.add(FieldValue(document_id=DOC_B, name="document_number", value="01/2024/QĐ-CA", confidence=0.95, page=1))


class Env:
    def __init__(self, rt: Runtime, pdf: bytes, home: Path):
        self.rt, self.pdf, self.home = rt, pdf, home
        self.client = TestClient(create_app(rt))
        self.secrets: list[str] = []

    def token(self, name: str, *scopes: str, expires_days: float | None = None) -> str:
        with self.rt.catalogue.session() as s:
            secret, _ = create_token(s, name, list(scopes), expires_days=expires_days, actor="test")
        self.secrets.append(secret)
        return secret

    def get(self, url: str, secret: str | None = None, **kw):
        headers = {"Authorization": f"Bearer {secret}"} if secret else {}
        return self.client.get(url, headers=headers, **kw)

    def events(self) -> list[AuditEvent]:
        with self.rt.catalogue.session() as s:
            return list(s.scalars(select(AuditEvent).order_by(AuditEvent.id)))

    def last(self) -> AuditEvent:
        return self.events()[-1]


@pytest.fixture
def env(catalogue_url, signed, tmp_path) -> Env:
    keys, pdf = signed
    home = tmp_path / "home"
    shutil.copytree(keys, home / "keys")
    configure_logging(home / "logs")
    settings = Settings(home=home, db_url=catalogue_url, unit=UNIT)
    rt = Runtime(settings=settings, catalogue=Catalogue(catalogue_url), store=LocalObjectStore(settings.store_root),
                 signer=None, actor="api")
    _seed(rt, pdf)
    yield Env(rt, pdf, home)
    rt.catalogue.dispose()


# --- authentication and scopes ------------------------------------------------------------

def test_openapi_published(env):
    r = env.get("/openapi.json")
    assert r.status_code == 200
    spec = r.json()
    assert {"/documents/{document_id}", "/documents/{document_id}/original",
            "/documents/{document_id}/verification", "/documents"} <= set(spec["paths"])
    assert spec["components"]["securitySchemes"]["token"]["scheme"].lower() == "bearer"


def test_401_for_missing_malformed_unknown_revoked_expired_tokens(env):
    good = env.token("court-system", "read")
    revoked = env.token("old-system", "read")
    expired = env.token("short-lived", "read", expires_days=1)
    with env.rt.catalogue.session() as s:
        revoke_token(s, "old-system", actor="test")
        s.execute(update(ApiToken).where(ApiToken.name == "short-lived")
                  .values(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
    assert env.get(f"/documents/{DOC_A}", good).status_code == 200
    cases = [(None, "anonymous", "token missing"), ("not-a-token", "anonymous", "token malformed"),
             ("sohoa_" + "x" * 43, "anonymous", "token unknown"), (revoked, "old-system", "token revoked"),
             (expired, "short-lived", "token expired")]
    for secret, account, reason in cases:
        r = env.get(f"/documents/{DOC_A}", secret)
        assert r.status_code == 401, (secret, r.text)
        assert r.headers["www-authenticate"].startswith("Bearer")
        assert DOC_A not in r.text and PID not in r.text
        ev = env.last()
        assert (ev.actor, ev.action, ev.object, ev.outcome) == (account, "api.document.get", DOC_A, "refused")
        assert ev.detail["reason"] == reason and ev.detail["status"] == 401
    # Refused before the parameters are looked at: no oracle for what exists or is valid.
    assert env.get("/documents/not-an-id").status_code == 401
    # Basic auth is not a bearer token.
    assert env.client.get(f"/documents/{DOC_A}", headers={"Authorization": "Basic dXNlcjpwYXNz"}).status_code == 401


def test_403_for_a_wrong_scope_and_admin_holds_all(env):
    read = env.token("reader", "read")
    write = env.token("writer", "write")
    admin = env.token("root", "admin")
    for url, secret in ((f"/documents/{DOC_A}", write), (f"/documents/{DOC_A}/original", read),
                        (f"/documents?personal_id={PID}", read), ("/audit/events", read), ("/audit/verify", read)):
        r = env.get(url, secret)
        assert r.status_code == 403, (url, r.text)
        ev = env.last()
        assert ev.outcome == "refused" and ev.actor in ("reader", "writer") and ev.detail["status"] == 403
        assert PID not in json.dumps(ev.detail) and PID not in ev.object
    assert env.get(f"/documents/{DOC_A}/original", admin).status_code == 200
    assert env.get(f"/documents?personal_id={PID}", admin).status_code == 200
    r = env.get("/audit/verify", admin)
    assert r.status_code == 200 and r.json()["intact"] is True


# --- masking ----------------------------------------------------------------------------------

def test_personal_data_masked_unless_read_personal(env):
    read = env.token("reader", "read")
    full = env.token("full", "read", "read_personal")
    masked = env.get(f"/documents/{DOC_A}", read).json()
    f = masked["fields"]
    assert masked["masked"] is True
    assert f["personal_id"]["value"] == "0010******45"
    assert f["birth_date"]["value"] == "1990"
    assert f["residence_address"]["value"] == "***"
    assert f["person_name"]["value"] == "Nguyễn Văn An" and f["document_number"]["value"] == "125/2024/HS-ST"
    assert f["personal_id"]["confidence"] == 0.97  # only the value is masked
    assert PID not in json.dumps(masked) and "1990-05-02" not in json.dumps(masked)
    assert masked["status"] == "matched" and masked["objects"][0]["key"] == f"judgments/2024/{DOC_A}.pdf"
    plain = env.get(f"/documents/{DOC_A}", full).json()
    assert plain["masked"] is False
    assert plain["fields"]["personal_id"]["value"] == PID
    assert plain["fields"]["birth_date"]["value"] == "1990-05-02"
    assert plain["fields"]["residence_address"]["value"] == FIELDS["residence_address"]
    # The verification report carries the marker's fields: masked the same way.
    rep = env.get(f"/documents/{DOC_A}/verification", read).json()
    assert rep["masked"] is True and PID not in json.dumps(rep) and "1990-05-02" not in json.dumps(rep)
    assert rep["fields"]["personal_id"]["value"] == "0010******45"
    rep = env.get(f"/documents/{DOC_A}/verification", full).json()
    assert rep["fields"]["personal_id"]["value"] == PID
    # Search by document number with read only: masked rows.
    lst = env.get("/documents", read, params={"document_number": "125/2024/hs-st"}).json()
    assert lst["count"] == 1 and lst["documents"][0]["personal_id"] == "0010******45"


# --- fetching, verifying, searching ---------------------------------------------------------------

def test_fetch_original_bytes_and_hash(env):
    tok = env.token("court-system", "read", "read_personal")
    r = env.get(f"/documents/{DOC_A}/original", tok)
    assert r.status_code == 200
    digest = hashlib.sha256(r.content).hexdigest()
    assert r.content == env.pdf
    with env.rt.catalogue.session() as s:
        stored = s.scalars(select(StoredObject).where(StoredObject.document_id == DOC_A)).one()
    assert r.headers["x-content-sha256"] == digest == stored.sha256
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["etag"] == f'"{digest}"' and int(r.headers["content-length"]) == len(env.pdf)
    import base64

    assert r.headers["repr-digest"] == f"sha-256=:{base64.b64encode(bytes.fromhex(digest)).decode()}:"
    ev = env.last()
    assert (ev.actor, ev.action, ev.object, ev.outcome) == ("court-system", "api.document.original", DOC_A, "ok")
    assert ev.detail["sha256"] == digest and ev.detail["request_id"] == r.headers["x-request-id"]
    # Presigned URLs need the S3 store.
    r = env.get(f"/documents/{DOC_A}/original?presigned=1", tok)
    assert r.status_code == 400 and "S3" in r.json()["detail"]


def test_fetch_refuses_a_tampered_store(env):
    """A blob whose bytes no longer hash to the catalogue's value is not served."""
    tok = env.token("court-system", "read", "read_personal")
    blob = env.rt.settings.store_root / "blobs" / "sha256" / hashlib.sha256(env.pdf).hexdigest()[:2] \
        / hashlib.sha256(env.pdf).hexdigest()
    os.chmod(blob, 0o644)
    blob.write_bytes(env.pdf.replace(b"125/2024", b"126/2024", 1) if b"125/2024" in env.pdf else env.pdf + b"%x")
    r = env.get(f"/documents/{DOC_A}/original", tok)
    assert r.status_code == 500 and b"%PDF" not in r.content
    ev = env.last()
    assert ev.outcome == "error" and "hash" in ev.detail["reason"]


def test_verification_report_is_valid(env):
    tok = env.token("court-system", "read")
    r = env.get(f"/documents/{DOC_A}/verification", tok)
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["valid"] is True and rep["intact"] is True, rep["problems"]
    assert rep["is_demo"] is True and rep["marker"]["document_id"] == DOC_A
    assert rep["catalogue"]["checked"] is True and rep["catalogue"]["consistent"] is True
    assert rep["catalogue"]["archived_version"] is True
    assert env.last().detail["valid"] is True


def test_search_by_personal_id_and_document_number(env):
    tok = env.token("court-system", "read", "read_personal")
    r = env.get("/documents", tok, params={"personal_id": PID})
    assert r.status_code == 200
    body = r.json()
    assert {d["document_id"] for d in body["documents"]} == {DOC_A, DOC_B}  # a field, and a registry match
    assert body["masked"] is False
    ev = env.last()
    assert ev.action == "api.documents.search" and ev.outcome == "ok"
    assert ev.detail["query"] == {"personal_id": "0010******45"} and set(ev.detail["results"]) == {DOC_A, DOC_B}
    assert PID not in json.dumps(ev.detail)
    r = env.get("/documents", tok, params={"document_number": "01/2024/QĐ-CA"})
    assert [d["document_id"] for d in r.json()["documents"]] == [DOC_B]
    r = env.get("/documents", tok, params={"personal_id": "079123456789"})
    assert r.status_code == 200 and r.json() == {"count": 0, "masked": False, "documents": []}
    assert env.get("/documents", tok).status_code == 422  # no listing of everything


def test_not_found_is_audited(env):
    tok = env.token("court-system", "read", "read_personal")
    for url in (f"/documents/{MISSING}", f"/documents/{MISSING}/original", f"/documents/{MISSING}/verification"):
        r = env.get(url, tok)
        assert r.status_code == 404
        ev = env.last()
        assert (ev.actor, ev.object, ev.outcome) == ("court-system", MISSING, "not_found")
    assert env.get("/nowhere", tok).status_code == 404
    assert env.last().action == "api.request" and env.last().outcome == "not_found"


HOSTILE_IDS = ["..%2F..%2Fetc%2Fpasswd", "%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", "..", "D' OR '1'='1",
               "D0123'; DROP TABLE documents; --", "<script>alert(1)</script>", "%3Cimg%20src%3Dx%3E",
               DOC_A.upper(), DOC_A + "0", "D%00" + "a" * 23, "\u0110" + "a" * 24]
HOSTILE_PARAMS = [{"personal_id": "' OR 1=1 --"}, {"personal_id": PID + "' OR '1'='1"},
                  {"document_number": "125/2024/HS-ST' OR '1'='1"}, {"document_number": "<script>alert(1)</script>"},
                  {"document_number": "x" * 65}, {"document_number": "1;DROP TABLE documents"},
                  {"personal_id": "00109001234\u0665"}, {"limit": "0", "personal_id": PID},
                  {"limit": "1e9", "personal_id": PID}, {"document_number": "../../../etc/passwd\x00"}]


def _counts(env) -> dict:
    with env.rt.catalogue.session() as s:
        out = {m.__tablename__: s.scalar(select(func.count()).select_from(m))
               for m in (Document, StoredObject, FieldValue, RegistryRecord, ApiToken)}
    out["refs"] = sorted(str(p) for p in (env.rt.settings.store_root / "refs").rglob("*"))
    out["blobs"] = sorted(str(p) for p in (env.rt.settings.store_root / "blobs").rglob("*"))
    return out


def test_hostile_ids_and_params_give_4xx_and_store_nothing(env):
    tok = env.token("court-system", "read", "read_personal")
    before = _counts(env)
    n_events = len(env.events())
    for bad in HOSTILE_IDS:
        for suffix in ("", "/original", "/verification"):
            r = env.get(f"/documents/{bad}{suffix}", tok)
            assert 400 <= r.status_code < 500, (bad, suffix, r.status_code)
            assert "<script>" not in r.text and "<img" not in r.text
            assert not r.content.startswith(b"%PDF")
    for params in HOSTILE_PARAMS:
        r = env.get("/documents", tok, params=params)
        assert r.status_code == 422, (params, r.text)
        assert "<script>" not in r.text and "OR '1'" not in r.text  # input not echoed
    for method in ("post", "put", "delete", "patch"):
        r = getattr(env.client, method)(f"/documents/{DOC_A}", headers={"Authorization": f"Bearer {tok}"})
        assert r.status_code == 405
    assert _counts(env) == before
    events = env.events()[n_events:]
    assert len(events) >= len(HOSTILE_IDS) * 3 + len(HOSTILE_PARAMS) + 4  # every attempt is on record
    assert all(e.outcome in ("invalid", "not_found") for e in events)
    assert all(e.object.isprintable() and len(e.object) <= 201 for e in events)
    assert verify_audit_chain_ok(env)


def verify_audit_chain_ok(env) -> bool:
    with env.rt.catalogue.session() as s:
        return verify_audit_chain(s) == []


def test_tokens_never_in_logs_or_audit(env):
    tok = env.token("court-system", "read", "read_personal")
    bad = env.token("gone", "read")
    with env.rt.catalogue.session() as s:
        revoke_token(s, "gone", actor="test")
    env.get(f"/documents/{DOC_A}", tok)
    env.get(f"/documents/{DOC_A}/original", tok)
    env.get(f"/documents/{DOC_A}", bad)
    env.get(f"/documents/{tok}", tok)  # a token pasted into the path
    env.get(f"/x/{tok}/y", tok)
    env.get("/documents", tok, params={"personal_id": PID, "access_token": tok})
    log = (env.home / "logs" / "sohoa.jsonl").read_text("utf-8")
    assert log.count("\n") >= 6 and "api.document.get" in log
    with env.rt.catalogue.session() as s:
        rows = [json.dumps([e.actor, e.action, e.object, e.outcome, e.detail], ensure_ascii=False)
                for e in s.scalars(select(AuditEvent))]
        tokens = s.scalars(select(ApiToken)).all()
    dump = "\n".join(rows)
    for secret in env.secrets:
        assert secret not in log and secret not in dump
        assert secret[6:30] not in log and secret[6:30] not in dump
        assert hashlib.sha256(secret.encode()).hexdigest() not in dump  # not even its hash
    assert PID not in log  # query values are not logged either
    assert {t.token_hash for t in tokens} == {hashlib.sha256(s.encode()).hexdigest() for s in env.secrets}


# --- the CLI ------------------------------------------------------------------------------------------

@pytest.fixture
def cli(catalogue_url, tmp_path):
    """The installed `sohoa` command (run_sohoa) over a fresh data directory and catalogue."""
    home = tmp_path / "cli-home"
    env = {"SOHOA_DB_URL": catalogue_url}
    settings = load_settings(env={"SOHOA_HOME": str(home), **env})
    yield lambda *args: run_sohoa(home, *args, check=False, env=env), settings


def test_cli_tokens(cli):
    run, settings = cli
    r = run("token", "create", "court-system", "--scope", "read", "--scope", "read_personal", "--expires-days", "30")
    assert r.returncode == 0, r.stdout + r.stderr
    secret = r.stdout.strip().splitlines()[0]
    assert secret.startswith("sohoa_") and len(secret) == 49
    assert run("token", "create", "court-system", "--scope", "read").returncode == 2  # name in use
    assert run("token", "create", "x", "--scope", "root").returncode == 2  # no such scope
    listed = run("token", "list").stdout
    assert "court-system" in listed and "active" in listed and "read read_personal" in listed
    assert secret not in listed
    assert run("token", "revoke", "court-system").returncode == 0
    assert "revoked" in run("token", "list").stdout
    assert run("token", "revoke", "court-system").returncode == 1
    cat = Catalogue(settings.database_url)
    rt = Runtime(settings=settings, catalogue=cat, store=LocalObjectStore(settings.store_root), signer=None)
    client = TestClient(create_app(rt))
    assert client.get(f"/documents/{MISSING}", headers={"Authorization": f"Bearer {secret}"}).status_code == 401
    shown = run("audit", "show", "--limit", "50").stdout
    assert "token.create court-system" in shown and "token.revoke court-system" in shown
    assert "api.document.get" in shown and secret not in shown
    cat.dispose()


def test_cli_audit_verify_detects_edit_delete_reorder(cli):
    run, settings = cli
    # six audited events (the CLI's own token creation is test_cli_tokens'): in-process, to keep
    # the command runs for `audit verify` itself
    assert run("token", "create", "t0", "--scope", "read").returncode == 0
    cat = Catalogue(settings.database_url)
    with cat.session() as s:
        for i in range(1, 6):
            create_token(s, f"t{i}", ["read"], actor="test")
    cat.dispose()
    r = run("audit", "verify")
    assert r.returncode == 0 and "intact (6 events)" in r.stdout
    cat = Catalogue(settings.database_url)

    def ids():
        with cat.session() as s:
            return list(s.scalars(select(AuditEvent.id).order_by(AuditEvent.id)))

    def snapshot():
        with cat.session() as s:
            return [(e.id, e.actor, e.action, e.object, e.outcome, e.detail, e.prev_hash, e.hash, e.at)
                    for e in s.scalars(select(AuditEvent).order_by(AuditEvent.id))]

    original = snapshot()

    def restore():
        with cat.session() as s:
            s.execute(text("DELETE FROM audit_events"))
            for (i, actor, action, obj, outcome, detail, prev, h, at) in original:
                s.add(AuditEvent(id=i, actor=actor, action=action, object=obj, outcome=outcome, detail=detail,
                                 prev_hash=prev, hash=h, at=at))
        with cat.session() as s:
            assert not verify_audit_chain(s)

    # Edited: an event's contents changed in place.
    e = ids()[2]
    with cat.session() as s:
        s.execute(update(AuditEvent).where(AuditEvent.id == e).values(actor="someone-else"))
    r = run("audit", "verify")
    assert r.returncode == 1 and f"event {e}: contents edited" in r.stdout
    restore()
    # Deleted: an event removed from the middle.
    e = ids()[3]
    with cat.session() as s:
        s.execute(text("DELETE FROM audit_events WHERE id = :i"), {"i": e})
    r = run("audit", "verify")
    assert r.returncode == 1 and "chain broken" in r.stdout
    restore()
    # Reordered: two events swap places (their ids).
    a, b = ids()[1], ids()[4]
    with cat.session() as s:
        s.execute(update(AuditEvent).where(AuditEvent.id == a).values(id=-1))
        s.execute(update(AuditEvent).where(AuditEvent.id == b).values(id=a))
        s.execute(update(AuditEvent).where(AuditEvent.id == -1).values(id=b))
    r = run("audit", "verify")
    assert r.returncode == 1 and "chain broken" in r.stdout
    cat.dispose()


# --- against a real server: schemathesis ----------------------------------------------------------------

def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: Path, db_url: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "SOHOA_HOME": str(home), "SOHOA_DB_URL": db_url}
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "--factory", "sohoa.servers:app_factory",
                             "--host", "127.0.0.1", "--port", str(port), "--no-access-log",
                             "--log-level", "warning"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    import urllib.request

    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json", timeout=1)
            return proc
        except OSError:
            if proc.poll() is not None:
                raise AssertionError(proc.stderr.read().decode())
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("API server did not start")


@pytest.mark.slow
def test_schemathesis_finds_no_server_errors(signed, tmp_path):
    keys, pdf = signed
    home = tmp_path / "home"
    shutil.copytree(keys, home / "keys")
    db_url = f"sqlite:///{home / 'catalogue.sqlite3'}"
    settings = Settings(home=home, db_url=db_url, unit=UNIT)
    cat = Catalogue(db_url)
    rt = Runtime(settings=settings, catalogue=cat, store=LocalObjectStore(settings.store_root), signer=None)
    _seed(rt, pdf)
    with cat.session() as s:
        secret, _ = create_token(s, "fuzzer", ["admin"], actor="test")
    port = _free_port()
    proc = start_server(home, db_url, port)
    try:
        # The published spec, with the seeded document as the path parameter's example,
        # so that the examples phase reaches the real document (not only 404s).
        import urllib.request

        spec = json.loads(urllib.request.urlopen(f"http://127.0.0.1:{port}/openapi.json", timeout=10).read())
        for item in spec["paths"].values():
            for p in item["get"].get("parameters", []):
                if p["name"] == "document_id":
                    p.pop("examples", None)
                    p["example"] = DOC_A
        (tmp_path / "openapi.json").write_text(json.dumps(spec))
        st = shutil.which("schemathesis", path=str(Path(sys.executable).parent)) or "schemathesis"
        r = subprocess.run([st, "run", str(tmp_path / "openapi.json"), "--url", f"http://127.0.0.1:{port}",
                            "--checks", "not_a_server_error", "--max-examples", "50", "--workers", "2",
                            "--seed", "1", "-H", f"Authorization: Bearer {secret}", "--no-color",
                            "--phases", "examples,coverage,fuzzing", "--generation-database", "none",
                            "--suppress-health-check", "all", "--request-timeout", "30"],
                           capture_output=True, text=True, timeout=240, cwd=tmp_path)
        assert r.returncode == 0, r.stdout[-4000:] + r.stderr[-2000:]
    finally:
        proc.terminate()
        proc.wait(10)
    with cat.session() as s:
        assert verify_audit_chain(s) == []  # concurrent requests kept one chain
        n = s.scalar(select(func.count()).select_from(AuditEvent))
        assert n > 100
        assert s.scalar(select(func.count()).select_from(Document)) == 2
        served = set(s.scalars(select(AuditEvent.action).where(AuditEvent.outcome == "ok")))
        assert {"api.document.get", "api.document.original", "api.document.verification",
                "api.documents.search"} <= served
    log = (home / "logs" / "sohoa.jsonl").read_text("utf-8")
    assert secret not in log
    cat.dispose()


# --- the S3 object-lock store: streamed and presigned ------------------------------------------------------

@pytest.mark.s3
def test_original_from_s3_streamed_and_presigned(signed, tmp_path, s3_env):
    import urllib.parse
    import urllib.request
    import uuid

    from sohoa.archive.factory import open_store

    env_vars = s3_env
    keys, pdf = signed
    home = tmp_path / "home"
    shutil.copytree(keys, home / "keys")
    settings = load_settings(env={**env_vars, "SOHOA_HOME": str(home), "SOHOA_RETENTION_YEARS": "1",
                                  "SOHOA_LEGAL_HOLD": "false", "SOHOA_BUCKET_PREFIX": f"sohoa-api-{uuid.uuid4().hex[:8]}"})
    rt = Runtime(settings=settings, catalogue=Catalogue(settings.database_url), store=open_store(settings),
                 signer=None, actor="api")
    _seed(rt, pdf)
    e = Env(rt, pdf, home)
    tok = e.token("court-system", "read", "read_personal")
    r = e.get(f"/documents/{DOC_A}/original", tok)
    assert r.status_code == 200 and r.content == pdf
    assert r.headers["x-content-sha256"] == hashlib.sha256(pdf).hexdigest()
    r = e.get(f"/documents/{DOC_A}/original?presigned=1", tok)
    assert r.status_code == 200, r.text
    body = r.json()
    q = urllib.parse.parse_qs(urllib.parse.urlparse(body["url"]).query)
    assert q["X-Amz-Expires"] == ["300"] and body["sha256"] == hashlib.sha256(pdf).hexdigest()
    with urllib.request.urlopen(body["url"], timeout=10) as resp:
        assert resp.read() == pdf
    ev = e.last()
    assert ev.action == "api.document.original" and ev.detail["presigned"] is True
    assert "X-Amz-Signature" not in json.dumps(ev.detail)  # the URL itself is a credential
    rt.catalogue.dispose()



def test_migration_0002_matches_the_model(catalogue_url):
    """The hand-written migration creates exactly what archive/models.py declares for ApiToken, on one head."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sohoa.archive.catalogue import alembic_config
    from sohoa.archive.models import Base

    assert len(ScriptDirectory.from_config(alembic_config(catalogue_url)).get_heads()) == 1
    cat = Catalogue(catalogue_url)
    with cat.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    mine = [d for d in diffs if "api_tokens" in repr(d)]
    assert mine == []
    cat.dispose()
