"""The verifier workbench without a browser: validation of typed values, the
two-person rule, history rows, assignment, sessions, CSRF and cookie flags.
Real catalogue (SQLite and PostgreSQL, migrated to 0003), real Argon2 hashes; no mocks of our own code."""
from __future__ import annotations

import json
import re
import warnings
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

import ui.models  # noqa: F401
from archive.catalogue import Catalogue, utcnow, verify_audit_chain
from archive.models import AuditEvent, Batch, Document, RegistryHistory, RegistryRecord, ReviewItem
from ui import auth, workflow
from ui.app import create_ui_app
from ui.models import Correction, ItemState, UiUser

PASSWORD = "correct horse battery"
DOC = "D" + "ab" * 12


@pytest.fixture
def cat(catalogue_url) -> Catalogue:
    """The migrated catalogue (SQLite and PostgreSQL) with one batch, two documents, a record,
    three open items and an account per role."""
    c = Catalogue(catalogue_url)
    now = utcnow()
    with c.session() as s:
        s.add(Batch(batch_id="B1", source_dir="/x", started_at=now))
        s.add(RegistryRecord(record_id="R1", doc_type="judgment", document_number="1/2024/HS-ST",
                             personal_id="001090012345", issue_date="2024-01-02", imported_at=now, updated_at=now,
                             data={"record_id": "R1", "doc_type": "judgment", "document_number": "1/2024/HS-ST",
                                   "personal_id": "001090012345", "penalty_months": 9}))
        s.flush()
        s.add(Document(document_id=DOC, content_sha256="1" * 64, batch_id="B1", source="a.pdf",
                       source_kind="pdf", page_count=1, doc_type="judgment", status="mismatch",
                       registry_record_id="R1", converted_at=now, created_at=now, updated_at=now))
        s.add(Document(document_id="D" + "cd" * 12, content_sha256="2" * 64, batch_id="B1", source="b.pdf",
                       source_kind="pdf", page_count=1, doc_type="judgment", status="unmatched",
                       converted_at=now, created_at=now, updated_at=now))
        s.flush()
        for kind, field, dv, rv, rid, doc in (
                ("discrepancy", "penalty_months", 12, 9, "R1", DOC),
                ("discrepancy", "personal_id", "001090012346", "001090012345", "R1", DOC),
                ("unmatched", "", None, None, None, "D" + "cd" * 12),
                ("unmatched", "", None, None, None, "D" + "cd" * 12 + "x")):
            if doc.endswith("x"):
                continue
            s.add(ReviewItem(document_id=doc, record_id=rid, kind=kind, field=field, document_value=dv,
                             registry_value=rv, confidence=0.97, status="open", created_at=now,
                             due_at=now + timedelta(hours=24)))
        for name, role in (("vera", "verifier"), ("vinh", "verifier"), ("anh", "approver"), ("sam", "scanner")):
            auth.create_user(s, name, role, PASSWORD, actor="test")
    yield c
    c.dispose()


def _user(cat, name) -> auth.CurrentUser:
    with cat.session() as s:
        u = s.scalar(select(UiUser).where(UiUser.username == name))
        return auth.CurrentUser(u.id, u.username, u.role, None, "csrf")


def _item(cat, field) -> int:
    with cat.session() as s:
        return s.scalar(select(ReviewItem.id).where(ReviewItem.field == field))


@pytest.mark.parametrize("field,text,ok", [
    ("personal_id", "001090012345", "001090012345"),
    ("personal_id", "00109001234", None),
    ("personal_id", "0010900123456", None),
    ("personal_id", "00109001234a", None),
    ("issue_date", "2024-02-29", "2024-02-29"),
    ("issue_date", "2023-02-29", None),
    ("issue_date", "30/02/2024", None),
    ("birth_date", "1987", "1987"),
    ("penalty_months", "30", 30),
    ("penalty_months", "-3", None),
    ("principal_penalty", "fine", "fine"),
    ("principal_penalty", "flogging", None),
    ("document_number", " 12/2024/hs-st ", "12/2024/HS-ST"),
    ("charges", "Trộm cắp tài sản; Cướp tài sản", ["Trộm cắp tài sản", "Cướp tài sản"]),
    ("person_name", "", None),
])
def test_typed_values_are_validated(field, text, ok):
    if ok is None:
        with pytest.raises(workflow.ActionError):
            workflow.parse_value(field, text)
    else:
        assert workflow.parse_value(field, text) == ok


def test_passwords_are_argon2_and_checked(cat):
    with cat.session() as s:
        u = s.scalar(select(UiUser).where(UiUser.username == "vera"))
        assert u.password_hash.startswith("$argon2id$") and PASSWORD not in u.password_hash
        assert auth.check_password(s, "vera", PASSWORD) is not None
        assert auth.check_password(s, "vera", PASSWORD + "x") is None
        assert auth.check_password(s, "nobody", PASSWORD) is None
        with pytest.raises(auth.UserError):
            auth.create_user(s, "short", "verifier", "123", actor="t")
        with pytest.raises(auth.UserError):
            auth.create_user(s, "x1", "god", PASSWORD, actor="t")


