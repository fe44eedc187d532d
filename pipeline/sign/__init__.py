"""Signing stage: conversion marker + XMP, PAdES signature, verification.

    marker = ConversionMarker(...)
    prepared = prepare_pdf(pdf_bytes, marker, fields, archival)
    signed = sign_pdf(prepared, load_signer(settings), marker)
    report = verify_pdf(signed)
"""
from .keys import (
    DEMO_MARK,
    LoadedSigner,
    demo_trust_roots,
    load_signer,
    load_trust_roots,
    make_timestamper,
)
from .marker import ELECTRONIC, PAPER, VN_TZ, ConversionMarker, source_medium_for, vn_iso
from .prepare import prepare_pdf
from .signer import FIELD_NAME, LEVELS, add_document_timestamp, sign_pdf
from .verify import (
    SignatureReport,
    TimestampReport,
    VerificationReport,
    catalogue_expectation,
    locate_changes,
    newest_timestamp,
    verify_pdf,
)
from .xmp import NS_ND30, NS_SOHOA, PREFIX_ND30, PREFIX_SOHOA, read_xmp

__all__ = [
    "ConversionMarker", "load_signer", "prepare_pdf", "sign_pdf", "verify_pdf",
    "LoadedSigner", "VerificationReport", "SignatureReport", "demo_trust_roots", "read_xmp",
    "vn_iso", "VN_TZ", "DEMO_MARK", "FIELD_NAME", "NS_SOHOA", "NS_ND30", "PREFIX_SOHOA",
    "PREFIX_ND30", "LEVELS", "add_document_timestamp", "load_trust_roots", "make_timestamper",
    "TimestampReport", "catalogue_expectation", "locate_changes", "newest_timestamp",
    "source_medium_for", "PAPER", "ELECTRONIC",
]
