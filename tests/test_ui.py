"""The verifier workbench without a browser: validation of typed values, the
two-person rule, history rows, assignment, sessions, CSRF and cookie flags.
Real catalogue (SQLite and PostgreSQL, migrated to head), real Argon2 hashes; no mocks of our own code."""
from __future__ import annotations

import json
import re
import warnings
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

import sohoa.ui.models  # noqa: F401
from sohoa.archive.catalogue import Catalogue, utcnow, verify_audit_chain
from sohoa.archive.models import AuditEvent, Batch, Document, RegistryHistory, RegistryRecord, ReviewItem
from sohoa.ui import auth, workflow
from sohoa.ui.app import create_ui_app
from sohoa.ui.models import Correction, ItemState, UiUser

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
    ("charges", "Tàng trữ, sử dụng trái phép vũ khí quân dụng; Trộm cắp tài sản",
     ["Tàng trữ, sử dụng trái phép vũ khí quân dụng", "Trộm cắp tài sản"]),
    ("penal_code_articles", "173, 51", ["173", "51"]),
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
    from sohoa.core.config import load_settings

    rt = SimpleNamespace(catalogue=cat, store=None, settings=load_settings(env={"SOHOA_HOME": str(tmp_path)}))
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


def _csrf(client, url: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', client.get(url).text).group(1)


def _actions(cat, action: str) -> list[AuditEvent]:
    with cat.session() as s:
        return list(s.scalars(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)))


def test_admin_disables_and_enables_an_account(cat, tmp_path):
    with cat.session() as s:
        auth.create_user(s, "root", "admin", PASSWORD, actor="test")
    vera = _client(cat, tmp_path)
    _login(vera, "vera")
    assert vera.get("/ui/queue").status_code == 200
    admin = _client(cat, tmp_path)
    _login(admin, "root")
    token = _csrf(admin, "/ui/users")
    assert admin.post("/ui/users/vera/disable", data={}).status_code == 403  # CSRF
    assert admin.post("/ui/users/root/disable", data={"csrf": token}).status_code == 400  # not oneself
    r = admin.post("/ui/users/vera/disable", data={"csrf": token}, follow_redirects=False)
    assert r.status_code == 303
    # vera's open session ended, and she cannot log in again
    assert vera.get("/ui/queue", follow_redirects=False).headers["location"].startswith("/ui/login")
    with cat.session() as s:
        assert s.scalars(select(sohoa.ui.models.UiSession).join(UiUser).where(UiUser.username == "vera")).all() == []
    r = vera.get("/ui/login")
    t = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
    r = vera.post("/ui/login", data={"csrf": t, "username": "vera", "password": PASSWORD, "next": "/ui/"})
    assert r.status_code == 401
    assert "đã khóa" in admin.get("/ui/users").text
    ev = _actions(cat, "ui.user.disable")[-1]
    assert (ev.actor, ev.object, ev.detail["sessions_ended"]) == ("ui:root", "vera", 1)
    admin.post("/ui/users/vera/enable", data={"csrf": token})
    _login(vera, "vera")
    assert vera.get("/ui/queue").status_code == 200
    assert _actions(cat, "ui.user.enable")[-1].object == "vera"
    # a verifier cannot do any of it
    assert vera.post("/ui/users/vinh/disable", data={"csrf": _csrf(vera, "/ui/queue")}).status_code == 403
    with cat.session() as s:
        assert verify_audit_chain(s) == []


