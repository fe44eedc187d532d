"""Approvals (the two-person rule): the pending corrections, approve, reject."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import HTMLResponse, Response
from sohoa.archive.catalogue import audit
from sohoa.ui import workflow
from sohoa.ui.auth import CurrentUser
from sohoa.ui.models import Correction
from sohoa.ui.notices import notify_head
from sohoa.ui.web import Form, User, Viewer, Workbench, WorkbenchDep
from sqlalchemy import select

router = APIRouter()


def approvals_page(wb: Workbench, user: CurrentUser, error: str | None = None, status: int = 200) -> HTMLResponse:
    with wb.session() as s:
        pending = list(s.scalars(select(Correction).where(Correction.status == "pending")
                                 .order_by(Correction.id)))
        decided = list(s.scalars(select(Correction).where(Correction.status != "pending")
                                 .order_by(Correction.decided_at.desc()).limit(50)))
    return wb.page("approvals.html", user, status=status, error=error, pending=pending, decided=decided)


@router.get("/ui/approvals", response_class=HTMLResponse)
def approvals(wb: WorkbenchDep, user: Viewer) -> HTMLResponse:
    return approvals_page(wb, user)


@router.post("/ui/corrections/{cid}/approve")
def approve(wb: WorkbenchDep, user: User, form: Form, cid: int) -> Response:
    try:
        with wb.session() as s:
            msg = workflow.approve(s, user, cid, form.get("comment"), threshold=wb.threshold,
                                   confirm=wb.registry_confirms, account_days=wb.rt.settings.approval_account_days)
    except workflow.TwoPersonError as exc:  # keep the refusal in the audit log (its own transaction), tell the head
        with wb.session() as s:
            audit(s, f"ui:{user.username}", "ui.correction.approve", f"correction:{cid}",
                  outcome="refused", reason=exc.reason)
            if exc.reason != "self-approval":
                notify_head(s, "approval.refused", user.username,
                            f"{user.username} tried to approve correction #{cid}: {exc.reason} (two-person rule)",
                            f"ui:{user.username}")
        return approvals_page(wb, user, error=str(exc), status=400)
    except workflow.ActionError as exc:
        return approvals_page(wb, user, error=str(exc), status=400)
    return wb.back("/ui/approvals", msg)


@router.post("/ui/corrections/{cid}/reject")
def reject(wb: WorkbenchDep, user: User, form: Form, cid: int) -> Response:
    try:
        with wb.session() as s:
            msg = workflow.reject(s, user, cid, form.get("comment"))
    except workflow.ActionError as exc:
        return approvals_page(wb, user, error=str(exc), status=400)
    return wb.back("/ui/approvals", msg)
