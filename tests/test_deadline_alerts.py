"""Deadline notifications end to end (ui/deadline_alerts.py): a real SMTP server (aiosmtpd) and a
real HTTP server on 127.0.0.1 receive the due-soon, overdue and escalation notices; the webhook's
HMAC checks; a second pass sends nothing; an SMTP outage is survived and made good next pass."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sohoa.ui.models  # noqa: F401  (the workbench's tables)
from conftest import run_sohoa
from notify_servers import HookSink, SmtpSink, account, document, item, notify_settings
from sohoa.archive.catalogue import Catalogue, utcnow, verify_audit_chain
from sohoa.archive.models import AuditEvent, Notification
from sohoa.ui.deadline_alerts import Notifier, aware, run_pass
from sohoa.ui.models import Notice
from sohoa.ui.webhook import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify
from sqlalchemy import func, select

UNIT = "Phòng Hồ sơ nghiệp vụ"
SOURCE = "hop-so-12/ban-an-125-2024.pdf"


@pytest.fixture
def servers():
    smtp, hook = SmtpSink().start(), HookSink().start()
    yield smtp, hook
    smtp.stop()
    hook.stop()


@pytest.fixture
def cat(catalogue_url):
    c = Catalogue(catalogue_url)
    yield c
    c.dispose()


def _seed(cat: Catalogue) -> dict[str, int]:
    with cat.session() as s:
        account(s, "lan", "verifier", "lan@donvi.example", UNIT, full_name="Trần Thị Lan")
        account(s, "minh", "verifier", "minh@donvi.example", UNIT, full_name="Lê Văn Minh")
        account(s, "khac", "verifier", "khac@khac.example", "Phòng khác")  # another unit: never told
        account(s, "hung", "approver", "hung@donvi.example", UNIT)  # an approver: a head is flagged, so not him
        account(s, "truong", "approver", "truong@donvi.example", UNIT, head=True, full_name="Nguyễn Văn Trưởng")
        document(s, "D" + "1" * 23, SOURCE, UNIT)
        document(s, "D" + "2" * 23, "hop-so-12/quyet-dinh-7.pdf", UNIT, doc_type="decision")
        over = item(s, "D" + "1" * 23, "penalty_months", timedelta(hours=-1))  # held by nobody
        soon = item(s, "D" + "2" * 23, "issue_date", timedelta(hours=2), held_by="minh")
        item(s, "D" + "2" * 23, "issuer", timedelta(hours=10))  # not yet
        item(s, "D" + "1" * 23, "issuer", timedelta(hours=-5), status="resolved")  # decided: nothing to tell
        return {"overdue": over.id, "soon": soon.id}


def test_overdue_and_due_soon_mail_webhook_escalation_once(cat, servers, tmp_path):
    smtp, hook = servers
    ids = _seed(cat)
    rt = Notifier(notify_settings(tmp_path, cat.url, smtp, hook), cat, "scheduler")
    report = run_pass(rt)
    assert report.items == 2 and report.failed == 0 and report.sent == report.planned == 8

    # overdue, held by nobody: the unit's verifiers, in Vietnamese, document, field and link named
    [lan] = smtp.to("lan@donvi.example")
    assert lan["To"] == "lan@donvi.example" and lan["From"] == "sohoa@donvi.example"
    assert lan["Subject"] == f"[sohoa] Quá hạn xử lý: {SOURCE} — Thời hạn (tháng)"
    body = lan.get_content()
    assert "Kính gửi Trần Thị Lan" in body and "QUÁ HẠN" in body
    assert SOURCE in body and "D" + "1" * 23 in body and "penalty_months" in body
    assert f"https://sohoa.donvi.example/ui/items/{ids['overdue']}" in body
    assert "24 giờ" in body and "Điều 8 khoản 5" in body  # the legal basis of a judgment's deadline
    # the due-soon item is held by minh: he alone is told of it, and he gets the overdue one too
    minh = smtp.to("minh@donvi.example")
    assert sorted(m["Subject"].split(":")[0] for m in minh) == ["[sohoa] Quá hạn xử lý", "[sohoa] Sắp đến hạn xử lý"]
    soon_mail = next(m for m in minh if "Sắp đến hạn" in m["Subject"])
    assert "Ngày ban hành" in soon_mail["Subject"] and "sắp đến hạn" in soon_mail.get_content()
    assert f"/ui/items/{ids['soon']}" in soon_mail.get_content() and "lan@donvi.example" not in soon_mail["To"]
    # escalation: the head of unit, not every approver, not another unit
    [head] = smtp.to("truong@donvi.example")
    assert "Báo cáo lãnh đạo đơn vị" in head["Subject"] and "Kính gửi Nguyễn Văn Trưởng" in head.get_content()
    assert not smtp.to("hung@donvi.example") and not smtp.to("khac@khac.example")
    assert len(smtp.mails) == 4

    # webhooks: one per item and stage, each signed with the shared secret
    events = sorted((json.loads(h.body)["event"], json.loads(h.body)["item"]["id"]) for h in hook.hooks)
    assert events == sorted([("review_item.overdue", ids["overdue"]), ("review_item.escalated", ids["overdue"]),
                             ("review_item.due_soon", ids["soon"])])
    for h in hook.hooks:
        assert verify("bí mật chung", h.headers[TIMESTAMP_HEADER.lower()], h.body, h.headers[SIGNATURE_HEADER.lower()])
        assert not verify("another secret", h.headers[TIMESTAMP_HEADER.lower()], h.body,
                          h.headers[SIGNATURE_HEADER.lower()])
    with cat.session() as s:
        notice = s.scalars(select(Notice).where(Notice.kind == "deadline.overdue")).one()
        assert SOURCE in notice.text and f"/ui/items/{ids['overdue']}" in notice.text
        sent = s.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "notify.email"))
        assert sent == 4  # lan, minh (2), truong: one audit event per item, stage and recipient
        assert not verify_audit_chain(s)

    # the second pass sends nothing new
    again = run_pass(rt)
    assert (again.planned, again.sent, again.failed) == (0, 0, 0)
    assert len(smtp.mails) == 4 and len(hook.hooks) == 3


def test_smtp_down_no_crash_sent_next_pass_once(tmp_path, servers):
    smtp, hook = servers
    cat = Catalogue(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    try:
        _seed(cat)
        settings = notify_settings(tmp_path, cat.url, smtp, hook)
        smtp.stop()  # the mail server is away
        report = run_pass(Notifier(settings, cat))
        assert report.sent == 4 and report.failed >= 1  # the webhooks and the in-app notice went out
        assert report.waiting + report.failed == 4 and "email" in report.errors[0]  # tried once, then left
        assert len(hook.hooks) == 3 and not smtp.mails
        with cat.session() as s:
            failed = s.scalars(select(Notification).where(Notification.channel == "email")).all()
            assert {n.status for n in failed} <= {"failed", "pending"} and any(n.last_error for n in failed)
        smtp.start()  # back: the CLI's pass (the same one the beat entry runs) makes it good
        env = {"SOHOA_DB_URL": cat.url, "SOHOA_SMTP_HOST": "127.0.0.1", "SOHOA_SMTP_PORT": str(smtp.port),
               "SOHOA_SMTP_SECURITY": "none", "SOHOA_MAIL_FROM": "sohoa@donvi.example",
               "SOHOA_WEBHOOK_URL": hook.url, "SOHOA_WEBHOOK_SECRET": "bí mật chung",
               "SOHOA_UI_PUBLIC_URL": "https://sohoa.donvi.example"}
        out = json.loads(run_sohoa(tmp_path / "home", "notify", env=env).stdout)
        assert out["sent"] == 4 and out["failed"] == 0 and out["planned"] == 0
        assert sorted(a for m in smtp.mails for a in m.rcpt) == sorted(
            ["lan@donvi.example", "minh@donvi.example", "minh@donvi.example", "truong@donvi.example"])
        again = run_pass(Notifier(settings, cat))
        assert again.sent == 0 and len(smtp.mails) == 4 and len(hook.hooks) == 3  # never twice
        run_sohoa(tmp_path / "home", "notify", "contact", "khac", "--email", "khac@donvi.example", "--unit",
                  UNIT, env=env)
        again = run_pass(Notifier(settings, cat))
        assert again.sent == 1 and smtp.to("khac@donvi.example")  # a verifier the unit gained is told too
    finally:
        cat.dispose()


def test_items_made_by_the_reconciler_carry_the_legal_due_time(tmp_path):
    """reconciler.queue_items uses reconciler/deadlines.py: an expungement's item is due after one
    working day of office time, a judgment's after 24 h (moved off a day off)."""
    from sohoa.archive.models import Document, ReviewItem
    from sohoa.core.worktime import WorkCalendar
    from sohoa.reconciler import reconcile
    from sohoa.reconciler.deadlines import EXECUTION_24H, JUDICIAL_RECORD_1WD, due_at

    cat = Catalogue(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    try:
        with cat.session() as s:
            document(s, "E" + "1" * 23, "xoa-an-tich.pdf", doc_type="certificate")
            document(s, "J" + "1" * 23, "ban-an.pdf")
            reconcile(s, s.get(Document, "E" + "1" * 23),
                      {"decision_kind": ("expunge", 0.99), "document_number": ("12/GCN", 0.5)}, 0.9)
            reconcile(s, s.get(Document, "J" + "1" * 23), {"document_number": ("125/2024/HS-ST", 0.5)}, 0.9)
            cal = WorkCalendar()
            for doc_id, basis in (("E" + "1" * 23, JUDICIAL_RECORD_1WD), ("J" + "1" * 23, EXECUTION_24H)):
                items = s.scalars(select(ReviewItem).where(ReviewItem.document_id == doc_id)).all()
                assert items and all(aware(i.due_at) == due_at(aware(i.created_at), basis, cal) for i in items)
                assert all(aware(i.due_at) > utcnow() for i in items)
    finally:
        cat.dispose()


def test_migration_0014_keeps_accounts_and_their_sessions(tmp_path):
    """SQLite: the account columns are added in place (a batch copy of ui_users would fail on the
    sessions that reference it), and taken off again."""
    from alembic import command
    from sohoa.archive.catalogue import alembic_config
    from sqlalchemy import create_engine, text

    url = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    engine, cfg = create_engine(url), alembic_config(url)

    def to(target: str, down: bool = False) -> None:
        with engine.begin() as conn:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            cfg.attributes["connection"] = conn
            (command.downgrade if down else command.upgrade)(cfg, target)

    to("0014-1")
    with engine.begin() as conn:
        conn.exec_driver_sql("PRAGMA foreign_keys=ON")
        conn.execute(text("INSERT INTO ui_users (id, username, role, password_hash, active, must_change_password, "
                          "created_at, created_by, failed_logins) VALUES (1, 'lan', 'verifier', '-', 1, 0, "
                          "'2026-12-01 08:00:00', 'test', 0)"))
        conn.execute(text("INSERT INTO ui_sessions (token_hash, user_id, csrf, created_at, last_seen, expires_at) "
                          "VALUES ('h', 1, 'c', '2026-12-01', '2026-12-01', '2026-12-02')"))
    to("0014")
    with engine.begin() as conn:
        assert conn.execute(text("SELECT username, email, unit, head_of_unit FROM ui_users")).all() == [
            ("lan", None, None, 0)]
    to("0014-1", down=True)
    with engine.begin() as conn:
        assert conn.execute(text("SELECT count(*) FROM ui_sessions")).scalar() == 1
    engine.dispose()


def test_beat_entry_runs_the_same_pass(tmp_path, monkeypatch, servers):
    smtp, _ = servers
    from sohoa.worker import app

    entry = app.conf.beat_schedule["deadline-notify"]
    assert entry["task"] == "notify.deadlines" and entry["schedule"].minute == set(range(0, 60, 5))
    cat = Catalogue(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    try:
        with cat.session() as s:
            account(s, "lan", "verifier", "lan@donvi.example", UNIT)
            document(s, "D" + "1" * 23, SOURCE, UNIT)
            item(s, "D" + "1" * 23, "penalty_months", timedelta(hours=-1))
        for key, value in {"SOHOA_HOME": str(tmp_path), "SOHOA_DB_URL": cat.url, "SOHOA_SMTP_HOST": "127.0.0.1",
                           "SOHOA_SMTP_PORT": str(smtp.port), "SOHOA_SMTP_SECURITY": "none"}.items():
            monkeypatch.setenv(key, value)
        out = app.tasks["notify.deadlines"]()  # what a worker runs when beat sends it
        assert out["sent"] == 2 and out["failed"] == 0  # lan's mail and the head's in-app notice
        assert [m.rcpt for m in smtp.mails] == [["lan@donvi.example"]]
    finally:
        cat.dispose()
