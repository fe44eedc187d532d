"""A document's verified values and its signed verification records (issue 16, item 1).

    GET /documents/{id}/current                      current values with provenance, state   read
    GET /documents/{id}/verifications                the records: n, state, sha256, sealed   read
    GET /documents/{id}/verifications/{n}            the record's JSON, as signed            read + read_personal
    GET /documents/{id}/verifications/{n}/signature  its detached CMS signature (DER)        read

Another system checks a record with any CMS tool (`openssl cms -verify -binary -inform DER
-in N.p7s -content N.json ...`) or `sohoa verify N.json`. The JSON holds personal data
(the values decided), so it needs read_personal, as the signed original does.
"""
from __future__ import annotations

import base64
import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Request
from fastapi.responses import Response
from sohoa.api.audit import audit_context, clean
from sohoa.api.deps import PersonalReader, Reader, RuntimeDep
from sohoa.api.masking import is_sensitive, mask_value
from sohoa.api.schemas import ERRORS, NOT_FOUND
from sohoa.archive.models import Document, Person, StoredObject, VerificationRecord
from sohoa.archive.verified import current_values, provenance, record_summary
from sohoa.core.errors import IntegrityError, StoreError
from sohoa.core.runtime import Runtime
from sqlalchemy import select

router = APIRouter()

# as api/routes/documents.py's (which imports this module: no import back)
DocumentId = Annotated[str, Path(..., pattern=r"^D[0-9a-f]{24}$", description="D followed by 24 hex digits")]

RecordNumber = Annotated[int, Path(..., ge=1, le=1_000_000, description="the record's number, 1 first")]


def masked_provenance(name: str, p: dict[str, Any]) -> dict[str, Any]:
    """A current value for a caller without read_personal: every value of a sensitive field
    masked (the value, as read, the registry's), and its reason text too (it may quote them)."""
    if not is_sensitive(name):
        return p
    out = dict(p)
    for k in ("value", "read_value", "registry_value"):
        out[k] = mask_value(name, p.get(k))
    if out.get("legal_basis"):
        out["legal_basis"] = "***"
    return out


def current_out(rt: Runtime, document_id: str, personal: bool) -> dict[str, Any]:
    """The document's verification state and each person's current values with provenance."""
    with rt.catalogue.session() as s:
        doc = s.get(Document, document_id)
        if doc is None:
            raise HTTPException(404, f"document {document_id}: not in the archive")
        persons = {p.ordinal: p for p in s.scalars(select(Person).where(Person.document_id == document_id))}
        values = current_values(s, document_id)
        last = s.scalar(select(VerificationRecord).where(VerificationRecord.document_id == document_id)
                        .order_by(VerificationRecord.n.desc()).limit(1))
        out_persons = []
        for k in sorted(set(persons) | set(values)):
            p = persons.get(k)
            vals = {v.name: provenance(v) for v in values.get(k, [])}
            out_persons.append({
                "ordinal": k, "verification_state": p.verification_state if p is not None else None,
                "values": vals if personal else {n: masked_provenance(n, x) for n, x in vals.items()}})
        return {"document_id": document_id, "status": doc.status, "verification_state": doc.verification_state,
                "record": record_summary(last) if last is not None else None, "persons": out_persons,
                "masked": not personal}


@router.get("/documents/{document_id}/current", name="document.current", responses={**ERRORS, **NOT_FOUND},
            summary="Current (verified) values with their provenance, and the verification state")
def get_current(request: Request, document_id: DocumentId, token: Reader, rt: RuntimeDep) -> dict[str, Any]:
    personal = token.has("read_personal")
    out = current_out(rt, document_id, personal)
    audit_context(request)["detail"] = {"masked": not personal, "verification_state": out["verification_state"]}
    return out


@router.get("/documents/{document_id}/verifications", name="document.verifications",
            responses={**ERRORS, **NOT_FOUND}, summary="A document's signed verification records")
