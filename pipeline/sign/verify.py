"""verify_pdf: are the signatures intact, do they cover the document, who signed,
is the signer trusted (now, or at the time proven by timestamps: PAdES B-LTA),
are the timestamps valid, what revocation data is embedded, can the whole be
validated offline decades from now (LTV), what does the conversion marker
say and does it agree with the catalogue -- and what does an independent
verifier (poppler's ``pdfsig``) say.

``valid`` is integrity: every signature and document timestamp intact,
cryptographically valid, covering the file (or its revision, with only
DSS/timestamp updates after it), nothing revoked, and pdfsig agreeing.
``trusted`` is the chain to the given roots, either at the current time or
-- for an expired signer certificate -- at the signing time proven by the
timestamps and the embedded revocation data (AdES past validation).
"""
from __future__ import annotations

import asyncio
import enum
import io
import logging
import re
import shutil
import subprocess
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from typing import AbstractSet, Any, Sequence

from asn1crypto import pem as asn1_pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
from pyhanko.sign.validation.status import SignatureCoverageLevel
from pyhanko_certvalidator import ValidationContext

from .keys import is_demo_cert, subject_of
from .marker import vn_iso
from .xmp import _clean as _xmp_clean

_OK_LEVELS = (ModificationLevel.NONE, ModificationLevel.LTA_UPDATES)
# pyHanko logs a traceback for every rejected incremental update; the verdict is
# in the report, so keep it off stderr unless the application configures logging.
logging.getLogger("pyhanko").addHandler(logging.NullHandler())


def _first_line(text: object, limit: int = 240) -> str:
    line = str(text).strip().splitlines()[0] if str(text).strip() else ""
    return line if len(line) <= limit else line[: limit - 1] + "…"


@dataclass
class TimestampReport:
    kind: str  # "signature" (RFC 3161 token in the signature) | "document" (PAdES DocTimeStamp)
    field: str | None = None
    time: str | None = None
    tsa: str | None = None
    tsa_expires: str | None = None  # the TSA certificate's notAfter: renew before this
    intact: bool = False
    valid: bool = False
    trusted: bool = False
    problem: str | None = None


@dataclass
class SignatureReport:
    field: str
    signer: str | None = None
    signed_at: str | None = None
    intact: bool = False
    crypto_valid: bool = False
    coverage: str | None = None
    modification_level: str | None = None
    later_revisions: int = 0
    trusted: bool = False
    trust: str = ""
    is_demo: bool = False
    subfilter: str | None = None
    reason: str | None = None
    location: str | None = None
    contact: str | None = None
    level: str | None = None  # PAdES B-B | B-T | B-LT | B-LTA, as found in the file
    cert_expires: str | None = None
    timestamp: dict[str, Any] | None = None  # TimestampReport of the signature timestamp
    revocation: str = "not checked"
    ltv: str = "not checked"
    ltv_ok: bool = False
    ades: str | None = None  # pyHanko's AdES indication for the LTA validation
    ok: bool = False


@dataclass
class VerificationReport:
    valid: bool = False
    intact: bool = False
    coverage: str | None = None
    signer: str | None = None
    signed_at: str | None = None
    trusted: bool = False
    trust: str = "no signature"
    is_demo: bool = False
    level: str | None = None
    revocation: str = "not checked"
    ltv: str = "not checked"
    ltv_ok: bool = False
    timestamps: list[dict[str, Any]] = field(default_factory=list)
    newest_timestamp_expires: str | None = None
    # what the DSS holds: "OCSP <cert> (<status>, produced <time>)", "CRL of <issuer> (<time>)"
    validation_data: list[str] = field(default_factory=list)
    marker: dict[str, Any] = field(default_factory=dict)
    fields: dict[str, Any] = field(default_factory=dict)
    archival: dict[str, Any] = field(default_factory=dict)
    pdfa: str | None = None
    catalogue: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    signatures: list[SignatureReport] = field(default_factory=list)
    pdfsig: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_text(self) -> str:
        out = [f"{'VALID' if self.valid else 'NOT VALID'}"
               + (f" — signed by {self.signer}" if self.signer else "")]
        if self.signed_at:
            out.append(f"signed at: {self.signed_at}")
        out.append(f"level: {self.level or '-'}")
        out.append(f"intact: {'yes' if self.intact else 'no'}; coverage: {self.coverage or '-'}")
        out.append(f"trusted: {'yes' if self.trusted else 'no'} — {self.trust}"
                   + (" [DEMO key — not for production]" if self.is_demo else ""))
        for t in self.timestamps:
            out.append(f"timestamp ({t['kind']}): {t.get('time') or '-'} by {t.get('tsa') or '?'}"
                       f" — {'valid' if t.get('valid') else 'NOT valid'}"
                       f", {'trusted' if t.get('trusted') else 'untrusted'}"
                       f"; TSA certificate expires {t.get('tsa_expires') or '?'}")
        out.append(f"revocation: {self.revocation}")
        out.append("embedded validation data: " + ("; ".join(self.validation_data) or "none"))
        out.append(f"long-term validation: {'yes' if self.ltv_ok else 'no'} — {self.ltv}")
        if self.marker:
            m = self.marker
            out.append(f"conversion marker: {m.get('copy_form', '?')} by {m.get('unit', '?')} "
                       f"({m.get('operator', '?')}) at {m.get('converted_at', '?')}, "
                       f"batch {m.get('batch_id', '?')}, document {m.get('document_id', '?')}")
            for s in m.get("sources", []):
                out.append(f"  source: {s.get('path')} sha256 {s.get('sha256')}")
        else:
            out.append("conversion marker: none found")
        if self.catalogue:
            c = self.catalogue
            out.append("catalogue: " + ("not checked" if not c.get("checked") else
                                        "consistent" if c.get("consistent") else
                                        "NOT consistent") + (f" ({c['detail']})" if c.get("detail") else ""))
        if self.pdfsig:
            if self.pdfsig.get("available"):
                sigs = self.pdfsig.get("signatures") or []
                summary = "; ".join(
                    "(document timestamp: not checked by pdfsig)" if s.get("document_timestamp")
                    else f"{s.get('signature_validation') or '-'} / "
                         f"{s.get('certificate_validation') or '-'}" for s in sigs)
                out.append(f"pdfsig: {summary or self.pdfsig.get('summary', 'no signatures')}")
            else:
                out.append(f"pdfsig: not run ({self.pdfsig.get('error', 'unavailable')})")
        out += [f"problem: {p}" for p in self.problems]
        out += [f"note: {n}" for n in self.notes]
        return "\n".join(out)


