"""Archival metadata of a document (Decree 30/2020/NĐ-CP Appendix VI names): the old
entry point, kept for its callers. The sets and their legal sources: archive/archival.py."""
from __future__ import annotations

from typing import Any

from sohoa.archive.archival import DECISION_TYPE_NAMES, TYPE_NAMES, document_archival, split_number

__all__ = ["DECISION_TYPE_NAMES", "TYPE_NAMES", "archival_metadata", "split_number"]


def archival_metadata(
    *, organ_code: str, doc_type: str | None, values: dict[str, Any], page_count: int, ordinal: int | None = None,
    language: str = "vi", document_id: str | None = None, born_digital: bool = False,
    dossier_code: str | None = None, signer_info: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The document's set as a dict (archive/archival.document_archival): nothing unknown is
    filled in; what is missing is named under "Unknown" with the reason."""
    a = document_archival(
        document_id=document_id or "", organ_code=organ_code, doc_type=doc_type, values=values,
        page_count=page_count, born_digital=born_digital, dossier_code=dossier_code, ordinal=ordinal,
        signer_info=signer_info, language=language)
    out = a.to_dict()
    if not document_id:
        out.pop("Identifier", None)
        out.setdefault("Unknown", {})["Identifier"] = "no document identifier given"
    return out
