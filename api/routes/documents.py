"""Documents: the catalogue record, the signed original, its verification report, search."""
from __future__ import annotations

import base64
import hashlib
import json
import logging
import unicodedata
from datetime import datetime, timedelta, timezone
from typing import Annotated, Any, Iterable, Iterator

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from sohoa.api.audit import audit_context, clean
from sohoa.api.deps import PersonalReader, Reader, RuntimeDep
from sohoa.api.masking import mask, mask_id
from sohoa.api.schemas import ERRORS, NOT_FOUND, DocumentList, DocumentOut, Presigned, Problem
from sohoa.archive.models import Document, FieldValue, Person, ReadValue, RegistryRecord
from sohoa.core.errors import IntegrityError, SohoaError, StoreError
from sohoa.core.runtime import Runtime
from sohoa.core.storage import ObjectRef
from sqlalchemy import ColumnElement, Text, cast, select

log = logging.getLogger("sohoa.api")

DOCUMENT_ID = r"^D[0-9a-f]{24}$"
PERSONAL_ID = r"^[0-9]{9}$|^[0-9]{12}$"  # 12-digit personal ID (9-digit legacy ID card)
DOCUMENT_NUMBER = r"^[\w./\-]{1,64}$"
PASSPORT = r"^[A-Za-z0-9]{5,20}$"
CHUNK = 64 * 1024

DocumentId = Annotated[str, Path(..., pattern=DOCUMENT_ID, description="D followed by 24 hex digits",
                                 examples=["D0123456789abcdef01234567"])]

router = APIRouter()


def aware(t: datetime | None) -> datetime | None:
    return t.replace(tzinfo=timezone.utc) if t is not None and t.tzinfo is None else t


def _links(document_id: str) -> dict[str, str]:
    return {"self": f"/documents/{document_id}", "original": f"/documents/{document_id}/original",
            "verification": f"/documents/{document_id}/verification",
            "current": f"/documents/{document_id}/current", "verifications": f"/documents/{document_id}/verifications"}


def _str(v: object) -> str | None:
    return None if v is None else str(v)


def _load(rt: Runtime, document_id: str) -> Document:
    with rt.catalogue.session() as s:
        doc = s.get(Document, document_id)
        if doc is None:
            raise HTTPException(404, f"document {document_id}: not in the archive")
        # Load what the response needs while the session is open.
        doc.fields, doc.files, doc.objects  # noqa: B018
        for p in doc.persons:
            p.fields  # noqa: B018
        return doc


def _fields_out(rows: Iterable[ReadValue]) -> dict[str, dict[str, Any]]:
    """Read values as the batch report gives them: all evidence combined (confirmed_by)."""
    return {f.name: f.reported().to_report() for f in sorted(rows, key=lambda f: f.name)}


def _person_out(p: Person, personal: bool) -> dict[str, Any]:
    fields = _fields_out(p.fields)
    discrepancies = list(p.discrepancies or [])
    key = p.personal_id or p.passport_number
    out = {"ordinal": p.ordinal, "fields": fields if personal else mask(fields),
           "registry_record_id": p.registry_record_id, "status": p.status,
           "discrepancies": discrepancies if personal else mask(discrepancies),
           "links": {"timeline": f"/persons/{key}"} if key and personal else {},
           "verification_state": p.verification_state}
    return out


def _signed_ref(rt: Runtime, document_id: str) -> ObjectRef:
    with rt.catalogue.session() as s:
        doc = s.get(Document, document_id)
        obj = doc.latest_signed if doc is not None else None
        if obj is None:
            raise HTTPException(404, f"document {document_id}: not in the archive")
        return obj.ref


def _read(rt: Runtime, request: Request, ref: ObjectRef) -> bytes:
    """The stored bytes, their hash checked against the catalogue's."""
    ctx = audit_context(request)
    try:
        data = rt.store.get(ref)
    except IntegrityError as exc:
        ctx["detail"] = {"reason": clean(exc, 300)}
        log.error("integrity: %s", exc, extra={"document_id": ref.key})
        raise HTTPException(500, "the stored object failed its integrity check; reported") from None
    except StoreError as exc:
        ctx["detail"] = {"reason": clean(exc, 300)}
        raise HTTPException(503, "object store unavailable") from None
    digest = hashlib.sha256(data).hexdigest()
    if digest != ref.sha256:
        ctx["detail"] = {"reason": f"stored bytes hash to {digest}, catalogue says {ref.sha256}"}
        raise HTTPException(500, "the stored object failed its integrity check; reported")
    return data


@router.get("/documents/{document_id}", response_model=DocumentOut, name="document.get",
            responses={**ERRORS, **NOT_FOUND}, summary="A document's catalogue record")