def list_records(request: Request, document_id: DocumentId, token: Reader, rt: RuntimeDep) -> dict[str, Any]:
    with rt.catalogue.session() as s:
        doc = s.get(Document, document_id)
        if doc is None:
            raise HTTPException(404, f"document {document_id}: not in the archive")
        rows = list(s.scalars(select(VerificationRecord).where(VerificationRecord.document_id == document_id)
                              .order_by(VerificationRecord.n)))
        records = []
        for r in rows:
            base = f"/documents/{document_id}/verifications/{r.n}"
            records.append({**record_summary(r), "links": {"record": base, "signature": f"{base}/signature"}})
        state = doc.verification_state
    audit_context(request)["detail"] = {"records": len(records)}
    return {"document_id": document_id, "verification_state": state, "count": len(records), "records": records}


def _object(rt: Runtime, request: Request, document_id: str, n: int, which: str) -> tuple[bytes, str]:
    """The stored bytes of record n's JSON or signature, hash-checked; 404 when not sealed yet."""
    ctx = audit_context(request)
    with rt.catalogue.session() as s:
        r = s.scalar(select(VerificationRecord).where(VerificationRecord.document_id == document_id,
                                                      VerificationRecord.n == n))
        oid = None if r is None else (r.json_object_id if which == "json" else r.sig_object_id)
        if r is None or oid is None:
            raise HTTPException(404, f"document {document_id}: no sealed verification record {n}")
        obj = s.get(StoredObject, oid)
        assert obj is not None  # a foreign key
        ref = obj.ref
    try:
        data = rt.store.get(ref)
    except IntegrityError as exc:
        ctx["detail"] = {"reason": clean(exc, 300)}
        raise HTTPException(500, "the stored object failed its integrity check; reported") from None
    except StoreError as exc:
        ctx["detail"] = {"reason": clean(exc, 300)}
        raise HTTPException(503, "object store unavailable") from None
    if hashlib.sha256(data).hexdigest() != ref.sha256:
        ctx["detail"] = {"reason": f"stored bytes do not hash to {ref.sha256}"}
        raise HTTPException(500, "the stored object failed its integrity check; reported")
    ctx["detail"] = {"n": n, "sha256": ref.sha256, "part": which}
    return data, ref.sha256


def _headers(sha: str, name: str) -> dict[str, str]:
    b64 = base64.b64encode(bytes.fromhex(sha)).decode()
    return {"Content-Disposition": f'attachment; filename="{name}"', "X-Content-SHA256": sha,
            "Repr-Digest": f"sha-256=:{b64}:", "ETag": f'"{sha}"'}


@router.get("/documents/{document_id}/verifications/{n}", name="document.verification_record",
            responses={**ERRORS, **NOT_FOUND, 200: {"content": {"application/json": {}},
                                                    "description": "the record's JSON, the exact bytes signed"}},
            summary="A verification record (JSON), exactly as signed")
def get_record(request: Request, document_id: DocumentId, n: RecordNumber, token: PersonalReader,
               rt: RuntimeDep) -> Response:
    data, sha = _object(rt, request, document_id, n, "json")
    headers = _headers(sha, f"{document_id}-{n}.json")
    headers["Link"] = f'</documents/{document_id}/verifications/{n}/signature>; rel="signature"'
    return Response(data, media_type="application/json", headers=headers)


@router.get("/documents/{document_id}/verifications/{n}/signature", name="document.verification_signature",
            responses={**ERRORS, **NOT_FOUND, 200: {"content": {"application/pkcs7-signature": {}},
                                                    "description": "detached CMS SignedData (DER)"}},
            summary="A verification record's detached CMS signature")
def get_signature(request: Request, document_id: DocumentId, n: RecordNumber, token: Reader,
                  rt: RuntimeDep) -> Response:
    data, sha = _object(rt, request, document_id, n, "sig")
    return Response(data, media_type="application/pkcs7-signature", headers=_headers(sha, f"{document_id}-{n}.p7s"))
