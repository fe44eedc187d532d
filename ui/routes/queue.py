"""The verification queue: open items, filtered in SQL (ui/queue.py), with age and time left."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import HTMLResponse
from sohoa.archive.catalogue import utcnow
from sohoa.ui import persons, workflow
from sohoa.ui import queue as uiqueue
from sohoa.ui.web import KIND_LABELS, Viewer, WorkbenchDep, span, vn

router = APIRouter()


@router.get("/ui/queue", response_class=HTMLResponse)
def queue(wb: WorkbenchDep, user: Viewer, batch: str = "", doc_type: str = "", field: str = "", court: str = "",
          kind: str = "", who: str = "", overdue: str = "", escalated: str = "") -> HTMLResponse:
    now = utcnow()
    f = {"batch": batch, "doc_type": doc_type, "field": field, "court": court, "kind": kind, "who": who,
         "overdue": overdue, "escalated": escalated}
    f = {k: v.strip()[:200] for k, v in f.items()}
    with wb.session() as s:
        found, total, n_overdue = uiqueue.open_items(s, f, user.username, now)
        options = uiqueue.options(s)
        names = persons.names(s, {(r.item.document_id, r.item.person) for r in found})
    rows: list[dict[str, Any]] = []
    for r in found:
        item, doc, st = r.item, r.doc, r.state
        left = workflow.aware(item.due_at) - now
        is_over = left.total_seconds() < 0
        rows.append({
            "id": item.id, "kind_label": KIND_LABELS.get(item.kind, item.kind), "field": item.field,
            "person": item.person, "person_label": persons.label(item.person, names.get((item.document_id, item.person))),
            "source": doc.source, "batch": doc.batch_id, "doc_type": doc.doc_type, "court": r.court,
            "confidence": f"{item.confidence:.2f}" if item.confidence is not None else "—",
            "received": vn(item.created_at), "age": span(now - workflow.aware(item.created_at)),
            "left": ("-" if is_over else "") + span(left), "overdue": is_over,
            "assigned": st.assigned_to if st else None, "pending": r.pending, "rejected": r.rejected,
            "escalated": bool(st and st.escalated_at),
        })
    return wb.page("queue.html", user, rows=rows, total=total, overdue=n_overdue, options=options, f=f,
                   limit=uiqueue.PAGE_LIMIT)