def _as_cert(obj: Any) -> asn1_x509.Certificate:
    if isinstance(obj, asn1_x509.Certificate):
        return obj
    if hasattr(obj, "public_bytes"):  # cryptography certificate
        from cryptography.hazmat.primitives.serialization import Encoding
        return asn1_x509.Certificate.load(obj.public_bytes(Encoding.DER))
    if isinstance(obj, (bytes, bytearray)):
        data = bytes(obj)
        if asn1_pem.detect(data):
            _, _, data = asn1_pem.unarmor(data)
        return asn1_x509.Certificate.load(data)
    raise TypeError(f"not a certificate: {type(obj).__name__}")


def _fmt_dt(dt: Any) -> str | None:
    if dt is None:
        return None
    try:
        return vn_iso(dt)
    except (ValueError, AttributeError):
        return str(dt)


def _not_after(cert: asn1_x509.Certificate) -> datetime:
    return cert["tbs_certificate"]["validity"]["not_after"].native


# --- embedded validation data (DSS) ----------------------------------------------------

@dataclass
class _Dss:
    certs: list[Any] = field(default_factory=list)
    ocsps: list[Any] = field(default_factory=list)
    crls: list[Any] = field(default_factory=list)


def _read_dss(reader: PdfFileReader) -> _Dss:
    from asn1crypto import crl as asn1_crl
    from asn1crypto import ocsp as asn1_ocsp
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko.sign.validation.errors import NoDSSFoundError

    try:
        dss = DocumentSecurityStore.read_dss(reader)
    except NoDSSFoundError:
        return _Dss()
    except Exception:
        return _Dss()
    out = _Dss(certs=list(dss.load_certs()))
    for ref in dss.ocsps:
        try:
            out.ocsps.append(asn1_ocsp.OCSPResponse.load(ref.get_object().data))
        except Exception:
            pass
    for ref in dss.crls:
        try:
            out.crls.append(asn1_crl.CertificateList.load(ref.get_object().data))
        except Exception:
            pass
    return out


def _dss_contents(dss: _Dss) -> list[str]:
    """Each OCSP response and CRL of the DSS, named: which certificate, which issuer."""
    out: list[str] = []
    by_serial = {c.serial_number: c for c in dss.certs}
    for resp in dss.ocsps:
        try:
            basic = resp["response_bytes"]["response"].parsed
            produced = _fmt_dt(basic["tbs_response_data"]["produced_at"].native)
            for single in basic["tbs_response_data"]["responses"]:
                serial = single["cert_id"]["serial_number"].native
                cert = by_serial.get(serial)
                who = (cert.subject.native.get("common_name") if cert is not None
                       else f"serial {serial}")
                out.append(f"OCSP {who} ({single['cert_status'].name}, produced {produced})")
        except Exception:
            out.append("OCSP (unreadable)")
    for crl in dss.crls:
        try:
            tbs = crl["tbs_cert_list"]
            out.append(f"CRL of {tbs['issuer'].native.get('common_name')} "
                       f"({_fmt_dt(tbs['this_update'].native)})")
        except Exception:
            out.append("CRL (unreadable)")
    return out


