"""Registry records: the list, one record (data, documents, history, pending
corrections), its history as CSV or JSON (audited), the follow-up mark."""
from __future__ import annotations

import csv
import io
import json
import urllib.parse

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, PlainTextResponse, Response
from sohoa.archive.catalogue import audit
from sohoa.archive.models import Document, Person, RegistryHistory, RegistryRecord
from sohoa.ui import workflow
from sohoa.ui.models import Correction, FollowUp
from sohoa.ui.web import Form, VerifierPost, Viewer, WorkbenchDep
from sqlalchemy import func, or_, select, union
from sqlalchemy.orm import Session

router = APIRouter()


def _history(s: Session, record_id: str) -> list[RegistryHistory]:
    return list(s.scalars(select(RegistryHistory).where(RegistryHistory.record_id == record_id)
                          .order_by(RegistryHistory.at, RegistryHistory.id)))


@router.get("/ui/records", response_class=HTMLResponse)
def records(wb: WorkbenchDep, user: Viewer, nodoc: int = 0) -> HTMLResponse:
    with wb.session() as s:
        # a record belongs to a document through any of its persons (contract section 5)
        linked = union(select(Document.document_id, Document.registry_record_id.label("rid"))
                       .where(Document.registry_record_id.is_not(None)),
                       select(Person.document_id, Person.registry_record_id.label("rid"))
                       .where(Person.registry_record_id.is_not(None))).subquery()
        counts: dict[str | None, int] = dict(s.execute(
            select(linked.c.rid, func.count()).group_by(linked.c.rid)).all())
        follows = set(s.scalars(select(FollowUp.record_id)))
        rows = [{"record_id": r.record_id, "doc_type": r.doc_type, "document_number": r.document_number,
                 "personal_id": r.personal_id, "issue_date": r.issue_date, "docs": counts.get(r.record_id, 0),
                 "follow": r.record_id in follows}
                for r in s.scalars(select(RegistryRecord).order_by(RegistryRecord.record_id).limit(2000))]
    if nodoc:
        rows = [r for r in rows if not r["docs"]]
    return wb.page("records.html", user, rows=rows)


@router.get("/ui/records/{record_id}", response_class=HTMLResponse)
def record(wb: WorkbenchDep, user: Viewer, record_id: str) -> HTMLResponse:
    with wb.session() as s:
        rec = s.get(RegistryRecord, record_id)
        if rec is None:
            raise HTTPException(404, "Không có hồ sơ này — no such record")
        docs = list(s.scalars(select(Document).where(or_(
            Document.registry_record_id == record_id,
            Document.document_id.in_(select(Person.document_id).where(Person.registry_record_id == record_id))))))
        history = _history(s, record_id)
        pending = list(s.scalars(select(Correction).where(Correction.record_id == record_id,
                                                          Correction.status == "pending")))
        follow = s.get(FollowUp, record_id)
    data = [(k, v) for k, v in rec.data.items() if k != "record_id"]
    return wb.page("record.html", user, rec=rec, data=data, docs=docs, history=history,
                   pending=pending, follow=follow)


FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "|")  # what a spreadsheet may run as a formula


def spreadsheet_safe(value: object) -> str:
    """A CSV cell a spreadsheet shows as text: one starting like a formula (=, +, -, @, a tab or
    a line break; OWASP "CSV injection") gets a leading apostrophe. The JSON export stays exact."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


@router.get("/ui/records/{record_id}/history.{fmt}")
def record_history(wb: WorkbenchDep, user: Viewer, record_id: str, fmt: str) -> Response:
    if fmt not in ("csv", "json"):
        raise HTTPException(404)
    with wb.session() as s:
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
        w.writerow([spreadsheet_safe(v) for v in (
            r["at"], r["actor"], r["field"], json.dumps(r["old_value"], ensure_ascii=False),
            json.dumps(r["new_value"], ensure_ascii=False), r["reason"], r["approved_by"] or "")])
    return PlainTextResponse("\ufeff" + buf.getvalue(), media_type="text/csv; charset=utf-8", headers=disp)


@router.post("/ui/records/{record_id}/follow-up")
def follow_up(wb: WorkbenchDep, user: VerifierPost, form: Form, record_id: str) -> Response:
    try:
        with wb.session() as s:
            msg = workflow.mark_follow_up(s, user, record_id, form.get("note"))
    except workflow.ActionError as exc:
        raise HTTPException(400, str(exc)) from None
    return wb.back(f"/ui/records/{urllib.parse.quote(record_id)}", msg)
