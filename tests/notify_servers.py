"""Local servers for the deadline-notification tests: an SMTP server (aiosmtpd) that keeps what
it receives, an HTTP server that keeps the webhooks it is sent, and a small catalogue to notify
about (tests/test_deadline_alerts.py, tests/security/test_notify_hostile.py)."""
from __future__ import annotations

import socket
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller
from sohoa.archive.catalogue import utcnow
from sohoa.archive.models import Batch, Document, ReviewItem
from sohoa.core.config import Settings
from sohoa.ui.models import ItemState, UiUser
from sqlalchemy.orm import Session


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Mail:
    rcpt: list[str]
    msg: EmailMessage


class _Keep:
    def __init__(self, box: list[Mail]):
        self.box = box

    async def handle_DATA(self, server, session, envelope) -> str:  # noqa: N802 (aiosmtpd's name)
        msg = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
        self.box.append(Mail(list(envelope.rcpt_tos), msg))  # type: ignore[arg-type]
        return "250 OK"


class SmtpSink:
    """An SMTP server on 127.0.0.1:port; start/stop it to play an outage."""

    def __init__(self, port: int | None = None):
        self.port = port or free_port()
        self.mails: list[Mail] = []
        self._ctl: Controller | None = None

    def start(self) -> SmtpSink:
        self._ctl = Controller(_Keep(self.mails), hostname="127.0.0.1", port=self.port)
        self._ctl.start()
        return self

    def stop(self) -> None:
        if self._ctl is not None:
            self._ctl.stop()
            self._ctl = None

    def to(self, address: str) -> list[EmailMessage]:
        return [m.msg for m in self.mails if address in m.rcpt]


@dataclass
class Hook:
    headers: dict[str, str]
    body: bytes


@dataclass
class HookSink:
    """An HTTP server keeping each POST; `answer` bytes of body (a huge answer: a big number)."""

    hooks: list[Hook] = field(default_factory=list)
    status: int = 200
    answer: int = 2
    written: int = 0  # bytes of answers the client took before it hung up
    server: ThreadingHTTPServer | None = None

    def start(self) -> HookSink:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802
                body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
                sink.hooks.append(Hook({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(sink.status)
                self.send_header("Content-Length", str(sink.answer))
                self.end_headers()
                try:
                    chunk = b"x" * 65536
                    left = sink.answer
                    while left > 0:
                        self.wfile.write(chunk[:left])
                        sink.written += min(left, len(chunk))
                        left -= len(chunk)
                except OSError:
                    pass  # the client stopped reading: as it should with a huge answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def notify_settings(home: Path, db_url: str, smtp: SmtpSink | None, hook: HookSink | None, **more: Any) -> Settings:
    return replace(Settings(), home=home, db_url=db_url, smtp_host="127.0.0.1" if smtp else "",
                   smtp_port=smtp.port if smtp else 0, smtp_security="none", smtp_timeout=3.0,
                   mail_from="sohoa@donvi.example", webhook_url=hook.url if hook else "",
                   webhook_secret="bí mật chung", webhook_timeout=2.0, webhook_retries=2,
                   ui_public_url="https://sohoa.donvi.example/", **more)


def account(s: Session, username: str, role: str, email: str | None, unit: str | None = None,
            head: bool = False, full_name: str | None = None) -> UiUser:
    user = UiUser(username=username, role=role, full_name=full_name, password_hash="-", active=True,
                  created_at=utcnow(), created_by="test", email=email, unit=unit, head_of_unit=head)
    s.add(user)
    return user


def document(s: Session, document_id: str, source: str, unit: str = "Phòng Hồ sơ", doc_type: str = "judgment") -> None:
    now = utcnow()
    batch_id = f"B-{document_id}"
    s.add(Batch(batch_id=batch_id, unit=unit, source_dir="/scans", started_at=now))
    s.add(Document(document_id=document_id, content_sha256=document_id.ljust(64, "0"), batch_id=batch_id,
                   source=source, source_kind="pdf", page_count=1, doc_type=doc_type, status="mismatch",
                   converted_at=now, created_at=now, updated_at=now))
    s.flush()


def item(s: Session, document_id: str, field_name: str, due_in: timedelta, held_by: str | None = None,
         status: str = "open", now: datetime | None = None) -> ReviewItem:
    now = now or utcnow()
    it = ReviewItem(document_id=document_id, person=0, kind="discrepancy", field=field_name,
                    document_value=30, registry_value=24, confidence=0.97, status=status,
                    created_at=now - timedelta(hours=20), due_at=now + due_in)
    s.add(it)
    s.flush()
    if held_by:
        s.add(ItemState(review_item_id=it.id, assigned_to=held_by, assigned_at=now))
    return it