def _revocation_from_dss(cert: asn1_x509.Certificate, dss: _Dss) -> tuple[str | None, bool]:
    """(what the DSS says about cert, revoked?) -- None when it says nothing."""
    serial, issuer = cert.serial_number, cert.issuer
    for resp in dss.ocsps:
        try:
            basic = resp["response_bytes"]["response"].parsed
            produced = basic["tbs_response_data"]["produced_at"].native
            for single in basic["tbs_response_data"]["responses"]:
                if single["cert_id"]["serial_number"].native != serial:
                    continue
                status = single["cert_status"].name
                if status == "revoked":
                    info = single["cert_status"].chosen
                    return (f"REVOKED since {_fmt_dt(info['revocation_time'].native)} "
                            f"(OCSP response produced {_fmt_dt(produced)})", True)
                return f"{status} (OCSP response produced {_fmt_dt(produced)}, embedded)", False
        except Exception:
            continue
    for crl in dss.crls:
        try:
            tbs = crl["tbs_cert_list"]
            if tbs["issuer"] != issuer:
                continue
            for entry in tbs["revoked_certificates"] or []:
                if entry["user_certificate"].native == serial:
                    return (f"REVOKED since {_fmt_dt(entry['revocation_date'].native)} "
                            f"(CRL of {_fmt_dt(tbs['this_update'].native)})", True)
            return f"good (not on the CRL of {_fmt_dt(tbs['this_update'].native)}, embedded)", False
        except Exception:
            continue
    return None, False


def _vc(roots: list[asn1_x509.Certificate], dss: _Dss, online: bool,
        extra: Sequence[asn1_x509.Certificate] = ()) -> ValidationContext:
    return ValidationContext(trust_roots=list(roots), other_certs=list(dss.certs) + list(extra),
                             ocsps=list(dss.ocsps), crls=list(dss.crls), allow_fetching=online,
                             revocation_mode="hard-fail" if online else "soft-fail")


def _run_async(coro: Any) -> Any:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    coro.close()
    raise RuntimeError("verify_pdf() called inside a running event loop; use asyncio.to_thread")


def _ltv_check(sig: Any, roots: list[asn1_x509.Certificate]) -> Any:
    """pyHanko's PAdES LTA validation (ETSI EN 319 102-1 §5.6.3), offline only: what the
    file itself proves, as a verifier decades from now would have it."""
    from pyhanko.sign.validation.ades import ades_lta_validation
    from pyhanko.sign.validation.policy_decl import (
        PdfSignatureValidationSpec,
        RevinfoOnlineFetchingRule,
        RevocationInfoGatheringSpec,
        SignatureValidationSpec,
    )
    from pyhanko_certvalidator.context import CertValidationPolicySpec
    from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
    from pyhanko_certvalidator.registry import SimpleTrustManager

    spec = PdfSignatureValidationSpec(SignatureValidationSpec(
        cert_validation_policy=CertValidationPolicySpec(
            trust_manager=SimpleTrustManager.build(trust_roots=roots),
            revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO)),
        revinfo_gathering_policy=RevocationInfoGatheringSpec(
            online_fetching_rule=RevinfoOnlineFetchingRule.LOCAL_ONLY)))
    return _run_async(ades_lta_validation(sig, spec))


def _signature_ts(sig: Any) -> Any:
    try:
        attrs = sig.signer_info["unsigned_attrs"]
        for attr in attrs or []:
            if attr["type"].native == "signature_time_stamp_token":
                return attr["values"][0]
    except Exception:
        return None
    return None


def _ts_report(kind: str, status: Any, field_name: str | None, token: Any = None) -> TimestampReport:
    rep = TimestampReport(kind=kind, field=field_name)
    if status is None:
        return rep
    rep.time = _fmt_dt(getattr(status, "timestamp", None))
    rep.intact, rep.valid = bool(status.intact), bool(status.valid)
    rep.trusted = bool(status.trusted)
    cert = getattr(status, "signing_cert", None)
    if cert is not None:
        rep.tsa = subject_of(cert)
        rep.tsa_expires = _fmt_dt(_not_after(cert))
    if not (rep.intact and rep.valid):
        rep.problem = "timestamp token does not verify"
    return rep


