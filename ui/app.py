"""The verifier workbench (FastAPI, server-rendered): `sohoa ui`.

    app = create_ui_app(build_runtime(settings, need_signer=False, actor="ui"))

Pages under /ui: login, password (own change; forced after an admin's reset),
queue (filters done in SQL, ui/queue.py; age, time left to the 24 h deadline,
overdue highlighted), item (crop of the field on the signed page, the values,
take/release, accept/keep/correct/escalate, link/create for unmatched
documents), approvals (two-person rule), escalations (approvers: resolve or
send back), records (data, history, CSV/JSON export, follow-up), batches,
users (admin: create, disable/enable, reset password).

Security: Argon2id password hashes; a random session token in an HttpOnly,
SameSite=Strict cookie (Secure over HTTPS or with secure_cookies), stored
hashed, idle and absolute expiry; a per-session CSRF token in a hidden field,
checked on every POST (the login form has its own pre-session token); a strict
Content-Security-Policy (no inline script), no framing. Every action is an
event of the hash-chained audit log.
"""
from __future__ import annotations

import csv
import io
import json
import secrets
import urllib.parse
from datetime import datetime, timedelta, timezone
from typing import Any

import sohoa.ui.models  # noqa: F401
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from jinja2 import DictLoader, Environment, select_autoescape
from sohoa.archive.catalogue import audit, utcnow
from sohoa.archive.models import Batch, Document, FieldValue, RegistryHistory, RegistryRecord, ReviewItem
from sohoa.ui import auth, workflow
from sohoa.ui import queue as uiqueue
from sohoa.ui.images import render, signed_ref
from sohoa.ui.models import ROLES, Correction, FollowUp, ItemState, UiUser
from sohoa.ui.templates import CSS, JS, TEMPLATES
from sqlalchemy import func, select

COOKIE = "sohoa_ui"
LOGIN_COOKIE = "sohoa_ui_login"
FLASH_COOKIE = "sohoa_ui_flash"
VN = timezone(timedelta(hours=7))
KIND_LABELS = {"discrepancy": "Sai khác", "low_confidence": "Độ tin cậy thấp", "unmatched": "Chưa khớp"}
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


