"""Accounts (admin): the list, create, disable/enable, reset a password, unlock after failed logins."""
from __future__ import annotations

from typing import Callable

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sohoa.archive.catalogue import utcnow
from sohoa.ui import auth, login
from sohoa.ui.auth import CurrentUser
from sohoa.ui.models import ROLES, UiUser
from sohoa.ui.web import Admin, AdminPost, Form, Workbench, WorkbenchDep
from sqlalchemy import select
from sqlalchemy.orm import Session

router = APIRouter()


def users_page(wb: Workbench, user: CurrentUser, error: str | None = None, status: int = 200) -> HTMLResponse:
    now = utcnow()
    with wb.session() as s:
        rows = list(s.scalars(select(UiUser).order_by(UiUser.username)))
        locked = {u.username for u in rows if login.is_locked(u, now)}
    return wb.page("users.html", user, status=status, error=error, rows=rows, roles=ROLES, locked=locked)


def _admin_action(wb: Workbench, user: CurrentUser, fn: Callable[[Session], object], message: str) -> Response:
    """Run one account change; back to the list with `message`, or the list with the refusal (400)."""
    try:
        with wb.session() as s:
            fn(s)
    except auth.UserError as exc:
        return users_page(wb, user, error=str(exc), status=400)
    return wb.back("/ui/users", message)


@router.get("/ui/users", response_class=HTMLResponse)
def users(wb: WorkbenchDep, user: Admin) -> HTMLResponse:
    return users_page(wb, user)


@router.post("/ui/users/{username}/disable")
def users_disable(wb: WorkbenchDep, user: AdminPost, username: str) -> Response:
    return _admin_action(wb, user, lambda s: auth.set_active(
        s, username, False, actor=f"ui:{user.username}", actor_username=user.username),
        f"Đã khóa {username} — account disabled, its sessions ended")


@router.post("/ui/users/{username}/enable")
def users_enable(wb: WorkbenchDep, user: AdminPost, username: str) -> Response:
    return _admin_action(wb, user, lambda s: auth.set_active(s, username, True, actor=f"ui:{user.username}"),
                         f"Đã mở khóa {username} — account enabled")


@router.post("/ui/users/{username}/reset-password")
def users_reset(wb: WorkbenchDep, user: AdminPost, form: Form, username: str) -> Response:
    return _admin_action(wb, user, lambda s: auth.reset_password(
        s, username, form.get("password", ""), actor=f"ui:{user.username}"),
        f"Đã đặt mật khẩu tạm cho {username} — temporary password set; it must be changed at next login")


@router.post("/ui/users")
def users_create(wb: WorkbenchDep, user: AdminPost, form: Form) -> Response:
    return _admin_action(wb, user, lambda s: auth.create_user(
        s, form.get("username", "").strip(), form.get("role", ""), form.get("password", ""),
        actor=f"ui:{user.username}", full_name=form.get("full_name") or None,
        must_change_password=True),  # the admin knows this password: its owner must choose their own
        "Đã tạo tài khoản — account created; its password must be changed at the first login")


@router.post("/ui/users/{username}/unlock")
def users_unlock(wb: WorkbenchDep, user: AdminPost, username: str) -> Response:
    return _admin_action(wb, user, lambda s: login.unlock(s, username, actor=f"ui:{user.username}"),
                         f"Đã mở khóa đăng nhập cho {username} — login lock lifted")