def test_correction_needs_a_second_person_and_writes_history(cat):
    vera, anh = _user(cat, "vera"), _user(cat, "anh")
    iid = _item(cat, "penalty_months")
    with cat.session() as s, pytest.raises(workflow.ActionError, match="lý do"):
        workflow.act(s, vera, iid, "correct", value="10", reason="")
    with cat.session() as s:
        msg = workflow.act(s, vera, iid, "correct", value="10", reason="Bản án số 1/2024/HS-ST, Điều 18 Luật 2")
    assert "chờ phê duyệt" in msg
    with cat.session() as s:  # nothing changed yet
        assert s.get(RegistryRecord, "R1").data["penalty_months"] == 9
        assert s.get(ReviewItem, iid).status == "open"
        cid = s.scalar(select(Correction.id))
    with cat.session() as s, pytest.raises(workflow.ActionError, match="Chỉ người phê duyệt"):
        workflow.approve(s, _user(cat, "vinh"), cid)
    # an approver may propose, but never approve their own
    iid2 = _item(cat, "personal_id")
    with cat.session() as s:
        workflow.act(s, anh, iid2, "accept", reason="CCCD gốc đã đối chiếu")
        cid2 = s.scalar(select(Correction.id).where(Correction.author == "anh"))
    with cat.session() as s, pytest.raises(workflow.ActionError, match="tự phê duyệt"):
        workflow.approve(s, anh, cid2)
    with cat.session() as s:
        workflow.approve(s, anh, cid, "ok")
    with cat.session() as s:
        rec = s.get(RegistryRecord, "R1")
        assert rec.data["penalty_months"] == 10
        h = s.scalars(select(RegistryHistory).where(RegistryHistory.field == "penalty_months")).one()
        assert (h.actor, h.old_value, h.new_value, h.approved_by) == ("ui:vera", 9, 10, "anh")
        assert "Điều 18" in h.reason
        item = s.get(ReviewItem, iid)
        assert item.status == "resolved" and "approved by anh" in item.resolution
        assert s.get(Correction, cid).status == "approved"
        actions = [e.action for e in s.scalars(select(AuditEvent))]
        assert "ui.correction.propose" in actions and "ui.correction.approve" in actions
        assert verify_audit_chain(s) == []


def test_rejected_correction_goes_back_to_its_author(cat):
    vera, anh = _user(cat, "vera"), _user(cat, "anh")
    iid = _item(cat, "penalty_months")
    with cat.session() as s:
        workflow.act(s, vera, iid, "correct", value="11", reason="theo bản giấy")
        cid = s.scalar(select(Correction.id))
    with cat.session() as s, pytest.raises(workflow.ActionError):
        workflow.reject(s, anh, cid, "")  # a comment is required
    with cat.session() as s:
        workflow.reject(s, anh, cid, "Bản giấy ghi 12 tháng")
    with cat.session() as s:
        c = s.get(Correction, cid)
        assert (c.status, c.approver, c.decision_comment) == ("rejected", "anh", "Bản giấy ghi 12 tháng")
        assert s.get(ItemState, iid).assigned_to == "vera"
        assert s.get(RegistryRecord, "R1").data["penalty_months"] == 9
        assert not s.scalars(select(RegistryHistory).where(RegistryHistory.field == "penalty_months")).all()
    with cat.session() as s, pytest.raises(workflow.ActionError, match="vera"):
        workflow.act(s, _user(cat, "vinh"), iid, "keep")
    with cat.session() as s:
        workflow.act(s, vera, iid, "keep")
        assert s.get(ReviewItem, iid).status == "resolved"


def test_assignment_is_exclusive(cat):
    vera, vinh = _user(cat, "vera"), _user(cat, "vinh")
    iid = _item(cat, "penalty_months")
    with cat.session() as s:
        workflow.take(s, vera, iid)
    with cat.session() as s, pytest.raises(workflow.ActionError, match="vera"):
        workflow.take(s, vinh, iid)
    with cat.session() as s:
        workflow.release(s, vera, iid)
    with cat.session() as s:
        workflow.take(s, vinh, iid)


def test_unmatched_document_new_record_and_link(cat):
    vera, anh = _user(cat, "vera"), _user(cat, "anh")
    iid = _item(cat, "")
    doc2 = "D" + "cd" * 12
    with cat.session() as s, pytest.raises(workflow.ActionError):
        workflow.propose_create(s, vera, iid, json.dumps({"doc_type": "judgment"}), "mới", record_id="R1")
    with cat.session() as s:
        workflow.propose_create(s, vera, iid, json.dumps({"doc_type": "judgment", "document_number": "7/2020/hs-st"}),
                                "Hồ sơ chưa có trong CSDL", record_id="R9")
        cid = s.scalar(select(Correction.id).where(Correction.kind == "create"))
        assert s.get(RegistryRecord, "R9") is None
    with cat.session() as s:
        workflow.approve(s, anh, cid)
    with cat.session() as s:
        assert s.get(RegistryRecord, "R9").data["document_number"] == "7/2020/HS-ST"
        assert s.get(Document, doc2).registry_record_id == "R9"
        h = s.scalars(select(RegistryHistory).where(RegistryHistory.record_id == "R9")).one()
        assert (h.field, h.approved_by) == ("*", "anh")
        assert s.get(ReviewItem, iid).status == "resolved"


