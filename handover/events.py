"""A document's preservation history, read from the catalogue: the PREMIS events (capture, OCR,
signature, storage, fixity checks, timestamp renewals, verification decisions), the agents that
did them (people, the software, the signing certificate) and their outcomes.

Every event's time comes from the catalogue and its identifier from what it is (document, kind,
catalogue row), so the same archive exports the same history twice.
"""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from sohoa.archive.models import AuditEvent, Batch, Person, ReviewItem, SourceFileRow, TimestampRenewal
from sohoa.core.version import SOFTWARE
from sqlalchemy import select
from sqlalchemy.orm import Session

from .selection import DocEntry

NS = uuid.UUID("6f1c7e52-3d1b-5a8e-9a51-5f0b7d2c4a10")  # sohoa's hand-over identifiers


def stable_id(*parts: object) -> str:
    return str(uuid.uuid5(NS, "\x1f".join(str(p) for p in parts)))


def iso(dt: datetime | str | None) -> str:
    if dt is None:
        return "unknown"
    if isinstance(dt, str):
        return dt
    return (dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)).isoformat(timespec="seconds")


@dataclass(frozen=True)
class Agent:
    id_type: str
    id_value: str
    name: str
    type: str  # person | organization | software | hardware | certificate
    version: str | None = None
    note: str | None = None


@dataclass
class Event:
    id: str
    type: str
    when: str
    detail: str
    outcome: str  # success | failure | pass | fail | decision text
    outcome_note: str | None = None
    agents: list[tuple[Agent, str]] = field(default_factory=list)  # (agent, role)
    objects: list[tuple[str, str]] = field(default_factory=list)  # (object identifier, role)


@dataclass
class FileObject:
    """A file of the package: its PREMIS object and its METS file."""

    id: str  # the PREMIS object identifier (and the METS FILE ID's tail)
    document_id: str
    role: str  # signed | verification | ...
    relpath: str  # inside the bag's data/ directory
    sha256: str
    size: int
    mime: str
    catalogue_key: str  # bucket/key@version in the store it came from
    stored_at: datetime


SOFTWARE_AGENT = Agent("software", SOFTWARE, SOFTWARE.split()[0], "software", SOFTWARE.split()[-1],
                       "digitisation pipeline: intake, OCR (Tesseract, vie), extraction, PAdES signing, storage")


def person(name: str) -> Agent:
    return Agent("local user", name, name.removeprefix("ui:"), "person")


def certificate_agent(subject: str, fingerprint: str) -> Agent:
    return Agent("X.509 certificate SHA-256", fingerprint, subject, "certificate",
                 note="the signing certificate of the conversion signature (data/trust/)")


