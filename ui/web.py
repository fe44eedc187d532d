"""What every page of the workbench shares: cookies, the page renderer, and the
FastAPI dependencies the routers (ui/routes/) declare instead of repeating a
preamble:

    rt: RuntimeDep            the runtime (app.state.runtime)
    wb: WorkbenchDep          page rendering, flash redirects, cookies
    user: User                signed in (else to the login page; after an admin's
                              reset, to the password page)
    form: Form                a POST's form, its CSRF token checked (403 and an audit
                              event when missing or wrong)
    user: Viewer | Verifier | Approver | Admin           GET: signed in, with the permission
    user: VerifierPost | ApproverPost | AdminPost       POST: signed in, CSRF, then the permission

The order is the one each route used to spell out: malformed path or query
parameters (422) first, then the login, then the CSRF token, then the role."""
from __future__ import annotations

import json
import urllib.parse
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Annotated, Callable, Coroutine

from fastapi import Depends, HTTPException, Request
from fastapi.dependencies.utils import request_params_to_args
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from jinja2 import DictLoader, Environment, select_autoescape
from sohoa.archive.catalogue import audit
from sohoa.archive.models import ReviewItem
from sohoa.core.runtime import Runtime
from sohoa.ui import auth, notices, workflow
from sohoa.ui.auth import CurrentUser
from sohoa.ui.models import Correction, ItemState
from sohoa.ui.templates import TEMPLATES
from sqlalchemy import func, select
from sqlalchemy.orm import Session

COOKIE = "sohoa_ui"
LOGIN_COOKIE = "sohoa_ui_login"
FLASH_COOKIE = "sohoa_ui_flash"
VN = timezone(timedelta(hours=7))
KIND_LABELS = {"discrepancy": "Sai khác", "low_confidence": "Độ tin cậy thấp", "missing": "Thiếu trường",
               "unmatched": "Chưa khớp", "conflict": "Xung đột với quyết định", "split": "Tách văn bản"}
DB_INT_MIN, DB_INT_MAX = -(2 ** 31), 2 ** 31 - 1  # the catalogue's INTEGER columns (PostgreSQL int4)
CSP = ("default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'; "
       "frame-ancestors 'none'; form-action 'self'; base-uri 'none'")


class LoginRequired(Exception):
    pass


class PasswordChangeRequired(Exception):
    pass


def vn(dt: datetime | None) -> str:
    return workflow.aware(dt).astimezone(VN).strftime("%Y-%m-%d %H:%M") if dt else "—"


