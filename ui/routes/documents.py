"""A document: its page with its persons side by side (and the verifier's two fixes to
them: a person missing, two persons mixed up -- proposed here, applied once another
person approves), its pages as images and its signed PDF (fetching it is audited)."""
from __future__ import annotations

from typing import Callable

from fastapi import APIRouter, HTTPException
from fastapi.responses import HTMLResponse, Response
from sohoa.archive.catalogue import audit
from sohoa.archive.models import Document, ReviewItem
from sohoa.core.types import PERSON_FIELDS
from sohoa.ui import persons, workflow
from sohoa.ui.auth import CurrentUser
from sohoa.ui.images import render, signed_ref
from sohoa.ui.models import Correction
from sohoa.ui.verification_view import current_view
from sohoa.ui.web import Form, VerifierPost, Viewer, Workbench, WorkbenchDep
from sqlalchemy import select
from sqlalchemy.orm import Session

router = APIRouter()


def png(data: bytes) -> Response:
    return Response(data, media_type="image/png", headers={"Cache-Control": "private, max-age=3600"})


@router.get("/ui/documents/{document_id}/pages/{number}.png")
def page_png(wb: WorkbenchDep, user: Viewer, document_id: str, number: int) -> Response:
    with wb.session() as s:
        doc = s.get(Document, document_id)
        if doc is None or not 1 <= number <= doc.page_count:
            raise HTTPException(404)
        ref = signed_ref(s, document_id)
    if ref is None:
        raise HTTPException(404)
    return png(render(wb.rt, ref, number, None, (0, 0), dpi=100))


@router.get("/ui/documents/{document_id}/signed.pdf")
def signed_pdf(wb: WorkbenchDep, user: Viewer, document_id: str) -> Response:
    with wb.session() as s:
        ref = signed_ref(s, document_id)
    if ref is None:
        raise HTTPException(404)
    data = wb.rt.store.get(ref)  # hash-checked
    with wb.session() as s:
        audit(s, f"ui:{user.username}", "document.fetch", document_id, sha256=ref.sha256)
    return Response(data, media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="{document_id}.pdf"',
                             "Content-Security-Policy": "sandbox"})


def document_page(wb: Workbench, user: CurrentUser, document_id: str, page: int = 1, item: int | None = None,
                  error: str | None = None, status: int = 200) -> HTMLResponse:
    with wb.session() as s:
        doc = s.get(Document, document_id)
        if doc is None:
            raise HTTPException(404, "Không có văn bản này — no such document")
        people = persons.persons_of(s, doc)
        doc_fields = [f for f in doc.fields if f.name not in PERSON_FIELDS]
        doc_fields.sort(key=lambda f: f.name)
        items = list(s.scalars(select(ReviewItem).where(ReviewItem.document_id == document_id,
                                                        ReviewItem.status == "open")
                               .order_by(ReviewItem.person, ReviewItem.id)))
        pending = s.scalar(select(Correction).where(Correction.document_id == document_id,
                                                    Correction.kind.in_(workflow.PERSON_KINDS),
                                                    Correction.status == "pending"))
        signed = signed_ref(s, document_id) is not None
        current = current_view(s, doc)  # verified truth (ui/verification_view.py)
    page_no = page if 1 <= page <= doc.page_count else 1
    return wb.page("document.html", user, status=status, error=error, doc=doc, people=people,
                   doc_fields=doc_fields, items=items, pending=pending, signed=signed, page_no=page_no,
                   item_id=item, person_fields=persons.FIELD_ORDER, current=current)


@router.get("/ui/documents/{document_id}", response_class=HTMLResponse)
def document_view(wb: WorkbenchDep, user: Viewer, document_id: str, page: int = 1,
                  item: int | None = None) -> HTMLResponse:
    return document_page(wb, user, document_id, page, item)


def _item(form: dict[str, str]) -> int | None:
    raw = (form.get("item") or "").strip()
    return int(raw) if raw.isdigit() else None


def _do(wb: Workbench, user: CurrentUser, document_id: str, form: dict[str, str],
        fn: Callable[[Session], str]) -> Response:
    try:
        with wb.session() as s:
            msg = fn(s)
    except workflow.ActionError as exc:
        return document_page(wb, user, document_id, item=_item(form), error=str(exc), status=400)
    return wb.back(f"/ui/documents/{document_id}", msg)


@router.post("/ui/documents/{document_id}/persons/add")
def person_add(wb: WorkbenchDep, user: VerifierPost, form: Form, document_id: str) -> Response:
    def add(s: Session) -> str:
        values: dict[str, object] = {}
        extra = (form.get("json") or "").strip()
        if extra:
            parsed = workflow.person_fields_from_json(extra)
            values.update(parsed)
        for name in PERSON_FIELDS:
            typed = (form.get(name) or "").strip()
            if typed:
                values[name] = typed
        return workflow.propose_person_add(s, user, document_id, values, form.get("reason"), item_id=_item(form))

    return _do(wb, user, document_id, form, add)


@router.post("/ui/documents/{document_id}/persons/swap")
def person_swap(wb: WorkbenchDep, user: VerifierPost, form: Form, document_id: str) -> Response:
    def swap(s: Session) -> str:
        try:
            a, b = int(form.get("a", "")), int(form.get("b", ""))
        except ValueError:
            raise workflow.ActionError("Chọn hai người — choose two persons") from None
        names = [n for n in PERSON_FIELDS if form.get(f"field_{n}")]
        return workflow.propose_person_swap(s, user, document_id, a, b, names, form.get("reason"),
                                            item_id=_item(form))

    return _do(wb, user, document_id, form, swap)
