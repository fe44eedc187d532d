"""The stylesheet and the script (no inline script: the CSP forbids it)."""
from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response
from sohoa.ui.templates import CSS, JS

router = APIRouter()


@router.get("/ui/static/app.css")
def css() -> Response:
    return Response(CSS, media_type="text/css", headers={"Cache-Control": "max-age=3600"})


@router.get("/ui/static/app.js")
def js() -> Response:
    return Response(JS, media_type="text/javascript", headers={"Cache-Control": "max-age=3600"})
