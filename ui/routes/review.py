"""Review by document (ui/review.py): the document queue, one document's open items beside
their regions of the signed page with one form for all of them, taking and releasing a
whole document, and moving on to the next one."""
from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, Response
from sohoa.archive.catalogue import utcnow
from sohoa.archive.models import Document, RegistryRecord
from sohoa.ui import persons, review, workflow
from sohoa.ui.auth import CurrentUser
from sohoa.ui.models import ItemState
from sohoa.ui.review_templates import REVIEW_CSS, REVIEW_JS
from sohoa.ui.routes.items import HINTS
from sohoa.ui.web import KIND_LABELS, Form, VerifierPost, Viewer, Workbench, WorkbenchDep, vn

router = APIRouter()


@router.get("/ui/static/review.js")
def review_js() -> Response:
    return Response(REVIEW_JS, media_type="text/javascript", headers={"Cache-Control": "max-age=3600"})


@router.get("/ui/static/review.css")
def review_css() -> Response:
    return Response(REVIEW_CSS, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


@router.get("/ui/review", response_class=HTMLResponse)
def review_queue(wb: WorkbenchDep, user: Viewer) -> HTMLResponse:
    now = utcnow()
    with wb.session() as s:
        found, total = review.open_documents(s, user)
    rows = [{**r.__dict__, "due": vn(r.due_at), "overdue": workflow.aware(r.due_at) < now} for r in found]
    return wb.page("review_queue.html", user, rows=rows, total=total)


def _locked(st: ItemState | None, pending: bool, user: CurrentUser) -> str | None:
    """Why this user cannot decide the item now (None: they can)."""
    if pending:
        return "Đang chờ phê duyệt — a correction awaits approval"
    if st is not None and st.assigned_to and st.assigned_to != user.username:
        return f"Do {st.assigned_to} giữ — held by {st.assigned_to}"
    if st is not None and st.escalated_at and not user.can("approve"):
        return f"Đã chuyển cấp trên ({st.escalated_by}) — escalated, waiting for an approver"
    return None


def review_page(wb: Workbench, user: CurrentUser, document_id: str, error: str | None = None,
                form: dict[str, str] | None = None, status: int = 200) -> HTMLResponse:
    now = utcnow()
    with wb.session() as s:
        doc = s.get(Document, document_id)
        if doc is None:
            raise HTTPException(404, "Không có văn bản này — no such document")
        people = persons.persons_of(s, doc)
        names = {p.ordinal: p.name for p in people}
        views = []
        held = workable = 0
        for item in review.open_items(s, document_id):
            st = s.get(ItemState, item.id)
            locked = _locked(st, workflow.pending_for_item(s, item.id) is not None, user)
            held += bool(st is not None and st.assigned_to == user.username)
            workable += locked is None
            registry_value = item.registry_value
            record = s.get(RegistryRecord, item.record_id) if item.record_id else None
            if record is not None and item.field and item.kind in review.KNOWN_KINDS:  # else: the item's own
                registry_value = record.data.get(item.field)
            fv = persons.field_for(s, item)
            views.append({**review.item_view(item, registry_value), "locked": locked,
                          "kind_label": KIND_LABELS.get(item.kind, item.kind),
                          "person_label": persons.label(item.person, names.get(item.person)),
                          "has_crop": bool(fv is not None and fv.page and fv.bbox),
                          "page": fv.page if fv is not None and fv.page else None,
                          "hint": HINTS.get(item.field or "", ""), "due": item.due_at,
                          "overdue": workflow.aware(item.due_at) < now})
    form = form or {}
    submitted = {v["id"]: {"action": form.get(f"d_{v['id']}", ""), "value": form.get(f"v_{v['id']}", ""),
                           "note": form.get(f"n_{v['id']}", "")} for v in views}
    due = vn(min(v["due"] for v in views)) if views else "—"
    return wb.page("review_doc.html", user, status=status, error=error, doc=doc, people=people, items=views,
                   held=held, workable=workable, due=due, submitted=submitted, note=form.get("note", ""),
                   person_fields=persons.FIELD_ORDER)


@router.get("/ui/review/{document_id}", response_class=HTMLResponse)
def review_document(wb: WorkbenchDep, user: Viewer, document_id: str) -> HTMLResponse:
    return review_page(wb, user, document_id)


def _go_next(wb: Workbench, user: CurrentUser, after: str | None, message: str) -> Response:
    """Take the next document this user can work and open it; the document queue when none is left."""
    with wb.session() as s:
        nxt = review.next_document(s, user, after=after)
        if nxt is not None:
            review.take_document(s, user, nxt)
    if nxt is None:
        return wb.back("/ui/review", f"{message} · Không còn văn bản nào — no document left to review".lstrip(" ·"))
    return wb.back(f"/ui/review/{nxt}", message)


@router.post("/ui/review/next")
def review_next(wb: WorkbenchDep, user: VerifierPost, form: Form) -> Response:
    return _go_next(wb, user, (form.get("after") or "").strip()[:64] or None, "")


@router.post("/ui/review/{document_id}/take")
def review_take(wb: WorkbenchDep, user: VerifierPost, document_id: str) -> Response:
    try:
        with wb.session() as s:
            held, skipped = review.take_document(s, user, document_id)
    except workflow.ActionError as exc:
        return review_page(wb, user, document_id, error=str(exc), status=400)
    note = f"; {len(skipped)} giữ bởi người khác — held by others" if skipped else ""
    return wb.back(f"/ui/review/{document_id}", f"Đã nhận {held} mục — took {held} items{note}")


@router.post("/ui/review/{document_id}/release")
def review_release(wb: WorkbenchDep, user: VerifierPost, document_id: str) -> Response:
    with wb.session() as s:
        if s.get(Document, document_id) is None:
            raise HTTPException(404)
        n = review.release_document(s, user, document_id)
    return wb.back("/ui/review", f"Đã trả lại {n} mục — released {n} items")


@router.post("/ui/review/{document_id}/decide")
def review_decide(wb: WorkbenchDep, user: VerifierPost, form: Form, document_id: str) -> Response:
    """Every decision of the form in one transaction (all or none), then what is left of the
    document is released and, unless the verifier stays, the next document is taken."""
    seen = {int(x) for x in (form.get("items") or "").split(",") if x.strip().isdigit() and len(x.strip()) < 11}
    try:
        decisions = review.decisions_from_form(form)
        if not decisions and form.get("next") != "0":  # nothing to decide here (Enter): move on
            with wb.session() as s:
                review.release_document(s, user, document_id)
            return _go_next(wb, user, document_id, "Không lưu quyết định nào — nothing decided")
        with wb.session() as s:
            messages = review.decide_document(s, user, document_id, decisions, seen=seen)
            if form.get("next") != "0":
                review.release_document(s, user, document_id)
    except workflow.ActionError as exc:
        return review_page(wb, user, document_id, error=str(exc), form=form, status=400)
    message = review.summary(messages)
    if form.get("next") == "0":
        return wb.back(f"/ui/review/{document_id}", message)
    return _go_next(wb, user, document_id, message)
