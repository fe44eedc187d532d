"""One admin alone against the two-person rule (issue 17, item 10): they create (or reset) a
second account and approve their own change with it, or approve the change of an account
they made. Refused, audited, and the head of unit notified; accounts an admin creates or
resets must change their password before acting. Real app over HTTP, real catalogue."""
from __future__ import annotations

import sys
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pytest  # noqa: E402
from sohoa.archive.catalogue import utcnow, verify_audit_chain  # noqa: E402
from sohoa.archive.models import RegistryRecord  # noqa: E402
from sohoa.ui import auth  # noqa: E402
from sohoa.ui.models import Correction, Notice, UiUser  # noqa: E402
from sqlalchemy import select  # noqa: E402
from test_ui import PASSWORD, _item, cat  # noqa: E402,F401  (the fixture: accounts vera, vinh, anh, sam)

from security.service_http import csrf, events, try_login, ui_client  # noqa: E402

NEW_PASSWORD = "mat-khau-rieng-cua-toi-2026"


def _signed_in(cat, tmp_path, name: str, password: str = PASSWORD):
    c = ui_client(cat, tmp_path)
    assert try_login(c, name, password).status_code == 303
    return c


def _own_password(client, current: str) -> None:
    """The forced change: nothing else is served until it is done."""
    assert client.get("/ui/queue", follow_redirects=False).headers["location"] == "/ui/password"
    assert client.post("/ui/corrections/1/approve", data={"csrf": csrf(client, "/ui/password")},
                       follow_redirects=False).headers["location"] == "/ui/password"
    r = client.post("/ui/password", data={"csrf": csrf(client, "/ui/password"), "current": current,
                                          "new_password": NEW_PASSWORD, "confirm": NEW_PASSWORD},
                    follow_redirects=False)
    assert r.status_code == 303 and client.get("/ui/queue").status_code == 200


