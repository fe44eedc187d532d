"""Field extraction: list[PageText] -> Extraction (contract field names and value forms).

    from sohoa.pipeline.extract import extract
    extraction = extract(pages)

Modules (one job each):
    normalize   NFC, diacritic folding (offset preserving), OCR-tolerant patterns, edit distance
    layout      pages -> line segments (columns split) -> one text with word/bbox back-mapping
    numbers     digits with OCR repair, Vietnamese number words, durations, money
    dates       Vietnamese date forms
    catalogues  data/ loaders: offences (Penal Code 2015), bodies, kinds, penalties, surnames
    classify    judgment / decision / certificate; decision kind
    header      document number, issue date, issuer
    sections    operative part, sentences, distractor contexts
    person      defendant / convicted person: name, birth date, personal ID, passport
    judgment    charges, articles, penalties of a judgment
    decision    judgment_ref, effective date, duration, penalty of decisions/certificates
    evidence    the named confidence adjustments (REGISTRY)
    confidence  candidates, agreement/conflict resolution
    calibrate   the fitted confidence model (data/confidence_model.json): features of a candidate, score
    validate    cross-field validity checks
    document    one document's steps: extract()
"""
from __future__ import annotations

from .document import SPECIAL_PART, extract

__all__ = ["SPECIAL_PART", "extract"]
