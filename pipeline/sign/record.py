"""Verification records: the decisions people made on a document's values, as a small JSON
document with a detached CMS (CAdES-BES, -T with a TSA) signature made with the pipeline's key.

Why JSON + detached CMS: the record stays small and machine-readable (any system reads the
JSON without our code), and any CMS tool checks it -- ``openssl cms -verify -binary -inform DER
-in N.p7s -content N.json -CAfile ROOT.pem -purpose any`` -- while the signed original (the
PAdES PDF) is never touched.

    record_bytes(content)                 canonical bytes of a record (sorted keys, UTF-8)
    seal_pending(rt)                      sign and store the records written but not sealed yet
    verify_record(settings, data, sig)    a RecordReport: signature, trust, the original it names

A record is written (catalogue row, ui/verification.py) in the transaction of the decision;
it is sealed and stored right after, write-once, beside the original:
``verifications/<document_id>/<n>.json`` and ``<n>.p7s`` (objects with the roles
verification and verification_sig). A seal that cannot be made now (the token, the TSA) is
retried by the next decision or by ``sohoa verification seal``; the decision stands.
"""
from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from sohoa.archive.catalogue import audit
from sohoa.archive.models import Document, StoredObject, VerificationRecord
from sohoa.core.config import Settings
from sohoa.core.errors import SohoaError
from sohoa.core.runtime import CatalogueAccess, Runtime
from sohoa.core.storage import ObjectRef, ObjectStore
from sqlalchemy import select

from .seal import SealKey, check_seal, seal, seal_roots

log = logging.getLogger(__name__)

RECORD_TYPE = "sohoa.verification-record"
FORMAT = 1
MAX_RECORD_BYTES = 1 << 20  # a record of a document with many persons is some kB; more is not ours
MAX_SIGNATURE_BYTES = 256 << 10  # a CMS with a chain and a timestamp token is a few kB
ROLE_JSON, ROLE_SIG = "verification", "verification_sig"


class RecordError(SohoaError):
    """A verification record that cannot be read at all (too big, not JSON, not a record)."""


def record_bytes(content: dict[str, Any]) -> bytes:
    """The record as signed: sorted keys, UTF-8, two-space indent, a final newline (readable
    in a terminal; the signature covers exactly these bytes)."""
    return (json.dumps(content, ensure_ascii=False, sort_keys=True, indent=2, default=str) + "\n").encode("utf-8")


def record_keys(document_id: str, n: int) -> tuple[str, str]:
    return f"verifications/{document_id}/{n}.json", f"verifications/{document_id}/{n}.p7s"


# --- sealing -------------------------------------------------------------------------------

@dataclass
class Sealed:
    document_id: str
    n: int
    ok: bool
    detail: str = ""


def seal_pending(rt: Runtime, limit: int = 100, document_id: str | None = None) -> list[Sealed]:
    """Sign and store every record written but not sealed yet (oldest first, at most `limit`).
    Never raises for one record: its failure is kept in seal_error and logged, and it is tried
    again next time."""
    with rt.catalogue.session() as s:
        q = select(VerificationRecord.id).where(VerificationRecord.sealed_at.is_(None))
        if document_id is not None:
            q = q.where(VerificationRecord.document_id == document_id)
        ids = list(s.scalars(q.order_by(VerificationRecord.id).limit(limit)))
    if not ids:
        return []
    out: list[Sealed] = []
    with SealKey(rt) as signer:
        for rid in ids:
            out.append(_seal_one(rt, signer, rid))
    return out


