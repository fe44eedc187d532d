"""A person's judicial record: every archived document about them, in time order,
with links to the signed originals and what does not add up (reconciler.timeline)."""
from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request
from sohoa.api.audit import audit_context
from sohoa.api.deps import PersonalReader, RuntimeDep
from sohoa.api.masking import mask_id
from sohoa.api.schemas import ERRORS, NOT_FOUND, PersonTimeline
from sohoa.reconciler.timeline import person_timeline

# a 12-digit personal ID (9-digit legacy card) or a passport number
PERSON_KEY = r"^[0-9]{9}$|^[0-9]{12}$|^[A-Za-z0-9]{5,20}$"

PersonKey = Annotated[str, Path(..., pattern=PERSON_KEY, description="personal ID or passport number",
                                examples=["001090012345"])]

router = APIRouter()


@router.get("/persons/{key}", response_model=PersonTimeline, name="person.timeline",
            responses={**ERRORS, **NOT_FOUND}, summary="A person's documents in time order, with flags")
def timeline(request: Request, key: PersonKey, token: PersonalReader, rt: RuntimeDep) -> dict[str, Any]:
    ctx = audit_context(request)
    ctx["object"] = f"person:{mask_id(key)}"
    with rt.catalogue.session() as s:
        found = person_timeline(s, key)
        if found is None:
            raise HTTPException(404, "no archived document about this person")
        out = found.to_dict()
    for d in out["documents"]:
        signed = d.pop("signed")
        d["sha256"] = signed["sha256"] if signed else None
        d["links"] = {"document": f"/documents/{d['document_id']}",
                      "original": f"/documents/{d['document_id']}/original"}
        if not isinstance(d.get("penalty_months"), int):
            d["penalty_months"] = None
    ctx["detail"] = {"documents": [d["document_id"] for d in out["documents"]][:100],
                     "flags": [f["kind"] for f in out["flags"]]}
    return out
