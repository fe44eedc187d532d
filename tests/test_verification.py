"""Verified truth (issue 16, item 1): two born-digital documents processed by the real pipeline
(SQLite and PostgreSQL catalogues), every item decided through the workbench's workflow
functions, one correction approved by a second person. The document whose registry value was
wrong becomes `corrected`, the other `verified` (report statuses unchanged); the API shows the
current values with their provenance; a signed, write-once verification record is in the store,
`sohoa verify` finds it VALID (and openssl's CMS check too), an edited copy NOT VALID; a later
decision makes record 2 and record 1 stays. Real signatures (the DEMO key), no mocks."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
import warnings
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

import sohoa.ui.models  # noqa: F401
from conftest import _fresh_pg_database
from sohoa.api import create_app
from sohoa.api.tokens import create_token
from sohoa.archive.catalogue import utcnow, verify_audit_chain
from sohoa.archive.models import (
    Document,
    FieldValue,
    RegistryHistory,
    RegistryRecord,
    ReviewItem,
    StoredObject,
    VerificationRecord,
    VerifiedValue,
)
from sohoa.archive.verified import current_values
from sohoa.core.config import load_settings
from sohoa.corpus import generate_batch
from sohoa.pipeline.batch import run_batch
from sohoa.reconciler.registry import import_registry
from sohoa.ui import auth, workflow
from sohoa.ui.app import create_ui_app
from sohoa.ui.models import Correction, UiUser
from sohoa.ui.verification import sealing_session

from sohoa.cli import main
from sohoa.runtime import build_runtime
from sohoa.worker import make_app

PASSWORD = "correct horse battery"
REASON = "Đối chiếu bản giấy, Điều 18 Nghị định 002"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """Two born-digital documents (a decision and a certificate, seed 19) and a registry where the
    first has one wrong value."""
    base = tmp_path_factory.mktemp("verified")
    g = generate_batch(base / "sample", docs=7, seed=19, degradation="none", bad_files=False)
    truth = [json.loads(x) for x in g.truth_path.read_text("utf-8").splitlines()]
    texts = [t for t in truth if t["format"] == "pdf_text"][:2]
    batch = base / "batch"
    batch.mkdir()
    shutil.copy(g.batch_dir / "batch.json", batch)
    rows, wrong = [], None
    for i, t in enumerate(texts):
        shutil.copy(g.batch_dir / t["source"], batch / f"doc{i}.pdf")
        rec = dict(t["fields"], record_id=f"R-V{i}")
        if i == 0:
            wrong = next(f for f in ("penalty_months", "duration_months", "fine_vnd") if isinstance(rec.get(f), int))
            rec[wrong] = rec[wrong] + 6
        rows.append(json.dumps(rec, ensure_ascii=False))
    (base / "registry.jsonl").write_text("\n".join(rows) + "\n", "utf-8")
    return base, batch, wrong, texts


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def processed(request, corpus, tmp_path_factory):
    """The batch processed (review threshold 0.995: the confident reads are items too, to be
    accepted as read), two accounts; (runtime, home, {source: document_id}, wrong field)."""
    base, batch, wrong, texts = corpus
    home = tmp_path_factory.mktemp(f"home-{request.param}")
    with _fresh_pg_database(request.getfixturevalue("pg_server")) if request.param == "postgresql" \
            else _nothing() as url:
        env = {"SOHOA_HOME": str(home), "SOHOA_REVIEW_THRESHOLD": "0.995", **({"SOHOA_DB_URL": url} if url else {})}
        settings = load_settings(env=env)
        rt = build_runtime(settings, need_signer=True, actor="test")
        make_app(settings)  # the batch's tasks run eagerly in this process
        import_registry(rt.catalogue, base / "registry.jsonl", actor="test")
        report = run_batch(rt, batch)
        ids = {d.source: d.document_id for d in report.documents}
        with rt.catalogue.session() as s:
            auth.create_user(s, "admin1", "admin", PASSWORD, actor="test")
        with rt.catalogue.session() as s:  # made by two admins: two people (ui/two_person.py)
            auth.create_user(s, "vera", "verifier", PASSWORD, actor="admin1")
        with rt.catalogue.session() as s:
            auth.create_user(s, "anh", "approver", PASSWORD, actor="test")
        yield rt, env, ids, wrong
        rt.catalogue.dispose()


class _nothing:
    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def _user(rt, name) -> auth.CurrentUser:
    with rt.catalogue.session() as s:
        u = s.scalar(select(UiUser).where(UiUser.username == name))
        return auth.CurrentUser(u.id, u.username, u.role, None, "csrf")


def _login(client, name) -> None:
    token = re.search(r'name="csrf" value="([^"]+)"', client.get("/ui/login").text).group(1)
    r = client.post("/ui/login", data={"csrf": token, "username": name, "password": PASSWORD, "next": "/ui/"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text


def _decide_all(rt, document_id: str) -> None:
    """As the workbench does: each item accepted as read by the verifier, each correction that
    makes approved by the approver (Workbench.session: sealed after the commit)."""
    vera, anh = _user(rt, "vera"), _user(rt, "anh")
    with rt.catalogue.session() as s:
        items = list(s.scalars(select(ReviewItem.id).where(ReviewItem.document_id == document_id,
                                                           ReviewItem.status == "open")))
    assert items
    for iid in items:
        with sealing_session(rt) as s:
            workflow.act(s, vera, iid, "accept", reason=REASON)
    with rt.catalogue.session() as s:
        pending = list(s.scalars(select(Correction.id).where(Correction.document_id == document_id,
                                                             Correction.status == "pending")))
    for cid in pending:
        with sealing_session(rt) as s:
            workflow.approve(s, anh, cid, "đồng ý", threshold=rt.settings.review_threshold,
                             confirm=rt.settings.registry_confirms, account_days=rt.settings.approval_account_days)


def test_decided_values_become_the_archives_truth(processed, tmp_path):
    rt, env, ids, wrong = processed
    doc_c, doc_v = ids["doc0.pdf"], ids["doc1.pdf"]
    with rt.catalogue.session() as s:
        before = {d: (s.get(Document, d).status, s.get(Document, d).latest_signed.sha256) for d in (doc_c, doc_v)}
        read = s.scalar(select(FieldValue.value).where(FieldValue.document_id == doc_c, FieldValue.name == wrong))
        registry_before = s.get(RegistryRecord, "R-V0").data[wrong]
    assert registry_before == read + 6
    for d in (doc_c, doc_v):
        _decide_all(rt, d)

    with rt.catalogue.session() as s:
        dc, dv = s.get(Document, doc_c), s.get(Document, doc_v)
        # beside the report status, which stays the contract's
        assert (dc.verification_state, dv.verification_state) == ("corrected", "verified")
        assert (dc.status, dc.latest_signed.sha256) == before[doc_c] and (dv.status,) == before[doc_v][:1]
        assert dc.persons[0].verification_state == "corrected"
        # the read is never overwritten; the registry holds the decided value, its history the earlier one
        assert s.scalar(select(FieldValue.value).where(FieldValue.document_id == doc_c,
                                                       FieldValue.name == wrong)) == read
        assert s.get(RegistryRecord, "R-V0").data[wrong] == read
        hist = s.scalar(select(RegistryHistory).where(RegistryHistory.record_id == "R-V0",
                                                      RegistryHistory.field == wrong))
        assert (hist.old_value, hist.new_value, hist.approved_by) == (registry_before, read, "anh")
        rec = s.scalar(select(VerificationRecord).where(VerificationRecord.document_id == doc_c))
        assert rec.n == 1 and rec.sealed_at is not None and rec.original_sha256 == before[doc_c][1]
        vv = s.scalar(select(VerifiedValue).where(VerifiedValue.record_id == rec.id, VerifiedValue.name == wrong))
        assert vv.registry_history_id == hist.id and vv.correction_id is not None  # linked, not copied
        objs = {o.role: o for o in s.scalars(select(StoredObject).where(StoredObject.document_id == doc_c))}
        assert objs["verification"].key == f"verifications/{doc_c}/1.json"
        assert objs["verification_sig"].key == f"verifications/{doc_c}/1.p7s"
        assert verify_audit_chain(s) == []

    # the API: state, current values with provenance (masked without read_personal), the records
    client = TestClient(create_app(rt))
    with rt.catalogue.session() as s:
        full, _ = create_token(s, "court", ["read", "read_personal"], actor="test")
        reader, _ = create_token(s, "stats", ["read"], actor="test")
    h = {"Authorization": f"Bearer {full}"}
    got = client.get(f"/documents/{doc_c}", headers=h).json()
    assert got["status"] == before[doc_c][0] and got["verification_state"] == "corrected"
    cur = got["current"]["persons"][0]["values"][wrong]
    assert cur["value"] == read and cur["read_value"] == read and cur["registry_value"] == registry_before
    assert cur["registry_corrected"] and (cur["decided_by"], cur["approved_by"]) == ("vera", "anh")
    assert cur["decision"] == "as_read" and REASON in cur["legal_basis"] and cur["decided_at"]
    assert client.get(f"/documents/{doc_v}", headers=h).json()["verification_state"] == "verified"
    masked = client.get(f"/documents/{doc_c}/current", headers={"Authorization": f"Bearer {reader}"}).json()
    pid = got["current"]["persons"][0]["values"].get("personal_id", {}).get("value")
    assert masked["masked"] and (pid is None or pid not in json.dumps(masked))
    listed = client.get(f"/documents/{doc_c}/verifications", headers={"Authorization": f"Bearer {reader}"}).json()
    assert [r["n"] for r in listed["records"]] == [1] and listed["records"][0]["sealed"]
    assert client.get(f"/documents/{doc_c}/verifications/1", headers={"Authorization": f"Bearer {reader}"}
                      ).status_code == 403  # the record holds personal data
    body = client.get(f"/documents/{doc_c}/verifications/1", headers=h)
    sig = client.get(f"/documents/{doc_c}/verifications/1/signature", headers=h)
    assert body.status_code == sig.status_code == 200
    record = json.loads(body.content)
    assert record["original"]["sha256"] == before[doc_c][1] and record["verification_state"] == "corrected"
    assert record["persons"][0]["values"][wrong]["value"] == read
    assert any("002 Art. 18" in b["text"] for b in record["legal_basis"])

    # `sohoa verify` reads it: VALID; openssl's CMS check agrees; an edited copy is NOT VALID
    (tmp_path / "1.json").write_bytes(body.content)
    (tmp_path / "1.p7s").write_bytes(sig.content)
    runner = CliRunner()
    ok = runner.invoke(main, ["verify", str(tmp_path / "1.json")], env={k: v for k, v in env.items()})
    assert ok.exit_code == 0, ok.output
    assert "VALID" in ok.output and "stored original" in ok.output and "catalogue holds this record" in ok.output
    if shutil.which("openssl"):
        demo = Path(env["SOHOA_HOME"]) / "keys"
        ca = next(demo.glob("*.pem"))
        proc = subprocess.run(["openssl", "cms", "-verify", "-binary", "-inform", "DER", "-in", str(tmp_path / "1.p7s"),
                               "-content", str(tmp_path / "1.json"), "-CAfile", str(ca), "-purpose", "any",
                               "-out", "/dev/null"], capture_output=True, text=True, timeout=60)
        assert proc.returncode == 0, proc.stderr
    edited = body.content.replace(b'"verification_state": "corrected"\n}', b'"verification_state": "verified"\n}')
    assert edited != body.content
    (tmp_path / "e").mkdir()
    (tmp_path / "e" / "1.json").write_bytes(edited)
    (tmp_path / "e" / "1.p7s").write_bytes(sig.content)
    bad = runner.invoke(main, ["verify", str(tmp_path / "e" / "1.json")], env=env)
    assert bad.exit_code == 1 and "NOT VALID" in bad.output and "altered" in bad.output

    # a later decision: record 2, record 1 kept, the history linked
    with rt.catalogue.session() as s:
        it = ReviewItem(document_id=doc_c, person=0, record_id="R-V0", kind="conflict", field=wrong,
                        document_value=read, registry_value=read + 6, confidence=None, status="open",
                        created_at=utcnow(), due_at=utcnow() + timedelta(hours=24))
        s.add(it)
        s.flush()
        iid = it.id
    ui = TestClient(create_ui_app(rt), base_url="http://127.0.0.1")  # this one through the workbench itself
    _login(ui, "vera")
    token = re.search(r'name="csrf" value="([^"]+)"', ui.get(f"/ui/items/{iid}").text).group(1)
    r = ui.post(f"/ui/items/{iid}/act", data={"action": "accept", "reason": REASON, "csrf": token},
                follow_redirects=False)
    assert r.status_code == 303, r.text
    with rt.catalogue.session() as s:
        recs = list(s.scalars(select(VerificationRecord).where(VerificationRecord.document_id == doc_c)
                              .order_by(VerificationRecord.n)))
        assert [r.n for r in recs] == [1, 2] and all(r.sealed_at for r in recs)
        second = json.loads(recs[1].content)
        assert second["previous"] == {"n": 1, "sha256": recs[0].sha256}
        assert len(s.scalars(select(StoredObject).where(StoredObject.document_id == doc_c,
                                                         StoredObject.role == "verification")).all()) == 2
    # the document's page shows each field's current value with its provenance, and the records
    page = ui.get(f"/ui/documents/{doc_c}").text
    assert 'id="verification-state" data-state="corrected"' in page
    row = re.search(rf'<tr data-field="{wrong}" data-decision="as_read">.*?</tr>', page, re.S).group(0)
    assert f'<td class="current-value">{read}</td>' in row and "vera" in row and REASON in row
    assert 'data-n="1"' in page and 'data-n="2"' in page and "sealed by" in page


def test_status_shows_the_verification_states(processed):
    rt, env, ids, _ = processed
    with rt.catalogue.session() as s:
        batch_id = s.get(Document, ids["doc0.pdf"]).batch_id
        states = {s.get(Document, d).verification_state for d in ids.values()}
    out = CliRunner().invoke(main, ["status", batch_id], env=env)
    assert out.exit_code == 0, out.output
    if states - {None}:
        assert "verification:" in out.output
    # a document's current values from the shell too, each with who decided it
    shown = 0
    for doc_id in ids.values():
        with rt.catalogue.session() as s:
            decided = [v for vs in current_values(s, doc_id).values() for v in vs if v.decided_by]
        shown += len(decided)
        out = CliRunner().invoke(main, ["verification", "list", doc_id], env=env)
        assert out.exit_code == 0, out.output
        for v in decided:
            assert f"    {v.name} = {json.dumps(v.value, ensure_ascii=False)}  ({v.decision}; decided by {v.decided_by}" \
                in out.output
    assert shown or not states - {None}  # the earlier test decided every item: values to show


def test_migration_0012_matches_the_model(catalogue_url):
    """The hand-written migration creates exactly what archive/models.py declares for verified truth."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from sohoa.archive.catalogue import Catalogue
    from sohoa.archive.models import Base

    c = Catalogue(catalogue_url)
    with c.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diffs if "verif" in repr(d)] == []
    c.dispose()
