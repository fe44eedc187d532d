"""Hostile inputs to the deadline notifications (ui/deadline_alerts.py, ui/mailer.py, ui/webhook.py):
CR/LF in a document's source name or a field name cannot add mail headers or recipients; an
account address with a line break is not used; a webhook URL of another scheme reads nothing;
a huge webhook answer is cut, not waited for; an unsigned webhook is refused."""
from __future__ import annotations

import time
from dataclasses import replace
from datetime import timedelta

import pytest
import sohoa.ui.models  # noqa: F401
from notify_servers import HookSink, SmtpSink, account, document, item, notify_settings
from sohoa.archive.catalogue import Catalogue
from sohoa.archive.models import Notification
from sohoa.ui.deadline_alerts import Notifier, run_pass
from sohoa.ui.mailer import compose, one_line, valid_address
from sohoa.ui.webhook import RESPONSE_LIMIT
from sqlalchemy import select

UNIT = "Phòng Hồ sơ"


@pytest.fixture
def cat(tmp_path):
    c = Catalogue(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    yield c
    c.dispose()


@pytest.fixture
def smtp():
    sink = SmtpSink().start()
    yield sink
    sink.stop()


def test_crlf_in_source_name_and_field_adds_no_header_or_recipient(cat, smtp, tmp_path):
    evil_source = "scan.pdf\r\nBcc: thief@evil.example\r\nX-Injected: yes\r\n\r\nforged body"
    with cat.session() as s:
        account(s, "lan", "verifier", "lan@donvi.example", UNIT)
        account(s, "crlf", "verifier", "a@donvi.example\r\nBcc: thief@evil.example", UNIT)  # never used
        document(s, "D" + "1" * 23, evil_source, UNIT)
        item(s, "D" + "1" * 23, "issuer\nCc: thief@evil.example", timedelta(hours=-1))
    report = run_pass(Notifier(notify_settings(tmp_path, cat.url, smtp, None), cat))
    assert report.failed == 0 and report.sent >= 1
    assert {r for m in smtp.mails for r in m.rcpt} == {"lan@donvi.example"}  # the approver-less escalation: none
    [mail] = smtp.to("lan@donvi.example")
    assert mail["Bcc"] is None and mail["Cc"] is None and mail["X-Injected"] is None
    assert "\n" not in mail["Subject"] and "\r" not in mail["Subject"]
    assert mail["Subject"].startswith("[sohoa] Quá hạn xử lý: scan.pdf Bcc: thief@evil.example X-Injected: yes")
    body = mail.get_content()
    assert "forged body" in body and "\nBcc:" not in body  # named, flattened into the item's line


def test_one_line_and_addresses():
    assert one_line("a\r\nb\x00c\u2028d\te", 50) == "a b c d e"
    assert len(one_line("x" * 500, 100)) == 100
    for bad in ("a@b.example\r\nBcc: c@d.example", "Name <a@b.example>", "a@b.example, c@d.example", "nobody", "",
                None, "a@"):
        assert not valid_address(bad)
    assert valid_address("lan.tran@donvi.gov.vn") and valid_address("sohoa@localhost")  # the default sender
    msg = compose("s@donvi.example", "lan@donvi.example", "Quá hạn\r\nBcc: x@y.example", "nội dung")
    assert "Bcc" not in msg and msg["Subject"] == "Quá hạn Bcc: x@y.example"


@pytest.mark.parametrize("url", ["file:///etc/passwd", "gopher://127.0.0.1:70/_x", "ftp://127.0.0.1/x", "http:///x",
                                 "javascript:alert(1)"])
def test_webhook_url_of_another_scheme_reads_nothing_and_does_not_stop_mail(cat, smtp, tmp_path, url):
    with cat.session() as s:
        account(s, "lan", "verifier", "lan@donvi.example", UNIT)
        document(s, "D" + "1" * 23, "scan.pdf", UNIT)
        item(s, "D" + "1" * 23, "issuer", timedelta(hours=-1))
    settings = replace(notify_settings(tmp_path, cat.url, smtp, None), webhook_url=url, webhook_secret="k")
    report = run_pass(Notifier(settings, cat))
    assert report.failed == 1 and "not an http(s) URL" in report.errors[0]
    assert smtp.to("lan@donvi.example")  # the mail went out all the same
    with cat.session() as s:
        hooks = s.scalars(select(Notification).where(Notification.channel == "webhook")).all()
        # overdue and escalated: the first failed, the other left for the next pass (the URL is unusable)
        assert sorted(h.status for h in hooks) == ["failed", "pending"]
        assert all("root:" not in (h.last_error or "") for h in hooks)


def test_huge_webhook_answer_is_cut_and_unsigned_is_refused(cat, tmp_path):
    sink = HookSink(answer=200 * 1024 * 1024).start()  # 200 MiB announced and streamed
    try:
        with cat.session() as s:
            document(s, "D" + "1" * 23, "scan.pdf", UNIT)
            item(s, "D" + "1" * 23, "issuer", timedelta(hours=1))
        unsigned = replace(notify_settings(tmp_path, cat.url, None, sink), webhook_secret="")
        report = run_pass(Notifier(unsigned, cat))
        assert report.failed == 1 and "refusing to send unsigned" in report.errors[0] and not sink.hooks
        started = time.monotonic()
        report = run_pass(Notifier(notify_settings(tmp_path, cat.url, None, sink), cat))
        took = time.monotonic() - started
        assert report.sent == 1 and report.failed == 0 and len(sink.hooks) == 1
        time.sleep(0.2)  # the server thread notices the hang-up
        # the client read RESPONSE_LIMIT and hung up: what the server got out is that plus socket buffers
        assert sink.written < 32 * 1024 * 1024, f"{sink.written} bytes of a huge answer taken ({took:.1f} s)"
        assert RESPONSE_LIMIT == 64 * 1024
    finally:
        sink.stop()


def test_redirect_is_not_followed(cat, tmp_path):
    sink = HookSink(status=302).start()
    try:
        with cat.session() as s:
            document(s, "D" + "1" * 23, "scan.pdf", UNIT)
            item(s, "D" + "1" * 23, "issuer", timedelta(hours=1))
        report = run_pass(Notifier(notify_settings(tmp_path, cat.url, None, sink), cat))
        assert report.sent == 0 and report.failed == 1 and "HTTP 302" in report.errors[0]
        with cat.session() as s:
            assert s.scalars(select(Notification)).one().status == "failed"
    finally:
        sink.stop()


def test_starttls_asked_of_a_server_without_it_sends_nothing_in_clear(cat, smtp, tmp_path):
    """No downgrade: a server that does not offer STARTTLS (or a stripping middlebox) gets no mail."""
    with cat.session() as s:
        account(s, "lan", "verifier", "lan@donvi.example", UNIT)
        document(s, "D" + "1" * 23, "scan.pdf", UNIT)
        item(s, "D" + "1" * 23, "issuer", timedelta(hours=1))
    settings = replace(notify_settings(tmp_path, cat.url, smtp, None), smtp_security="starttls",
                       smtp_user="sohoa", smtp_password="mật khẩu")
    report = run_pass(Notifier(settings, cat))
    assert report.sent == 0 and report.failed == 1 and "STARTTLS" in report.errors[0].upper()
    assert not smtp.mails
    with cat.session() as s:
        assert s.scalars(select(Notification)).one().status == "failed"
