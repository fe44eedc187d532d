"""The verifier workbench (FastAPI, server-rendered): `sohoa ui`.

    app = create_ui_app(build_runtime(settings, need_signer=False, actor="ui"))

Pages under /ui: login, password (own change; forced after an admin's reset),
queue (filters done in SQL, ui/queue.py; age, time left to the 24 h deadline,
overdue highlighted), item (crop of the field on the signed page, the values,
take/release, accept/keep/correct/escalate, link/create for unmatched
documents), documents (the page beside its persons, side by side; a person
missing or two mixed up, proposed for approval), persons (a person's
timeline), approvals (two-person rule), escalations (approvers: resolve or
send back), records (data, history, CSV/JSON export, follow-up), batches,
users (admin: create, disable/enable, reset password).

The routes live in ui/routes/, one APIRouter per concern; what they share --
the runtime, the signed-in user, the CSRF-checked form, the permission
checks, the page renderer -- are FastAPI dependencies in ui/web.py.

Security: Argon2id password hashes; a random session token in an HttpOnly,
SameSite=Strict cookie (Secure over HTTPS or with secure_cookies), stored
hashed, idle and absolute expiry; a per-session CSRF token in a hidden field,
checked on every POST (the login form has its own pre-session token); a strict
Content-Security-Policy (no inline script), no framing. Every action is an
event of the hash-chained audit log.
"""
from __future__ import annotations

import urllib.parse
from typing import Awaitable, Callable

import anyio
import sohoa.ui.models  # noqa: F401
from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from sohoa.core.runtime import Runtime
from sohoa.ui.routes import (
    batches,
    corrections,
    documents,
    escalations,
    items,
    notices,
    persons,
    queue,
    records,
    review,
    session,
    splits,
    static,
    stats,
    users,
)
from sohoa.ui.web import CSP, LoginRequired, PasswordChangeRequired, span, vn

__all__ = ["LoginRequired", "PasswordChangeRequired", "create_ui_app", "span", "vn"]

HASH_THREADS = 2
ROUTERS = (static, session, queue, items, documents, corrections, escalations, notices, records, persons, batches,
           stats, users, review, splits)


async def _headers(request: Request, call_next: Callable[[Request], Awaitable[Response]]) -> Response:
    resp = await call_next(request)
    resp.headers.setdefault("Content-Security-Policy", CSP)
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["X-Frame-Options"] = "DENY"
    resp.headers["Referrer-Policy"] = "same-origin"
    resp.headers.setdefault("Cache-Control", "no-store")
    return resp


async def _must_change(request: Request, exc: Exception) -> Response:
    return RedirectResponse("/ui/password", status_code=303)


async def _login(request: Request, exc: Exception) -> Response:
    nxt = urllib.parse.quote(request.url.path if request.method == "GET" else "/ui/")
    return RedirectResponse(f"/ui/login?next={nxt}", status_code=303)


def create_ui_app(runtime: Runtime, secure_cookies: bool = False) -> FastAPI:
    app = FastAPI(title="sohoa verifier workbench", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.runtime = runtime
    app.state.secure_cookies = secure_cookies or runtime.settings.secure_cookies
    # Argon2 checks, two at a time off the event loop: a login flood queues here, not in the
    # thread pool every other request needs (ui/routes/session.py).
    app.state.hash_limiter = anyio.CapacityLimiter(HASH_THREADS)
    app.middleware("http")(_headers)
    app.add_exception_handler(PasswordChangeRequired, _must_change)
    app.add_exception_handler(LoginRequired, _login)
    for module in ROUTERS:
        app.include_router(module.router)
    return app