def test_admin_resets_a_password_and_the_user_must_change_it(cat, tmp_path):
    with cat.session() as s:
        auth.create_user(s, "root", "admin", PASSWORD, actor="test")
    vera = _client(cat, tmp_path)
    _login(vera, "vera")
    admin = _client(cat, tmp_path)
    _login(admin, "root")
    token = _csrf(admin, "/ui/users")
    assert admin.post("/ui/users/vera/reset-password", data={"csrf": token, "password": "short"}).status_code == 400
    temp = "tam-thoi-2026-x"
    admin.post("/ui/users/vera/reset-password", data={"csrf": token, "password": temp})
    assert vera.get("/ui/queue", follow_redirects=False).headers["location"].startswith("/ui/login")
    assert "phải đổi mật khẩu" in admin.get("/ui/users").text
    # the old password no longer works; the temporary one leads only to the password page
    with cat.session() as s:
        assert auth.check_password(s, "vera", PASSWORD) is None
    r = vera.get("/ui/login")
    t = re.search(r'name="csrf" value="([^"]+)"', r.text).group(1)
    r = vera.post("/ui/login", data={"csrf": t, "username": "vera", "password": temp, "next": "/ui/queue"},
                  follow_redirects=False)
    assert r.headers["location"] == "/ui/password"
    for url in ("/ui/queue", f"/ui/items/{_item(cat, 'penalty_months')}", "/ui/approvals"):
        assert vera.get(url, follow_redirects=False).headers["location"] == "/ui/password", url
    token = _csrf(vera, "/ui/password")
    iid = _item(cat, "penalty_months")
    r = vera.post(f"/ui/items/{iid}/act", data={"csrf": token, "action": "keep"}, follow_redirects=False)
    assert r.headers["location"] == "/ui/password"
    with cat.session() as s:
        assert s.get(ReviewItem, iid).status == "open"
    r = vera.post("/ui/password", data={"csrf": token, "current": temp, "new_password": temp, "confirm": temp})
    assert r.status_code == 400  # must differ
    r = vera.post("/ui/password", data={"csrf": token, "current": "wrong one!!", "new_password": "mat-khau-moi-123",
                                        "confirm": "mat-khau-moi-123"})
    assert r.status_code == 400
    r = vera.post("/ui/password", data={"csrf": token, "current": temp, "new_password": "mat-khau-moi-123",
                                        "confirm": "mat-khau-moi-123"}, follow_redirects=False)
    assert r.status_code == 303
    assert vera.get("/ui/queue").status_code == 200  # the same session goes on
    with cat.session() as s:
        u = s.scalar(select(UiUser).where(UiUser.username == "vera"))
        assert not u.must_change_password and auth.check_password(s, "vera", "mat-khau-moi-123") is not None
        assert verify_audit_chain(s) == []
    ev = _actions(cat, "ui.user.reset_password")[-1]
    assert (ev.actor, ev.object) == ("ui:root", "vera") and temp not in json.dumps(ev.detail)
    assert [e.outcome for e in _actions(cat, "ui.user.change_password")] == ["refused", "refused", "ok"]


def test_new_account_from_the_admin_page_must_change_its_password(cat, tmp_path):
    with cat.session() as s:
        auth.create_user(s, "root", "admin", PASSWORD, actor="test")
    admin = _client(cat, tmp_path)
    _login(admin, "root")
    r = admin.post("/ui/users", data={"csrf": _csrf(admin, "/ui/users"), "username": "vy", "role": "verifier",
                                      "password": PASSWORD, "must_change": "1"}, follow_redirects=False)
    assert r.status_code == 303
    vy = _client(cat, tmp_path)
    _login(vy, "vy")
    assert vy.get("/ui/queue", follow_redirects=False).headers["location"] == "/ui/password"


def test_queue_filters_run_in_sql(cat):
    from sohoa.ui import queue as uiqueue

    now = utcnow()
    with cat.session() as s:
        s.add(sohoa.ui.models.ItemState(review_item_id=_item(cat, "personal_id"), assigned_to="vera"))
        from sohoa.archive.models import FieldValue
        s.add(FieldValue(document_id=DOC, name="issuer", value="Tòa án nhân dân huyện Đông Anh", confidence=0.99))
        it = s.get(ReviewItem, _item(cat, "penalty_months"))
        it.due_at = now - timedelta(hours=1)

    def ids(**f):
        with cat.session() as s:
            rows, total, overdue = uiqueue.open_items(s, f, "vera", now)
        assert total == len(rows)
        return sorted(r.item.field for r in rows), overdue

    assert ids() == (["", "penalty_months", "personal_id"], 1)
    assert ids(kind="discrepancy") == (["penalty_months", "personal_id"], 1)
    assert ids(field="personal_id")[0] == ["personal_id"]
    assert ids(court="Tòa án nhân dân huyện Đông Anh")[0] == ["penalty_months", "personal_id"]
    assert ids(court="Tòa án khác")[0] == []
    assert ids(overdue="1") == (["penalty_months"], 1)
    assert ids(overdue="0") == (["", "personal_id"], 0)
    assert ids(who="me")[0] == ["personal_id"] and ids(who="none")[0] == ["", "penalty_months"]
    assert ids(batch="B1", doc_type="judgment", kind="unmatched")[0] == [""]
    assert ids(batch="B2")[0] == []
    assert ids(escalated="1")[0] == []
    with cat.session() as s:
        opts = uiqueue.options(s)
    assert opts["court"] == ["Tòa án nhân dân huyện Đông Anh"] and opts["field"] == ["penalty_months", "personal_id"]
    assert opts["batch"] == ["B1"] and opts["doc_type"] == ["judgment"]
    # the filtering is one SQL statement: its WHERE clause names the court
    stmt = []
    from sqlalchemy import event

    def seen(conn, cursor, statement, params, context, executemany):
        stmt.append((statement, params))
    event.listen(cat.engine, "before_cursor_execute", seen)
    try:
        ids(court="Tòa án nhân dân huyện Đông Anh", overdue="1")
    finally:
        event.remove(cat.engine, "before_cursor_execute", seen)
    assert any("issuer" in repr(p) and "due_at <" in q for q, p in stmt)


