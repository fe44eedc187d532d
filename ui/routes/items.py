"""One queue item: its page (the field's crop on the signed page, the values, the
document's other open items, for an unmatched document the registry candidates),
and what a verifier does with it: take, release, accept/keep/correct/escalate,
link or create a registry record; an approver sends an escalation back."""
from __future__ import annotations

import json
from typing import Callable

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sohoa.archive.catalogue import utcnow
from sohoa.archive.models import Document, RegistryRecord, ReviewItem
from sohoa.ui import persons, workflow
from sohoa.ui.auth import CurrentUser
from sohoa.ui.images import render, signed_ref
from sohoa.ui.models import Correction, ItemState
from sohoa.ui.routes.documents import png
from sohoa.ui.web import KIND_LABELS, ApproverPost, Form, VerifierPost, Viewer, Workbench, WorkbenchDep, span, vn
from sqlalchemy import select
from sqlalchemy.orm import Session

router = APIRouter()

HINTS = {"personal_id": "12 chữ số", "issue_date": "YYYY-MM-DD", "effective_date": "YYYY-MM-DD",
         "birth_date": "YYYY-MM-DD hoặc YYYY", "charges": "tội danh; tội danh", "penal_code_articles": "173; 51"}


def item_page(wb: Workbench, user: CurrentUser, item_id: int, error: str | None = None,
              status: int = 200) -> HTMLResponse:
    now = utcnow()
    threshold = wb.threshold
    with wb.session() as s:
        item = s.get(ReviewItem, item_id)
        if item is None:
            raise HTTPException(404, "Không có mục này — no such item")
        doc = s.get(Document, item.document_id)
        assert doc is not None  # review_items.document_id references documents
        st = s.get(ItemState, item_id)
        fv = persons.field_for(s, item)
        people = persons.persons_of(s, doc)
        person = next((p for p in people if p.ordinal == item.person), None)
        record = s.get(RegistryRecord, item.record_id) if item.record_id else None
        registry_value = item.registry_value
        if record is not None and item.field and item.kind != "conflict":  # a conflict shows the source's value
            registry_value = record.data.get(item.field)
        pending = workflow.pending_for_item(s, item_id)
        rejected = list(s.scalars(select(Correction).where(Correction.review_item_id == item_id,
                                                           Correction.status == "rejected")
                                  .order_by(Correction.id)))
        others = list(s.scalars(select(ReviewItem).where(ReviewItem.document_id == doc.document_id,
                                                         ReviewItem.status == "open",
                                                         ReviewItem.id != item_id).order_by(ReviewItem.id)))
        doc_fields = persons.fields_for(s, doc.document_id, item.person)
        candidates = list(s.scalars(select(RegistryRecord).where(RegistryRecord.doc_type == doc.doc_type)
                                    .order_by(RegistryRecord.record_id).limit(200))) \
            if item.kind == "unmatched" else []
        new_record = json.dumps(workflow.proposed_record(s, doc.document_id, item.person), ensure_ascii=False, indent=1) \
            if item.kind == "unmatched" else ""
    crop_width = None
    if fv is not None and fv.page and fv.bbox:
        w = float(fv.bbox[2]) - float(fv.bbox[0]) + 2 * 110
        crop_width = int(min(640, max(320, w * 1.6)))
    has_crop = crop_width is not None
    left = workflow.aware(item.due_at) - now
    return wb.page("item.html", user, status=status, error=error, item=item, doc=doc, state=st, fv=fv,
                   kind_label=KIND_LABELS.get(item.kind, item.kind), registry_value=registry_value,
                   conf=f"{item.confidence:.3f}" if item.confidence is not None else "—",
                   low=item.confidence is not None and item.confidence < threshold, threshold=threshold,
                   received=vn(item.created_at), due=vn(item.due_at), overdue=left.total_seconds() < 0,
                   left=span(left), pending=pending, rejected=rejected, others=others, has_crop=has_crop,
                   crop_width=crop_width, page_no=(fv.page if fv and fv.page else 1), doc_fields=doc_fields,
                   candidates=candidates, new_record=new_record, hint=HINTS.get(item.field, ""),
                   people=people, person_label=persons.label(item.person, person.name if person else None),
                   person_fields=persons.FIELD_ORDER)


