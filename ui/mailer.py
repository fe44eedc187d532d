"""Mail over SMTP (smtplib): plain-text UTF-8 messages, STARTTLS or SSL or neither, optional
login. Header values are made safe here: whatever a document's source name or a field value
holds (CR, LF, other controls), a header gets one line of printable text."""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from typing import Any

from sohoa.core.config import Settings
from sohoa.core.errors import ConfigError, SohoaError

SECURITY = ("starttls", "ssl", "none")


class DeliveryError(SohoaError):
    """A notification could not be delivered (says over what to whom and why). `reachable`:
    False when the server itself is away, so the pass stops trying it until the next one."""

    def __init__(self, channel: str, target: str, reason: str, reachable: bool = True):
        super().__init__(f"{channel} to {target}: {reason}")
        self.channel, self.target, self.reason, self.reachable = channel, target, reason, reachable


@dataclass(frozen=True)
class SmtpConfig:
    host: str
    port: int = 587
    security: str = "starttls"
    user: str = ""
    password: str = ""
    timeout: float = 10.0
    sender: str = "sohoa@localhost"

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpConfig | None:
        """None when no SMTP host is set (mail is off)."""
        if not settings.smtp_host:
            return None
        if settings.smtp_security not in SECURITY:
            raise ConfigError(f"smtp_security must be one of {', '.join(SECURITY)}, not {settings.smtp_security!r}")
        if not valid_address(settings.mail_from):
            raise ConfigError(f"mail_from {settings.mail_from!r} is not one mail address")
        return cls(settings.smtp_host, settings.smtp_port, settings.smtp_security, settings.smtp_user,
                   settings.smtp_password, settings.smtp_timeout, settings.mail_from)


def one_line(text: Any, limit: int = 160) -> str:
    """Printable text on one line: every control character (CR, LF, TAB, NUL, U+2028 ...) and run
    of white space becomes one space; cut to `limit` characters."""
    chars = (" " if (not ch.isprintable() or ch.isspace()) else ch for ch in str(text))
    flat = " ".join("".join(chars).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def valid_address(address: str | None) -> bool:
    """One bare address, no display name, no controls: what an account's e-mail must be."""
    if not address or len(address) > 320 or one_line(address, 400) != address or " " in address:
        return False
    name, addr = parseaddr(address)
    local, _, domain = addr.rpartition("@")
    return not name and addr == address and bool(local) and bool(domain) and "@" not in local and ".." not in domain


def compose(sender: str, to: str, subject: str, body: str) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = one_line(subject, 200)
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2] or "localhost")
    msg["Auto-Submitted"] = "auto-generated"  # RFC 3834: no auto-replies to it
    msg.set_content(body, charset="utf-8")
    return msg


class SmtpSession:
    """One connection for one pass: `send` each message; a server away raises DeliveryError
    with reachable=False (the pass stops mailing), a refused message with reachable=True."""

    def __init__(self, cfg: SmtpConfig):
        self.cfg = cfg
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        cfg = self.cfg
        try:
            if cfg.security == "ssl":
                smtp: smtplib.SMTP = smtplib.SMTP_SSL(cfg.host, cfg.port, timeout=cfg.timeout,
                                                      context=ssl.create_default_context())
            else:
                smtp = smtplib.SMTP(cfg.host, cfg.port, timeout=cfg.timeout)
                if cfg.security == "starttls":
                    smtp.starttls(context=ssl.create_default_context())
            if cfg.user:
                smtp.login(cfg.user, cfg.password)
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryError("email", f"{cfg.host}:{cfg.port}", f"{type(exc).__name__}: {one_line(exc, 300)}",
                                reachable=False) from None
        return smtp

    def send(self, msg: EmailMessage) -> None:
        if self._smtp is None:
            self._smtp = self._connect()
        try:
            self._smtp.send_message(msg)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            raise DeliveryError("email", str(msg["To"]), f"{type(exc).__name__}: {one_line(exc, 300)}") from None
        except (OSError, smtplib.SMTPException) as exc:
            self._smtp = None
            raise DeliveryError("email", str(msg["To"]), f"{type(exc).__name__}: {one_line(exc, 300)}",
                                reachable=False) from None

    def close(self) -> None:
        if self._smtp is not None:
            try:
                self._smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self._smtp = None