def test_escalation_goes_to_the_head_who_sends_back_or_resolves(cat, tmp_path):
    vera, _ = _user(cat, "vera"), _user(cat, "anh")
    iid = _item(cat, "penalty_months")
    with cat.session() as s:
        workflow.act(s, vera, iid, "escalate", comment="Chữ số bị mờ, cần bản gốc")
    with cat.session() as s, pytest.raises(workflow.ActionError, match="cấp trên"):
        workflow.act(s, _user(cat, "vinh"), iid, "keep")  # a verifier waits for the head
    with cat.session() as s, pytest.raises(workflow.ActionError, match="approvers only"):
        workflow.send_back(s, vera, iid, "tự trả lại")
    c = _client(cat, tmp_path)
    _login(c, "vera")
    assert c.get("/ui/escalations").status_code == 403
    head = _client(cat, tmp_path)
    _login(head, "anh")
    page = head.get("/ui/escalations").text
    assert f'id="esc-{iid}"' in page and "Chữ số bị mờ" in page
    token = _csrf(head, "/ui/escalations")
    r = head.post(f"/ui/items/{iid}/send-back", data={"csrf": token, "comment": "", "back": "escalations"})
    assert r.status_code == 400
    r = head.post(f"/ui/items/{iid}/send-back", data={"csrf": token, "comment": "Xem trang 2, ghi 12 tháng",
                                                       "back": "escalations"}, follow_redirects=False)
    assert r.headers["location"] == "/ui/escalations"
    with cat.session() as s:
        st = s.get(ItemState, iid)
        assert (st.assigned_to, st.escalated_at, st.returned_by) == ("vera", None, "anh")
    assert "Xem trang 2" in c.get(f"/ui/items/{iid}").text
    # escalated again, this time the head decides: keep the database's value
    with cat.session() as s:
        workflow.act(s, vera, iid, "escalate", comment="Vẫn không rõ")
    r = head.post(f"/ui/items/{iid}/act", data={"csrf": token, "action": "keep", "back": "escalations"},
                  follow_redirects=False)
    assert r.headers["location"] == "/ui/escalations"
    with cat.session() as s:
        assert s.get(ReviewItem, iid).status == "resolved" and "anh" in s.get(ReviewItem, iid).resolution
    page = head.get("/ui/escalations").text
    assert "escalations-empty" in page and "Vẫn không rõ" in page  # in the recently handled list
    assert [e.actor for e in _actions(cat, "ui.item.send_back")] == ["ui:anh"]


def test_migration_0004_matches_the_model(catalogue_url):
    """The hand-written UI migrations create exactly what ui/models.py declares, on one head."""
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory
    from sohoa.archive.catalogue import alembic_config
    from sohoa.archive.models import Base

    assert len(ScriptDirectory.from_config(alembic_config(catalogue_url)).get_heads()) == 1
    c = Catalogue(catalogue_url)
    with c.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diffs if "ui_" in repr(d)] == []
    c.dispose()


