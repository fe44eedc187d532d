"""Escalated items, for approvers (the head of the unit): open ones and those handled."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from sohoa.archive.catalogue import utcnow
from sohoa.archive.models import Document, RegistryRecord, ReviewItem
from sohoa.ui import workflow
from sohoa.ui.models import Correction, ItemState
from sohoa.ui.web import KIND_LABELS, Approver, WorkbenchDep
from sqlalchemy import select

router = APIRouter()


@router.get("/ui/escalations", response_class=HTMLResponse)
def escalations(wb: WorkbenchDep, user: Approver) -> HTMLResponse:
    now = utcnow()
    with wb.session() as s:
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
    return wb.page("escalations.html", user, rows=rows, done=done)
