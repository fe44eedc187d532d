"""Unauthenticated callers are throttled (issue 17): each refused request (401) used to write
its own audit event, so a flood of bad or missing tokens wrote ~30 rows a second.

Per client address and minute: the first `per_minute` refusals are served and audited as
before (api/audit.py); after them, until the minute ends, a request that does not carry a
usable token gets 429 at once, with no audit event of its own. One event says that the
address is throttled (`api.throttle`), one more, at the address's next request after the
minute, how many requests were turned away (`api.throttled`). A caller with a valid token
is never throttled, whatever its address.

The counts live in this middleware (one per server process): with `--workers N` an address
may be refused up to N times `per_minute` before each worker throttles it.
"""
from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass

from sohoa.api.audit import SECURITY_HEADERS, write_audit
from sohoa.api.tokens import lookup
from sohoa.core.runtime import Runtime
from starlette.concurrency import run_in_threadpool
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("sohoa.api")

WINDOW_SECONDS = 60.0
MAX_ADDRESSES = 10_000  # windows kept; beyond, the ended ones are dropped


@dataclass
class Window:
    start: float
    refused: int = 0
    turned_away: int = 0


class ThrottleMiddleware:
    def __init__(self, app: ASGIApp, runtime: Runtime, per_minute: int = 30,
                 window_seconds: float = WINDOW_SECONDS) -> None:
        self.app = app
        self.rt = runtime
        self.per_minute = max(1, per_minute)  # refusals served per window
        self.window_seconds = window_seconds
        self.windows: dict[str, Window] = {}

    def _window(self, address: str, now: float) -> tuple[Window, Window | None]:
        """The address's current window, and the one that just ended (if it turned requests away)."""
        w = self.windows.get(address)
        if w is not None and now - w.start < self.window_seconds:
            return w, None
        if len(self.windows) >= MAX_ADDRESSES:
            self.windows = {a: x for a, x in self.windows.items() if now - x.start < self.window_seconds}
        self.windows[address] = fresh = Window(now)
        return fresh, w if w is not None and w.turned_away else None

    def _token_usable(self, scope: Scope) -> bool:
        auth = dict(scope.get("headers") or []).get(b"authorization", b"").decode("latin-1")
        scheme, _, secret = auth.partition(" ")
        if scheme.lower() != "bearer" or not secret.strip():
            return False
        with self.rt.catalogue.session() as s:
            info, refused = lookup(s, secret.strip())
        return info is not None and not refused

    async def _audit(self, action: str, address: str, detail: dict[str, object]) -> None:
        try:
            await run_in_threadpool(write_audit, self.rt, "anonymous", action, address, "refused",
                                    {"client": address, **detail})
        except Exception as exc:  # the throttle still holds; the log says what was not written
            log.error("throttle audit event not written: %s", type(exc).__name__, extra={"client": address})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        address = str((scope.get("client") or ("?",))[0])[:64]
        now = time.monotonic()
        w, ended = self._window(address, now)
        if ended is not None:
            await self._audit("api.throttled", address, {"turned_away": ended.turned_away,
                                                         "window_seconds": self.window_seconds})
        if w.refused >= self.per_minute and not await run_in_threadpool(self._token_usable, scope):
            w.turned_away += 1
            if w.turned_away == 1:
                await self._audit("api.throttle", address, {"refused": w.refused, "per_minute": self.per_minute})
            await self._too_many(send, int(self.window_seconds - (now - w.start)) + 1)
            return

        async def counting_send(message: Message) -> None:
            if message["type"] == "http.response.start" and message["status"] == 401:
                w.refused += 1
            await send(message)

        await self.app(scope, receive, counting_send)

    @staticmethod
    async def _too_many(send: Send, retry_after: int) -> None:
        body = json.dumps({"detail": "too many unauthenticated requests from this address; retry later"}).encode()
        await send({"type": "http.response.start", "status": 429,
                    "headers": [(b"content-type", b"application/json"),
                                (b"content-length", str(len(body)).encode()),
                                (b"retry-after", str(retry_after).encode()),
                                (b"cache-control", b"no-store"), *SECURITY_HEADERS]})
        await send({"type": "http.response.body", "body": body})