def test_the_same_change_proposed_twice_is_written_once(cat):
    """A discrepancy and a low-confidence item on the same field: both proposals approved, one history row."""
    vera, vinh, anh = _user(cat, "vera"), _user(cat, "vinh"), _user(cat, "anh")
    first = _item(cat, "penalty_months")
    with cat.session() as s:
        it = ReviewItem(document_id=DOC, record_id="R1", kind="low_confidence", field="penalty_months",
                        document_value=12, confidence=0.6, status="open", created_at=utcnow(),
                        due_at=utcnow() + timedelta(hours=24))
        s.add(it)
        s.flush()
        second = it.id
    with cat.session() as s:
        workflow.act(s, vera, first, "accept", reason="Bản giấy ghi 12 tháng")
    with cat.session() as s:
        workflow.act(s, vinh, second, "correct", value="12", reason="Bản giấy ghi 12 tháng")
    with cat.session() as s:
        c1, c2 = s.scalars(select(Correction.id).order_by(Correction.id)).all()
    with cat.session() as s:
        workflow.approve(s, anh, c1)
    with cat.session() as s:
        workflow.approve(s, anh, c2)
    with cat.session() as s:
        assert s.get(RegistryRecord, "R1").data["penalty_months"] == 12
        assert len(s.scalars(select(RegistryHistory).where(RegistryHistory.field == "penalty_months")).all()) == 1
        assert s.get(ReviewItem, first).status == s.get(ReviewItem, second).status == "resolved"
        assert "no change" in s.get(ReviewItem, second).resolution
    # a different value on a changed record is still refused
    with cat.session() as s:
        workflow.act(s, vera, _item(cat, "personal_id"), "accept", reason="CCCD gốc")
        c3 = s.scalar(select(Correction.id).where(Correction.field == "personal_id"))
        rec = s.get(RegistryRecord, "R1")
        rec.data = {**rec.data, "personal_id": "001090099999"}
    with cat.session() as s, pytest.raises(workflow.ActionError, match="changed since"):
        workflow.approve(s, anh, c3)


def test_cli_disables_enables_and_resets_an_account(home, tmp_path):
    """`sohoa user disable/enable/reset-password`: the admin's tools without a browser."""
    from conftest import run_sohoa

    pw, temp = tmp_path / "pw", tmp_path / "temp"
    pw.write_text("mat-khau-dau-tien-2026\n", "utf-8")
    temp.write_text("tam-thoi-9876543\n", "utf-8")
    run_sohoa(home, "user", "create", "lan", "--role", "verifier", "--password-file", str(pw))
    cat = Catalogue(f"sqlite:///{home / 'catalogue.sqlite3'}")

    def login(password: str):
        with cat.session() as s:
            return auth.check_password(s, "lan", password)

    assert login("mat-khau-dau-tien-2026") is not None
    run_sohoa(home, "user", "disable", "lan")
    assert login("mat-khau-dau-tien-2026") is None
    assert "disabled" in run_sohoa(home, "user", "list").stdout
    run_sohoa(home, "user", "enable", "lan")
    assert login("mat-khau-dau-tien-2026") is not None

    run_sohoa(home, "user", "reset-password", "lan", "--password-file", str(temp))
    assert login("mat-khau-dau-tien-2026") is None
    user = login("tam-thoi-9876543")
    assert user is not None and user.must_change_password

    refused = run_sohoa(home, "user", "disable", "khong-co", check=False)
    assert refused.returncode == 2 and "no user 'khong-co'" in refused.stderr
    with cat.session() as s:
        actions = [e.action for e in s.scalars(select(AuditEvent).where(AuditEvent.object == "lan",
                                                                        AuditEvent.action != "ui.notice")
                                                .order_by(AuditEvent.id))]
    assert actions[-3:] == ["ui.user.disable", "ui.user.enable", "ui.user.reset_password"]


def test_sohoa_serve_runs_the_api_and_the_workbench(home, tmp_path):
    """`sohoa serve`: the service API and, under /ui/, the verifier workbench, each with its own guards."""
    import httpx
    from conftest import run_sohoa, serve_ui

    pw = tmp_path / "pw"
    pw.write_text("mat-khau-dau-tien-2026\n", "utf-8")
    run_sohoa(home, "user", "create", "vera", "--role", "verifier", "--password-file", str(pw))
    with serve_ui(home, command="serve") as base, httpx.Client(base_url=base) as http:
        assert http.get("/openapi.json").json()["info"]["title"]
        assert http.get("/documents/D" + "ab" * 12).status_code == 401  # no token
        page = http.get("/ui/login")
        assert page.status_code == 200 and "default-src 'self'" in page.headers["content-security-policy"]
        token = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
        r = http.post("/ui/login", data={"csrf": token, "username": "vera", "password": "mat-khau-dau-tien-2026",
                                         "next": "/ui/"}, follow_redirects=False)
        assert r.status_code == 303
        assert http.get("/ui/queue").status_code == 200
        assert http.get("/ui/users", follow_redirects=False).status_code == 403  # a verifier is no admin