def get_document(request: Request, document_id: DocumentId, token: Reader, rt: RuntimeDep) -> dict[str, Any]:
    doc = _load(rt, document_id)
    personal = token.has("read_personal")
    fields = _fields_out(doc.fields)
    out = {
        "document_id": doc.document_id, "doc_type": doc.doc_type, "doc_type_confidence": doc.doc_type_confidence,
        "status": doc.status, "batch_id": doc.batch_id, "source": doc.source, "source_kind": doc.source_kind,
        "page_count": doc.page_count, "ocr_used": doc.ocr_used, "signer": doc.signer,
        "converted_at": aware(doc.converted_at), "created_at": aware(doc.created_at),
        "updated_at": aware(doc.updated_at), "registry_record_id": doc.registry_record_id,
        "fields": fields if personal else mask(fields),
        "persons": [_person_out(p, personal) for p in sorted(doc.persons, key=lambda p: p.ordinal)],
        "files": [{"path": f.relpath, "sha256": f.sha256, "size": f.size} for f in doc.files],
        "objects": [{"role": o.role, "bucket": o.bucket, "key": o.key, "version_id": o.version_id,
                     "sha256": o.sha256, "size": o.size, "created_at": aware(o.created_at)}
                    for o in sorted(doc.objects, key=lambda o: o.id)],
        "masked": not personal, "links": _links(doc.document_id),
        "archival": doc.archival if personal else mask(doc.archival),
    }
    from sohoa.api.routes.verifications import current_out  # current values, verified (issue 16)

    out["verification_state"] = doc.verification_state
    out["current"] = current_out(rt, document_id, personal) if doc.verification_state else None
    audit_context(request)["detail"] = {"masked": not personal}
    return out


@router.get("/documents/{document_id}/original", name="document.original",
            responses={**ERRORS, **NOT_FOUND,
                       200: {"description": "the signed PDF (or, with presigned=1, a short-lived URL)",
                             "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}},
                                         "application/json": {"schema": Presigned.model_json_schema()}}},
                       400: {"model": Problem, "description": "presigned URLs need the S3 store"}},
            summary="The signed original (PDF), hash-checked")
def get_original(request: Request, document_id: DocumentId, token: PersonalReader, rt: RuntimeDep,
                 presigned: Annotated[bool, Query(description="return a short-lived URL (S3 store only)")] = False,
                 ) -> Response:
    ctx = audit_context(request)
    ref = _signed_ref(rt, document_id)
    if presigned:
        client = getattr(rt.store, "client", None)
        if client is None or not hasattr(client, "presigned_get_object"):
            raise HTTPException(400, "presigned URLs need the S3 object store; fetch without presigned=1")
        ttl = max(10, min(rt.settings.api_presign_seconds, 3600))
        try:
            url = client.presigned_get_object(ref.bucket, ref.key, expires=timedelta(seconds=ttl),
                                              version_id=ref.version_id)
        except Exception as exc:
            ctx["detail"] = {"reason": clean(exc, 300)}
            raise HTTPException(503, "object store unavailable") from None
        ctx["detail"] = {"presigned": True, "ttl_s": ttl, "sha256": ref.sha256, "version_id": ref.version_id}
        return JSONResponse({"document_id": document_id, "url": url, "sha256": ref.sha256, "size": ref.size,
                             "version_id": ref.version_id,
                             "expires_at": (datetime.now(timezone.utc) + timedelta(seconds=ttl)).isoformat()})
    data = _read(rt, request, ref)
    ctx["detail"] = {"sha256": ref.sha256, "version_id": ref.version_id, "size": len(data)}
    b64 = base64.b64encode(bytes.fromhex(ref.sha256)).decode()

    def chunks() -> Iterator[bytes]:
        view = memoryview(data)
        for i in range(0, len(view), CHUNK):
            yield bytes(view[i:i + CHUNK])

    return StreamingResponse(chunks(), media_type="application/pdf", headers={
        "Content-Length": str(len(data)),
        "Content-Disposition": f'attachment; filename="{document_id}.pdf"',
        "X-Content-SHA256": ref.sha256,
        "Repr-Digest": f"sha-256=:{b64}:",
        "Digest": f"sha-256={b64}",
        "ETag": f'"{ref.sha256}"',
        "X-Object-Version": ref.version_id or "",
    })


@router.get("/documents/{document_id}/verification", name="document.verification",
            responses={**ERRORS, **NOT_FOUND}, summary="Verification report of the stored original")
