"""The catalogue schema (SQLAlchemy 2). Migrations live in archive/migrations."""
from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Any

from sohoa.core.storage import ObjectRef
from sohoa.core.types import ExtractedField
from sqlalchemy import JSON, DateTime, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class Base(DeclarativeBase):
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON, Any: JSON}


class Batch(Base):
    __tablename__ = "batches"
    batch_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    unit: Mapped[str | None] = mapped_column(String(500))
    operator: Mapped[str | None] = mapped_column(String(500))
    scanner: Mapped[str | None] = mapped_column(String(500))
    scanned_at: Mapped[str | None] = mapped_column(String(64))
    source_dir: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(32), default="running")  # running | done
    total: Mapped[int] = mapped_column(Integer, default=0)
    done: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Dossier(Base):
    """A dossier (hồ sơ): the paper case file a judgment, the decisions executing it and the
    certificates closing it were kept in. Declared in batch.json or found by splitting a scan."""

    __tablename__ = "dossiers"
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str | None] = mapped_column(Text)
    batch_id: Mapped[str | None] = mapped_column(String(128))  # the batch that first named it
    declared: Mapped[bool] = mapped_column(default=False, server_default="0")  # named in batch.json
    archival: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # archival record metadata (Decree 113/2025)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Document(Base):
    __tablename__ = "documents"
    document_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.batch_id"), index=True)
    source: Mapped[str] = mapped_column(Text)
    source_kind: Mapped[str] = mapped_column(String(16))
    page_count: Mapped[int] = mapped_column(Integer)
    ocr_used: Mapped[bool] = mapped_column(default=True)
    doc_type: Mapped[str | None] = mapped_column(String(16), index=True)
    doc_type_confidence: Mapped[float] = mapped_column(Float, default=0.0)
    status: Mapped[str] = mapped_column(String(16), index=True)  # report status
    registry_record_id: Mapped[str | None] = mapped_column(
        ForeignKey("registry_records.record_id"), index=True
    )
    signer: Mapped[str | None] = mapped_column(Text)
    converted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # its dossier (hồ sơ), ordinal in it (1 first) and pages of its source (1-based, inclusive)
    dossier_code: Mapped[str | None] = mapped_column(ForeignKey("dossiers.code"), index=True)
    dossier_ordinal: Mapped[int | None] = mapped_column(Integer)
    page_first: Mapped[int | None] = mapped_column(Integer)
    page_last: Mapped[int | None] = mapped_column(Integer)
    split_confidence: Mapped[float | None] = mapped_column(Float)  # a cut found in a many-document scan
    superseded_by: Mapped[str | None] = mapped_column(String(64))  # cut again by a verifier: kept, not current
    archival: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # Law on Archives 2024 / Decree 113/2025 metadata
    # beside the report status: verified | corrected once people decided every item, pending before
    # (ui/verification.py; None: no person had to decide anything)
    verification_state: Mapped[str | None] = mapped_column(String(16), index=True)

    files: Mapped[list[SourceFileRow]] = relationship(back_populates="document", order_by="SourceFileRow.ordinal")
    pages: Mapped[list[Page]] = relationship(back_populates="document", order_by="Page.number")
    fields: Mapped[list[FieldValue]] = relationship(back_populates="document")
    objects: Mapped[list[StoredObject]] = relationship(back_populates="document")
    persons: Mapped[list[Person]] = relationship(back_populates="document", order_by="Person.ordinal")

    @property
    def latest_signed(self) -> StoredObject | None:
        """The newest signed version (a timestamp renewal adds one; earlier ones stay)."""
        signed = [o for o in self.objects if o.role == "signed"]
        return max(signed, key=lambda o: o.id) if signed else None


class SourceFileRow(Base):
    __tablename__ = "source_files"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.document_id"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)
    relpath: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    document: Mapped[Document] = relationship(back_populates="files")