@router.get("/ui/items/{item_id}", response_class=HTMLResponse)
def item_view(wb: WorkbenchDep, user: Viewer, item_id: int) -> Response:
    with wb.session() as s:
        item = s.get(ReviewItem, item_id)
        if item is not None and item.kind == "split":  # its page is the source's page strip (ui/splits.py)
            return RedirectResponse(f"/ui/splits/{item.document_id}", status_code=303)
    return item_page(wb, user, item_id)


@router.get("/ui/items/{item_id}/crop.png")
def item_crop(wb: WorkbenchDep, user: Viewer, item_id: int) -> Response:
    with wb.session() as s:
        item = s.get(ReviewItem, item_id)
        if item is None or not item.field:
            raise HTTPException(404)
        fv = persons.field_for(s, item)
        if fv is None or not fv.page or not fv.bbox:
            raise HTTPException(404)
        doc = s.get(Document, item.document_id)
        assert doc is not None  # review_items.document_id references documents
        pg = next((p for p in doc.pages if p.number == fv.page), None)
        ref = signed_ref(s, item.document_id)
        size = (pg.width, pg.height) if pg else (595.28, 841.89)
        pno, bbox = fv.page, list(fv.bbox)
    if ref is None:
        raise HTTPException(404)
    return png(render(wb.rt, ref, pno, bbox, size, dpi=200))


def _do(wb: Workbench, user: CurrentUser, item_id: int, fn: Callable[[Session], str],
        to: str | None = None) -> Response:
    """Run one workflow step; back to the item (or the escalations) with its message, or the
    item page with the refusal (400)."""
    try:
        with wb.session() as s:
            msg = fn(s)
    except workflow.ActionError as exc:
        return item_page(wb, user, item_id, error=str(exc), status=400)
    return wb.back("/ui/escalations" if to == "escalations" else f"/ui/items/{item_id}", msg)


@router.post("/ui/items/{item_id}/take")
def item_take(wb: WorkbenchDep, user: VerifierPost, item_id: int) -> Response:
    def take(s: Session) -> str:
        workflow.take(s, user, item_id)
        return "Đã nhận — taken"

    return _do(wb, user, item_id, take)


@router.post("/ui/items/{item_id}/release")
def item_release(wb: WorkbenchDep, user: VerifierPost, item_id: int) -> Response:
    def release(s: Session) -> str:
        workflow.release(s, user, item_id)
        return "Đã trả lại — released"

    return _do(wb, user, item_id, release)


@router.post("/ui/items/{item_id}/act")
def item_act(wb: WorkbenchDep, user: VerifierPost, form: Form, item_id: int) -> Response:
    return _do(wb, user, item_id, lambda s: workflow.act(
        s, user, item_id, form.get("action", ""), value=form.get("value"), reason=form.get("reason"),
        comment=form.get("comment")), to=form.get("back"))


@router.post("/ui/items/{item_id}/send-back")
def item_send_back(wb: WorkbenchDep, user: ApproverPost, form: Form, item_id: int) -> Response:
    return _do(wb, user, item_id, lambda s: workflow.send_back(s, user, item_id, form.get("comment")),
               to=form.get("back"))


@router.post("/ui/items/{item_id}/link")
def item_link(wb: WorkbenchDep, user: VerifierPost, form: Form, item_id: int) -> Response:
    return _do(wb, user, item_id, lambda s: workflow.propose_link(
        s, user, item_id, form.get("record_id", ""), form.get("reason")))


@router.post("/ui/items/{item_id}/create")
def item_create(wb: WorkbenchDep, user: VerifierPost, form: Form, item_id: int) -> Response:
    return _do(wb, user, item_id, lambda s: workflow.propose_create(
        s, user, item_id, form.get("record", ""), form.get("reason"), record_id=form.get("record_id")))