# --- several persons per document (contract v2): display, the two person corrections, the timeline ---

BINH = {"person_name": "Trần Văn Bình", "personal_id": "001088054321", "penalty_months": 30,
        "charges": ["Trộm cắp tài sản"]}


def _two_persons(cat) -> int:
    """DOC names two defendants: persons 0 (R1's) and 1 (Bình, with his own 30 months, whose
    term was read with low confidence). Returns the item of person 1."""
    from sohoa.archive.models import FieldValue, Person, PersonField

    now = utcnow()
    with cat.session() as s:
        for name, value in (("document_number", "1/2024/HS-ST"), ("issue_date", "2024-01-02"),
                            ("issuer", "TAND quận Cầu Giấy"), ("trial_level", "ST"),
                            ("person_name", "Nguyễn Văn An"), ("personal_id", "001090012345"),
                            ("penalty_months", 12)):
            s.add(FieldValue(document_id=DOC, name=name, value=value, confidence=0.97, page=1,
                             bbox=[100, 100, 200, 112]))
        for ordinal, values, rid in ((0, {"person_name": "Nguyễn Văn An", "personal_id": "001090012345",
                                          "penalty_months": 12}, "R1"), (1, BINH, None)):
            p = Person(document_id=DOC, ordinal=ordinal, person_name=values["person_name"],
                       personal_id=values["personal_id"], status="mismatch" if rid else "unmatched",
                       registry_record_id=rid, discrepancies=[])
            s.add(p)
            s.flush()
            for i, (name, value) in enumerate(values.items()):
                s.add(PersonField(person_id=p.id, name=name, value=value, confidence=0.6 if ordinal else 0.97,
                                  page=1, bbox=[100, 300 + 20 * ordinal + i, 220, 312 + 20 * ordinal + i]))
        item = ReviewItem(document_id=DOC, person=1, kind="low_confidence", field="penalty_months",
                          document_value=30, confidence=0.6, status="open", created_at=now,
                          due_at=now + timedelta(hours=24))
        s.add(item)
        s.flush()
        return item.id


def test_an_item_names_its_person_and_shows_their_values(cat, tmp_path):
    iid = _two_persons(cat)
    c = _client(cat, tmp_path)
    _login(c, "vera")
    page = c.get(f"/ui/items/{iid}").text
    assert 'data-person="1"' in page and "Người 2: Trần Văn Bình" in page
    # both persons side by side, person 2's column marked, each with their timeline
    assert 'id="persons"' in page and "Nguyễn Văn An" in page
    assert 'href="/ui/persons/001088054321"' in page and 'href="/ui/persons/001090012345"' in page
    with cat.session() as s:  # the crop is person 2's penalty, not person 1's
        from sohoa.ui import persons

        fv = persons.field_for(s, s.get(ReviewItem, iid))
        assert fv is not None and fv.value == 30 and fv.bbox[1] >= 320
        assert [f.value for f in persons.fields_for(s, DOC, 1) if f.name == "personal_id"] == ["001088054321"]
        assert workflow.proposed_record(s, DOC, 1)["personal_id"] == "001088054321"
        assert workflow.proposed_record(s, DOC, 1)["document_number"] == "1/2024/HS-ST"
        assert workflow.proposed_record(s, DOC, 0)["personal_id"] == "001090012345"
    queue = c.get("/ui/queue").text
    assert "Người 2: Trần Văn Bình" in queue and "Người 1: Nguyễn Văn An" in queue
    doc = c.get(f"/ui/documents/{DOC}")
    assert doc.status_code == 200 and doc.text.count('pname"') == 2
    assert "Trần Văn Bình" in doc.text and 'id="btn-swap"' in doc.text and 'id="btn-add-person"' in doc.text
    assert c.get("/ui/documents/D404").status_code == 404


