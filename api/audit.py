"""The API's audit trail: one hash-chained audit event per HTTP request
(archive.catalogue.audit), written by a group-commit thread before the
response leaves; the security headers every answer carries.

Routes and dependencies add to the event through `audit_context(request)`:
the account, the object, an outcome, a detail dict."""
from __future__ import annotations

import asyncio
import concurrent.futures
import json
import logging
import queue
import re
import threading
import time
import uuid
from typing import Any, TypedDict

from fastapi import Request
from sohoa.archive.catalogue import audit
from sohoa.core.runtime import Runtime
from starlette.types import ASGIApp, Message, Receive, Scope, Send

log = logging.getLogger("sohoa.api")

_TOKEN_LIKE = re.compile(r"sohoa_[A-Za-z0-9_\-]{8,}")
_audit_lock = threading.Lock()
SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"),
                    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
                    (b"referrer-policy", b"no-referrer")]
_SECURITY_NAMES = {k for k, _ in SECURITY_HEADERS}

Event = tuple[str, str, str, str, dict[str, Any]]  # account, action, object, outcome, detail


class AuditContext(TypedDict, total=False):
    """What a request's handling tells its audit event (all optional)."""
    account: str
    object: str
    outcome: str
    detail: dict[str, Any]


def audit_context(request: Request) -> AuditContext:
    ctx: AuditContext = request.scope.setdefault("sohoa.audit", {})
    return ctx


def clean(value: object, limit: int = 200) -> str:
    """Caller-supplied text fit for the audit log and a terminal: bounded, no control
    characters, nothing that looks like a token."""
    s = _TOKEN_LIKE.sub("sohoa_[redacted]", str(value))
    s = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in s[:limit])
    return s + ("…" if len(str(value)) > limit else "")


def write_audit(rt: Runtime, account: str, action: str, obj: str, outcome: str, detail: dict[str, Any]) -> None:
    """One audit event, now (archive.catalogue.audit serialises appends across processes)."""
    _append(rt, [(account, action, obj, outcome, detail)])


def _append(rt: Runtime, events: list[Event]) -> None:
    with _audit_lock, rt.catalogue.session() as s:
        for account, action, obj, outcome, detail in events:
            audit(s, account, action, obj, outcome, **detail)


class AuditWriter:
    """Group commit for the audit log: requests hand their event to one writer thread,
    which appends everything waiting in one transaction and then releases the
    requests (each still waits until its event is committed). One commit (one
    fsync) per group instead of per request."""

    MAX_GROUP = 256

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.queue: queue.SimpleQueue[tuple[Event, concurrent.futures.Future[None]]] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def submit(self, account: str, action: str, obj: str, outcome: str,
               detail: dict[str, Any]) -> concurrent.futures.Future[None]:
        fut: concurrent.futures.Future[None] = concurrent.futures.Future()
        if self._thread is None:
            with self._start_lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="sohoa-audit", daemon=True)
                    self._thread.start()
        self.queue.put(((account, action, obj, outcome, detail), fut))
        return fut

    def _run(self) -> None:
        while True:
            group = [self.queue.get()]
            while len(group) < self.MAX_GROUP:
                try:
                    group.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            try:
                _append(self.rt, [ev for ev, _ in group])
                for _, fut in group:
                    fut.set_result(None)
            except Exception:  # one bad event must not fail the others: one by one
                for ev, fut in group:
                    try:
                        _append(self.rt, [ev])
                        fut.set_result(None)
                    except Exception as exc:
                        fut.set_exception(exc)


def outcome_of(status: int) -> str:
    if status < 400:
        return "ok"
    if status in (401, 403):
        return "refused"
    if status == 404:
        return "not_found"
    if status < 500:
        return "invalid"
    return "error"


class AuditMiddleware:
    """Writes one audit event per HTTP request, when the response starts (before any
    of its body leaves). No event, no data: a failed write turns the answer into 503."""

    def __init__(self, app: ASGIApp, runtime: Runtime) -> None:
        self.app = app
        self.rt = runtime
        self.writer = AuditWriter(runtime)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        request_id = uuid.uuid4().hex
        ctx: AuditContext = scope.setdefault("sohoa.audit", {})
        state = {"started": False, "dropped": False}

        async def record(status: int) -> bool:
            route = scope.get("route")
            action = "api." + (getattr(route, "name", None) or "request") if route else "api.request"
            params = scope.get("path_params") or {}
            obj = ctx.get("object") or params.get("document_id") or scope.get("path", "")
            account = ctx.get("account") or "anonymous"
            outcome = ctx.get("outcome") or outcome_of(status)
            detail: dict[str, Any] = {"method": scope.get("method"), "status": status, "request_id": request_id,
                                      "client": (scope.get("client") or ("?",))[0]}
            if not route:
                detail["path"] = clean(scope.get("path", ""))
            detail.update(ctx.get("detail") or {})
            try:
                await asyncio.wrap_future(self.writer.submit(clean(account, 200), action[:64], clean(obj),
                                                             outcome, detail))
            except Exception as exc:
                log.error("audit event not written: %s", type(exc).__name__,
                          extra={"request_id": request_id, "error": clean(exc, 300)})
                return False
            log.info("%s %s %s", scope.get("method"), getattr(route, "path", "?"), status,
                     extra={"request_id": request_id, "account": clean(account),
                            "action": action, "outcome": outcome, "status": status,
                            "document_id": clean(params["document_id"]) if route and "document_id" in params else None,
                            "duration_ms": round((time.perf_counter() - t0) * 1000, 1)})
            return True

        async def audited_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                if not await record(message["status"]):
                    state["dropped"] = True
                    body = json.dumps({"detail": "audit log unavailable; request not served"}).encode()
                    await send({"type": "http.response.start", "status": 503,
                                "headers": [(b"content-type", b"application/json"),
                                            (b"content-length", str(len(body)).encode())]})
                    await send({"type": "http.response.body", "body": body})
                    return
                state["started"] = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _SECURITY_NAMES]
                if not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers + SECURITY_HEADERS + [(b"x-request-id", request_id.encode())]
            elif state["dropped"]:
                return
            await send(message)

        try:
            await self.app(scope, receive, audited_send)
        except Exception:
            if not state["started"] and not state["dropped"]:
                ctx.setdefault("outcome", "error")
                await record(500)
            raise
