"""Batches: progress and open items per batch (every signed-in role)."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from sohoa.archive.models import Batch, Document, ReviewItem
from sohoa.ui.web import User, WorkbenchDep
from sqlalchemy import func, select

router = APIRouter()


@router.get("/ui/batches", response_class=HTMLResponse)
def batches(wb: WorkbenchDep, user: User) -> HTMLResponse:
    with wb.session() as s:
        open_counts: dict[str, int] = dict(s.execute(select(Document.batch_id, func.count()).join(
            ReviewItem, ReviewItem.document_id == Document.document_id).where(ReviewItem.status == "open")
            .group_by(Document.batch_id)).all())
        rows = [{"batch_id": b.batch_id, "unit": b.unit, "operator": b.operator, "status": b.status,
                 "done": b.done, "total": b.total, "started_at": b.started_at,
                 "open": open_counts.get(b.batch_id, 0)}
                for b in s.scalars(select(Batch).order_by(Batch.started_at.desc()).limit(200))]
    return wb.page("batches.html", user, rows=rows)