def test_person_swap_needs_a_second_person(cat, tmp_path):
    _two_persons(cat)
    vera, anh = _user(cat, "vera"), _user(cat, "anh")
    with cat.session() as s, pytest.raises(workflow.ActionError, match="trường"):
        workflow.propose_person_swap(s, vera, DOC, 0, 1, [], "Đọc nhầm giữa hai bị cáo")
    with cat.session() as s, pytest.raises(workflow.ActionError, match="hai người"):
        workflow.propose_person_swap(s, vera, DOC, 0, 0, ["penalty_months"], "Đọc nhầm giữa hai bị cáo")
    # from the document page, with the form
    c = _client(cat, tmp_path)
    _login(c, "vera")
    token = _csrf(c, f"/ui/documents/{DOC}")
    r = c.post(f"/ui/documents/{DOC}/persons/swap", data={"csrf": token, "a": "0", "b": "1",
                                                          "field_penalty_months": "1",
                                                          "reason": "Bản án: An 30 tháng, Bình 12 tháng"},
               follow_redirects=False)
    assert r.status_code == 303, r.text
    with cat.session() as s:
        corr = s.scalars(select(Correction).where(Correction.kind == "person_swap")).one()
        assert (corr.record_id, corr.document_id, corr.status) == ("", DOC, "pending")
        assert corr.new_value == {"a": 0, "b": 1, "fields": ["penalty_months"]}
        cid = corr.id
    with cat.session() as s, pytest.raises(workflow.ActionError, match="đang chờ"):  # one at a time
        workflow.propose_person_add(s, vera, DOC, {"person_name": "Lê Thị Cúc"}, "Bị cáo thứ ba")
    approvals = c.get("/ui/approvals").text
    assert "Đổi chỗ Người 1 ⇄ Người 2" in approvals and "penalty_months: 12 ⇄ 30" in approvals
    # the author cannot approve it, even as an approver; refused through the page it is audited
    with cat.session() as s:
        corr = s.get(Correction, cid)
        corr.author = "anh"
    ca = _client(cat, tmp_path)
    _login(ca, "anh")
    r = ca.post(f"/ui/corrections/{cid}/approve", data={"csrf": _csrf(ca, "/ui/approvals")})
    assert r.status_code == 400 and "tự phê duyệt" in r.text
    assert _actions(cat, "ui.correction.approve")[-1].outcome == "refused"
    with cat.session() as s:
        s.get(Correction, cid).author = "vera"
    with cat.session() as s:
        msg = workflow.approve(s, anh, cid, threshold=0.9)
    assert "Đã phê duyệt" in msg
    with cat.session() as s:
        from sohoa.archive.models import Person

        ps = {p.ordinal: {f.name: f.value for f in p.fields}
              for p in s.scalars(select(Person).where(Person.document_id == DOC))}
        assert ps[0]["penalty_months"] == 30 and ps[1]["penalty_months"] == 12
        assert ps[0]["personal_id"] == "001090012345"  # only the chosen field moved
        corr = s.get(Correction, cid)
        assert (corr.status, corr.approver) == ("approved", "anh")
    ev = _actions(cat, "ui.correction.approve")[-1]
    assert ev.object == f"document:{DOC}" and ev.detail["kind"] == "person_swap" and ev.outcome != "refused"
    with cat.session() as s:
        assert verify_audit_chain(s) == []