def _seal_one(rt: Runtime, signer: Any, rid: int) -> Sealed:
    doc_id, n = "?", 0
    try:
        with rt.catalogue.session() as s:
            rec = s.get(VerificationRecord, rid, with_for_update=True)  # one sealer per record
            if rec is None or rec.sealed_at is not None:
                return Sealed(rec.document_id if rec else "?", rec.n if rec else 0, True, "already sealed")
            doc_id, n = rec.document_id, rec.n
            data = rec.content.encode("utf-8")
            if hashlib.sha256(data).hexdigest() != rec.sha256:
                raise RecordError(f"verification record {doc_id}/{n}: content does not hash to its sha256")
            sig = seal(signer, data)
            check = check_seal(data, sig, seal_roots(rt.settings))
            if not check.ok:
                raise RecordError(f"verification record {doc_id}/{n}: the new seal does not check: "
                                  + "; ".join(check.problems))
            kj, ks = record_keys(doc_id, n)
            meta = {"document-id": doc_id, "verification-record": str(n)}
            ref_j = rt.store.put(rt.bucket, kj, data, meta)
            ref_s = rt.store.put(rt.bucket, ks, sig, meta)
            now = datetime.now(timezone.utc)
            rows = []
            for role, ref in ((ROLE_JSON, ref_j), (ROLE_SIG, ref_s)):
                row = StoredObject(document_id=doc_id, role=role, bucket=ref.bucket, key=ref.key,
                                   version_id=ref.version_id, sha256=ref.sha256, size=ref.size, created_at=now)
                s.add(row)
                rows.append(row)
            s.flush()
            rec.json_object_id, rec.sig_object_id = rows[0].id, rows[1].id
            rec.sealed_at, rec.signer, rec.timestamp_at, rec.seal_error = now, check.signer, check.timestamp, None
            audit(s, rt.actor, "verification.seal", f"document:{doc_id}", n=n, sha256=rec.sha256,
                  signature_sha256=ref_s.sha256, signer=check.signer,
                  timestamp=check.timestamp.isoformat() if check.timestamp else None)
        log.info("verification record sealed", extra={"document": doc_id, "n": n})
        return Sealed(doc_id, n, True)
    except Exception as exc:  # the decision stands; the seal is tried again later
        reason = f"{type(exc).__name__}: {' '.join(str(exc).split())[:300]}"
        log.warning("verification record not sealed: %s", reason, extra={"document": doc_id, "n": n})
        try:
            with rt.catalogue.session() as s:
                rec = s.get(VerificationRecord, rid)
                if rec is not None and rec.sealed_at is None:
                    rec.seal_error = reason
        except Exception:  # the catalogue itself is away: nothing more to keep
            pass
        return Sealed(doc_id, n, False, reason)


def stored_record(rt: Runtime, document_id: str, n: int) -> tuple[VerificationRecord, bytes, bytes]:
    """(row, JSON bytes, signature bytes) of a sealed record, read back hash-checked from the store."""
    with rt.catalogue.session() as s:
        rec = s.scalar(select(VerificationRecord).where(VerificationRecord.document_id == document_id,
                                                        VerificationRecord.n == n))
        if rec is None or rec.json_object_id is None or rec.sig_object_id is None:
            raise RecordError(f"verification record {document_id}/{n}: none sealed")
        oj, os_ = s.get(StoredObject, rec.json_object_id), s.get(StoredObject, rec.sig_object_id)
        assert oj is not None and os_ is not None  # foreign keys
        refs = oj.ref, os_.ref
    return rec, rt.store.get(refs[0]), rt.store.get(refs[1])


# --- checking ------------------------------------------------------------------------------

@dataclass
class RecordReport:
    """What `sohoa verify RECORD.json` finds: valid only when every check passed."""

    problems: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)  # what was checked and held
    notes: list[str] = field(default_factory=list)  # what could not be checked, and why
    document_id: str | None = None
    n: int | None = None
    state: str | None = None
    original_sha256: str | None = None
    signer: str | None = None
    demo: bool = False
    timestamp: datetime | None = None
    sha256: str | None = None

    @property
    def valid(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "kind": "verification_record", "document_id": self.document_id, "n": self.n,
                "verification_state": self.state, "sha256": self.sha256, "original_sha256": self.original_sha256,
                "signer": self.signer, "demo_signer": self.demo,
                "timestamp": self.timestamp.isoformat() if self.timestamp else None,
                "problems": self.problems, "checks": self.checks, "notes": self.notes}

    def to_text(self) -> str:
        lines = [f"verification record {self.document_id or '?'} #{self.n if self.n is not None else '?'}: "
                 + ("VALID" if self.valid else "NOT VALID")]
        if self.state:
            lines.append(f"  state:     {self.state}")
        if self.signer:
            lines.append(f"  signed by: {self.signer}" + (" (DEMO key, not for production)" if self.demo else ""))
        lines.append(f"  timestamp: {self.timestamp.isoformat() if self.timestamp else 'none (no TSA)'}")
        if self.original_sha256:
            lines.append(f"  original:  sha256 {self.original_sha256}")
        lines += [f"  ok: {c}" for c in self.checks]
        lines += [f"  NOT VALID: {p}" for p in self.problems]
        lines += [f"  note: {x}" for x in self.notes]
        return "\n".join(lines)


def _load_json(data: bytes) -> dict[str, Any]:
    try:
        obj = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise RecordError(f"not a verification record: not UTF-8 JSON ({type(exc).__name__})") from None
    if not isinstance(obj, dict) or obj.get("type") != RECORD_TYPE:
        raise RecordError(f"not a verification record: no \"type\": \"{RECORD_TYPE}\"")
    return obj


def looks_like_record(data: bytes) -> bool:
    """A JSON object that calls itself a verification record (how `sohoa verify` tells it from a PDF)."""
    head = data[:4096].lstrip()
    return head.startswith(b"{") and RECORD_TYPE.encode() in data[:MAX_RECORD_BYTES]


