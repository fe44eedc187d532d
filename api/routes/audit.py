"""The audit log, for admins: the newest events, the hash chain's check."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sohoa.api.audit import audit_context
from sohoa.api.deps import Admin, RuntimeDep
from sohoa.api.routes.documents import aware
from sohoa.api.schemas import ERRORS, AuditEventOut, AuditVerification
from sohoa.archive.catalogue import verify_audit_chain
from sohoa.archive.models import AuditEvent
from sqlalchemy import select

router = APIRouter()


@router.get("/audit/events", response_model=list[AuditEventOut], name="audit.events",
            responses={**ERRORS}, summary="The newest audit events (admin)")
def audit_events(request: Request, token: Admin, rt: RuntimeDep,
                 limit: Annotated[int, Query(ge=1, le=1000)] = 50) -> list[dict[str, Any]]:
    with rt.catalogue.session() as s:
        evs = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)).all()
        out = [{"id": e.id, "at": aware(e.at), "actor": e.actor, "action": e.action, "object": e.object,
                "outcome": e.outcome, "detail": e.detail or {}, "hash": e.hash} for e in evs]
    audit_context(request)["object"] = "audit_events"
    return out


@router.get("/audit/verify", response_model=AuditVerification, name="audit.verify",
            responses={**ERRORS}, summary="Check the audit log's hash chain (admin)")
def audit_verify(request: Request, token: Admin, rt: RuntimeDep) -> dict[str, Any]:
    with rt.catalogue.session() as s:
        problems = verify_audit_chain(s)
        n = s.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0
    ctx = audit_context(request)
    ctx["object"] = "audit_events"
    ctx["detail"] = {"intact": not problems, "problems": len(problems)}
    return {"intact": not problems, "events": n, "problems": problems}