def test_missing_person_proposed_rejected_then_approved(cat, tmp_path):
    _two_persons(cat)
    vera, anh = _user(cat, "vera"), _user(cat, "anh")
    with cat.session() as s, pytest.raises(workflow.ActionError, match="họ tên"):
        workflow.propose_person_add(s, vera, DOC, {"personal_id": "001095011111"}, "Bị cáo thứ ba")
    with cat.session() as s, pytest.raises(workflow.ActionError, match="12 chữ số"):
        workflow.propose_person_add(s, vera, DOC, {"person_name": "Lê Thị Cúc", "personal_id": "123"}, "Bị cáo 3")
    c = _client(cat, tmp_path)
    _login(c, "vera")
    token = _csrf(c, f"/ui/documents/{DOC}")
    r = c.post(f"/ui/documents/{DOC}/persons/add",
               data={"csrf": token, "person_name": "Lê Thị Cúc", "personal_id": "001095011111",
                     "json": '{"penalty_months": 18, "charges": ["Trộm cắp tài sản"]}',
                     "reason": "Bản án trang 2 nêu bị cáo thứ ba"}, follow_redirects=False)
    assert r.status_code == 303, r.text
    with cat.session() as s:
        corr = s.scalars(select(Correction).where(Correction.kind == "person_add")).one()
        assert corr.new_value["fields"] == {"person_name": "Lê Thị Cúc", "personal_id": "001095011111",
                                            "charges": ["Trộm cắp tài sản"], "penalty_months": 18}
        cid = corr.id
    assert "Thêm Người 3: Lê Thị Cúc" in c.get("/ui/approvals").text
    with cat.session() as s, pytest.raises(workflow.ActionError, match="tự phê duyệt"):
        workflow.approve(s, _user(cat, "vera").__class__(vera.id, "vera", "approver", None, "x"), cid)
    with cat.session() as s, pytest.raises(workflow.ActionError, match="Chỉ người phê duyệt"):
        workflow.approve(s, _user(cat, "vinh"), cid)
    with cat.session() as s:
        workflow.reject(s, anh, cid, "Không có trong bản án")
    ev = _actions(cat, "ui.correction.reject")[-1]
    assert ev.object == f"document:{DOC}"
    with cat.session() as s:
        from sohoa.archive.models import Person

        assert s.get(Correction, cid).status == "rejected"
        assert len(list(s.scalars(select(Person).where(Person.document_id == DOC)))) == 2
    # proposed again (now allowed: nothing pending), approved by another person
    with cat.session() as s:
        workflow.propose_person_add(s, vera, DOC, '{"person_name": "Lê Thị Cúc", "personal_id": "001095011111"}',
                                    "Bản án trang 2 nêu bị cáo thứ ba")
        cid2 = s.scalar(select(Correction.id).where(Correction.status == "pending"))
    with cat.session() as s:
        assert "added person 3" in workflow.approve(s, anh, cid2, threshold=0.9)
    with cat.session() as s:
        ps = list(s.scalars(select(Person).where(Person.document_id == DOC).order_by(Person.ordinal)))
        assert [p.person_name for p in ps] == ["Nguyễn Văn An", "Trần Văn Bình", "Lê Thị Cúc"]
        assert ps[2].personal_id == "001095011111"
    page = c.get(f"/ui/documents/{DOC}").text
    assert "Lê Thị Cúc" in page and 'href="/ui/persons/001095011111"' in page


def test_person_timeline_page(cat, tmp_path):
    from sohoa.archive.models import FieldValue, Person

    _two_persons(cat)
    cert = "D" + "cd" * 12  # Bình's completion certificate of a judgment the archive does not hold
    with cat.session() as s:
        d = s.get(Document, cert)
        d.doc_type = "certificate"
        for name, value in (("document_number", "5/2026/GCN"), ("issue_date", "2026-03-01"),
                            ("decision_kind", "completion"), ("judgment_ref", "9/2023/HS-ST")):
            s.add(FieldValue(document_id=cert, name=name, value=value, confidence=0.99))
        s.add(Person(document_id=cert, ordinal=0, person_name="Trần Văn Bình", personal_id="001088054321",
                     status="unmatched", discrepancies=[]))
    c = _client(cat, tmp_path)
    _login(c, "sam")
    assert c.get("/ui/persons/001088054321").status_code == 403  # a scanner sees no records
    c = _client(cat, tmp_path)
    _login(c, "vera")
    r = c.get("/ui/persons/001088054321")
    assert r.status_code == 200
    assert "Trần Văn Bình" in r.text and "1/2024/HS-ST" in r.text and "TAND quận Cầu Giấy" in r.text
    assert f'data-document="{DOC}"' in r.text
    assert r.text.index(f'data-document="{DOC}"') < r.text.index(f'data-document="{cert}"')  # in time order
    assert 'id="flags"' in r.text and "completion_without_judgment" in r.text
    assert f'class="flagged" data-document="{cert}"' in r.text
    missing = c.get("/ui/persons/999999999999")
    assert missing.status_code == 404 and 'id="person-none"' in missing.text