class Page(Base):
    __tablename__ = "pages"
    __table_args__ = (UniqueConstraint("document_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.document_id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    width: Mapped[float] = mapped_column(Float)
    height: Mapped[float] = mapped_column(Float)
    text_source: Mapped[str] = mapped_column(String(16))
    mean_confidence: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    document: Mapped[Document] = relationship(back_populates="pages")


class ReadValue:
    """The columns of an extracted value: its name, value, confidence and provenance
    (page, box), shared by a document's fields and a person's."""

    name: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(JSON)
    confidence: Mapped[float] = mapped_column(Float)
    page: Mapped[int | None] = mapped_column(Integer)
    bbox: Mapped[list[Any] | None] = mapped_column(JSON)
    # ExtractedField.read_evidence(): the alternatives the read could not rule out, doubtful characters
    read_evidence: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    # set by reconciliation: the source whose agreement lifted the confidence, and to what
    confirmed_by: Mapped[str | None] = mapped_column(String(16), nullable=True)
    confirmed_confidence: Mapped[float | None] = mapped_column(Float, nullable=True)

    def extracted(self) -> ExtractedField:
        """The value as read (the reconciler's input), without any confirmation."""
        ev = self.read_evidence or {}
        box = (self.bbox[0], self.bbox[1], self.bbox[2], self.bbox[3]) if self.bbox else None
        return ExtractedField(self.value, self.confidence, self.page, box,
                              tuple(ev.get("alternatives") or ()), bool(ev.get("doubtful")))

    def reported(self) -> ExtractedField:
        """The value as the report gives it: all evidence combined."""
        f = self.extracted()
        if self.confirmed_by and self.confirmed_confidence is not None:
            return replace(f, confidence=self.confirmed_confidence, confirmed_by=self.confirmed_by)
        return f


class FieldValue(ReadValue, Base):
    """A document's extracted value (and, the contract's v1 view, its first person's)."""

    __tablename__ = "fields"
    __table_args__ = (UniqueConstraint("document_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.document_id"), index=True)
    document: Mapped[Document] = relationship(back_populates="fields")


class Person(Base):
    """A person a document concerns (contract section 5): every defendant a judgment
    sentences, the one person of a decision or certificate. Matched to their own
    registry record; the document's status is the most severe of its persons'.
    The `fields` table keeps the contract's v1 view (the document's fields and
    persons[0]'s); each person's own fields are in `person_fields`."""

    __tablename__ = "persons"
    __table_args__ = (UniqueConstraint("document_id", "ordinal"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.document_id"), index=True)
    ordinal: Mapped[int] = mapped_column(Integer)  # 0 = the first the document names
    person_name: Mapped[str | None] = mapped_column(String(200))
    personal_id: Mapped[str | None] = mapped_column(String(32), index=True)
    passport_number: Mapped[str | None] = mapped_column(String(32), index=True)
    registry_record_id: Mapped[str | None] = mapped_column(ForeignKey("registry_records.record_id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    discrepancies: Mapped[list[Any]] = mapped_column(JSON, default=list)
    verification_state: Mapped[str | None] = mapped_column(String(16))  # as the document's, per person
    document: Mapped[Document] = relationship(back_populates="persons")
    fields: Mapped[list[PersonField]] = relationship(back_populates="person", order_by="PersonField.name")


class PersonField(ReadValue, Base):
    """One person's extracted value."""

    __tablename__ = "person_fields"
    __table_args__ = (UniqueConstraint("person_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("persons.id"), index=True)
    person: Mapped[Person] = relationship(back_populates="fields")


class StoredObject(Base):
    __tablename__ = "objects"
    __table_args__ = (UniqueConstraint("bucket", "key", "version_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.document_id"), index=True)
    role: Mapped[str] = mapped_column(String(16))  # signed | source
    bucket: Mapped[str] = mapped_column(String(63))
    key: Mapped[str] = mapped_column(String(512))
    version_id: Mapped[str | None] = mapped_column(String(128))
    sha256: Mapped[str] = mapped_column(String(64))
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    document: Mapped[Document] = relationship(back_populates="objects")

    @property
    def ref(self) -> ObjectRef:
        return ObjectRef(self.bucket, self.key, self.version_id, self.sha256, self.size)


class BatchItem(Base):
    """One entry of a batch and how far it got: its line of the report once done."""

    __tablename__ = "batch_items"
    __table_args__ = (UniqueConstraint("batch_id", "source"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.batch_id"), index=True)
    source: Mapped[str] = mapped_column(Text)
    ordinal: Mapped[int] = mapped_column(Integer)
    document_id: Mapped[str | None] = mapped_column(String(64), index=True)
    stage: Mapped[str] = mapped_column(String(16))  # queued | ocr | extract | sign | store | reconcile | done
    status: Mapped[str | None] = mapped_column(String(16))  # the report status once done
    outcome: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the report line
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Rejection(Base):
    __tablename__ = "rejections"
    __table_args__ = (UniqueConstraint("batch_id", "source"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[str] = mapped_column(ForeignKey("batches.batch_id"), index=True)
    source: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RegistryRecord(Base):
    """A database entry the archive reconciles against (contract section 2)."""

    __tablename__ = "registry_records"
    # linkage's kind + issue date block (reconciler/match.py: candidates) is an index lookup
    __table_args__ = (Index("ix_registry_records_doc_type_issue_date", "doc_type", "issue_date"),)
    record_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    doc_type: Mapped[str] = mapped_column(String(16), index=True)
    document_number: Mapped[str | None] = mapped_column(String(64), index=True)
    personal_id: Mapped[str | None] = mapped_column(String(32), index=True)
    passport_number: Mapped[str | None] = mapped_column(String(32), index=True)
    issue_date: Mapped[str | None] = mapped_column(String(10))
    # the person's name folded (core.text.name_key): linkage's block when no number, ID or date was read
    name_key: Mapped[str | None] = mapped_column(String(200), index=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RegistryHistory(Base):
    """Every change to a registry record: nothing is overwritten without a row here."""

    __tablename__ = "registry_history"
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("registry_records.record_id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    field: Mapped[str] = mapped_column(String(64))
    old_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    new_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    approved_by: Mapped[str | None] = mapped_column(String(200))


class ReviewItem(Base):
    """The verification queue: a discrepancy, a low-confidence field, or an unmatched
    person of a document (`person`: the person's ordinal in the document, 0 first)."""

    __tablename__ = "review_items"
    __table_args__ = (UniqueConstraint("document_id", "person", "kind", "field", name="uq_review_items_person"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.document_id"), index=True)
    person: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    record_id: Mapped[str | None] = mapped_column(ForeignKey("registry_records.record_id"))
    kind: Mapped[str] = mapped_column(String(16))  # discrepancy | low_confidence | unmatched
    field: Mapped[str] = mapped_column(String(64), default="")
    document_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    registry_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    confidence: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)  # open | resolved | obsolete
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    due_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # 24 h (seed 001 Art. 8.5)
    resolved_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resolution: Mapped[str | None] = mapped_column(Text)


class Notification(Base):
    """A deadline notification (ui/deadline_alerts.py): one review item, one stage (due_soon |
    overdue | escalated), one channel (email | webhook), one recipient. Made once (the unique key),
    sent at most once: pending | failed are tried (again) by the next pass; sending is claimed
    before the attempt, so a pass that died mid-send leaves it, never sends it twice. Migration 0014."""

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("review_item_id", "stage", "channel", "recipient", name="uq_notifications_once"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    review_item_id: Mapped[int] = mapped_column(ForeignKey("review_items.id"), index=True)
    stage: Mapped[str] = mapped_column(String(16))
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(320))  # an address, or the webhook's URL
    status: Mapped[str] = mapped_column(String(16), index=True)  # pending | sending | sent | failed
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_attempt_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class AuditEvent(Base):
    """Append-only, hash-chained log of who did what (seed 001 Art. 11.6, 13.7)."""

    __tablename__ = "audit_events"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(64))
    object: Mapped[str] = mapped_column(Text)
    outcome: Mapped[str] = mapped_column(String(16))
    detail: Mapped[dict[str, Any]] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)  # a fork cannot be stored
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class TimestampRenewal(Base):
    """A document timestamp added to an archived signed PDF (PAdES B-LTA renewal): the
    new bytes are a new version under the same key, the old version is kept."""

    __tablename__ = "timestamp_renewals"
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.document_id"), index=True)
    old_object_id: Mapped[int] = mapped_column(ForeignKey("objects.id"))
    new_object_id: Mapped[int] = mapped_column(ForeignKey("objects.id"), unique=True)
    old_expires: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # newest TSA cert before
    new_expires: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # and after
    tsa: Mapped[str] = mapped_column(Text)  # the TSA certificate subject of the new timestamp
    timestamp_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(200))


class ApiToken(Base):
    """A service-API token (api/tokens.py); only the SHA-256 of its secret is stored: the
    secret is shown once, at creation. Migration 0002_api_tokens."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # sha256 hex of the secret
    prefix: Mapped[str] = mapped_column(String(16))  # the secret's first characters, to recognise it
    scopes: Mapped[list[Any]] = mapped_column()  # JSON list of scope names
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_by: Mapped[str | None] = mapped_column(String(200))


class RegistrySource(Base):
    """A registry read from another system's SQL database (reconciler/sync/): the mapping it
    was read with (no credentials: the URL is never stored) and its high-water mark. Migration 0013."""

    __tablename__ = "registry_sources"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON)
    mapping_sha256: Mapped[str] = mapped_column(String(64))
    high_water: Mapped[str | None] = mapped_column(String(40))  # ISO time: the newest updated-at read
    last_sync_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_full_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RegistrySourceRow(Base):
    """Where a synced record lives in its source and the raw column values as last read:
    a push changes a column only where it still holds what was read (optimistic concurrency)."""

    __tablename__ = "registry_source_rows"
    record_id: Mapped[str] = mapped_column(ForeignKey("registry_records.record_id"), primary_key=True)
    source: Mapped[str] = mapped_column(ForeignKey("registry_sources.name"), index=True)
    keys: Mapped[dict[str, Any]] = mapped_column(JSON)  # table -> its key's value (encoded)
    read: Mapped[dict[str, Any]] = mapped_column(JSON)  # "table.column" -> value as read (encoded)
    read_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RegistryOutbox(Base):
    """An approved correction waiting to reach its source database: written in the approval's
    transaction, pushed (retried with backoff) by reconciler/sync/push.py. status: pending |
    done | conflict | failed."""

    __tablename__ = "registry_outbox"
    __table_args__ = (UniqueConstraint("idempotency_key", name="uq_registry_outbox_key"),
                      Index("ix_registry_outbox_status", "status", "next_attempt_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200))
    source: Mapped[str] = mapped_column(ForeignKey("registry_sources.name"))
    record_id: Mapped[str] = mapped_column(ForeignKey("registry_records.record_id"))
    field: Mapped[str] = mapped_column(String(64))
    new_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    expected: Mapped[dict[str, Any]] = mapped_column(JSON)  # "table.column" -> value read, before the change
    document_id: Mapped[str | None] = mapped_column(String(64))
    person: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    reason: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    pushed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class VerificationRecord(Base):
    """A signed, write-once verification record (ui/verification.py, pipeline/sign/record.py): the
    decisions on a document's values, as canonical JSON `content`, sealed with a detached CMS
    signature and stored beside the signed original (objects with role verification and
    verification_sig). The n-th record of a document; a later decision makes record n+1.
    `content` is never changed; sealing fills the sealed_* columns and the object links."""

    __tablename__ = "verification_records"
    __table_args__ = (UniqueConstraint("document_id", "n"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.document_id"), index=True)
    n: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(16))  # the document's verification state in it
    content: Mapped[str] = mapped_column(Text)  # the record's JSON, exactly the bytes signed (UTF-8)
    sha256: Mapped[str] = mapped_column(String(64))  # of content
    original_sha256: Mapped[str | None] = mapped_column(String(64))  # the signed original it speaks of
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    created_by: Mapped[str] = mapped_column(String(200))
    sealed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), index=True)  # None: not yet
    signer: Mapped[str | None] = mapped_column(Text)
    timestamp_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # the TSA's time, if any
    json_object_id: Mapped[int | None] = mapped_column(ForeignKey("objects.id"))
    sig_object_id: Mapped[int | None] = mapped_column(ForeignKey("objects.id"))
    seal_error: Mapped[str | None] = mapped_column(Text)  # the last failed attempt (sealing is retried)


class VerifiedValue(Base):
    """One value as a verification record holds it: the current value of a field of a document's
    person, and where it comes from -- the value read (and its confidence), the registry's, the
    decision, who decided and approved, when, why. Written with its record and never changed: the
    current values are the newest record's; earlier records' rows are the earlier states. The
    correction, registry history row, review item and audit event it rests on are linked, not copied."""

    __tablename__ = "verified_values"
    __table_args__ = (UniqueConstraint("record_id", "person", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("verification_records.id"), index=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("documents.document_id"), index=True)
    person: Mapped[int] = mapped_column(Integer)  # the person's ordinal (0 first)
    name: Mapped[str] = mapped_column(String(64))
    value: Mapped[Any] = mapped_column(JSON, nullable=True)  # the current value
    # as_read | registry | corrected | agreed (read and registry agreed, nobody had to decide)
    decision: Mapped[str] = mapped_column(String(16))
    read_value: Mapped[Any] = mapped_column(JSON, nullable=True)
    read_confidence: Mapped[float | None] = mapped_column(Float)
    registry_value: Mapped[Any] = mapped_column(JSON, nullable=True)  # the registry's, once decided
    registry_corrected: Mapped[bool] = mapped_column(default=False)  # an approved correction changed it
    decided_by: Mapped[str | None] = mapped_column(String(200))
    approved_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    legal_basis: Mapped[str | None] = mapped_column(Text)
    review_item_id: Mapped[int | None] = mapped_column(Integer)
    correction_id: Mapped[int | None] = mapped_column(Integer)  # ui_corrections
    registry_history_id: Mapped[int | None] = mapped_column(Integer)
    audit_event_id: Mapped[int | None] = mapped_column(Integer)
