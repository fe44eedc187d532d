"""Signing in and out, the own password change, the start page."""
from __future__ import annotations

import secrets

import anyio.to_thread
from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sohoa.archive.catalogue import audit
from sohoa.ui import auth
from sohoa.ui import login as login_guard
from sohoa.ui.web import COOKIE, LOGIN_COOKIE, PasswordForm, PasswordUser, User, WorkbenchDep
from starlette.concurrency import run_in_threadpool

router = APIRouter()


def printable(text: str, limit: int) -> str:
    """`text` fit for a database column and a terminal: control characters escaped, bounded."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in text)[:limit]


@router.get("/")
def root() -> RedirectResponse:
    return RedirectResponse("/ui/", status_code=303)


@router.get("/ui/login", response_class=HTMLResponse)
def login_form(wb: WorkbenchDep, next: str = "/ui/") -> HTMLResponse:
    token = secrets.token_urlsafe(24)
    resp = wb.page("login.html", None, login_csrf=token, next=next)
    wb.set_cookie(resp, LOGIN_COOKIE, token, max_age=1800)
    return resp


@router.post("/ui/login")
async def login(request: Request, wb: WorkbenchDep) -> Response:
    """The password check runs in the workbench's small hashing pool, the database steps in the
    thread pool: a flood of logins never blocks the event loop (ui/login.py)."""
    form = await request.form()
    pre = request.cookies.get(LOGIN_COOKIE)
    given = form.get("csrf")
    if not pre or not auth.csrf_ok(pre, given if isinstance(given, str) else None):
        raise HTTPException(403, "CSRF token missing or wrong — reload the login page")
    name, password = str(form.get("username", "")).strip().lower(), str(form.get("password", ""))
    # a name no account can have (too long, a NUL, a control character) or a password longer than
    # any: wrong, without spending a check on it; the name kept printable for the counts and the log
    impossible = not auth.USERNAME_RE.match(name) or len(password) > auth.MAX_PASSWORD
    attempt = login_guard.Attempt(printable(name, 64),
                                  printable((request.client.host if request.client else None) or "?", 64))
    nxt = str(form.get("next") or "/ui/")
    if not nxt.startswith("/ui/") or nxt.startswith("//"):
        nxt = "/ui/"
    policy = login_guard.LoginPolicy.from_settings(wb.rt.settings)

    def step_precheck() -> str:
        with wb.session() as s:
            return login_guard.precheck(s, attempt, policy)

    stored = await run_in_threadpool(step_precheck)
    result: login_guard.Granted | str = stored
    if stored not in (login_guard.THROTTLED, login_guard.LOCKED):
        ok, rehash = False, None
        if not impossible:
            ok, rehash = await anyio.to_thread.run_sync(login_guard.verify, auth.hasher(), stored, password,
                                                        limiter=request.app.state.hash_limiter)

        def step_record() -> login_guard.Granted | str:
            with wb.session() as s:
                return login_guard.record(s, attempt, ok, rehash, policy)

        result = await run_in_threadpool(step_record)
    if not isinstance(result, login_guard.Granted):
        token2 = secrets.token_urlsafe(24)
        if result == "wrong":
            page = wb.page("login.html", None, status=401, login_csrf=token2, next=nxt,
                           error="Sai tên đăng nhập hoặc mật khẩu — wrong username or password")
        else:
            page = wb.page("login.html", None, status=429, login_csrf=token2, next=nxt,
                           error="Tạm khóa do đăng nhập sai nhiều lần — too many failed logins: try again "
                                 "later, or ask an administrator to unlock the account")
            page.headers["Retry-After"] = str(policy.window_minutes * 60)
        wb.set_cookie(page, LOGIN_COOKIE, token2, max_age=1800)
        return page
    resp = RedirectResponse("/ui/password" if result.must_change_password else nxt, status_code=303)
    wb.set_cookie(resp, COOKIE, result.token)
    resp.delete_cookie(LOGIN_COOKIE, path="/ui")
    return resp


@router.post("/ui/logout")
def logout(request: Request, wb: WorkbenchDep, user: PasswordUser, form: PasswordForm) -> Response:
    with wb.session() as s:
        auth.close_session(s, request.cookies.get(COOKIE))
        audit(s, f"ui:{user.username}", "ui.logout", "ui")
    resp = RedirectResponse("/ui/login", status_code=303)
    resp.delete_cookie(COOKIE, path="/ui")
    return resp


@router.get("/ui/password", response_class=HTMLResponse)
def password_form(wb: WorkbenchDep, user: PasswordUser) -> HTMLResponse:
    return wb.page("password.html", user)


@router.post("/ui/password")
def password_change(request: Request, wb: WorkbenchDep, user: PasswordUser, form: PasswordForm) -> Response:
    new = form.get("new_password", "")
    try:
        if new != form.get("confirm", ""):
            raise auth.UserError("Hai mật khẩu mới không khớp — the new passwords differ")
        with wb.session() as s:
            auth.change_password(s, user.id, form.get("current", ""), new,
                                 keep_token=request.cookies.get(COOKIE))
    except auth.UserError as exc:
        with wb.session() as s:
            audit(s, f"ui:{user.username}", "ui.user.change_password", user.username, outcome="refused")
        return wb.page("password.html", user, status=400, error=str(exc))
    return wb.back("/ui/", "Đã đổi mật khẩu — password changed")


@router.get("/ui/")
def home(user: User) -> RedirectResponse:
    return RedirectResponse("/ui/queue" if user.can("view") else "/ui/batches", status_code=303)
