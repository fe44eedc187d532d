"""The service API for other systems (requirements: users "other systems"; seed 003).

    app = create_app(build_runtime(settings, need_signer=False, actor="api"))

Endpoints (OpenAPI at /openapi.json):

    GET /documents/{document_id}               catalogue record: fields, status, objects   read
    GET /documents/{document_id}/original      the signed PDF, sha256-checked, streamed    read + read_personal
        ?presigned=1                           (S3 store) a short-lived URL instead
    GET /documents/{document_id}/verification  verification report of the stored original read
    GET /documents?document_number=…           documents with that number                  read
    GET /documents?personal_id=…               a person's documents                        read + read_personal
    GET /audit/events?limit=N                  the newest audit events                     admin
    GET /audit/verify                          check the audit hash chain                  admin

Authentication: `Authorization: Bearer sohoa_…` (api/tokens.py); 401 when the
token is missing, unknown, revoked or expired, 403 when it lacks the scope;
`admin` holds every scope. Sensitive personal data is masked (api/masking.py)
unless the token has read_personal. The signed original and a person search
need read_personal: a signed PDF cannot be masked without breaking its
signature, and which criminal-record documents belong to a person is itself
personal data.

Every request -- served, refused, not found, invalid -- is one event of the
hash-chained audit log (archive.catalogue.audit), written before the response
leaves: when the event cannot be written the caller gets 503 and no data.
Tokens, credentials and query values are never logged or audited (person
searches are audited with the ID masked and the documents returned).
"""
from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import hashlib
import json
import logging
import queue
import re
import threading
import time
import unicodedata
import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Iterator

from fastapi import Depends, FastAPI, HTTPException, Path, Query, Request, Security
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field
from sohoa.api.masking import mask, mask_id
from sohoa.api.tokens import TokenInfo, lookup
from sohoa.archive.catalogue import audit, verify_audit_chain
from sohoa.archive.models import AuditEvent, Document, FieldValue, RegistryRecord, StoredObject
from sohoa.core.errors import IntegrityError, SohoaError, StoreError
from sohoa.core.storage import ObjectRef
from sqlalchemy import Text, cast, select

log = logging.getLogger("sohoa.api")