def _check_one(sig: Any, reader: PdfFileReader, roots: list[asn1_x509.Certificate] | None,
               report: VerificationReport, dss: _Dss, doc_ts_revisions: list[int],
               online: bool) -> SignatureReport:
    name = str(sig.field_name or "?")  # not pyHanko's str subclass: it drags the reader along
    rep = SignatureReport(field=name)
    problems = report.problems
    try:
        cert = sig.signer_cert
        rep.signer = subject_of(cert)
        rep.is_demo = is_demo_cert(cert)
        rep.cert_expires = _fmt_dt(_not_after(cert))
    except Exception as exc:
        problems.append(f"signature '{name}': no usable signer certificate ({exc})")
        return rep
    sd = sig.sig_object
    rep.subfilter = str(sd.get("/SubFilter", "")).lstrip("/") or None
    rep.reason = str(sd["/Reason"]) if "/Reason" in sd else None
    rep.location = str(sd["/Location"]) if "/Location" in sd else None
    rep.contact = str(sd["/ContactInfo"]) if "/ContactInfo" in sd else None
    demo_root = False
    if roots:
        vc_roots = list(roots)
    elif rep.is_demo:
        vc_roots, demo_root = [cert], True
    else:
        vc_roots = []
    try:
        status = validate_pdf_signature(sig, _vc(vc_roots, dss, online))
    except Exception as exc:
        problems.append(f"signature '{name}': cannot be validated "
                        f"({type(exc).__name__}: {exc})")
        return rep
    rep.intact = bool(status.intact)
    rep.crypto_valid = bool(status.valid)
    rep.coverage = status.coverage.name if status.coverage is not None else None
    level = status.modification_level
    rep.modification_level = level.name if level is not None else None
    try:
        rep.later_revisions = reader.xrefs.total_revisions - 1 - sig.signed_revision
    except Exception:
        rep.later_revisions = 0
    rep.signed_at = _fmt_dt(status.signer_reported_dt or sig.self_reported_timestamp)

    # signature timestamp (B-T)
    tsv = getattr(status, "timestamp_validity", None)
    if tsv is not None or _signature_ts(sig) is not None:
        ts = _ts_report("signature", tsv, name)
        rep.timestamp = asdict(ts)
        report.timestamps.append(rep.timestamp)
        if ts.time:
            rep.signed_at = ts.time
        if tsv is not None and not (ts.intact and ts.valid):
            problems.append(f"signature '{name}': its signature timestamp does not verify "
                            "(the token or its imprint was altered)")

    # revocation data
    revoked = False
    rd = getattr(status, "revocation_details", None)
    dss_says, dss_revoked = _revocation_from_dss(cert, dss)
    if rd is not None:
        rep.revocation = (f"REVOKED since {_fmt_dt(rd.revocation_date)}"
                          f" ({getattr(rd.revocation_reason, 'native', rd.revocation_reason)})")
        revoked = True
    elif dss_says:
        rep.revocation, revoked = dss_says, dss_revoked
    elif rep.is_demo and demo_root:
        rep.revocation = "not applicable (self-signed DEMO certificate)"
    else:
        rep.revocation = ("no revocation data embedded"
                          + ("; checked online" if online and status.trusted else ""))

    # PAdES level found in the file
    later_dts = [r for r in doc_ts_revisions if r > sig.signed_revision]
    has_revinfo = bool(dss.ocsps or dss.crls) or dss_says is not None
    if rep.timestamp is None:
        rep.level = "B-B"
    elif not has_revinfo:
        rep.level = "B-T"
    elif not later_dts:
        rep.level = "B-LT"
    else:
        rep.level = "B-LTA"

    # trust now, and (with LTV data) at the proven signing time
    trusted_now = bool(status.trusted)
    rep.trusted = trusted_now
    if trusted_now:
        rep.trust = ("demo self-signed (DEMO certificate used as its own root; "
                     "not a production trust anchor)" if demo_root
                     else "chains to a given trust root")
    elif not (status.intact and status.valid):
        rep.trust = "not evaluated (the signature itself is broken)"
    else:
        indic = status.trust_problem_indic  # an AdES sub-indication: an enum member
        why = indic.name if isinstance(indic, enum.Enum) else "no path"
        rep.trust = (f"not trusted ({why}; no trust roots given)" if not vc_roots
                     else f"not trusted ({why})")
    if vc_roots and rep.level in ("B-LT", "B-LTA") and status.intact and status.valid:
        try:
            res = _ltv_check(sig, vc_roots)
            rep.ades = f"{type(res.ades_subindic).__name__}.{res.ades_subindic.name}"
            passed = type(res.ades_subindic).__name__ == "AdESPassed"
            when = _fmt_dt(res.best_signature_time)
            if passed:
                rep.ltv_ok = True
                rep.ltv = (f"validatable offline from the embedded data; signature existed at "
                           f"{when}" + (f", proven by document timestamps from "
                                        f"{_fmt_dt(res.oldest_evidence_record_timestamp)}"
                                        if res.oldest_evidence_record_timestamp else ""))
                if not trusted_now:
                    rep.trusted = True
                    rep.trust = (f"chains to a given trust root at the proven signing time {when} "
                                 f"(now: {rep.trust})")
            else:
                rep.ltv = f"not validatable offline ({rep.ades}: {_first_line(res.failure_msg or '')})"
        except Exception as exc:
            rep.ltv = f"LTV validation failed to run ({type(exc).__name__}: {_first_line(exc)})"
    elif rep.level in ("B-B", "B-T"):
        rep.ltv = f"no (level {rep.level}: no embedded revocation data)"
    elif not vc_roots:
        rep.ltv = "not evaluated (no trust roots given)"

    ok = True
    if not rep.intact:
        problems.append(f"signature '{name}': document bytes inside the signed range were "
                        "changed after signing (digest mismatch)")
        ok = False
    elif not rep.crypto_valid:
        problems.append(f"signature '{name}': the signature value does not verify "
                        "against the signer's certificate")
        ok = False
    if revoked:
        problems.append(f"signature '{name}': the signer's certificate is {rep.revocation}")
        ok = False
    cov = status.coverage
    if cov == SignatureCoverageLevel.ENTIRE_FILE:
        pass
    elif cov == SignatureCoverageLevel.ENTIRE_REVISION:
        if level not in _OK_LEVELS:
            detail = ""
            if status.diff_result is not None and not hasattr(status.diff_result,
                                                              "modification_level"):
                detail = f": {_first_line(status.diff_result)}"
            problems.append(
                f"signature '{name}': the document was changed after signing by "
                f"{rep.later_revisions} incremental update(s) "
                f"(modification level {rep.modification_level or 'unknown'}{detail})")
            ok = False
        else:
            report.notes.append(f"signature '{name}': later updates only add validation "
                                "data or timestamps (permitted)")
    else:
        problems.append(f"signature '{name}': the signature does not cover the whole "
                        f"signed revision (coverage {rep.coverage})")
        ok = False
    rep.ok = ok
    return rep


