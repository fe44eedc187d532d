"""Fetch a document's signed original from the store, hash-checked."""
from __future__ import annotations

import re

from sohoa.archive.catalogue import audit
from sohoa.archive.models import Document
from sohoa.core.errors import SohoaError
from sohoa.core.storage import ObjectRef

_ID_RE = re.compile(r"^D[0-9a-f]{24}$")


class NotFound(SohoaError):
    pass


def fetch_signed(rt, document_id: str) -> tuple[ObjectRef, bytes]:
    if not _ID_RE.match(document_id):
        raise NotFound(f"{document_id!r} is not a document id (D followed by 24 hex digits)")
    with rt.catalogue.session() as s:
        doc = s.get(Document, document_id)
        obj = doc.latest_signed if doc else None
        if obj is None:
            audit(s, rt.actor, "document.fetch", document_id, outcome="not_found")
            raise NotFound(f"document {document_id}: not in the archive")
        ref = obj.ref
    data = rt.store.get(ref)  # raises IntegrityError on a hash mismatch
    with rt.catalogue.session() as s:
        audit(s, rt.actor, "document.fetch", document_id, sha256=ref.sha256)
    return ref, data
