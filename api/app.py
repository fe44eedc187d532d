"""The service API for other systems (requirements: users "other systems"; seed 003).

    app = create_app(build_runtime(settings, need_signer=False, actor="api"))

Endpoints (OpenAPI at /openapi.json):

    GET /documents/{document_id}               catalogue record: fields, status, objects   read
    GET /documents/{document_id}/original      the signed PDF, sha256-checked, streamed    read + read_personal
        ?presigned=1                           (S3 store) a short-lived URL instead
    GET /documents/{document_id}/verification  verification report of the stored original read
    GET /documents/{document_id}/current       current (verified) values, provenance       read
    GET /documents/{document_id}/verifications[/{n}[/signature]]  signed verification records
                                               (list, signature: read; the JSON: + read_personal)
    GET /documents?document_number=…           documents with that number                  read
    GET /documents?personal_id=…               documents of which the person is any person read + read_personal
    GET /documents?passport_number=…           the same by a foreigner's passport          read + read_personal
    GET /persons/{personal_id or passport}     a person's timeline, with flags             read + read_personal
    GET /dossiers/{code}                       a dossier's archival metadata, its documents read
    GET /audit/events?limit=N                  the newest audit events                     admin
    GET /audit/verify                          check the audit hash chain                  admin

Authentication: `Authorization: Bearer sohoa_…` (api/tokens.py, api/deps.py); 401 when
the token is missing, unknown, revoked or expired, 403 when it lacks the scope;
`admin` holds every scope. Sensitive personal data is masked (api/masking.py)
unless the token has read_personal. The signed original and a person search
need read_personal: a signed PDF cannot be masked without breaking its
signature, and which criminal-record documents belong to a person is itself
personal data.

Every request -- served, refused, not found, invalid -- is one event of the
hash-chained audit log (api/audit.py), written before the response leaves
(except unauthenticated floods: past a rate, one aggregate event, api/throttle.py):
when the event cannot be written the caller gets 503 and no data.
Tokens, credentials and query values are never logged or audited (person
searches are audited with the ID masked and the documents returned).

The routes live in api/routes/ (documents, audit), one APIRouter each; the
response models in api/schemas.py.
"""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sohoa.api.audit import AuditMiddleware, AuditWriter, audit_context, write_audit
from sohoa.api.routes import audit, documents, dossiers, persons, verifications
from sohoa.api.throttle import ThrottleMiddleware
from sohoa.core.runtime import Runtime

__all__ = ["AuditMiddleware", "AuditWriter", "create_app", "write_audit"]

DESCRIPTION = """Signed originals of the digitised judicial paper files, their catalogue
records and verification reports, for other systems.

Authenticate with an API token (`sohoa token create NAME --scope read`):
`Authorization: Bearer sohoa_…`. Scopes: `read` (catalogue records, verification
reports, search by document number), `read_personal` (unmasked personal data, the
signed originals, search by personal ID), `write` (reserved), `admin` (all, and the
audit log). Every request is recorded in the tamper-evident audit log."""


async def _invalid(request: Request, exc: Exception) -> JSONResponse:
    # No echo of the caller's input (it may be personal data, or markup).
    assert isinstance(exc, RequestValidationError)
    errors = [{"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg"), "type": e.get("type")}
              for e in exc.errors()]
    audit_context(request).setdefault("detail", {})["invalid"] = [".".join(e["loc"]) for e in errors][:10]
    return JSONResponse({"detail": errors}, status_code=422)


def create_app(runtime: Runtime) -> FastAPI:
    app = FastAPI(title="sohoa service API", version="1.0.0", description=DESCRIPTION,
                  openapi_url="/openapi.json", docs_url=None, redoc_url=None)
    app.state.runtime = runtime
    app.add_exception_handler(RequestValidationError, _invalid)
    app.add_middleware(AuditMiddleware, runtime=runtime)
    # outermost: a throttled request is turned away before it costs an audit event (api/throttle.py)
    app.add_middleware(ThrottleMiddleware, runtime=runtime, per_minute=runtime.settings.api_unauthenticated_per_minute)
    app.include_router(documents.router)
    app.include_router(verifications.router)
    app.include_router(persons.router)
    app.include_router(dossiers.router)
    app.include_router(audit.router)
    return app
