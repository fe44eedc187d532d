"""Signing in and out, the own password change, the start page."""
from __future__ import annotations

import secrets

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sohoa.archive.catalogue import audit
from sohoa.ui import auth
from sohoa.ui.web import COOKIE, LOGIN_COOKIE, PasswordForm, PasswordUser, User, WorkbenchDep

router = APIRouter()


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
    form = await request.form()
    pre = request.cookies.get(LOGIN_COOKIE)
    given = form.get("csrf")
    if not pre or not auth.csrf_ok(pre, given if isinstance(given, str) else None):
        raise HTTPException(403, "CSRF token missing or wrong — reload the login page")
    username = str(form.get("username", "")).strip().lower()[:64]
    nxt = str(form.get("next") or "/ui/")
    if not nxt.startswith("/ui/") or nxt.startswith("//"):
        nxt = "/ui/"
    with wb.session() as s:
        user = auth.check_password(s, username, str(form.get("password", "")))
        if user is None:
            audit(s, f"ui:{username}", "ui.login", "ui", outcome="refused")
        else:
            token = auth.open_session(s, user)
            audit(s, f"ui:{user.username}", "ui.login", "ui")
            if user.must_change_password:
                nxt = "/ui/password"
    if user is None:
        token2 = secrets.token_urlsafe(24)
        page = wb.page("login.html", None, status=401, login_csrf=token2, next=nxt,
                       error="Sai tên đăng nhập hoặc mật khẩu — wrong username or password")
        wb.set_cookie(page, LOGIN_COOKIE, token2, max_age=1800)
        return page
    resp = RedirectResponse(nxt, status_code=303)
    wb.set_cookie(resp, COOKIE, token)
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