def _check_doc_ts(ts: Any, roots: list[asn1_x509.Certificate], report: VerificationReport,
                  dss: _Dss, online: bool) -> bool:
    name = str(ts.field_name or "?")
    try:
        status = validate_pdf_timestamp(ts, validation_context=_vc(roots, dss, online))
    except Exception as exc:
        report.problems.append(f"document timestamp '{name}': cannot be validated "
                               f"({type(exc).__name__}: {_first_line(exc)})")
        return False
    rep = _ts_report("document", status, name)
    report.timestamps.append(asdict(rep))
    ok = True
    if not (rep.intact and rep.valid):
        report.problems.append(f"document timestamp '{name}': document bytes it covers were "
                               "changed (digest mismatch) or its token does not verify")
        ok = False
    cov, level = status.coverage, status.modification_level
    if cov == SignatureCoverageLevel.ENTIRE_REVISION and level not in _OK_LEVELS:
        detail = ""
        if status.diff_result is not None and not hasattr(status.diff_result, "modification_level"):
            detail = f": {_first_line(status.diff_result)}"
        report.problems.append(f"document timestamp '{name}': the document was changed after "
                               f"it by an incremental update (modification level "
                               f"{level.name if level else 'unknown'}{detail})")
        ok = False
    return ok


def verify_pdf(data: bytes, trust_roots: list[Any] | None = None, *,
               run_pdfsig: bool = True, online: bool = False,
               expected: dict[str, Any] | None = None,
               reference: bytes | None = None) -> VerificationReport:
    """Validate data. trust_roots: certificates (asn1crypto/cryptography/PEM/DER bytes);
    online: also fetch revocation data (OCSP/CRL) from the certificates' URLs;
    expected: what the catalogue says about the document (see catalogue_expectation);
    reference: the archived bytes, to locate what a tampered copy changed."""
    report = VerificationReport()
    roots = [_as_cert(c) for c in trust_roots] if trust_roots else None
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sigs = list(reader.embedded_regular_signatures)
        doc_ts = list(reader.embedded_timestamp_signatures)
    except Exception as exc:
        report.problems.append(f"not a readable PDF ({type(exc).__name__}: {_first_line(exc)})")
        reader, sigs, doc_ts = None, [], []
    if reader is not None and not sigs:
        empty = _empty_sig_fields(reader)
        if empty:
            report.problems.append(
                f"signature field(s) {', '.join(empty)} hold no signature: "
                "the signature was removed")
        else:
            report.problems.append("no digital signature: the document is unsigned "
                                   "or its signature was stripped")
    dss = _read_dss(reader) if reader is not None else _Dss()
    report.validation_data = _dss_contents(dss)
    ts_revisions = [t.signed_revision for t in doc_ts]
    if reader is not None:  # else no signatures: the PDF did not read
        for sig in sigs:
            report.signatures.append(_check_one(sig, reader, roots, report, dss, ts_revisions, online))
    ts_ok = all([_check_doc_ts(t, roots or [], report, dss, online) for t in doc_ts])
    if report.signatures:
        # The document-level answer is the one of the signature covering the
        # most (the latest); all signatures must be fine for valid=True.
        last = report.signatures[-1]
        report.signer, report.signed_at = last.signer, last.signed_at
        report.coverage, report.is_demo = last.coverage, last.is_demo
        report.trusted, report.trust = last.trusted, last.trust
        report.level, report.revocation = last.level, last.revocation
        report.ltv, report.ltv_ok = last.ltv, last.ltv_ok
        report.intact = all(s.intact for s in report.signatures)
        report.valid = all(s.ok for s in report.signatures) and ts_ok and not report.problems
        if doc_ts and report.signatures[-1].coverage != "ENTIRE_FILE":
            last_ts = report.timestamps[-1] if report.timestamps else {}
            if last_ts.get("kind") == "document" and not last_ts.get("intact"):
                report.intact = False
    stamps = [t for t in report.timestamps if t.get("time") and t.get("valid")]
    if stamps:
        newest = max(stamps, key=lambda t: t["time"])
        report.newest_timestamp_expires = newest.get("tsa_expires")
    if reader is not None:
        _read_metadata(data, report)
        if sigs:
            _check_signed_metadata(reader, min(sig.signed_revision for sig in sigs), report)
    if expected is not None:
        _check_catalogue(report, expected, data)
    if run_pdfsig:
        report.pdfsig = run_pdfsig_on(data)
        _reconcile_pdfsig(report, {t.field_name for t in doc_ts})
    if reference is not None and reference != data and not report.intact:
        where = locate_changes(reference, data)
        if where:
            report.problems.append("changed relative to the archived copy: " + "; ".join(where))
    report.valid = report.valid and not report.problems
    return report