DOCUMENT_ID = r"^D[0-9a-f]{24}$"
PERSONAL_ID = r"^[0-9]{9}$|^[0-9]{12}$"  # 12-digit personal ID (9-digit legacy ID card)
DOCUMENT_NUMBER = r"^[\w./\-]{1,64}$"
CHUNK = 64 * 1024
_TOKEN_LIKE = re.compile(r"sohoa_[A-Za-z0-9_\-]{8,}")
_audit_lock = threading.Lock()
SECURITY_HEADERS = [(b"x-content-type-options", b"nosniff"),
                    (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
                    (b"referrer-policy", b"no-referrer")]
_SECURITY_NAMES = {k for k, _ in SECURITY_HEADERS}

DESCRIPTION = """Signed originals of the digitised judicial paper files, their catalogue
records and verification reports, for other systems.

Authenticate with an API token (`sohoa token create NAME --scope read`):
`Authorization: Bearer sohoa_…`. Scopes: `read` (catalogue records, verification
reports, search by document number), `read_personal` (unmasked personal data, the
signed originals, search by personal ID), `write` (reserved), `admin` (all, and the
audit log). Every request is recorded in the tamper-evident audit log."""


# --- response models (the published contract) -------------------------------------

class FieldOut(BaseModel):
    value: Any = None
    confidence: float
    page: int | None = None
    bbox: list[Any] | None = None


class ObjectOut(BaseModel):
    role: str
    bucket: str
    key: str
    version_id: str | None = None
    sha256: str
    size: int
    created_at: datetime | None = None


class FileOut(BaseModel):
    path: str
    sha256: str
    size: int


class DocumentOut(BaseModel):
    document_id: str
    doc_type: str | None = None
    doc_type_confidence: float | None = None
    status: str
    batch_id: str
    source: str
    source_kind: str
    page_count: int
    ocr_used: bool | None = None
    signer: str | None = None
    converted_at: datetime | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    registry_record_id: str | None = None
    fields: dict[str, FieldOut] = Field(default_factory=dict)
    files: list[FileOut] = Field(default_factory=list)
    objects: list[ObjectOut] = Field(default_factory=list)
    masked: bool = Field(description="true when sensitive personal data was masked")
    links: dict[str, str] = Field(default_factory=dict)


class DocumentSummary(BaseModel):
    document_id: str
    doc_type: str | None = None
    status: str
    document_number: str | None = None
    issue_date: str | None = None
    person_name: str | None = None
    personal_id: str | None = None
    converted_at: datetime | None = None
    sha256: str | None = None
    links: dict[str, str] = Field(default_factory=dict)


class DocumentList(BaseModel):
    count: int
    masked: bool
    documents: list[DocumentSummary]


class Presigned(BaseModel):
    document_id: str
    url: str
    expires_at: datetime
    sha256: str
    size: int
    version_id: str | None = None


class AuditEventOut(BaseModel):
    id: int
    at: datetime
    actor: str
    action: str
    object: str
    outcome: str
    detail: dict[str, Any]
    hash: str


class AuditVerification(BaseModel):
    intact: bool
    events: int
    problems: list[str]


class Problem(BaseModel):
    detail: Any


ERRORS = {401: {"model": Problem, "description": "missing, unknown, revoked or expired token"},
          403: {"model": Problem, "description": "the token lacks the scope"},
          422: {"model": Problem, "description": "invalid parameter"}}
NOT_FOUND = {404: {"model": Problem, "description": "no such document"}}


# --- helpers -------------------------------------------------------------------------

def _ctx(request: Request) -> dict[str, Any]:
    return request.scope.setdefault("sohoa.audit", {})


def _clean(value: Any, limit: int = 200) -> str:
    """Caller-supplied text fit for the audit log and a terminal: bounded, no control
    characters, nothing that looks like a token."""
    s = _TOKEN_LIKE.sub("sohoa_[redacted]", str(value))
    s = "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in s[:limit])
    return s + ("…" if len(str(value)) > limit else "")


def _aware(t: datetime | None) -> datetime | None:
    return t.replace(tzinfo=timezone.utc) if t is not None and t.tzinfo is None else t


def _latest_signed(doc: Document) -> StoredObject | None:
    signed = [o for o in doc.objects if o.role == "signed"]
    return max(signed, key=lambda o: o.id) if signed else None


def _links(document_id: str) -> dict[str, str]:
    return {"self": f"/documents/{document_id}", "original": f"/documents/{document_id}/original",
            "verification": f"/documents/{document_id}/verification"}


def write_audit(rt, account: str, action: str, obj: str, outcome: str, detail: dict[str, Any]) -> None:
    """One audit event, now (archive.catalogue.audit serialises appends across processes)."""
    _append(rt, [(account, action, obj, outcome, detail)])


def _append(rt, events: list[tuple[str, str, str, str, dict[str, Any]]]) -> None:
    with _audit_lock, rt.catalogue.session() as s:
        for account, action, obj, outcome, detail in events:
            audit(s, account, action, obj, outcome, **detail)


class AuditWriter:
    """Group commit for the audit log: requests hand their event to one writer thread,
    which appends everything waiting in one transaction and then releases the
    requests (each still waits until its event is committed). One commit (one
    fsync) per group instead of per request."""

    MAX_GROUP = 256

    def __init__(self, rt):
        self.rt = rt
        self.queue: queue.SimpleQueue = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._start_lock = threading.Lock()

    def submit(self, account: str, action: str, obj: str, outcome: str,
               detail: dict[str, Any]) -> concurrent.futures.Future:
        fut: concurrent.futures.Future = concurrent.futures.Future()
        if self._thread is None:
            with self._start_lock:
                if self._thread is None:
                    self._thread = threading.Thread(target=self._run, name="sohoa-audit", daemon=True)
                    self._thread.start()
        self.queue.put(((account, action, obj, outcome, detail), fut))
        return fut

    def _run(self) -> None:
        while True:
            group = [self.queue.get()]
            while len(group) < self.MAX_GROUP:
                try:
                    group.append(self.queue.get_nowait())
                except queue.Empty:
                    break
            try:
                _append(self.rt, [ev for ev, _ in group])
                for _, fut in group:
                    fut.set_result(None)
            except Exception:  # one bad event must not fail the others: one by one
                for ev, fut in group:
                    try:
                        _append(self.rt, [ev])
                        fut.set_result(None)
                    except Exception as exc:
                        fut.set_exception(exc)


def _outcome(status: int) -> str:
    if status < 400:
        return "ok"
    if status in (401, 403):
        return "refused"
    if status == 404:
        return "not_found"
    if status < 500:
        return "invalid"
    return "error"


# --- the audit middleware --------------------------------------------------------------

class AuditMiddleware:
    """Writes one audit event per HTTP request, when the response starts (before any
    of its body leaves). No event, no data: a failed write turns the answer into 503."""

    def __init__(self, app, runtime):
        self.app = app
        self.rt = runtime
        self.writer = AuditWriter(runtime)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        t0 = time.perf_counter()
        request_id = uuid.uuid4().hex
        ctx = scope.setdefault("sohoa.audit", {})
        state = {"started": False, "dropped": False, "status": 500}

        async def record(status: int) -> bool:
            route = scope.get("route")
            action = "api." + (getattr(route, "name", None) or "request") if route else "api.request"
            params = scope.get("path_params") or {}
            obj = ctx.get("object") or params.get("document_id") or scope.get("path", "")
            account = ctx.get("account") or "anonymous"
            outcome = ctx.get("outcome") or _outcome(status)
            detail = {"method": scope.get("method"), "status": status, "request_id": request_id,
                      "client": (scope.get("client") or ("?",))[0]}
            if not route:
                detail["path"] = _clean(scope.get("path", ""))
            detail.update(ctx.get("detail") or {})
            try:
                await asyncio.wrap_future(self.writer.submit(_clean(account, 200), action[:64], _clean(obj),
                                                             outcome, detail))
            except Exception as exc:
                log.error("audit event not written: %s", type(exc).__name__,
                          extra={"request_id": request_id, "error": _clean(exc, 300)})
                return False
            log.info("%s %s %s", scope.get("method"), getattr(route, "path", "?"), status,
                     extra={"request_id": request_id, "account": _clean(account),
                            "action": action, "outcome": outcome, "status": status,
                            "document_id": _clean(params["document_id"]) if route and "document_id" in params else None,
                            "duration_ms": round((time.perf_counter() - t0) * 1000, 1)})
            return True

        async def audited_send(message):
            if message["type"] == "http.response.start":
                state["status"] = message["status"]
                if not await record(message["status"]):
                    state["dropped"] = True
                    body = json.dumps({"detail": "audit log unavailable; request not served"}).encode()
                    await send({"type": "http.response.start", "status": 503,
                                "headers": [(b"content-type", b"application/json"),
                                            (b"content-length", str(len(body)).encode())]})
                    await send({"type": "http.response.body", "body": body})
                    return
                state["started"] = True
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() not in _SECURITY_NAMES]
                if not any(k.lower() == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers + SECURITY_HEADERS + [(b"x-request-id", request_id.encode())]
            elif state["dropped"]:
                return
            await send(message)

        try:
            await self.app(scope, receive, audited_send)
        except Exception:
            if not state["started"] and not state["dropped"]:
                ctx.setdefault("outcome", "error")
                await record(500)
            raise


# --- the app ------------------------------------------------------------------------------

def create_app(runtime) -> FastAPI:
    rt = runtime
    app = FastAPI(title="sohoa service API", version="1.0.0", description=DESCRIPTION,
                  openapi_url="/openapi.json", docs_url=None, redoc_url=None)
    app.state.runtime = rt
    bearer = HTTPBearer(auto_error=False, scheme_name="token",
                        description="An API token: `Authorization: Bearer sohoa_…`")

    def require(*scopes: str):
        def dependency(request: Request,
                       creds: HTTPAuthorizationCredentials | None = Security(bearer)) -> TokenInfo:
            ctx = _ctx(request)
            with rt.catalogue.session() as s:
                info, refused = lookup(s, creds.credentials if creds else None)
            if info is not None:
                ctx["account"] = info.name
            if refused:
                ctx["detail"] = {"reason": f"token {refused}"}
                raise HTTPException(401, "missing, unknown, revoked or expired token",
                                    headers={"WWW-Authenticate": 'Bearer realm="sohoa"'})
            missing = [sc for sc in scopes if not info.has(sc)]
            if missing:
                ctx["detail"] = {"reason": "scope", "needs": missing}
                raise HTTPException(403, f"this token lacks the scope {', '.join(missing)}",
                                    headers={"WWW-Authenticate": f'Bearer scope="{" ".join(scopes)}"'})
            return info
        return dependency

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        # No echo of the caller's input (it may be personal data, or markup).
        errors = [{"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg"), "type": e.get("type")}
                  for e in exc.errors()]
        _ctx(request).setdefault("detail", {})["invalid"] = [".".join(e["loc"]) for e in errors][:10]
        return JSONResponse({"detail": errors}, status_code=422)

    app.add_middleware(AuditMiddleware, runtime=rt)

    doc_id_param = Path(..., pattern=DOCUMENT_ID, description="D followed by 24 hex digits",
                        examples=["D0123456789abcdef01234567"])

    def _load(document_id: str, request: Request) -> Document:
        with rt.catalogue.session() as s:
            doc = s.get(Document, document_id)
            if doc is None:
                raise HTTPException(404, f"document {document_id}: not in the archive")
            # Load what the response needs while the session is open.
            doc.fields, doc.files, doc.objects  # noqa: B018
            return doc

    def _signed_ref(document_id: str) -> ObjectRef:
        with rt.catalogue.session() as s:
            doc = s.get(Document, document_id)
            obj = _latest_signed(doc) if doc is not None else None
            if obj is None:
                raise HTTPException(404, f"document {document_id}: not in the archive")
            return ObjectRef(obj.bucket, obj.key, obj.version_id, obj.sha256, obj.size)

    def _read(request: Request, ref: ObjectRef) -> bytes:
        """The stored bytes, their hash checked against the catalogue's."""
        ctx = _ctx(request)
        try:
            data = rt.store.get(ref)
        except IntegrityError as exc:
            ctx["detail"] = {"reason": _clean(exc, 300)}
            log.error("integrity: %s", exc, extra={"document_id": ref.key})
            raise HTTPException(500, "the stored object failed its integrity check; reported") from None
        except StoreError as exc:
            ctx["detail"] = {"reason": _clean(exc, 300)}
            raise HTTPException(503, "object store unavailable") from None
        digest = hashlib.sha256(data).hexdigest()
        if digest != ref.sha256:
            ctx["detail"] = {"reason": f"stored bytes hash to {digest}, catalogue says {ref.sha256}"}
            raise HTTPException(500, "the stored object failed its integrity check; reported")
        return data

    @app.get("/documents/{document_id}", response_model=DocumentOut, name="document.get",
             responses={**ERRORS, **NOT_FOUND}, summary="A document's catalogue record")
    def get_document(request: Request, document_id: str = doc_id_param,
                     token: TokenInfo = Depends(require("read"))) -> dict:
        doc = _load(document_id, request)
        personal = token.has("read_personal")
        fields = {f.name: {"value": f.value, "confidence": f.confidence, "page": f.page, "bbox": f.bbox}
                  for f in sorted(doc.fields, key=lambda f: f.name)}
        out = {
            "document_id": doc.document_id, "doc_type": doc.doc_type, "doc_type_confidence": doc.doc_type_confidence,
            "status": doc.status, "batch_id": doc.batch_id, "source": doc.source, "source_kind": doc.source_kind,
            "page_count": doc.page_count, "ocr_used": doc.ocr_used, "signer": doc.signer,
            "converted_at": _aware(doc.converted_at), "created_at": _aware(doc.created_at),
            "updated_at": _aware(doc.updated_at), "registry_record_id": doc.registry_record_id,
            "fields": fields if personal else mask(fields),
            "files": [{"path": f.relpath, "sha256": f.sha256, "size": f.size} for f in doc.files],
            "objects": [{"role": o.role, "bucket": o.bucket, "key": o.key, "version_id": o.version_id,
                         "sha256": o.sha256, "size": o.size, "created_at": _aware(o.created_at)}
                        for o in sorted(doc.objects, key=lambda o: o.id)],
            "masked": not personal, "links": _links(doc.document_id),
        }
        _ctx(request)["detail"] = {"masked": not personal}
        return out

    @app.get("/documents/{document_id}/original", name="document.original",
             responses={**ERRORS, **NOT_FOUND,
                        200: {"description": "the signed PDF (or, with presigned=1, a short-lived URL)",
                              "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}},
                                          "application/json": {"schema": Presigned.model_json_schema()}}},
                        400: {"model": Problem, "description": "presigned URLs need the S3 store"}},
             summary="The signed original (PDF), hash-checked")
    def get_original(request: Request, document_id: str = doc_id_param,
                     presigned: bool = Query(False, description="return a short-lived URL (S3 store only)"),
                     token: TokenInfo = Depends(require("read", "read_personal"))):
        ctx = _ctx(request)
        ref = _signed_ref(document_id)
        if presigned:
            client = getattr(rt.store, "client", None)
            if client is None or not hasattr(client, "presigned_get_object"):
                raise HTTPException(400, "presigned URLs need the S3 object store; fetch without presigned=1")
            ttl = max(10, min(rt.settings.api_presign_seconds, 3600))
            try:
                url = client.presigned_get_object(ref.bucket, ref.key, expires=timedelta(seconds=ttl),
                                                  version_id=ref.version_id)
            except Exception as exc:
                ctx["detail"] = {"reason": _clean(exc, 300)}
                raise HTTPException(503, "object store unavailable") from None
            ctx["detail"] = {"presigned": True, "ttl_s": ttl, "sha256": ref.sha256, "version_id": ref.version_id}
            return JSONResponse({"document_id": document_id, "url": url, "sha256": ref.sha256, "size": ref.size,
                                 "version_id": ref.version_id,
                                 "expires_at": (datetime.now(timezone.utc) + timedelta(seconds=ttl)).isoformat()})
        data = _read(request, ref)
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

    @app.get("/documents/{document_id}/verification", name="document.verification",
             responses={**ERRORS, **NOT_FOUND}, summary="Verification report of the stored original")
    def get_verification(request: Request, document_id: str = doc_id_param,
                         token: TokenInfo = Depends(require("read"))) -> dict[str, Any]:
        from sohoa.pipeline.sign.report import verify_file

        ref = _signed_ref(document_id)
        data = _read(request, ref)
        try:
            report = verify_file(rt.settings, data, catalogue=rt.catalogue, store=rt.store)
        except SohoaError as exc:
            _ctx(request)["detail"] = {"reason": _clean(exc, 300)}
            raise HTTPException(503, "verification unavailable") from None
        out = json.loads(json.dumps(report.to_dict(), ensure_ascii=False, default=str))
        out["document_id"], out["sha256"] = document_id, ref.sha256
        personal = token.has("read_personal")
        out["masked"] = not personal
        _ctx(request)["detail"] = {"valid": bool(report.valid), "sha256": ref.sha256, "masked": not personal}
        return out if personal else mask(out)

    @app.get("/documents", response_model=DocumentList, name="documents.search",
             responses={**ERRORS}, summary="Documents by document number or by person")
    def search(request: Request,
               personal_id: str | None = Query(None, pattern=PERSONAL_ID,
                                               description="12-digit personal ID; needs read_personal"),
               document_number: str | None = Query(None, pattern=DOCUMENT_NUMBER, max_length=64,
                                                   description="as printed, e.g. 125/2024/HS-ST"),
               limit: int = Query(100, ge=1, le=500),
               token: TokenInfo = Depends(require("read"))) -> dict:
        ctx = _ctx(request)
        ctx["object"] = "documents"
        if personal_id is None and document_number is None:
            raise HTTPException(422, "give personal_id or document_number")
        if personal_id is not None and not token.has("read_personal"):
            ctx["detail"] = {"reason": "scope", "needs": ["read_personal"], "query": "personal_id"}
            raise HTTPException(403, "searching by personal ID needs the scope read_personal",
                                headers={"WWW-Authenticate": 'Bearer scope="read read_personal"'})
        query: dict[str, str] = {}
        conds = []
        with rt.catalogue.session() as s:
            ids: set[str] | None = None
            for name, value in (("personal_id", personal_id), ("document_number", document_number)):
                if value is None:
                    continue
                if name == "document_number":
                    value = unicodedata.normalize("NFC", value).upper()
                query[name] = mask_id(value) if name == "personal_id" else value
                enc = {json.dumps(value), json.dumps(value, ensure_ascii=False)}
                by_field = select(FieldValue.document_id).where(
                    FieldValue.name == name, cast(FieldValue.value, Text).in_(sorted(enc)))
                col = RegistryRecord.personal_id if name == "personal_id" else RegistryRecord.document_number
                by_registry = select(Document.document_id).join(
                    RegistryRecord, RegistryRecord.record_id == Document.registry_record_id).where(col == value)
                found = set(s.scalars(by_field)) | set(s.scalars(by_registry))
                ids = found if ids is None else ids & found
            conds.append(Document.document_id.in_(sorted(ids or [])))
            docs = s.scalars(select(Document).where(*conds)
                             .order_by(Document.converted_at.desc(), Document.document_id).limit(limit)).all()
            personal = token.has("read_personal")
            rows = []
            for d in docs:
                vals = {f.name: f.value for f in d.fields}
                obj = _latest_signed(d)
                row = {"document_id": d.document_id, "doc_type": d.doc_type, "status": d.status,
                       "document_number": _str(vals.get("document_number")),
                       "issue_date": _str(vals.get("issue_date")), "person_name": _str(vals.get("person_name")),
                       "personal_id": _str(vals.get("personal_id")), "converted_at": _aware(d.converted_at),
                       "sha256": obj.sha256 if obj else None, "links": _links(d.document_id)}
                rows.append(row if personal else mask(row))
        ctx["detail"] = {"query": query, "results": [r["document_id"] for r in rows][:100], "masked": not personal}
        return {"count": len(rows), "masked": not personal, "documents": rows}

    @app.get("/audit/events", response_model=list[AuditEventOut], name="audit.events",
             responses={**ERRORS}, summary="The newest audit events (admin)")
    def audit_events(request: Request, limit: int = Query(50, ge=1, le=1000),
                     token: TokenInfo = Depends(require("admin"))) -> list[dict]:
        with rt.catalogue.session() as s:
            evs = s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)).all()
            out = [{"id": e.id, "at": _aware(e.at), "actor": e.actor, "action": e.action, "object": e.object,
                    "outcome": e.outcome, "detail": e.detail or {}, "hash": e.hash} for e in evs]
        _ctx(request)["object"] = "audit_events"
        return out

    @app.get("/audit/verify", response_model=AuditVerification, name="audit.verify",
             responses={**ERRORS}, summary="Check the audit log's hash chain (admin)")
    def audit_verify(request: Request, token: TokenInfo = Depends(require("admin"))) -> dict:
        with rt.catalogue.session() as s:
            problems = verify_audit_chain(s)
            n = s.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1)) or 0
        _ctx(request).update(object="audit_events", detail={"intact": not problems, "problems": len(problems)})
        return {"intact": not problems, "events": n, "problems": problems}

    return app


def _str(v: Any) -> str | None:
    return None if v is None else str(v)