def create_ui_app(runtime, secure_cookies: bool = False) -> FastAPI:
    rt = runtime
    app = FastAPI(title="sohoa verifier workbench", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.runtime = rt
    env = Environment(loader=DictLoader(TEMPLATES), autoescape=select_autoescape(default=True))
    env.globals.update(show=workflow.show, vn=vn,
                       pretty=lambda v: json.dumps(v, ensure_ascii=False, indent=1))
    threshold = rt.settings.review_threshold

    @app.middleware("http")
    async def headers(request: Request, call_next):
        resp = await call_next(request)
        resp.headers.setdefault("Content-Security-Policy", CSP)
        resp.headers["X-Content-Type-Options"] = "nosniff"
        resp.headers["X-Frame-Options"] = "DENY"
        resp.headers["Referrer-Policy"] = "same-origin"
        resp.headers.setdefault("Cache-Control", "no-store")
        return resp

    @app.exception_handler(PasswordChangeRequired)
    async def _must_change(request: Request, exc: PasswordChangeRequired):
        return RedirectResponse("/ui/password", status_code=303)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired):
        nxt = urllib.parse.quote(request.url.path if request.method == "GET" else "/ui/")
        return RedirectResponse(f"/ui/login?next={nxt}", status_code=303)

    def secure(request: Request) -> bool:
        return secure_cookies or request.url.scheme == "https"

    def set_cookie(resp: Response, request: Request, name: str, value: str, max_age: int | None = None) -> None:
        resp.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict", secure=secure(request),
                        path="/ui")

    def user_of(request: Request, password_page: bool = False) -> auth.CurrentUser:
        """The signed-in user; after an admin's reset, only the password page (and logout) until changed."""
        with rt.catalogue.session() as s:
            user = auth.session_user(s, request.cookies.get(COOKIE))
        if user is None:
            raise LoginRequired()
        if user.must_change_password and not password_page:
            raise PasswordChangeRequired()
        return user

    def need(user: auth.CurrentUser, what: str) -> None:
        if not user.can(what):
            raise HTTPException(403, "Không có quyền — not allowed for your role")

    async def form_of(request: Request, user: auth.CurrentUser) -> dict[str, str]:
        form = await request.form()
        if not auth.csrf_ok(user.csrf, form.get("csrf")):
            with rt.catalogue.session() as s:
                audit(s, f"ui:{user.username}", "ui.csrf", request.url.path, outcome="refused")
            raise HTTPException(403, "CSRF token missing or wrong — reload the page")
        return {k: str(v) for k, v in form.items()}

    def page(request: Request, name: str, user: auth.CurrentUser | None, status: int = 200,
             error: str | None = None, **ctx: Any) -> HTMLResponse:
        flash = request.cookies.get(FLASH_COOKIE)
        pending_count = escalated_count = 0
        if user is not None and user.can("view") and not user.must_change_password:
            with rt.catalogue.session() as s:
                pending_count = s.scalar(select(func.count()).select_from(Correction)
                                         .where(Correction.status == "pending"))
                if user.can("approve"):
                    escalated_count = s.scalar(select(func.count()).select_from(ItemState).join(
                        ReviewItem, ReviewItem.id == ItemState.review_item_id).where(
                        ItemState.escalated_at.is_not(None), ReviewItem.status == "open"))
        html = env.get_template(name).render(user=user, flash=urllib.parse.unquote(flash) if flash else None,
                                             error=error, pending_count=pending_count,
                                             escalated_count=escalated_count, **ctx)
        resp = HTMLResponse(html, status_code=status)
        if flash:
            resp.delete_cookie(FLASH_COOKIE, path="/ui")
        return resp

    def back(request: Request, url: str, message: str) -> RedirectResponse:
        resp = RedirectResponse(url, status_code=303)
        set_cookie(resp, request, FLASH_COOKIE, urllib.parse.quote(message), max_age=60)
        return resp

    # --- static, login, logout ------------------------------------------------------------

    @app.get("/ui/static/app.css")
    def css() -> Response:
        return Response(CSS, media_type="text/css", headers={"Cache-Control": "max-age=3600"})

    @app.get("/ui/static/app.js")
    def js() -> Response:
        return Response(JS, media_type="text/javascript", headers={"Cache-Control": "max-age=3600"})

    @app.get("/")
    def root() -> RedirectResponse:
        return RedirectResponse("/ui/", status_code=303)

    @app.get("/ui/login", response_class=HTMLResponse)
    def login_form(request: Request, next: str = "/ui/") -> HTMLResponse:
        token = secrets.token_urlsafe(24)
        resp = page(request, "login.html", None, login_csrf=token, next=next)
        set_cookie(resp, request, LOGIN_COOKIE, token, max_age=1800)
        return resp

    @app.post("/ui/login")
    async def login(request: Request) -> Response:
        form = await request.form()
        pre = request.cookies.get(LOGIN_COOKIE)
        if not pre or not auth.csrf_ok(pre, form.get("csrf")):
            raise HTTPException(403, "CSRF token missing or wrong — reload the login page")
        username = str(form.get("username", "")).strip().lower()[:64]
        nxt = str(form.get("next") or "/ui/")
        if not nxt.startswith("/ui/") or nxt.startswith("//"):
            nxt = "/ui/"
        with rt.catalogue.session() as s:
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
            resp = page(request, "login.html", None, status=401, login_csrf=token2, next=nxt,
                        error="Sai tên đăng nhập hoặc mật khẩu — wrong username or password")
            set_cookie(resp, request, LOGIN_COOKIE, token2, max_age=1800)
            return resp
        resp = RedirectResponse(nxt, status_code=303)
        set_cookie(resp, request, COOKIE, token)
        resp.delete_cookie(LOGIN_COOKIE, path="/ui")
        return resp

    @app.post("/ui/logout")
    async def logout(request: Request) -> Response:
        user = user_of(request, password_page=True)
        await form_of(request, user)
        with rt.catalogue.session() as s:
            auth.close_session(s, request.cookies.get(COOKIE))
            audit(s, f"ui:{user.username}", "ui.logout", "ui")
        resp = RedirectResponse("/ui/login", status_code=303)
        resp.delete_cookie(COOKIE, path="/ui")
        return resp

    @app.get("/ui/password", response_class=HTMLResponse)
    def password_form(request: Request) -> HTMLResponse:
        user = user_of(request, password_page=True)
        return page(request, "password.html", user)

    @app.post("/ui/password")
    async def password_change(request: Request) -> Response:
        user = user_of(request, password_page=True)
        form = await form_of(request, user)
        new = form.get("new_password", "")
        try:
            if new != form.get("confirm", ""):
                raise auth.UserError("Hai mật khẩu mới không khớp — the new passwords differ")
            with rt.catalogue.session() as s:
                auth.change_password(s, user.id, form.get("current", ""), new,
                                     keep_token=request.cookies.get(COOKIE))
        except auth.UserError as exc:
            with rt.catalogue.session() as s:
                audit(s, f"ui:{user.username}", "ui.user.change_password", user.username, outcome="refused")
            return page(request, "password.html", user, status=400, error=str(exc))
        return back(request, "/ui/", "Đã đổi mật khẩu — password changed")

    @app.get("/ui/")
    def home(request: Request) -> RedirectResponse:
        user = user_of(request)
        return RedirectResponse("/ui/queue" if user.can("view") else "/ui/batches", status_code=303)

    # --- queue ------------------------------------------------------------------------------

    @app.get("/ui/queue", response_class=HTMLResponse)
    def queue(request: Request, batch: str = "", doc_type: str = "", field: str = "", court: str = "",
              kind: str = "", who: str = "", overdue: str = "", escalated: str = "") -> HTMLResponse:
        user = user_of(request)
        need(user, "view")
        now = utcnow()
        f = {"batch": batch, "doc_type": doc_type, "field": field, "court": court, "kind": kind, "who": who,
             "overdue": overdue, "escalated": escalated}
        f = {k: v.strip()[:200] for k, v in f.items()}
        with rt.catalogue.session() as s:
            found, total, n_overdue = uiqueue.open_items(s, f, user.username, now)
            options = uiqueue.options(s)
        rows = []
        for r in found:
            item, doc, st = r.item, r.doc, r.state
            left = workflow.aware(item.due_at) - now
            is_over = left.total_seconds() < 0
            rows.append({
                "id": item.id, "kind_label": KIND_LABELS.get(item.kind, item.kind), "field": item.field,
                "source": doc.source, "batch": doc.batch_id, "doc_type": doc.doc_type, "court": r.court,
                "confidence": f"{item.confidence:.2f}" if item.confidence is not None else "—",
                "received": vn(item.created_at), "age": span(now - workflow.aware(item.created_at)),
                "left": ("-" if is_over else "") + span(left), "overdue": is_over,
                "assigned": st.assigned_to if st else None, "pending": r.pending, "rejected": r.rejected,
                "escalated": bool(st and st.escalated_at),
            })
        return page(request, "queue.html", user, rows=rows, total=total, overdue=n_overdue, options=options, f=f,
                    limit=uiqueue.PAGE_LIMIT)

    # --- item -------------------------------------------------------------------------------

    def item_page(request: Request, user: auth.CurrentUser, item_id: int, error: str | None = None,
                  status: int = 200) -> HTMLResponse:
        now = utcnow()
        with rt.catalogue.session() as s:
            item = s.get(ReviewItem, item_id)
            if item is None:
                raise HTTPException(404, "Không có mục này — no such item")
            doc = s.get(Document, item.document_id)
            st = s.get(ItemState, item_id)
            fv = s.scalar(select(FieldValue).where(FieldValue.document_id == doc.document_id,
                                                   FieldValue.name == item.field)) if item.field else None
            record = s.get(RegistryRecord, item.record_id) if item.record_id else None
            registry_value = item.registry_value
            if record is not None and item.field:
                registry_value = record.data.get(item.field)
            pending = workflow.pending_for_item(s, item_id)
            rejected = list(s.scalars(select(Correction).where(Correction.review_item_id == item_id,
                                                               Correction.status == "rejected")
                                      .order_by(Correction.id)))
            others = list(s.scalars(select(ReviewItem).where(ReviewItem.document_id == doc.document_id,
                                                             ReviewItem.status == "open",
                                                             ReviewItem.id != item_id).order_by(ReviewItem.id)))
            doc_fields = list(s.scalars(select(FieldValue).where(FieldValue.document_id == doc.document_id)
                                        .order_by(FieldValue.name)))
            candidates = list(s.scalars(select(RegistryRecord).where(RegistryRecord.doc_type == doc.doc_type)
                                        .order_by(RegistryRecord.record_id).limit(200))) \
                if item.kind == "unmatched" else []
            new_record = json.dumps(workflow.proposed_record(s, doc.document_id), ensure_ascii=False, indent=1) \
                if item.kind == "unmatched" else ""
        has_crop = bool(fv and fv.page and fv.bbox)
        crop_width = None
        if has_crop:
            w = float(fv.bbox[2]) - float(fv.bbox[0]) + 2 * 110
            crop_width = int(min(640, max(320, w * 1.6)))
        left = workflow.aware(item.due_at) - now
        hints = {"personal_id": "12 chữ số", "issue_date": "YYYY-MM-DD", "effective_date": "YYYY-MM-DD",
                 "birth_date": "YYYY-MM-DD hoặc YYYY", "charges": "tội danh; tội danh",
                 "penal_code_articles": "173; 51"}
        return page(request, "item.html", user, status=status, error=error, item=item, doc=doc, state=st, fv=fv,
                    kind_label=KIND_LABELS.get(item.kind, item.kind), registry_value=registry_value,
                    conf=f"{item.confidence:.3f}" if item.confidence is not None else "—",
                    low=item.confidence is not None and item.confidence < threshold, threshold=threshold,
                    received=vn(item.created_at), due=vn(item.due_at), overdue=left.total_seconds() < 0,
                    left=span(left), pending=pending, rejected=rejected, others=others, has_crop=has_crop,
                    crop_width=crop_width, page_no=(fv.page if fv and fv.page else 1), doc_fields=doc_fields,
                    candidates=candidates, new_record=new_record, hint=hints.get(item.field, ""))

    @app.get("/ui/items/{item_id}", response_class=HTMLResponse)
    def item_view(request: Request, item_id: int) -> HTMLResponse:
        user = user_of(request)
        need(user, "view")
        return item_page(request, user, item_id)

    def _png(data: bytes) -> Response:
        return Response(data, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})

    @app.get("/ui/items/{item_id}/crop.png")
    def item_crop(request: Request, item_id: int) -> Response:
        user = user_of(request)
        need(user, "view")
        with rt.catalogue.session() as s:
            item = s.get(ReviewItem, item_id)
            if item is None or not item.field:
                raise HTTPException(404)
            fv = s.scalar(select(FieldValue).where(FieldValue.document_id == item.document_id,
                                                   FieldValue.name == item.field))
            if fv is None or not fv.page or not fv.bbox:
                raise HTTPException(404)
            pg = next((p for p in s.get(Document, item.document_id).pages if p.number == fv.page), None)
            ref = signed_ref(s, item.document_id)
            size = (pg.width, pg.height) if pg else (595.28, 841.89)
            pno, bbox = fv.page, list(fv.bbox)
        if ref is None:
            raise HTTPException(404)
        return _png(render(rt, ref, pno, bbox, size, dpi=200))

    @app.get("/ui/documents/{document_id}/pages/{number}.png")
    def page_png(request: Request, document_id: str, number: int) -> Response:
        user = user_of(request)
        need(user, "view")
        with rt.catalogue.session() as s:
            doc = s.get(Document, document_id)
            if doc is None or not 1 <= number <= doc.page_count:
                raise HTTPException(404)
            ref = signed_ref(s, document_id)
        if ref is None:
            raise HTTPException(404)
        return _png(render(rt, ref, number, None, (0, 0), dpi=100))

    @app.get("/ui/documents/{document_id}/signed.pdf")
    def signed_pdf(request: Request, document_id: str) -> Response:
        user = user_of(request)
        need(user, "view")
        with rt.catalogue.session() as s:
            ref = signed_ref(s, document_id)
        if ref is None:
            raise HTTPException(404)
        data = rt.store.get(ref)  # hash-checked
        with rt.catalogue.session() as s:
            audit(s, f"ui:{user.username}", "document.fetch", document_id, sha256=ref.sha256)
        return Response(data, media_type="application/pdf",
                        headers={"Content-Disposition": f'inline; filename="{document_id}.pdf"',
                                 "Content-Security-Policy": "sandbox"})

    def _do(request: Request, user: auth.CurrentUser, item_id: int, fn, to: str | None = None) -> Response:
        try:
            with rt.catalogue.session() as s:
                msg = fn(s)
        except workflow.ActionError as exc:
            return item_page(request, user, item_id, error=str(exc), status=400)
        return back(request, "/ui/escalations" if to == "escalations" else f"/ui/items/{item_id}", msg)

    @app.post("/ui/items/{item_id}/take")
    async def item_take(request: Request, item_id: int) -> Response:
        user = user_of(request)
        await form_of(request, user)
        need(user, "verify")
        return _do(request, user, item_id, lambda s: (workflow.take(s, user, item_id), "Đã nhận — taken")[1])

    @app.post("/ui/items/{item_id}/release")
    async def item_release(request: Request, item_id: int) -> Response:
        user = user_of(request)
        await form_of(request, user)
        need(user, "verify")
        return _do(request, user, item_id, lambda s: (workflow.release(s, user, item_id), "Đã trả lại — released")[1])

    @app.post("/ui/items/{item_id}/act")
    async def item_act(request: Request, item_id: int) -> Response:
        user = user_of(request)
        form = await form_of(request, user)
        need(user, "verify")
        return _do(request, user, item_id, lambda s: workflow.act(
            s, user, item_id, form.get("action", ""), value=form.get("value"), reason=form.get("reason"),
            comment=form.get("comment")), to=form.get("back"))

    @app.post("/ui/items/{item_id}/send-back")
    async def item_send_back(request: Request, item_id: int) -> Response:
        user = user_of(request)
        form = await form_of(request, user)
        need(user, "approve")
        return _do(request, user, item_id, lambda s: workflow.send_back(s, user, item_id, form.get("comment")),
                   to=form.get("back"))

    @app.post("/ui/items/{item_id}/link")
    async def item_link(request: Request, item_id: int) -> Response:
        user = user_of(request)
        form = await form_of(request, user)
        need(user, "verify")
        return _do(request, user, item_id, lambda s: workflow.propose_link(
            s, user, item_id, form.get("record_id", ""), form.get("reason")))

    @app.post("/ui/items/{item_id}/create")
    async def item_create(request: Request, item_id: int) -> Response:
        user = user_of(request)
        form = await form_of(request, user)
        need(user, "verify")
        return _do(request, user, item_id, lambda s: workflow.propose_create(
            s, user, item_id, form.get("record", ""), form.get("reason"), record_id=form.get("record_id")))

    # --- approvals ----------------------------------------------------------------------------

    def approvals_page(request: Request, user, error: str | None = None, status: int = 200) -> HTMLResponse:
        with rt.catalogue.session() as s:
            pending = list(s.scalars(select(Correction).where(Correction.status == "pending")
                                     .order_by(Correction.id)))
            decided = list(s.scalars(select(Correction).where(Correction.status != "pending")
                                     .order_by(Correction.decided_at.desc()).limit(50)))
        return page(request, "approvals.html", user, status=status, error=error, pending=pending, decided=decided)

    @app.get("/ui/approvals", response_class=HTMLResponse)
    def approvals(request: Request) -> HTMLResponse:
        user = user_of(request)
        need(user, "view")
        return approvals_page(request, user)

    @app.post("/ui/corrections/{cid}/approve")
    async def approve(request: Request, cid: int) -> Response:
        user = user_of(request)
        form = await form_of(request, user)
        try:
            with rt.catalogue.session() as s:
                msg = workflow.approve(s, user, cid, form.get("comment"), threshold=threshold)
        except workflow.ActionError as exc:
            if "tự phê duyệt" in str(exc):  # keep the refusal in the audit log (its own transaction)
                with rt.catalogue.session() as s:
                    audit(s, f"ui:{user.username}", "ui.correction.approve", f"correction:{cid}",
                          outcome="refused", reason="self-approval")
            return approvals_page(request, user, error=str(exc), status=400)
        return back(request, "/ui/approvals", msg)

    @app.post("/ui/corrections/{cid}/reject")
    async def reject(request: Request, cid: int) -> Response:
        user = user_of(request)
        form = await form_of(request, user)
        try:
            with rt.catalogue.session() as s:
                msg = workflow.reject(s, user, cid, form.get("comment"))
        except workflow.ActionError as exc:
            return approvals_page(request, user, error=str(exc), status=400)
        return back(request, "/ui/approvals", msg)

    # --- escalations (approvers: the head of the unit) ----------------------------------------

    @app.get("/ui/escalations", response_class=HTMLResponse)
    def escalations(request: Request) -> HTMLResponse:
        user = user_of(request)
        need(user, "approve")
        now = utcnow()
        with rt.catalogue.session() as s:
            open_rows = s.execute(
                select(ReviewItem, Document, ItemState)
                .join(ItemState, ItemState.review_item_id == ReviewItem.id)
                .join(Document, Document.document_id == ReviewItem.document_id)
                .where(ReviewItem.status == "open", ItemState.escalated_at.is_not(None))
                .order_by(ItemState.escalated_at, ReviewItem.id)).all()
            handled = s.execute(
                select(ReviewItem, Document, ItemState)
                .join(ItemState, ItemState.review_item_id == ReviewItem.id)
                .join(Document, Document.document_id == ReviewItem.document_id)
                .where(ItemState.escalated_by.is_not(None),
                       (ReviewItem.status != "open") | ItemState.escalated_at.is_(None))
                .order_by(ReviewItem.id.desc()).limit(50)).all()
            pending = set(s.scalars(select(Correction.review_item_id).where(
                Correction.status == "pending",
                Correction.review_item_id.in_([i.id for i, _, _ in open_rows] or [-1]))))
            records = {r.record_id: r.data for r in s.scalars(select(RegistryRecord).where(
                RegistryRecord.record_id.in_({i.record_id for i, _, _ in open_rows if i.record_id} or {""})))}
        rows = [{"item": i, "doc": d, "st": st, "pending": i.id in pending,
                 "registry_value": records[i.record_id].get(i.field) if i.record_id in records else i.registry_value,
                 "overdue": workflow.aware(i.due_at) < now, "kind_label": KIND_LABELS.get(i.kind, i.kind)}
                for i, d, st in open_rows]
        done = [{"item": i, "doc": d, "st": st} for i, d, st in handled]
        return page(request, "escalations.html", user, rows=rows, done=done)

    # --- records ------------------------------------------------------------------------------

    @app.get("/ui/records", response_class=HTMLResponse)
    def records(request: Request, nodoc: int = 0) -> HTMLResponse:
        user = user_of(request)
        need(user, "view")
        with rt.catalogue.session() as s:
            counts = dict(s.execute(select(Document.registry_record_id, func.count())
                                    .where(Document.registry_record_id.is_not(None))
                                    .group_by(Document.registry_record_id)).all())
            follows = set(s.scalars(select(FollowUp.record_id)))
            rows = [{"record_id": r.record_id, "doc_type": r.doc_type, "document_number": r.document_number,
                     "personal_id": r.personal_id, "issue_date": r.issue_date, "docs": counts.get(r.record_id, 0),
                     "follow": r.record_id in follows}
                    for r in s.scalars(select(RegistryRecord).order_by(RegistryRecord.record_id).limit(2000))]
        if nodoc:
            rows = [r for r in rows if not r["docs"]]
        return page(request, "records.html", user, rows=rows)

    def _history(s, record_id: str) -> list[RegistryHistory]:
        return list(s.scalars(select(RegistryHistory).where(RegistryHistory.record_id == record_id)
                              .order_by(RegistryHistory.at, RegistryHistory.id)))

    @app.get("/ui/records/{record_id}", response_class=HTMLResponse)
    def record(request: Request, record_id: str) -> HTMLResponse:
        user = user_of(request)
        need(user, "view")
        with rt.catalogue.session() as s:
            rec = s.get(RegistryRecord, record_id)
            if rec is None:
                raise HTTPException(404, "Không có hồ sơ này — no such record")
            docs = list(s.scalars(select(Document).where(Document.registry_record_id == record_id)))
            history = _history(s, record_id)
            pending = list(s.scalars(select(Correction).where(Correction.record_id == record_id,
                                                              Correction.status == "pending")))
            follow = s.get(FollowUp, record_id)
        data = [(k, v) for k, v in rec.data.items() if k != "record_id"]
        return page(request, "record.html", user, rec=rec, data=data, docs=docs, history=history,
                    pending=pending, follow=follow)

    @app.get("/ui/records/{record_id}/history.{fmt}")
    def record_history(request: Request, record_id: str, fmt: str) -> Response:
        user = user_of(request)
        need(user, "view")
        if fmt not in ("csv", "json"):
            raise HTTPException(404)
        with rt.catalogue.session() as s:
            if s.get(RegistryRecord, record_id) is None:
                raise HTTPException(404)
            rows = [{"at": workflow.aware(h.at).isoformat(), "actor": h.actor, "field": h.field,
                     "old_value": h.old_value, "new_value": h.new_value, "reason": h.reason,
                     "approved_by": h.approved_by} for h in _history(s, record_id)]
            audit(s, f"ui:{user.username}", "ui.record.export", f"registry:{record_id}", format=fmt)
        name = f"{record_id.replace('/', '_')}-history.{fmt}"
        disp = {"Content-Disposition": f'attachment; filename="{name}"'}
        if fmt == "json":
            return Response(json.dumps(rows, ensure_ascii=False, indent=1), media_type="application/json",
                            headers=disp)
        buf = io.StringIO()
        w = csv.writer(buf)
        w.writerow(["at", "actor", "field", "old_value", "new_value", "reason", "approved_by"])
        for r in rows:
            w.writerow([r["at"], r["actor"], r["field"], json.dumps(r["old_value"], ensure_ascii=False),
                        json.dumps(r["new_value"], ensure_ascii=False), r["reason"], r["approved_by"] or ""])
        return PlainTextResponse("\ufeff" + buf.getvalue(), media_type="text/csv; charset=utf-8", headers=disp)

    @app.post("/ui/records/{record_id}/follow-up")
    async def follow_up(request: Request, record_id: str) -> Response:
        user = user_of(request)
        form = await form_of(request, user)
        need(user, "verify")
        try:
            with rt.catalogue.session() as s:
                msg = workflow.mark_follow_up(s, user, record_id, form.get("note"))
        except workflow.ActionError as exc:
            raise HTTPException(400, str(exc)) from None
        return back(request, f"/ui/records/{urllib.parse.quote(record_id)}", msg)

    # --- batches, users ------------------------------------------------------------------------

    @app.get("/ui/batches", response_class=HTMLResponse)
    def batches(request: Request) -> HTMLResponse:
        user = user_of(request)
        with rt.catalogue.session() as s:
            open_counts = dict(s.execute(select(Document.batch_id, func.count()).join(
                ReviewItem, ReviewItem.document_id == Document.document_id).where(ReviewItem.status == "open")
                .group_by(Document.batch_id)).all())
            rows = [{"batch_id": b.batch_id, "unit": b.unit, "operator": b.operator, "status": b.status,
                     "done": b.done, "total": b.total, "started_at": b.started_at,
                     "open": open_counts.get(b.batch_id, 0)}
                    for b in s.scalars(select(Batch).order_by(Batch.started_at.desc()).limit(200))]
        return page(request, "batches.html", user, rows=rows)

    def users_page(request: Request, user, error: str | None = None, status: int = 200) -> HTMLResponse:
        with rt.catalogue.session() as s:
            rows = list(s.scalars(select(UiUser).order_by(UiUser.username)))
        return page(request, "users.html", user, status=status, error=error, rows=rows, roles=ROLES)

    @app.get("/ui/users", response_class=HTMLResponse)
    def users(request: Request) -> HTMLResponse:
        user = user_of(request)
        need(user, "admin")
        return users_page(request, user)

    async def _admin_action(request: Request, fn, message: str) -> Response:
        user = user_of(request)
        form = await form_of(request, user)
        need(user, "admin")
        try:
            with rt.catalogue.session() as s:
                fn(s, user, form)
        except auth.UserError as exc:
            return users_page(request, user, error=str(exc), status=400)
        return back(request, "/ui/users", message)

    @app.post("/ui/users/{username}/disable")
    async def users_disable(request: Request, username: str) -> Response:
        return await _admin_action(request, lambda s, user, form: auth.set_active(
            s, username, False, actor=f"ui:{user.username}", actor_username=user.username),
            f"Đã khóa {username} — account disabled, its sessions ended")

    @app.post("/ui/users/{username}/enable")
    async def users_enable(request: Request, username: str) -> Response:
        return await _admin_action(request, lambda s, user, form: auth.set_active(
            s, username, True, actor=f"ui:{user.username}"), f"Đã mở khóa {username} — account enabled")

    @app.post("/ui/users/{username}/reset-password")
    async def users_reset(request: Request, username: str) -> Response:
        return await _admin_action(request, lambda s, user, form: auth.reset_password(
            s, username, form.get("password", ""), actor=f"ui:{user.username}"),
            f"Đã đặt mật khẩu tạm cho {username} — temporary password set; it must be changed at next login")

    @app.post("/ui/users")
    async def users_create(request: Request) -> Response:
        user = user_of(request)
        form = await form_of(request, user)
        need(user, "admin")
        try:
            with rt.catalogue.session() as s:
                auth.create_user(s, form.get("username", "").strip(), form.get("role", ""),
                                 form.get("password", ""), actor=f"ui:{user.username}",
                                 full_name=form.get("full_name") or None,
                                 must_change_password=bool(form.get("must_change")))
        except auth.UserError as exc:
            return users_page(request, user, error=str(exc), status=400)
        return back(request, "/ui/users", "Đã tạo tài khoản — account created")

    return app
