"""Seals: a detached CMS signature over a small document (an audit checkpoint, a
backup manifest, a verification record), made with the pipeline's signing key (the DEMO key embedded, a
PKCS#12 file or a PKCS#11 token in production) and carrying a signature timestamp
from the configured TSA (``settings.timestamp_url``) when there is one.

A seal is checked against the trust roots ``sohoa verify`` uses (the configured
roots and the local DEMO certificate): the bytes must be the signed ones (intact),
the signature mathematically valid, and the signer's certificate must chain to a
trust root. A timestamp in the seal must be intact and valid too.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from asn1crypto import cms
from sohoa.core.config import Settings
from sohoa.core.errors import SigningError
from sohoa.core.runtime import Runtime

# The sealing core: on floor 2 so that the servers (api/, ui/) may seal and check too;
# retention/seal.py keeps its API by importing these.
DIGEST = "sha256"


def _run(coro: Any) -> Any:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    coro.close()
    raise RuntimeError("seal functions called inside a running event loop; use asyncio.to_thread")


class SealKey:
    """The signing key for seals: the runtime's (a batch's worker, the CLI with
    need_signer) or, when the runtime carries none, one loaded from the settings
    for as long as the `with` block lasts (a PKCS#11 session is closed after)."""

    def __init__(self, rt: Runtime):
        self.rt = rt
        self._own: Any = None

    def __enter__(self) -> Any:
        if self.rt.signer is not None:
            return self.rt.signer
        from sohoa.pipeline.sign import load_signer

        self._own = load_signer(self.rt.settings)
        return self._own

    def __exit__(self, *exc: Any) -> None:
        if self._own is not None:
            self._own.close()
            self._own = None


def seal(signer: Any, data: bytes) -> bytes:
    """A detached CMS SignedData (DER) over data by signer (a LoadedSigner),
    timestamped when the signer has a timestamper."""
    async def make() -> cms.ContentInfo:
        return await signer.signer.async_sign_general_data(data, DIGEST, detached=True,
                                                           timestamper=signer.timestamper)

    try:
        if signer.lock is not None:  # one PKCS#11 session: one operation at a time
            with signer.lock:
                info = _run(make())
        else:
            info = _run(make())
    except SigningError:
        raise
    except Exception as exc:  # the token, the TSA: a seal that cannot be made stops the job
        raise SigningError(f"seal by {signer.subject}: {type(exc).__name__}: {exc}") from None
    return bytes(info.dump())


@dataclass
class SealCheck:
    """The result of checking a seal: ok, or the problems found."""

    problems: list[str] = field(default_factory=list)
    signer: str | None = None  # the signing certificate's subject
    timestamp: datetime | None = None  # the TSA's time, when the seal carries one
    demo: bool = False

    @property
    def ok(self) -> bool:
        return not self.problems


def check_seal(data: bytes, sealed: bytes, trust_roots: list[Any]) -> SealCheck:
    """Check the detached CMS `sealed` over data against trust_roots (module doc)."""
    from pyhanko.sign.validation.generic_cms import async_validate_detached_cms
    from pyhanko_certvalidator import ValidationContext
    from sohoa.pipeline.sign.keys import is_demo_cert, subject_of

    out = SealCheck()
    try:
        info = cms.ContentInfo.load(sealed)
        if info["content_type"].native != "signed_data":
            return SealCheck([f"not a CMS SignedData ({info['content_type'].native})"])
        signed = info["content"]
        status = _run(async_validate_detached_cms(
            data, signed, signer_validation_context=ValidationContext(trust_roots=list(trust_roots)),
            ts_validation_context=ValidationContext(trust_roots=list(trust_roots))))
    except Exception as exc:  # a seal pyHanko cannot even parse is a finding, not a crash
        return SealCheck([f"unreadable signature ({type(exc).__name__}: {' '.join(str(exc).split())[:200]})"])
    cert = status.signing_cert
    if cert is not None:
        out.signer, out.demo = subject_of(cert), is_demo_cert(cert)
    if not status.intact:
        out.problems.append("the signed bytes differ from these (the document was altered after signing)")
    elif not status.valid:
        out.problems.append("the signature value is not valid for the signing certificate")
    if status.intact and status.valid and not status.trusted:
        out.problems.append(f"the signer {out.signer or '?'} does not chain to a trust root")
    ts = status.timestamp_validity
    if ts is not None:
        out.timestamp = ts.timestamp
        if not (ts.intact and ts.valid):
            out.problems.append("the signature timestamp is not intact or not valid")
    return out


def seal_roots(settings: Settings) -> list[Any]:
    """The trust roots seals are checked against: those of `sohoa verify` (the configured
    PEM roots and the local DEMO certificate)."""
    from sohoa.pipeline.sign.keys import demo_trust_roots, load_trust_roots

    return list(load_trust_roots(settings)) + list(demo_trust_roots(settings))
