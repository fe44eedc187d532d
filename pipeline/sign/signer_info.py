"""SignerInfo (Decree 30/2020 App. VI, archival metadata): who signed the digitised copy,
read from the signing certificate -- subject, its common name, organisation and position
(the X.509 title attribute, when the certificate carries one), issuer, serial number,
validity and the certificate's SHA-256 fingerprint."""
from __future__ import annotations

import io
from typing import Any

from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.x509.oid import NameOID


def _attr(name: x509.Name, oid: x509.ObjectIdentifier) -> str | None:
    values = [str(a.value) for a in name.get_attributes_for_oid(oid)]
    return ", ".join(values) if values else None


def signer_info(cert: asn1_x509.Certificate | x509.Certificate) -> dict[str, Any]:
    """The certificate's SignerInfo; a name the certificate lacks is left out."""
    if isinstance(cert, asn1_x509.Certificate):
        cert = x509.load_der_x509_certificate(cert.dump())
    subject = cert.subject
    info: dict[str, Any] = {
        "subject": subject.rfc4514_string(),
        "name": _attr(subject, NameOID.COMMON_NAME),
        "organization": _attr(subject, NameOID.ORGANIZATION_NAME),
        "organizational_unit": _attr(subject, NameOID.ORGANIZATIONAL_UNIT_NAME),
        "position": _attr(subject, NameOID.TITLE),
        "issuer": cert.issuer.rfc4514_string(),
        "serial": format(cert.serial_number, "X"),
        "not_before": cert.not_valid_before_utc.isoformat(),
        "not_after": cert.not_valid_after_utc.isoformat(),
        "sha256": cert.fingerprint(hashes.SHA256()).hex(),
    }
    return {k: v for k, v in info.items() if v is not None}


def signer_info_from_pdf(data: bytes) -> dict[str, Any] | None:
    """SignerInfo of the first signature of a signed PDF (None: no signature in it)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    sigs = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures
    if not sigs:
        return None
    return signer_info(sigs[0].signer_cert)
