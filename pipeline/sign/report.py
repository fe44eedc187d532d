"""verify_file: the verification report with the configured trust roots and the catalogue.

The library call behind ``sohoa verify`` (and the API): settings.trust_roots
(plus the local DEMO certificate, if one was made), and -- when the document's
marker names a catalogued document -- the catalogue's record and the archived
copy, to check the marker against the catalogue and to say which object a
tampered copy changed.
"""
from __future__ import annotations

from pathlib import Path

from sohoa.core.config import Settings
from sohoa.core.runtime import CatalogueAccess
from sohoa.core.storage import ObjectStore

from .keys import demo_trust_roots, load_trust_roots
from .verify import VerificationReport, catalogue_expectation, signed_marker, verify_pdf


def _open_catalogue(settings: Settings) -> CatalogueAccess | None:
    from sohoa.archive.catalogue import Catalogue

    url = settings.database_url
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).is_file():
        return None  # no catalogue here: do not create one just to look
    return Catalogue(url)


def _marker_document_id(data: bytes) -> str | None:
    """The DocumentId of the signed marker: a later update's claim is not looked up."""
    return signed_marker(data).get("document_id")


def verify_file(settings: Settings, data: bytes, *, online: bool = False, use_catalogue: bool = True,
                catalogue: CatalogueAccess | None = None, store: ObjectStore | None = None, run_pdfsig: bool = True) -> VerificationReport:
    roots = load_trust_roots(settings) + demo_trust_roots(settings)
    expected, reference = None, None
    doc_id = _marker_document_id(data)
    note = None
    if use_catalogue and doc_id:
        try:
            cat = catalogue or _open_catalogue(settings)
            if cat is None:
                note = "catalogue not checked (no catalogue in this data directory)"
            else:
                with cat.session() as s:
                    expected = catalogue_expectation(s, doc_id)
                if expected is None:
                    note = f"catalogue: document {doc_id} is not catalogued here"
                elif expected.get("objects"):
                    from sohoa.archive.factory import open_store
                    from sohoa.core.storage import ObjectRef

                    st = store or open_store(settings)
                    b, k, v, sha, size = expected["objects"][-1]
                    try:
                        reference = st.get(ObjectRef(b, k, v, sha, size))
                    except Exception:
                        reference = None
        except Exception as exc:  # the report must come out even without a catalogue
            note = f"catalogue not checked ({type(exc).__name__}: {exc})"
    report = verify_pdf(data, trust_roots=roots or None, run_pdfsig=run_pdfsig, online=online,
                        expected=expected, reference=reference)
    if note:
        report.notes.append(note)
        report.catalogue = {"checked": False, "detail": note}
    return report
