"""Notices for the head of unit (approvers): accounts an admin created or reset, approvals
refused under the two-person rule (ui/notices.py)."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sohoa.ui import notices
from sohoa.ui.web import Approver, ApproverPost, WorkbenchDep

router = APIRouter()


@router.get("/ui/notices", response_class=HTMLResponse)
def notices_page(wb: WorkbenchDep, user: Approver) -> HTMLResponse:
    with wb.session() as s:
        rows = notices.open_notices(s)
    return wb.page("notices.html", user, rows=rows)


@router.post("/ui/notices/{notice_id}/acknowledge")
def acknowledge(wb: WorkbenchDep, user: ApproverPost, notice_id: int) -> Response:
    with wb.session() as s:
        done = notices.acknowledge(s, notice_id, user.username)
    return wb.back("/ui/notices", "Đã xem — acknowledged" if done else
                   "Không xác nhận được — not acknowledged (already read, or your own)")
