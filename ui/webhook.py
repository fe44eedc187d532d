"""A signed webhook: HTTP POST of a JSON event, signed with HMAC-SHA256 over the timestamp and
the body with a shared secret, retried with backoff. Only http(s) URLs; no redirects followed;
at most RESPONSE_LIMIT bytes of any answer read, within the timeout."""
from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx
from sohoa.core.config import Settings
from sohoa.ui.mailer import DeliveryError, one_line

SIGNATURE_HEADER = "X-Sohoa-Signature"
TIMESTAMP_HEADER = "X-Sohoa-Timestamp"
RESPONSE_LIMIT = 64 * 1024


@dataclass(frozen=True)
class WebhookConfig:
    url: str
    secret: str
    timeout: float = 5.0
    retries: int = 3

    @classmethod
    def from_settings(cls, settings: Settings) -> WebhookConfig | None:
        if not settings.webhook_url:
            return None
        return cls(settings.webhook_url, settings.webhook_secret, settings.webhook_timeout,
                   max(1, settings.webhook_retries))


def signature(secret: str, timestamp: str, body: bytes) -> str:
    """What the receiver recomputes: 'sha256=' + hex HMAC-SHA256(secret, timestamp + '.' + body)."""
    mac = hmac.new(secret.encode("utf-8"), timestamp.encode("ascii") + b"." + body, hashlib.sha256)
    return "sha256=" + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, header: str) -> bool:
    return hmac.compare_digest(signature(secret, timestamp, body), header)


def _check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise DeliveryError("webhook", one_line(url, 200), f"not an http(s) URL (scheme {parts.scheme!r})",
                            reachable=False)


def post(cfg: WebhookConfig, event: dict[str, Any], delivery_id: str,
         sleep: Callable[[float], None] = time.sleep) -> int:
    """POST the event; the HTTP status of the accepting answer (2xx). Raises DeliveryError when
    every try failed (reachable=False: connection, timeout or 5xx; True: refused with 4xx)."""
    _check_url(cfg.url)
    if not cfg.secret:
        raise DeliveryError("webhook", cfg.url, "webhook_secret is not set: refusing to send unsigned", reachable=False)
    body = json.dumps(event, ensure_ascii=False, sort_keys=True).encode("utf-8")
    reason = ""
    with httpx.Client(timeout=cfg.timeout, follow_redirects=False, trust_env=False) as client:
        for attempt in range(cfg.retries):
            if attempt:
                sleep(0.5 * 2 ** (attempt - 1))
            stamp = str(int(time.time()))
            headers = {"Content-Type": "application/json; charset=utf-8", TIMESTAMP_HEADER: stamp,
                       SIGNATURE_HEADER: signature(cfg.secret, stamp, body), "X-Sohoa-Delivery": delivery_id,
                       "X-Sohoa-Event": str(event.get("event", "")), "User-Agent": "sohoa-notify"}
            try:
                status = _send(client, cfg, body, headers)
            except (httpx.HTTPError, OSError) as exc:
                reason = f"{type(exc).__name__}: {one_line(exc, 200)}"
                continue
            if 200 <= status < 300:
                return status
            reason = f"HTTP {status}"
            if 400 <= status < 500 and status not in (408, 429):
                raise DeliveryError("webhook", cfg.url, reason)  # refused: the next pass, not now
    raise DeliveryError("webhook", cfg.url, f"{cfg.retries} tries failed, last: {reason}", reachable=False)


def _send(client: httpx.Client, cfg: WebhookConfig, body: bytes, headers: dict[str, str]) -> int:
    """One POST; reads at most RESPONSE_LIMIT bytes of the answer and no longer than the timeout
    (a huge or endless answer is cut, not waited for)."""
    deadline = time.monotonic() + cfg.timeout
    with client.stream("POST", cfg.url, content=body, headers=headers) as resp:
        seen = 0
        for chunk in resp.iter_raw(8192):
            seen += len(chunk)
            if seen >= RESPONSE_LIMIT or time.monotonic() > deadline:
                break
        return resp.status_code