def test_link_to_existing_record(cat):
    vera, anh = _user(cat, "vera"), _user(cat, "anh")
    iid = _item(cat, "")
    with cat.session() as s, pytest.raises(workflow.ActionError, match="Không có hồ sơ"):
        workflow.propose_link(s, vera, iid, "R404", "lý do dài")
    with cat.session() as s:
        workflow.propose_link(s, vera, iid, "R1", "Cùng số bản án")
        cid = s.scalar(select(Correction.id))
    with cat.session() as s:
        workflow.approve(s, anh, cid)
    with cat.session() as s:
        assert s.get(Document, "D" + "cd" * 12).registry_record_id == "R1"
        h = s.scalars(select(RegistryHistory).where(RegistryHistory.field == "document")).one()
        assert (h.new_value, h.approved_by) == ("D" + "cd" * 12, "anh")


def _client(cat, tmp_path) -> TestClient:
    rt = SimpleNamespace(catalogue=cat, store=None,
                         settings=SimpleNamespace(review_threshold=0.9, home=Path(tmp_path)))
    return TestClient(create_ui_app(rt), base_url="http://127.0.0.1")


def _login(client, name) -> str:
    r = client.get("/ui/login")
    token = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
    r = client.post("/ui/login", data={"csrf": token, "username": name, "password": PASSWORD, "next": "/ui/"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    return r.headers["set-cookie"]


def test_login_cookie_and_csrf(cat, tmp_path):
    c = _client(cat, tmp_path)
    assert c.get("/ui/queue", follow_redirects=False).status_code == 303  # to the login page
    r = c.post("/ui/login", data={"csrf": "x", "username": "vera", "password": PASSWORD})
    assert r.status_code == 403  # no pre-session CSRF cookie
    cookie = _login(c, "vera")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    page = c.get("/ui/queue")
    assert page.status_code == 200 and "content-security-policy" in page.headers
    iid = _item(cat, "penalty_months")
    r = c.post(f"/ui/items/{iid}/act", data={"action": "keep"})
    assert r.status_code == 403  # no CSRF token
    r = c.post(f"/ui/items/{iid}/act", data={"action": "keep", "csrf": "forged"})
    assert r.status_code == 403
    with cat.session() as s:
        assert s.get(ReviewItem, iid).status == "open"
        assert s.scalars(select(AuditEvent).where(AuditEvent.action == "ui.csrf")).first() is not None
    token = re.search(r'name="csrf" value="([^"]+)"', c.get(f"/ui/items/{iid}").text).group(1)
    r = c.post(f"/ui/items/{iid}/act", data={"action": "keep", "csrf": token}, follow_redirects=False)
    assert r.status_code == 303
    with cat.session() as s:
        assert s.get(ReviewItem, iid).status == "resolved"


def test_roles_limit_pages(cat, tmp_path):
    c = _client(cat, tmp_path)
    _login(c, "sam")
    assert c.get("/ui/queue").status_code == 403
    assert c.get("/ui/batches").status_code == 200
    assert c.get("/ui/users").status_code == 403
    c2 = _client(cat, tmp_path)
    _login(c2, "vera")
    assert c2.get("/ui/users").status_code == 403
    r = c2.get("/ui/records/R1/history.csv")
    assert r.status_code == 200 and r.text.lstrip("\ufeff").startswith("at,actor,field")


def test_hostile_values_from_the_database_are_shown_escaped(cat, tmp_path):
    """HTML and SQL that arrived through a registry line or a scan are data: escaped on every page."""
    evil = "<script>alert(1)</script>'; DROP TABLE registry_records;--"
    with cat.session() as s:
        rec = s.get(RegistryRecord, "R1")
        rec.data = {**rec.data, "person_name": evil, "issuer": "<img src=x onerror=alert(1)>"}
        item = s.query(ReviewItem).filter_by(field="penalty_months").one()
        item.document_value = evil
        item_id = item.id
    c = _client(cat, tmp_path)
    _login(c, "vera")
    for url in ("/ui/queue", f"/ui/items/{item_id}", "/ui/records/R1", "/ui/records"):
        r = c.get(url)
        assert r.status_code == 200, url
        assert "<script>alert(1)</script>" not in r.text and "<img src=x" not in r.text, url
    assert "&lt;script&gt;" in c.get(f"/ui/items/{item_id}").text
    with cat.session() as s:
        assert s.get(RegistryRecord, "R1") is not None  # the table is still there