def get_verification(request: Request, document_id: DocumentId, token: Reader, rt: RuntimeDep) -> dict[str, Any]:
    from sohoa.pipeline.sign.report import verify_file

    ref = _signed_ref(rt, document_id)
    data = _read(rt, request, ref)
    try:
        report = verify_file(rt.settings, data, catalogue=rt.catalogue, store=rt.store)
    except SohoaError as exc:
        audit_context(request)["detail"] = {"reason": clean(exc, 300)}
        raise HTTPException(503, "verification unavailable") from None
    out = json.loads(json.dumps(report.to_dict(), ensure_ascii=False, default=str))
    out["document_id"], out["sha256"] = document_id, ref.sha256
    personal = token.has("read_personal")
    out["masked"] = not personal
    audit_context(request)["detail"] = {"valid": bool(report.valid), "sha256": ref.sha256, "masked": not personal}
    return out if personal else mask(out)


@router.get("/documents", response_model=DocumentList, name="documents.search",
            responses={**ERRORS}, summary="Documents by document number or by person")
def search(request: Request, token: Reader, rt: RuntimeDep,
           personal_id: Annotated[str | None, Query(pattern=PERSONAL_ID,
                                                    description="12-digit personal ID of any person of the "
                                                                "document; needs read_personal")] = None,
           passport_number: Annotated[str | None, Query(pattern=PASSPORT, description="a foreigner's passport "
                                                        "number; needs read_personal")] = None,
           document_number: Annotated[str | None, Query(pattern=DOCUMENT_NUMBER, max_length=64,
                                                        description="as printed, e.g. 125/2024/HS-ST")] = None,
           limit: Annotated[int, Query(ge=1, le=500)] = 100) -> dict[str, Any]:
    ctx = audit_context(request)
    ctx["object"] = "documents"
    if personal_id is None and document_number is None and passport_number is None:
        raise HTTPException(422, "give personal_id, passport_number or document_number")
    for name, value in (("personal_id", personal_id), ("passport_number", passport_number)):
        if value is not None and not token.has("read_personal"):
            ctx["detail"] = {"reason": "scope", "needs": ["read_personal"], "query": name}
            raise HTTPException(403, f"searching by {name.replace('_', ' ')} needs the scope read_personal",
                                headers={"WWW-Authenticate": 'Bearer scope="read read_personal"'})
    query: dict[str, str] = {}
    conds: list[ColumnElement[bool]] = []
    with rt.catalogue.session() as s:
        ids: set[str] | None = None
        for name, value in (("personal_id", personal_id), ("passport_number", passport_number),
                            ("document_number", document_number)):
            if value is None:
                continue
            if name != "personal_id":
                value = unicodedata.normalize("NFC", value).upper()
            query[name] = mask_id(value) if name != "document_number" else value
            col = {"personal_id": RegistryRecord.personal_id, "passport_number": RegistryRecord.passport_number,
                   "document_number": RegistryRecord.document_number}[name]
            # the document's own field (persons[0]'s, for a person field), its registry match ...
            enc = {json.dumps(value), json.dumps(value, ensure_ascii=False)}
            by_field = select(FieldValue.document_id).where(
                FieldValue.name == name, cast(FieldValue.value, Text).in_(sorted(enc)))
            by_registry = select(Document.document_id).join(
                RegistryRecord, RegistryRecord.record_id == Document.registry_record_id).where(col == value)
            found = set(s.scalars(by_field)) | set(s.scalars(by_registry))
            if name != "document_number":
                # ... and any person of the document, or their registry record (contract section 5)
                pcol = Person.personal_id if name == "personal_id" else Person.passport_number
                found |= set(s.scalars(select(Person.document_id).where(pcol == value)))
                found |= set(s.scalars(select(Person.document_id).join(
                    RegistryRecord, RegistryRecord.record_id == Person.registry_record_id).where(col == value)))
            ids = found if ids is None else ids & found
        conds.append(Document.document_id.in_(sorted(ids or [])))
        # a dossier scan cut again by a verifier: its earlier parts stay fetchable by id, not found
        conds.append(Document.superseded_by.is_(None))
        docs = s.scalars(select(Document).where(*conds)
                         .order_by(Document.converted_at.desc(), Document.document_id).limit(limit)).all()
        personal = token.has("read_personal")
        rows = []
        for d in docs:
            vals = {f.name: f.value for f in d.fields}
            obj = d.latest_signed
            row = {"document_id": d.document_id, "doc_type": d.doc_type, "status": d.status,
                   "document_number": _str(vals.get("document_number")),
                   "issue_date": _str(vals.get("issue_date")), "person_name": _str(vals.get("person_name")),
                   "personal_id": _str(vals.get("personal_id")), "converted_at": aware(d.converted_at),
                   "sha256": obj.sha256 if obj else None, "links": _links(d.document_id)}
            rows.append(row if personal else mask(row))
    ctx["detail"] = {"query": query, "results": [r["document_id"] for r in rows][:100], "masked": not personal}
    return {"count": len(rows), "masked": not personal, "documents": rows}