def verify_record(settings: Settings, data: bytes, signature: bytes | None, *, original: bytes | None = None,
                  catalogue: CatalogueAccess | None = None, store: ObjectStore | None = None) -> RecordReport:
    """Check a verification record: its signature (intact, valid, the signer chaining to the roots
    `sohoa verify` trusts, a timestamp intact when there is one), its form, and the original it
    names -- against `original` when given, and against the catalogue and the store when reachable
    (the record must be the one the catalogue holds as number n, and the stored original must hash
    to the sha256 the record names)."""
    rep = RecordReport()
    if len(data) > MAX_RECORD_BYTES:
        rep.problems.append(f"the record is over the {MAX_RECORD_BYTES:,} bytes a record may be")
        return rep
    rep.sha256 = hashlib.sha256(data).hexdigest()
    try:
        content = _load_json(data)
    except RecordError as exc:
        rep.problems.append(str(exc))
        return rep
    rep.document_id = str(content.get("document_id") or "") or None
    n = content.get("n")
    rep.n = n if isinstance(n, int) else None
    rep.state = content.get("verification_state") if isinstance(content.get("verification_state"), str) else None
    raw_orig = content.get("original")
    orig: dict[str, Any] = raw_orig if isinstance(raw_orig, dict) else {}
    sha = orig.get("sha256")
    rep.original_sha256 = sha if isinstance(sha, str) else None
    if content.get("format") != FORMAT:
        rep.problems.append(f"unknown record format {content.get('format')!r} (this sohoa reads {FORMAT})")
    if rep.document_id is None or rep.n is None or rep.original_sha256 is None:
        rep.problems.append("the record names no document_id, number n or original sha256")
    # the signature
    if signature is None:
        rep.problems.append("no signature: the detached CMS signature (.p7s) was not found beside the record")
    elif len(signature) > MAX_SIGNATURE_BYTES:
        rep.problems.append(f"the signature is over the {MAX_SIGNATURE_BYTES:,} bytes a record's signature may be")
    else:
        check = check_seal(data, signature, seal_roots(settings))
        rep.signer, rep.demo, rep.timestamp = check.signer, check.demo, check.timestamp
        if check.ok:
            rep.checks.append("CMS signature intact and valid, signer chains to a trust root"
                              + (", timestamp valid" if check.timestamp else ""))
        rep.problems += [f"signature: {p}" for p in check.problems]
    # the original it names
    if original is not None and rep.original_sha256:
        got = hashlib.sha256(original).hexdigest()
        if got == rep.original_sha256:
            rep.checks.append("the original given hashes to the record's sha256")
        else:
            rep.problems.append(f"the original given hashes to {got}, the record names {rep.original_sha256}")
    if catalogue is not None and rep.document_id and rep.n is not None:
        _against_catalogue(rep, catalogue, store)
    return rep


def _against_catalogue(rep: RecordReport, catalogue: CatalogueAccess, store: ObjectStore | None) -> None:
    with catalogue.session() as s:
        doc = s.get(Document, rep.document_id)
        if doc is None:
            rep.notes.append(f"catalogue: document {rep.document_id} is not catalogued here")
            return
        row = s.scalar(select(VerificationRecord).where(VerificationRecord.document_id == rep.document_id,
                                                        VerificationRecord.n == rep.n))
        signed = [o for o in doc.objects if o.role == "signed"]
        named = [o for o in signed if o.sha256 == rep.original_sha256]
        ref = named[-1].ref if named else None
    if row is None:
        rep.problems.append(f"catalogue: document {rep.document_id} has no verification record {rep.n}")
    elif row.sha256 != rep.sha256:
        rep.problems.append(f"catalogue: record {rep.n} of {rep.document_id} hashes to {row.sha256}, not to this "
                            "file's sha256 (not the record the archive holds)")
    else:
        rep.checks.append(f"the catalogue holds this record as number {rep.n} of {rep.document_id}")
    if ref is None:
        rep.problems.append(f"catalogue: no signed original of {rep.document_id} has sha256 {rep.original_sha256}")
        return
    if store is None:
        rep.notes.append("store not reachable: the original's bytes were not re-hashed")
        return
    try:
        data = store.get(ObjectRef(ref.bucket, ref.key, ref.version_id, ref.sha256, ref.size))
    except Exception as exc:
        rep.notes.append(f"store: the original could not be read ({type(exc).__name__})")
        return
    if hashlib.sha256(data).hexdigest() == rep.original_sha256:
        rep.checks.append(f"the stored original {ref.key} (version {ref.version_id}) hashes to the record's sha256")
    else:
        rep.problems.append(f"the stored original {ref.key} does not hash to the record's sha256")
