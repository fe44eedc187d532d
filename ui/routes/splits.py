"""A many-document scan's cuts (ui/splits.py): the page strip, and a verifier confirming
or moving the cuts. A split review item's own page is this one."""
from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response
from sohoa.ui import splits
from sohoa.ui.auth import CurrentUser
from sohoa.ui.web import VerifierPost, Viewer, Workbench, WorkbenchDep

router = APIRouter()


def split_page(wb: Workbench, user: CurrentUser, document_id: str, error: str | None = None,
               status: int = 200) -> HTMLResponse:
    with wb.session() as s:
        st = splits.strip(s, document_id)
        if st is None:
            raise HTTPException(404, "Văn bản này không được tách từ một bản quét — not cut from a scan")
        ctx = splits.view(st)
        html = wb.page("split.html", user, status=status, error=error, **ctx)
    return html


@router.get("/ui/static/split.css")
def split_css() -> Response:
    return Response(splits.CSS, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


@router.get("/ui/splits/{document_id}", response_class=HTMLResponse)
def split_view(wb: WorkbenchDep, user: Viewer, document_id: str) -> HTMLResponse:
    return split_page(wb, user, document_id)


@router.post("/ui/splits/{document_id}")
async def split_decide(wb: WorkbenchDep, user: VerifierPost, request: Request, document_id: str) -> Response:
    form = await request.form()  # the CSRF token was checked by VerifierPost; several 'start' values
    try:
        starts = splits.starts_from_form([str(v) for v in form.getlist("start")])
        with wb.session() as s:
            msg = splits.decide(s, f"ui:{user.username}", document_id, starts, str(form.get("comment") or ""))
    except splits.SplitError as exc:
        return split_page(wb, user, document_id, error=str(exc), status=400)
    return wb.back(f"/ui/splits/{document_id}", msg)
