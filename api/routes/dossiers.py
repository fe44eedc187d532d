"""Dossiers (hồ sơ lưu trữ): a dossier's archival metadata and its documents, in order.

    GET /dossiers/{code}    the dossier's set (Dossier.archival) and each document's    read

A document belongs to the dossier when its FileCode is the code (the dossier batch.json
declared or the split found, else the judgment it executes: archive/archival.py) or the
split put it there. Personal data is masked as everywhere (api/masking.py) unless the
token has read_personal.
"""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request
from sohoa.api.audit import audit_context
from sohoa.api.deps import Reader, RuntimeDep
from sohoa.api.masking import mask
from sohoa.api.schemas import ERRORS, NOT_FOUND
from sohoa.archive.archival_catalogue import file_members
from sohoa.archive.models import Dossier

DOSSIER_CODE = r"^[\w.\-/]{1,64}$"  # pipeline/dossiers.py's CODE, and a judgment's FileCode

DossierCode = Annotated[str, Path(..., pattern=DOSSIER_CODE, description="the dossier's code (FileCode)",
                                  examples=["DEMO.2024.125-HS-ST"])]

router = APIRouter()


def _order(d: Any) -> tuple:
    a = d.archival or {}
    return (a.get("DocOrdinal") or d.dossier_ordinal or 0, a.get("IssuedDate") or "", d.document_id)


@router.get("/dossiers/{code:path}", name="dossier.get", responses={**ERRORS, **NOT_FOUND},
            summary="A dossier's archival metadata and its documents")
def get_dossier(request: Request, code: DossierCode, token: Reader, rt: RuntimeDep) -> dict[str, Any]:
    ctx = audit_context(request)
    ctx["object"] = f"dossier:{code}"
    personal = token.has("read_personal")
    with rt.catalogue.session() as s:
        row = s.get(Dossier, code)
        members = sorted(file_members(s, code), key=_order)
        if row is None and not members:
            raise HTTPException(404, f"dossier {code}: not in the archive")
        documents = [{"document_id": d.document_id, "doc_type": d.doc_type, "status": d.status,
                      "ordinal": (d.archival or {}).get("DocOrdinal") or d.dossier_ordinal,
                      "page_count": d.page_count, "page_first": d.page_first, "page_last": d.page_last,
                      "archival": d.archival,
                      "links": {"self": f"/documents/{d.document_id}",
                                "original": f"/documents/{d.document_id}/original"}}
                     for d in members]
        out = {"code": code, "title": row.title if row else None, "declared": bool(row.declared) if row else False,
               "batch_id": row.batch_id if row else None, "archival": row.archival if row else None,
               "documents": documents, "masked": not personal}
    ctx["detail"] = {"documents": [d["document_id"] for d in documents][:100], "masked": not personal}
    return out if personal else mask(out)
