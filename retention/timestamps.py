"""Long-term validity: re-timestamp archived signed PDFs before their timestamps lapse.

A PAdES B-LTA document stays verifiable as long as its newest timestamp can be
validated, i.e. until the certificate of the TSA that made it expires (or its
algorithms weaken). This job finds the archived documents whose newest
timestamp's TSA certificate expires within ``settings.timestamp_renewal_days``
(or that carry no timestamp at all), and for each:

1. reads the catalogued signed version from the store (hash checked);
2. adds the previous timestamp's validation data to the DSS and a new document
   timestamp from ``settings.tsa_url`` (pipeline.sign.add_document_timestamp:
   an incremental update, the earlier revisions stay byte for byte);
3. checks the result (integrity, and that the new timestamp expires later);
4. stores it as a new version under the same key -- the store keeps the old one;
5. records it in the catalogue in one transaction: a new ``objects`` row
   (role "signed", so fetch returns the newest), a ``timestamp_renewals`` row
   and an audit event.

It is idempotent: a renewed document is no longer due, and a version stored by
a run that died before cataloguing it is adopted, not timestamped again.

    sohoa retention renew-timestamps [--within-days N] [--dry-run]
"""
from __future__ import annotations

import logging
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from sohoa.archive.catalogue import audit, utcnow
from sohoa.archive.models import Document, StoredObject, TimestampRenewal
from sohoa.core.errors import SigningError, SohoaError
from sohoa.core.runtime import Runtime
from sqlalchemy import select

log = logging.getLogger("sohoa.retention")


@dataclass
class Renewal:
    document_id: str
    key: str
    status: str  # renewed | adopted | due (dry run) | failed | not-extended
    old_expires: str | None = None
    new_expires: str | None = None
    version_id: str | None = None
    detail: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _aware(dt: datetime | None) -> datetime | None:
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt


def _iso(dt: datetime | None) -> str | None:
    aware = _aware(dt)
    return aware.isoformat(timespec="seconds") if aware else None


def find_due(rt: Runtime, within_days: int | None = None,
             now: datetime | None = None) -> list[tuple[str, int, datetime | None]]:
    """(document_id, objects.id of its newest signed version, newest timestamp's TSA
    certificate expiry or None) of every document due for renewal."""
    from sohoa.pipeline.sign import newest_timestamp

    days = rt.settings.timestamp_renewal_days if within_days is None else within_days
    limit = (now or datetime.now(timezone.utc)) + timedelta(days=days)
    due = []
    with rt.catalogue.session() as s:
        docs = [(d.document_id, d.latest_signed) for d in s.scalars(select(Document))]
        known = {r.new_object_id: _aware(r.new_expires) for r in s.scalars(select(TimestampRenewal))}
        rows = [(doc_id, o.id, o.ref)
                for doc_id, o in docs if o is not None]
    for doc_id, obj_id, ref in rows:
        if obj_id in known and known[obj_id] is not None:
            expires = known[obj_id]  # recorded when renewed: no need to read the PDF
        else:
            try:
                newest = newest_timestamp(rt.store.get(ref))
            except SohoaError as exc:
                log.error("cannot read archived document", extra={"document_id": doc_id,
                                                                   "error": str(exc)})
                continue
            expires = newest["tsa_expires"] if newest else None
        if expires is None or expires <= limit:
            due.append((doc_id, obj_id, expires))
    return due


def renew_timestamps(rt: Runtime, within_days: int | None = None, dry_run: bool = False,
                     now: datetime | None = None) -> list[Renewal]:
    from sohoa.pipeline.sign import (
        add_document_timestamp,
        load_trust_roots,
        make_timestamper,
        newest_timestamp,
        verify_pdf,
    )

    tsa_url = rt.settings.timestamp_url
    if not tsa_url and not dry_run:
        raise SigningError("renewing timestamps needs a timestamping authority (SOHOA_TSA_URL)")
    roots = load_trust_roots(rt.settings)
    timestamper = make_timestamper(tsa_url) if tsa_url else None
    results: list[Renewal] = []
    for doc_id, obj_id, old_expires in find_due(rt, within_days, now):
        with rt.catalogue.session() as s:
            o = s.get(StoredObject, obj_id)
            if o is None:
                continue  # found due a moment ago, gone now: nothing to renew
            ref = o.ref
        res = Renewal(doc_id, ref.key, "due", old_expires=_iso(old_expires))
        results.append(res)
        if dry_run:
            res.detail = "no timestamp yet" if old_expires is None else "newest timestamp expires soon"
            continue
        try:
            old = rt.store.get(ref)
            # A version stored by a run that died before cataloguing it: adopt it.
            latest = rt.store.versions(ref.bucket, ref.key)[-1]
            if latest.sha256 != ref.sha256:
                candidate = rt.store.get(latest)
                if candidate.startswith(old):
                    new_ref, new = latest, candidate
                    res.status = "adopted"
                else:
                    raise SigningError(f"{ref.key}: newest stored version {latest.version_id} is "
                                       "not an update of the catalogued one; left for a person")
            else:
                new = add_document_timestamp(old, timestamper, trust_roots=roots)
                new_ref = None
            newest = newest_timestamp(new)
            new_expires = newest["tsa_expires"] if newest else None
            if new_expires is None or (old_expires is not None and new_expires <= old_expires):
                res.status = "not-extended"
                res.detail = (f"the TSA's certificate ({newest and newest['tsa']}) expires "
                              f"{_iso(new_expires)}, no later than the current timestamp's: "
                              "configure a TSA with a longer-lived certificate")
                continue
            check = verify_pdf(new, trust_roots=roots or None, run_pdfsig=False)
            if not check.intact or any("changed after signing" in p or "digest mismatch" in p
                                       for p in check.problems):
                raise SigningError("the re-timestamped file does not verify: "
                                   + "; ".join(check.problems))
            if new_ref is None:
                meta = {"document-id": doc_id, "renewal-of": ref.version_id or ""}
                new_ref = rt.store.put(ref.bucket, ref.key, new, meta)
                res.status = "renewed"
            with rt.catalogue.session() as s:
                now_ = utcnow()
                row = StoredObject(document_id=doc_id, role="signed", bucket=new_ref.bucket,
                                   key=new_ref.key, version_id=new_ref.version_id,
                                   sha256=new_ref.sha256, size=new_ref.size, created_at=now_)
                s.add(row)
                s.flush()
                s.add(TimestampRenewal(document_id=doc_id, old_object_id=obj_id,
                                       new_object_id=row.id, old_expires=old_expires,
                                       new_expires=new_expires, tsa=(newest or {}).get("tsa") or "",
                                       timestamp_at=(newest or {}).get("time"), at=now_, actor=rt.actor))
                audit(s, rt.actor, "document.timestamp_renew", doc_id, key=new_ref.key,
                      old_version=ref.version_id, version_id=new_ref.version_id,
                      sha256=new_ref.sha256, old_expires=_iso(old_expires),
                      new_expires=_iso(new_expires))
            res.new_expires, res.version_id = _iso(new_expires), new_ref.version_id
            log.info("timestamp renewed", extra={"document_id": doc_id, "key": ref.key,
                                                 "version_id": new_ref.version_id})
        except SohoaError as exc:
            res.status, res.detail = "failed", str(exc)
            log.error("timestamp renewal failed", extra={"document_id": doc_id, "error": str(exc)})
    return results
