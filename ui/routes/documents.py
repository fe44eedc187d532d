"""A document's pages as images and its signed PDF (fetching it is audited)."""
from __future__ import annotations

from fastapi import APIRouter, HTTPException
from fastapi.responses import Response
from sohoa.archive.catalogue import audit
from sohoa.archive.models import Document
from sohoa.ui.images import render, signed_ref
from sohoa.ui.web import Viewer, WorkbenchDep

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