def span(td: timedelta) -> str:
    mins = int(abs(td.total_seconds()) // 60)
    return f"{mins // 60} giờ {mins % 60:02d} phút"


def _pretty(v: object) -> str:
    return json.dumps(v, ensure_ascii=False, indent=1)


ENV = Environment(loader=DictLoader(TEMPLATES), autoescape=select_autoescape(default=True))
ENV.globals.update(show=workflow.show, vn=vn, pretty=_pretty, describe=workflow.describe)


# --- the runtime and the page renderer --------------------------------------------------

def get_runtime(request: Request) -> Runtime:
    rt: Runtime = request.app.state.runtime
    return rt


RuntimeDep = Annotated[Runtime, Depends(get_runtime)]


@dataclass
class Workbench:
    """One request's view of the workbench: renders pages, redirects with a flash message."""
    request: Request
    rt: Runtime

    def session(self) -> AbstractContextManager[Session]:
        # a decision's verification record is sealed and stored once its transaction committed
        from sohoa.ui.verification import sealing_session

        return sealing_session(self.rt)

    @property
    def threshold(self) -> float:
        return self.rt.settings.review_threshold

    @property
    def registry_confirms(self) -> bool:
        return self.rt.settings.registry_confirms

    def set_cookie(self, resp: Response, name: str, value: str, max_age: int | None = None) -> None:
        secure = bool(self.request.app.state.secure_cookies) or self.request.url.scheme == "https"
        resp.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict", secure=secure, path="/ui")

    def page(self, name: str, user: CurrentUser | None, status: int = 200, error: str | None = None,
             **ctx: object) -> HTMLResponse:
        flash = self.request.cookies.get(FLASH_COOKIE)
        pending_count = escalated_count = notice_count = 0
        if user is not None and user.can("view") and not user.must_change_password:
            with self.session() as s:
                pending_count = s.scalar(select(func.count()).select_from(Correction)
                                         .where(Correction.status == "pending")) or 0
                if user.can("approve"):
                    escalated_count = s.scalar(select(func.count()).select_from(ItemState).join(
                        ReviewItem, ReviewItem.id == ItemState.review_item_id).where(
                        ItemState.escalated_at.is_not(None), ReviewItem.status == "open")) or 0
                    notice_count = notices.open_count(s)
        html = ENV.get_template(name).render(user=user, flash=urllib.parse.unquote(flash) if flash else None,
                                             error=error, pending_count=pending_count,
                                             escalated_count=escalated_count, notice_count=notice_count, **ctx)
        resp = HTMLResponse(html, status_code=status)
        if flash:
            resp.delete_cookie(FLASH_COOKIE, path="/ui")
        return resp

    def back(self, url: str, message: str) -> RedirectResponse:
        """Redirect (303) to `url`, which shows `message` once."""
        resp = RedirectResponse(url, status_code=303)
        self.set_cookie(resp, FLASH_COOKIE, urllib.parse.quote(message), max_age=60)
        return resp


def get_workbench(request: Request, rt: RuntimeDep) -> Workbench:
    return Workbench(request, rt)


WorkbenchDep = Annotated[Workbench, Depends(get_workbench)]


# --- who is asking ---------------------------------------------------------------------------

def params_valid(request: Request) -> None:
    """Malformed path or query parameters answer 422 before the login is looked at (FastAPI
    checks a route's own parameters only after its dependencies; the routes used to check
    the login in their bodies)."""
    route = request.scope.get("route")
    if isinstance(route, APIRoute):
        path_values, path_errors = request_params_to_args(route.dependant.path_params, request.path_params)
        query_values, query_errors = request_params_to_args(route.dependant.query_params, request.query_params)
        if path_errors or query_errors:
            raise RequestValidationError(path_errors + query_errors)
        # An id beyond the database's integers names nothing (SQLite overflowed into a 500, PostgreSQL's
        # INTEGER is 32 bits): not found.
        if any(isinstance(v, int) and not isinstance(v, bool) and not DB_INT_MIN <= v <= DB_INT_MAX
               for v in (*path_values.values(), *query_values.values())):
            raise HTTPException(404)
        # nor does a name with a NUL character (PostgreSQL refuses it in text: the query failed, a 500)
        if any(isinstance(v, str) and "\x00" in v for v in path_values.values()):
            raise HTTPException(404)
        if any(isinstance(v, str) and "\x00" in v for v in query_values.values()):
            raise HTTPException(422, "a NUL character in a parameter")


def _signed_in(request: Request, rt: Runtime, password_page: bool) -> CurrentUser:
    with rt.catalogue.session() as s:
        user = auth.session_user(s, request.cookies.get(COOKIE))
    if user is None:
        raise LoginRequired()
    if user.must_change_password and not password_page:
        raise PasswordChangeRequired()
    return user


def get_user(request: Request, rt: RuntimeDep, _: None = Depends(params_valid)) -> CurrentUser:
    """The signed-in user; after an admin's reset, only the password page (and logout) until changed."""
    return _signed_in(request, rt, password_page=False)


def get_password_user(request: Request, rt: RuntimeDep, _: None = Depends(params_valid)) -> CurrentUser:
    """The signed-in user, also while a password change is pending."""
    return _signed_in(request, rt, password_page=True)


User = Annotated[CurrentUser, Depends(get_user)]
PasswordUser = Annotated[CurrentUser, Depends(get_password_user)]


async def _checked_form(request: Request, rt: Runtime, user: CurrentUser) -> dict[str, str]:
    form = await request.form()
    given = form.get("csrf")
    if not auth.csrf_ok(user.csrf, given if isinstance(given, str) else None):
        with rt.catalogue.session() as s:
            audit(s, f"ui:{user.username}", "ui.csrf", request.url.path, outcome="refused")
        raise HTTPException(403, "CSRF token missing or wrong — reload the page")
    fields = {k: str(v) for k, v in form.items()}
    if any("\x00" in k or "\x00" in v for k, v in fields.items()):  # no text column takes it (PostgreSQL)
        raise HTTPException(400, "Ký tự NUL không hợp lệ — a NUL character in the form")
    return fields


async def get_form(request: Request, rt: RuntimeDep, user: User) -> dict[str, str]:
    """The POSTed form of a signed-in user, its CSRF token checked."""
    return await _checked_form(request, rt, user)


async def get_password_form(request: Request, rt: RuntimeDep, user: PasswordUser) -> dict[str, str]:
    """As get_form, also while a password change is pending (the password page, logout)."""
    return await _checked_form(request, rt, user)


Form = Annotated[dict[str, str], Depends(get_form)]
PasswordForm = Annotated[dict[str, str], Depends(get_password_form)]


def _need(user: CurrentUser, what: str) -> None:
    if not user.can(what):
        raise HTTPException(403, "Không có quyền — not allowed for your role")


def may(what: str) -> Callable[[CurrentUser], CurrentUser]:
    """A dependency: the signed-in user, who must hold the permission `what` (else 403)."""

    def dependency(user: User) -> CurrentUser:
        _need(user, what)
        return user

    return dependency


def may_post(what: str) -> Callable[[CurrentUser, dict[str, str]], Coroutine[None, None, CurrentUser]]:
    """A dependency for a POST: the signed-in user, the form's CSRF token checked, then the permission."""

    async def dependency(user: User, form: Form) -> CurrentUser:
        _need(user, what)
        return user

    return dependency


Viewer = Annotated[CurrentUser, Depends(may("view"))]
Approver = Annotated[CurrentUser, Depends(may("approve"))]
Admin = Annotated[CurrentUser, Depends(may("admin"))]
VerifierPost = Annotated[CurrentUser, Depends(may_post("verify"))]
ApproverPost = Annotated[CurrentUser, Depends(may_post("approve"))]
AdminPost = Annotated[CurrentUser, Depends(may_post("admin"))]