# --- the newest timestamp (for renewal) ----------------------------------------------

def _token_info(token: Any) -> tuple[datetime, asn1_x509.Certificate | None] | None:
    """(genTime, TSA certificate) of an RFC 3161 token (cms ContentInfo)."""
    try:
        sd = token["content"]
        gen = sd["encap_content_info"]["content"].parsed["gen_time"].native
        sid = sd["signer_infos"][0]["sid"]
        tsa = None
        for c in sd["certificates"] or []:
            cert = c.chosen
            if sid.name == "issuer_and_serial_number":
                ias = sid.chosen
                if cert.issuer == ias["issuer"] and cert.serial_number == ias["serial_number"].native:
                    tsa = cert
            elif cert.key_identifier == sid.chosen.native:
                tsa = cert
        return gen, tsa
    except Exception:
        return None


def newest_timestamp(data: bytes) -> dict[str, Any] | None:
    """The newest timestamp in a signed PDF (signature timestamps and document
    timestamps): {"time", "tsa", "tsa_expires" (datetime), "kind"}; None when none."""
    from asn1crypto import cms

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    found: list[tuple[datetime, asn1_x509.Certificate | None, str]] = []
    for sig in reader.embedded_regular_signatures:
        tok = _signature_ts(sig)
        if tok is not None:
            info = _token_info(tok if isinstance(tok, cms.ContentInfo) else cms.ContentInfo.load(tok.dump()))
            if info:
                found.append((*info, "signature"))
    for ts in reader.embedded_timestamp_signatures:
        info = _token_info(cms.ContentInfo({"content_type": "signed_data", "content": ts.signed_data}))
        if info:
            found.append((*info, "document"))
    if not found:
        return None
    gen, tsa, kind = max(found, key=lambda f: f[0])
    return {"time": gen, "kind": kind, "tsa": subject_of(tsa) if tsa is not None else None,
            "tsa_expires": _not_after(tsa) if tsa is not None else None}


# --- catalogue consistency and change location ---------------------------------------

def catalogue_expectation(session: Any, document_id: str) -> dict[str, Any] | None:
    """What the catalogue records about document_id (None: not catalogued)."""
    from sohoa.archive.models import Document

    doc = session.get(Document, document_id)
    if doc is None:
        return None
    signed = sorted((o for o in doc.objects if o.role == "signed"), key=lambda o: o.id)
    return {
        "document_id": doc.document_id,
        # as XMP can hold it: a name archived with a control character before intake escaped
        # it (intake.source_name) was written without it (xmp._clean)
        "sources": [{"path": _xmp_clean(f.relpath), "sha256": f.sha256} for f in doc.files],
        "converted_at": doc.converted_at,
        "signer": doc.signer,
        "stored_sha256": [o.sha256 for o in signed],
        "objects": [(o.bucket, o.key, o.version_id, o.sha256, o.size) for o in signed],
    }


def _check_catalogue(report: VerificationReport, expected: dict[str, Any], data: bytes) -> None:
    import hashlib

    m = report.marker or {}
    found: list[str] = []
    if m.get("document_id") != expected.get("document_id"):
        found.append(f"marker DocumentId {m.get('document_id')!r} is not the catalogue's "
                     f"{expected.get('document_id')!r}")
    exp_sources = [(s["path"], s["sha256"]) for s in expected.get("sources") or []]
    got_sources = [(s.get("path"), s.get("sha256")) for s in m.get("sources") or []]
    if exp_sources and got_sources != exp_sources:
        found.append("marker Sources (source-file hashes) differ from the catalogue's")
    conv = expected.get("converted_at")
    if conv is not None and m.get("converted_at"):
        try:
            if conv.tzinfo is None:
                conv = conv.replace(tzinfo=timezone.utc)
            # The catalogue records when the document was archived, which follows the
            # conversion (marker time) by the signing and storing: seconds to minutes.
            lag = (conv - datetime.fromisoformat(m["converted_at"])).total_seconds()
            if not -1 <= lag <= 86400:
                found.append(f"marker ConvertedAt {m['converted_at']} does not fit the "
                             f"catalogue's archive time {vn_iso(conv)}")
        except ValueError:
            found.append(f"marker ConvertedAt {m.get('converted_at')!r} is not a valid time")
    sha = hashlib.sha256(data).hexdigest()
    stored = expected.get("stored_sha256") or []
    archived = sha in stored
    report.catalogue = {"checked": True, "document_id": expected.get("document_id"),
                        "consistent": not found, "archived_version": archived,
                        "detail": "; ".join(found) if found else
                        ("identical to an archived version" if archived
                         else "marker agrees; bytes differ from every archived version")}
    for f in found:
        report.problems.append(f"conversion marker vs catalogue: {f}")


_OBJ_RE = re.compile(rb"(?<![0-9])(\d+)\s+(\d+)\s+obj\b")