def _propose(client, cat, field: str = "penalty_months", value: str = "10") -> int:
    iid = _item(cat, field)
    token = csrf(client, f"/ui/items/{iid}")
    assert client.post(f"/ui/items/{iid}/take", data={"csrf": token}, follow_redirects=False).status_code == 303
    r = client.post(f"/ui/items/{iid}/act", data={"csrf": token, "action": "correct", "value": value,
                                                  "reason": "Bản án số 1/2024/HS-ST, Điều 18"},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    with cat.session() as s:
        return s.scalar(select(Correction.id).where(Correction.status == "pending").order_by(Correction.id.desc()))


def _approve(client, cid: int):
    return client.post(f"/ui/corrections/{cid}/approve", data={"csrf": csrf(client, "/ui/approvals")},
                       follow_redirects=False)


def test_an_admin_cannot_approve_with_an_account_they_created(cat, tmp_path):
    with cat.session() as s:
        auth.create_user(s, "root", "admin", PASSWORD, actor="test")
    root = _signed_in(cat, tmp_path, "root")
    # the admin makes a second identity; the form cannot skip the forced change any more
    r = root.post("/ui/users", data={"csrf": csrf(root, "/ui/users"), "username": "bob", "role": "approver",
                                     "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 303
    bob = _signed_in(cat, tmp_path, "bob")
    _own_password(bob, PASSWORD)
    # the head of unit (an approver) sees the notice; its author cannot acknowledge it for them
    anh = _signed_in(cat, tmp_path, "anh")
    page = anh.get("/ui/notices").text
    assert 'id="notice-count"' in anh.get("/ui/queue").text and "ui:root created the account bob" in page
    with cat.session() as s:
        notice_id = s.scalar(select(Notice.id).where(Notice.kind == "account.create", Notice.subject == "bob"))
    assert f'id="ack-{notice_id}"' not in root.get("/ui/notices").text
    root.post(f"/ui/notices/{notice_id}/acknowledge", data={"csrf": csrf(root, "/ui/notices")})
    with cat.session() as s:
        assert s.get(Notice, notice_id).acknowledged_by is None

    cid = _propose(root, cat)
    r = _approve(bob, cid)
    assert r.status_code == 400 and "another approver must decide" in r.text
    refused = [e for e in events(cat, "ui.correction.approve") if e.outcome == "refused"]
    assert [(e.actor, e.detail["reason"]) for e in refused] == [("ui:bob", "author created approver's account")]
    with cat.session() as s:
        assert s.get(Correction, cid).status == "pending"
        assert s.get(RegistryRecord, "R1").data["penalty_months"] == 9
        assert s.scalar(select(Notice.text).where(Notice.kind == "approval.refused")).startswith("bob tried")
    assert anh.post(f"/ui/notices/{notice_id}/acknowledge", data={"csrf": csrf(anh, "/ui/notices")},
                    follow_redirects=False).status_code == 303
    with cat.session() as s:
        assert s.get(Notice, notice_id).acknowledged_by == "anh"
    # after the window (30 days by default) the accounts are two people again
    with cat.session() as s:
        s.scalar(select(UiUser).where(UiUser.username == "bob")).created_at = utcnow() - timedelta(days=31)
    assert _approve(bob, cid).status_code == 303
    with cat.session() as s:
        assert s.get(Correction, cid).status == "approved" and s.get(Correction, cid).approver == "bob"
        assert verify_audit_chain(s) == []


@pytest.mark.parametrize("catalogue_url", ["sqlite"], indirect=True)  # the same rule; PostgreSQL above
def test_an_admin_cannot_approve_what_an_account_they_made_or_reset_proposed(cat, tmp_path):
    with cat.session() as s:
        auth.create_user(s, "root", "admin", PASSWORD, actor="test")
    root = _signed_in(cat, tmp_path, "root")
    root.post("/ui/users", data={"csrf": csrf(root, "/ui/users"), "username": "vic", "role": "verifier",
                                 "password": PASSWORD})
    vic = _signed_in(cat, tmp_path, "vic")
    _own_password(vic, PASSWORD)
    cid = _propose(vic, cat)
    r = _approve(root, cid)
    assert r.status_code == 400 and "you created the account of the author vic" in r.text
    # a reset gives the admin the account as much as a creation does
    temporary = "tam-thoi-0987654321"
    assert root.post("/ui/users/vinh/reset-password", data={"csrf": csrf(root, "/ui/users"),
                                                            "password": temporary},
                     follow_redirects=False).status_code == 303
    vinh = _signed_in(cat, tmp_path, "vinh", temporary)
    _own_password(vinh, temporary)
    cid2 = _propose(vinh, cat, "personal_id", "001090012347")
    r = _approve(root, cid2)
    assert r.status_code == 400 and "you reset the account of the author vinh" in r.text
    # nor may a second account the same admin made approve for the first (two puppets, one person)
    root.post("/ui/users", data={"csrf": csrf(root, "/ui/users"), "username": "ben", "role": "approver",
                                 "password": PASSWORD})
    ben = _signed_in(cat, tmp_path, "ben")
    _own_password(ben, PASSWORD)
    r = _approve(ben, cid)
    assert r.status_code == 400 and "root created or reset both your account" in r.text
    reasons = [e.detail["reason"] for e in events(cat, "ui.correction.approve") if e.outcome == "refused"]
    assert reasons == ["approver created author's account", "approver reset author's account",
                       "one admin made both accounts"]
    with cat.session() as s:
        kinds = [n.kind for n in s.scalars(select(Notice).where(Notice.actor != "test").order_by(Notice.id))]
        assert kinds == ["account.create", "approval.refused", "account.reset", "approval.refused",
                         "account.create", "approval.refused"]
        assert [e.detail["kind"] for e in events(cat, "ui.notice") if e.actor != "test"] == kinds
    # someone else may
    anh = _signed_in(cat, tmp_path, "anh")
    assert _approve(anh, cid).status_code == 303 and _approve(anh, cid2).status_code == 303


def test_cli_created_account_can_be_made_to_change_its_password(home, tmp_path):
    from conftest import run_sohoa
    from sohoa.archive.catalogue import Catalogue

    pw = tmp_path / "pw"
    pw.write_text(PASSWORD + "\n", "utf-8")
    run_sohoa(home, "user", "create", "lan", "--role", "approver", "--password-file", str(pw), "--must-change")
    cat = Catalogue(f"sqlite:///{home / 'catalogue.sqlite3'}")
    with cat.session() as s:
        user = s.scalar(select(UiUser).where(UiUser.username == "lan"))
        assert user.must_change_password and user.created_by.startswith("cli")
        assert s.scalar(select(Notice.kind).where(Notice.subject == "lan")) == "account.create"
    cat.dispose()
