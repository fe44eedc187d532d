"""The API's response models: the published contract (OpenAPI at /openapi.json)."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, Field


class FieldOut(BaseModel):
    value: Any = None
    confidence: float
    page: int | None = None
    bbox: list[Any] | None = None
    confirmed_by: str | None = None  # the source whose agreement lifted the confidence (contract section 4)


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


class PersonOut(BaseModel):
    """One person of a document (contract section 5)."""

    ordinal: int
    fields: dict[str, FieldOut] = Field(default_factory=dict)
    registry_record_id: str | None = None
    status: str
    discrepancies: list[dict[str, Any]] = Field(default_factory=list)
    links: dict[str, str] = Field(default_factory=dict)
    verification_state: str | None = Field(None, description="pending | verified | corrected (beside status)")


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
    persons: list[PersonOut] = Field(default_factory=list, description="every person of the document (contract v2)")
    files: list[FileOut] = Field(default_factory=list)
    objects: list[ObjectOut] = Field(default_factory=list)
    masked: bool = Field(description="true when sensitive personal data was masked")
    links: dict[str, str] = Field(default_factory=dict)
    archival: dict[str, Any] | None = Field(default=None, description="archival document metadata "
                                            "(Law on Archives 2024 / Decree 30/2020 App. VI names: archive/archival.py)")
    verification_state: str | None = Field(None, description="pending | verified | corrected, beside the "
                                           "report status: people decided every item (issue 16)")
    current: dict[str, Any] | None = Field(None, description="the current values with their provenance, "
                                           "once people decided (/documents/{id}/current)")


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


Responses = dict[int | str, dict[str, Any]]

ERRORS: Responses = {401: {"model": Problem, "description": "missing, unknown, revoked or expired token"},
                     403: {"model": Problem, "description": "the token lacks the scope"},
                     422: {"model": Problem, "description": "invalid parameter"}}
NOT_FOUND: Responses = {404: {"model": Problem, "description": "no such document"}}


class TimelineDocument(BaseModel):
    document_id: str
    doc_type: str | None = None
    kind: str | None = Field(None, description="a judgment's trial level, a decision's or certificate's kind")
    document_number: str | None = None
    issue_date: str | None = None
    issuer: str | None = None
    status: str
    registry_record_id: str | None = None
    judgment_ref: str | None = None
    penalty_months: int | None = None
    fields: dict[str, Any] = Field(default_factory=dict)
    sha256: str | None = None
    links: dict[str, str] = Field(default_factory=dict)


class TimelineFlag(BaseModel):
    kind: str = Field(description="expungement_before_completion | completion_without_judgment | penalty_differs")
    document_id: str
    detail: str


class PersonTimeline(BaseModel):
    """A person's judicial record as the archive holds it, oldest first."""

    key: str
    person_name: str | None = None
    documents: list[TimelineDocument]
    flags: list[TimelineFlag]