def locate_changes(reference: bytes, data: bytes, limit: int = 5) -> list[str]:
    """Name the PDF objects of reference whose bytes differ in data (same length: byte
    flips; else the first difference)."""
    import numpy as np
    import pikepdf

    n = min(len(reference), len(data))
    a = np.frombuffer(reference, dtype=np.uint8, count=n)
    b = np.frombuffer(data, dtype=np.uint8, count=n)
    diffs = [int(x) for x in np.nonzero(a != b)[0][:64]]
    if not diffs and len(reference) != len(data):
        diffs.append(n)
    heads = [(m.start(), int(m.group(1)), int(m.group(2))) for m in _OBJ_RE.finditer(reference)]
    out: list[str] = []
    seen: set[tuple[int, int]] = set()
    try:
        pdf = pikepdf.open(io.BytesIO(reference))
    except Exception:
        pdf = None
    for off in diffs:
        before = [h for h in heads if h[0] <= off]
        if not before:
            out.append(f"byte {off} (file header)")
            continue
        _, num, gen = before[-1]
        if (num, gen) in seen:
            continue
        seen.add((num, gen))
        out.append(f"byte {off}, in {_describe(pdf, num, gen)}")
        if len(out) >= limit:
            break
    if pdf is not None:
        pdf.close()
    return out


def _describe(pdf: Any, num: int, gen: int) -> str:
    import pikepdf

    label = f"object {num} {gen}"
    if pdf is None:
        return label
    try:
        obj = pdf.get_object((num, gen))
    except Exception:
        return label
    try:
        t, st = obj.get("/Type"), obj.get("/Subtype")
        if st == "/Image":
            pages = [i + 1 for i, p in enumerate(pdf.pages)
                     if any(x.objgen == (num, gen) for x in
                            p.obj.get("/Resources", pikepdf.Dictionary()).get(
                                "/XObject", pikepdf.Dictionary()).values())]
            return f"{label}: the scanned page image" + (f" of page {pages[0]}" if pages else "")
        if t == "/Metadata" or st == "/XML":
            return f"{label}: the XMP metadata (conversion marker)"
        if t == "/Sig" or t == "/DocTimeStamp":
            return f"{label}: the signature dictionary"
        if t == "/Page":
            return f"{label}: page dictionary"
        if t == "/Pages":
            return f"{label}: the page tree"
        if t in ("/Font", "/FontDescriptor"):
            return f"{label}: a font"
        if t == "/ObjStm":
            return f"{label}: an object stream"
        for i, p in enumerate(pdf.pages):
            contents = p.obj.get("/Contents")
            items = contents if isinstance(contents, pikepdf.Array) else [contents]
            if any(c is not None and c.objgen == (num, gen) for c in items):
                return f"{label}: page {i + 1}'s content stream (text layer and marker)"
    except Exception:
        pass
    return label


def _empty_sig_fields(reader: PdfFileReader) -> list[str]:
    try:
        form = reader.root.get("/AcroForm")
        fields = form.get_object().get("/Fields", []) if form is not None else []
        out = []
        for f in fields:
            f = f.get_object()
            if f.get("/FT") == "/Sig" and "/V" not in f:
                out.append(f"'{f.get('/T', '?')}'")
        return out
    except Exception:
        return []


def _read_metadata(data: bytes, report: VerificationReport) -> None:
    import pikepdf

    from .xmp import read_xmp

    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            meta = read_xmp(pdf)
    except Exception as exc:
        report.notes.append(f"XMP metadata unreadable ({type(exc).__name__}: {_first_line(exc)})")
        return
    report.marker, report.fields = meta["marker"], meta["fields"]
    report.archival, report.pdfa = meta["archival"], meta["pdfa"]
    if not report.marker:
        report.notes.append("no sohoa conversion marker in the XMP metadata")


def _metadata_packet(resolver: Any, root: Any) -> bytes | None:
    """The XMP packet the catalog (root) points to, read through resolver (a revision)."""
    from pyhanko.pdf_utils import generic

    if "/Metadata" not in root:
        return None
    obj = root.raw_get("/Metadata")
    if isinstance(obj, generic.IndirectObject):
        obj = obj.reference
    if isinstance(obj, generic.Reference):
        obj = resolver(obj)
    return obj.data if isinstance(obj, generic.StreamObject) else None


def signed_marker(data: bytes) -> dict[str, Any]:
    """The conversion marker as of the first signature's revision (the one that counts);
    of the file as it is when it carries no signature; {} when unreadable."""
    from .xmp import read_xmp_packet

    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        sigs = list(reader.embedded_regular_signatures)
        if sigs:
            hist = reader.get_historical_resolver(min(s.signed_revision for s in sigs))
            packet = _metadata_packet(hist, hist.root)
        else:
            packet = _metadata_packet(reader.get_object, reader.root)
        return dict(read_xmp_packet(packet)["marker"])
    except Exception:
        return {}