def _aware(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


@dataclass(frozen=True)
class Run:
    """An integrity run or repair from the audit log, read once per export."""

    id: int
    at: datetime
    action: str
    object: str
    actor: str
    outcome: str
    detail: str  # JSON of the audit detail (frozen: hashable for the report cache)


def integrity_runs(s: Session) -> list[Run]:
    rows = s.scalars(select(AuditEvent).where(AuditEvent.action.in_(("integrity.check", "integrity.repair")))
                     .order_by(AuditEvent.id))
    return [Run(e.id, _aware(e.at), e.action, e.object, e.actor, e.outcome,
                json.dumps(e.detail, ensure_ascii=False, sort_keys=True, default=str)) for e in rows]


@lru_cache(maxsize=64)
def _findings(report: str) -> list[dict[str, Any]] | None:
    try:
        return list(json.loads(Path(report).read_text("utf-8")).get("findings", []))
    except (OSError, ValueError, AttributeError):
        return None


def _fixity_outcome(ev: Run, doc_id: str, keys: set[str]) -> tuple[str, str]:
    """pass/fail of an archive-wide integrity run for this document: its report names what failed."""
    detail = json.loads(ev.detail)
    if ev.outcome == "ok":
        return "pass", f"{detail.get('objects', '?')} objects re-hashed, all as catalogued"
    report = detail.get("report")
    findings = _findings(str(report)) if report else None
    if findings is None:
        return "fail", f"the run found {detail.get('findings', '?')} problem(s); its report is not readable here"
    mine = [f for f in findings if f.get("document_id") == doc_id or f"{f.get('bucket')}/{f.get('key')}" in keys]
    if not mine:
        return "pass", "the run found problems elsewhere in the archive, none in this document"
    return "fail", "; ".join(str(f.get("detail")) for f in mine)[:2000]


def document_events(s: Session, d: DocEntry, files: list[FileObject], signer: Agent | None,
                    runs: list[Run] | None = None) -> list[Event]:
    """Every event of d's history the catalogue records, oldest first. runs: integrity_runs(s),
    read once for a whole export."""
    doc, events = d.document_id, []
    signed = next((f for f in files if f.role == "signed"), None)
    obj = [(signed.id, "outcome")] if signed else []
    batch = s.get(Batch, d.batch_id)
    sources = list(s.scalars(select(SourceFileRow).where(SourceFileRow.document_id == doc)
                             .order_by(SourceFileRow.ordinal)))
    pages = f" pages {d.page_first}-{d.page_last} of" if d.page_first else ""
    agents: list[tuple[Agent, str]] = []
    if batch is not None and batch.operator:
        agents.append((person(batch.operator), "operator"))
    if batch is not None and batch.scanner:
        agents.append((Agent("scanner", batch.scanner, batch.scanner, "hardware"), "scanner"))
    if batch is not None and batch.unit:
        agents.append((Agent("organization", batch.unit, batch.unit, "organization"), "converting unit"))
    events.append(Event(
        stable_id(doc, "capture"), "capture", iso((batch.scanned_at if batch else None) or d.created_at),
        f"scanned from paper in batch {d.batch_id}:{pages} "
        + ", ".join(f"{r.relpath} (sha256 {r.sha256})" for r in sources),
        "success", None, agents, obj))
    events.append(Event(
        stable_id(doc, "ocr"), "OCR", iso(d.converted_at),
        (f"Tesseract (vie) over {d.page_count} page(s); text layer under the page images (PDF/A)"
         if d.ocr_used else f"the born-digital PDF's own text layer ({d.page_count} page(s))"),
        "success", None, [(SOFTWARE_AGENT, "executing program")], obj))
    sig_agents = [(SOFTWARE_AGENT, "executing program")] + ([(signer, "signer")] if signer else [])
    events.append(Event(
        stable_id(doc, "signature"), "digital signature generation", iso(d.converted_at),
        f"PAdES signature with the conversion marker ('SAO Y'), signed by {d.signer or '?'}",
        "success", None, sig_agents, obj))
    keys = {f.catalogue_key.split("@")[0] for f in files}
    for f in files:
        events.append(Event(
            stable_id(doc, "storage", f.id), "ingestion", iso(f.stored_at),
            f"stored write-once as {f.catalogue_key} ({f.role})", "success", None,
            [(SOFTWARE_AGENT, "executing program")], [(f.id, "outcome")]))
    # every integrity run since the document was archived; it concerns the files stored by then
    # (a run before a timestamp renewal checked the version the renewal replaced)
    first_stored = min([_aware(d.created_at)] + [_aware(f.stored_at) for f in files])
    for ev in (integrity_runs(s) if runs is None else runs):
        if ev.at < first_stored:
            continue
        if ev.action == "integrity.repair":
            if ev.object not in keys:
                continue
            outcome, note = ("success" if ev.outcome == "ok" else "failure"), ev.detail
            kind, detail = "repair", f"damaged object {ev.object} put back from a backup, hash-checked"
        else:
            outcome, note = _fixity_outcome(ev, doc, keys)
            kind, detail = "fixity check", "archive integrity run: every object re-hashed (SHA-256), signatures re-validated"
        then = [(f.id, "source") for f in files if _aware(f.stored_at) <= ev.at]
        if not then:
            detail += " (the versions stored at the time, since replaced)"
        events.append(Event(stable_id(doc, "audit", ev.id), kind, iso(ev.at), detail, outcome, note,
                            [(person(ev.actor), "executing agent"), (SOFTWARE_AGENT, "executing program")], then))
    for r in s.scalars(select(TimestampRenewal).where(TimestampRenewal.document_id == doc)
                       .order_by(TimestampRenewal.id)):
        events.append(Event(
            stable_id(doc, "renewal", r.id), "timestamp renewal", iso(r.at),
            f"document timestamp added (PAdES B-LTA renewal) by {r.tsa}; valid until {iso(r.new_expires)}",
            "success", None, [(person(r.actor), "executing agent"), (SOFTWARE_AGENT, "executing program")], obj))
    items = list(s.scalars(select(ReviewItem).where(ReviewItem.document_id == doc).order_by(ReviewItem.id)))
    for it in items:
        if it.status == "open" or it.resolved_at is None:
            continue
        events.append(Event(
            stable_id(doc, "review", it.id), "verification decision", iso(it.resolved_at),
            f"review item #{it.id} ({it.kind}{', ' + it.field if it.field else ''}, person {it.person})",
            it.status, it.resolution, [], obj))
    records = {r for r in s.scalars(select(Person.registry_record_id).where(Person.document_id == doc)) if r}
    wanted = ({f"review_item:{it.id}" for it in items} | {f"document:{doc}"} | {f"registry:{r}" for r in records})
    decisions = s.scalars(select(AuditEvent).where(AuditEvent.object.in_(sorted(wanted)))
                          .where(AuditEvent.action.like("ui.%")).order_by(AuditEvent.id))
    for act in decisions:
        if not (act.action.startswith("ui.item.") or act.action.startswith("ui.correction.")):
            continue
        if act.action in ("ui.item.take", "ui.item.release"):
            continue  # who held an item is workflow, not a decision
        role = "approver" if act.action.endswith(".approve") else "verifier"
        events.append(Event(
            stable_id(doc, "decision", act.id), "verification decision", iso(act.at),
            f"{act.action.removeprefix('ui.')} on {act.object}", act.outcome,
            json.dumps(act.detail, ensure_ascii=False, sort_keys=True, default=str)[:2000],
            [(person(act.actor), role)], obj))
    events.sort(key=lambda e: (e.when, e.type, e.id))
    return events