def _check_signed_metadata(reader: PdfFileReader, revision: int, report: VerificationReport) -> None:
    """The marker, fields and archival metadata that count are those of the signed
    revision: pdfsig and pyHanko's difference analysis let a later incremental update
    replace the XMP, so every marker/field property it changed is a problem, named."""
    from .xmp import marker_occurrences, metadata_changes, read_xmp_packet

    try:
        hist = reader.get_historical_resolver(revision)
        signed_packet = _metadata_packet(hist, hist.root)
        now_packet = _metadata_packet(reader.get_object, reader.root)
    except Exception as exc:
        report.problems.append(f"the XMP metadata of the signed revision cannot be read "
                               f"({type(exc).__name__}: {_first_line(exc)})")
        return
    if signed_packet == now_packet:
        return
    try:
        signed = read_xmp_packet(signed_packet)
    except Exception as exc:
        report.problems.append(f"the signed revision's XMP metadata is unreadable "
                               f"({type(exc).__name__}: {_first_line(exc)})")
        return
    try:
        now = read_xmp_packet(now_packet)
    except Exception as exc:
        report.problems.append("the XMP metadata was replaced after signing by one that does "
                               f"not read ({type(exc).__name__}: {_first_line(exc)})")
        changes = []
    else:
        changes = metadata_changes(signed, now)
        if not changes:  # same first values: a duplicate or moved property is a change too
            try:
                before, after = marker_occurrences(signed_packet), marker_occurrences(now_packet)
            except Exception as exc:
                before, after = [], [("unreadable", f"{type(exc).__name__}")]
            if before != after:
                a, b = Counter(before), Counter(after)
                names = sorted({n for n, _ in (a - b) + (b - a)})
                changes = [f"{n} added, repeated or moved" for n in names]
    # what counts is what was signed: the report shows the signed marker
    report.marker, report.fields = signed["marker"], signed["fields"]
    report.archival, report.pdfa = signed["archival"], signed["pdfa"]
    if changes:
        report.problems.append("conversion marker or metadata changed after signing by an "
                               "incremental update (shown: the signed values): "
                               + "; ".join(changes[:8])
                               + (f"; and {len(changes) - 8} more" if len(changes) > 8 else ""))
    elif now_packet is not None:
        report.notes.append("the XMP packet was rewritten after signing; the conversion "
                            "marker, fields and archival metadata are unchanged")


# --- poppler pdfsig -------------------------------------------------------

_SIG_HEAD = re.compile(r"^Signature #(\d+):", re.M)


def run_pdfsig_on(data: bytes, timeout: float = 60.0) -> dict[str, Any]:
    exe = shutil.which("pdfsig")
    if not exe:
        return {"available": False, "error": "pdfsig (poppler-utils) not installed"}
    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(data)
        tmp.flush()
        try:
            proc = subprocess.run([exe, tmp.name], capture_output=True, timeout=timeout,
                                  text=True, errors="replace")
        except (OSError, subprocess.TimeoutExpired) as exc:
            return {"available": False, "error": f"pdfsig failed to run: {exc}"}
    text = (proc.stdout + proc.stderr).replace(tmp.name, "<file>")
    sigs = []
    parts = _SIG_HEAD.split(proc.stdout)
    for i in range(1, len(parts) - 1, 2):
        block = parts[i + 1]

        def val(label: str) -> str | None:
            m = re.search(rf"-\s*{label}:\s*(.*)", block)
            return m.group(1).strip().rstrip(".") if m else None

        sigs.append({
            "number": int(parts[i]),
            "field": val("Signature Field Name"),
            "signer": val("Signer full Distinguished Name") or val("Signer Certificate Common Name"),
            "signing_time": val("Signing Time"),
            "signature_type": val("Signature Type"),
            "signature_validation": val("Signature Validation"),
            "certificate_validation": val("Certificate Validation"),
            "total_document_signed": "Total document signed" in block
                                     and "Not total document signed" not in block,
        })
    valid = bool(sigs) and all(s["signature_validation"] == "Signature is Valid" for s in sigs)
    return {
        "available": True,
        "returncode": proc.returncode,
        "valid": valid,
        "total_document_signed": bool(sigs) and all(s["total_document_signed"] for s in sigs),
        "signatures": sigs,
        "summary": "no signatures" if not sigs else ("Signature is Valid" if valid
                                                     else "Signature is not valid"),
        "text": text.strip(),
    }


def _reconcile_pdfsig(report: VerificationReport, doc_ts_fields: AbstractSet[str] = frozenset()) -> None:
    ps = report.pdfsig
    if not ps.get("available"):
        report.notes.append(f"pdfsig not run: {ps.get('error')}")
        return
    for s in ps.get("signatures", []):
        sv = s.get("signature_validation") or "no verdict"
        if s.get("field") in doc_ts_fields:
            # poppler does not validate PAdES document timestamps (ETSI.RFC3161): pyHanko does
            s["document_timestamp"] = True
            continue
        if sv != "Signature is Valid":
            report.problems.append(f"pdfsig, signature #{s['number']} "
                                   f"('{s.get('field') or '?'}'): {sv}")
        cv = s.get("certificate_validation")
        if cv and cv != "Certificate is Trusted":
            report.notes.append(f"pdfsig, signature #{s['number']}: {cv}"
                                + (" (expected for the self-signed DEMO certificate)"
                                   if report.is_demo else ""))
