"""sign_pdf: a PAdES signature (B-B, B-T, B-LT or B-LTA) as an incremental update.

    B-B    CMS signature (ETSI.CAdES.detached, SHA-256, signing certificate v2)
    B-T    + RFC 3161 signature timestamp (unsigned attribute) from the TSA
    B-LT   + DSS: the signer's and the TSA's chains, OCSP responses and CRLs
    B-LTA  + a document timestamp over all of it (and the TSA's own validation data)

Levels above B-B need a timestamper (settings.tsa_url). B-LT/B-LTA fetch
revocation data (OCSP, CRLs) from the URLs in the certificates, against the
trust roots (settings.trust_roots, else the top of the signer's chain).
"""
from __future__ import annotations

import asyncio
import io
import logging
import threading
from typing import Any

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields, signers
from pyhanko.sign.signers.pdf_byterange import BuildProps
from pyhanko_certvalidator import ValidationContext
from sohoa.core.errors import SigningError

from .keys import LoadedSigner
from .marker import ConversionMarker

FIELD_NAME = "SohoaConversion"
# /Contents placeholder; an RSA-4096 signature with a 3-certificate chain fits.
# A fixed size skips pyHanko's dry-run signature used to estimate it.
DEFAULT_RESERVED = 16384
# ... plus an RFC 3161 token with the TSA's chain (revocation data goes to the DSS, not here).
RESERVED_WITH_TIMESTAMP = 32768

_local = threading.local()
log = logging.getLogger("sohoa.sign")


class _KeepMetadataWriter(IncrementalPdfFileWriter):
    """Incremental writer that leaves the document's XMP and /Info as prepared.

    pyHanko normally rewrites the XMP packet when it writes (Producer,
    ModifyDate), re-serialising it: that would change prepare_pdf's metadata
    (e.g. the PDF/A extension schema's namespaceURI text), make XMP and /Info
    disagree, and cost ~5 ms per document. The marker metadata must be signed
    exactly as prepared, so that step is skipped.
    """

    def _update_meta(self) -> None:  # pyHanko private hook (BasePdfFileWriter)
        return None


def _run(coro: Any) -> Any:
    """Run a coroutine on a per-thread event loop (asyncio.run makes a new one each time)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        pass
    else:  # called from async code: a nested loop cannot run here
        coro.close()
        raise SigningError("sign_pdf() called inside a running event loop; "
                           "run it in a worker thread (asyncio.to_thread)")
    loop = getattr(_local, "loop", None)
    if loop is None or loop.is_closed():
        loop = _local.loop = asyncio.new_event_loop()
    return loop.run_until_complete(coro)


LEVELS = ("B-B", "B-T", "B-LT", "B-LTA")


def signing_validation_context(signer: LoadedSigner | signers.Signer,
                               roots: Any = None, moment: Any = None,
                               fetcher_backend: Any = None) -> ValidationContext:
    """What B-LT/B-LTA validate the signer's chain against while collecting revocation data."""
    if isinstance(signer, LoadedSigner):
        chain = [signer.certificate, *signer.chain]
        roots = list(roots or signer.trust_roots)
        ps = signer.signer
    else:
        ps, chain = signer, [signer.signing_cert, *list(signer.cert_registry or [])]
        roots = list(roots or [])
    if not roots:  # the self-signed top of the chain the key came with
        roots = [c for c in chain if c is not None and c.subject == c.issuer][:1]
    others = [c for c in chain if c is not None]
    if ps is not None and getattr(ps, "cert_registry", None) is not None:
        others += list(ps.cert_registry)
    kwargs: dict[str, Any] = {"moment": moment} if moment is not None else {}
    if fetcher_backend is not None:
        kwargs["fetcher_backend"] = fetcher_backend
    return ValidationContext(trust_roots=roots, other_certs=others, allow_fetching=True,
                             revocation_mode="hard-fail", **kwargs)


def sign_pdf(prepared: bytes, signer: LoadedSigner | signers.Signer,
             marker: ConversionMarker, *, location: str | None = None,
             timestamper: Any = None, bytes_reserved: int | None = None,
             level: str | None = None, validation_context: ValidationContext | None = None) -> bytes:
    """Sign prepared bytes at a PAdES level (default: the signer's, else B-B; B-T when
    only a timestamper is given)."""
    pyhanko_signer = signer.signer if isinstance(signer, LoadedSigner) else signer
    lock = None
    if isinstance(signer, LoadedSigner):
        location = location or signer.location
        timestamper = timestamper or signer.timestamper
        level = level or signer.level
        lock = signer.lock
    level = level or ("B-T" if timestamper else "B-B")
    if level not in LEVELS:
        raise SigningError(f"unknown signature level {level!r} (one of {', '.join(LEVELS)})")
    if pyhanko_signer is None:
        raise SigningError("no signing key")
    if level != "B-B" and timestamper is None:
        raise SigningError(f"signature level {level} needs a timestamping authority (SOHOA_TSA_URL)")
    if level == "B-B":
        timestamper = None
    lt = level in ("B-LT", "B-LTA")
    backend = None
    if lt and validation_context is None:
        from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

        backend = AIOHttpFetcherBackend()  # closed below: no HTTP session left open
        validation_context = signing_validation_context(signer, fetcher_backend=backend)
    version = marker.software.split()[-1] if marker.software.split() else None
    meta = signers.PdfSignatureMetadata(
        field_name=FIELD_NAME,
        md_algorithm="sha256",
        subfilter=fields.SigSeedSubFilter.PADES,
        reason=marker.reason(),
        location=location or "Việt Nam",
        name=marker.unit,
        contact_info=f"{marker.operator} — {marker.unit}",
        app_build_props=BuildProps(name="sohoa", revision=version),
        embed_validation_info=lt,
        use_pades_lta=level == "B-LTA",
        validation_context=validation_context if lt else None,
    )
    try:
        # in place: the update is appended to this private copy of the bytes, instead of
        # pyHanko copying the whole prepared file (~1 MB) into a new buffer 4 KiB at a time
        out = io.BytesIO(prepared)
        writer = _KeepMetadataWriter(out, strict=False)
        pdf_signer = signers.PdfSigner(meta, signer=pyhanko_signer, timestamper=timestamper)
        coro = _sign_keeping_metadata(
            pdf_signer, writer, out, timestamper if level == "B-LTA" else None,
            bytes_reserved or (RESERVED_WITH_TIMESTAMP if timestamper else DEFAULT_RESERVED))
        if lock is not None:
            with lock:
                _run(coro)
        else:
            _run(coro)
    except SigningError:
        raise
    except Exception as exc:
        raise SigningError(f"signing at {level} failed: {type(exc).__name__}: "
                           f"{_first_line(exc)}") from exc
    finally:
        if backend is not None:
            _run(backend.close())
    return out.getvalue()


async def _offered_crls(vc: Any, paths: Any) -> list[Any]:
    """The CRLs every certificate of the paths declares, besides the OCSP answers the
    validation used: a verifier decades from now may accept only one of the two kinds.
    Best effort: the validation already had what it required (hard-fail)."""
    found: list[Any] = []
    if vc is None:
        return found
    for path in paths or []:
        for cert in path:
            if cert.subject == cert.issuer or not cert.crl_distribution_points:
                continue
            try:
                found += await vc.async_retrieve_crls(cert)
            except Exception as exc:  # an unreachable CRL server: OCSP is there
                log.warning("CRL not fetched for %s: %s", cert.subject.human_friendly, exc)
    return found


async def _sign_keeping_metadata(pdf_signer: signers.PdfSigner, writer: IncrementalPdfFileWriter,
                                 out: io.BytesIO, lta_timestamper: Any, bytes_reserved: int) -> None:
    """PdfSigner.async_sign_pdf, with the DSS and the document timestamp written by
    _KeepMetadataWriter: pyHanko's own post-signing steps open plain writers, which
    rewrite the signed XMP (producer, namespaces, extension schema) in every later
    revision."""
    from pyhanko.sign.signers.pdf_cms import PdfCMSSignedAttributes
    from pyhanko.sign.validation import DocumentSecurityStore

    session = pdf_signer.init_signing_session(writer)
    # B-LT/B-LTA: the signer's chain validated, its OCSP responses and CRLs fetched
    # (hard-fail: no signature with a revoked or unverifiable key)
    validation_info = await session.perform_presign_validation(writer)
    tbs = session.prepare_tbs_document(validation_info=validation_info,
                                       bytes_reserved=bytes_reserved)
    digest, _ = tbs.digest_tbs_document(in_place=True)
    post = await tbs.perform_signature(
        document_digest=digest.document_digest,
        pdf_cms_signed_attrs=PdfCMSSignedAttributes(
            signing_time=session.system_time,
            adobe_revinfo_attr=(None if validation_info is None
                                else validation_info.adobe_revinfo_attr),
            cades_signed_attrs=pdf_signer.signature_meta.cades_signed_attr_spec))
    if validation_info is None:  # B-B, B-T: nothing after the signature
        return
    vc = post.validation_context
    dss_writer = _KeepMetadataWriter(out, strict=False)
    crls = list(validation_info.crls_to_embed) + await _offered_crls(
        vc, validation_info.validation_paths)
    DocumentSecurityStore.supply_dss_in_writer(
        dss_writer, post.sig_contents, paths=validation_info.validation_paths,
        ocsps=validation_info.ocsps_to_embed, crls=crls,
        validation_context=vc, embed_roots=True)
    if lta_timestamper is None:
        dss_writer.write_in_place()
        return
    # B-LTA: the document timestamp in the same revision, after its TSA's chain and
    # revocation data (so the timestamp itself validates offline)
    tsa_paths = [path async for path in lta_timestamper.validation_paths(vc)]
    DocumentSecurityStore.supply_dss_in_writer(dss_writer, None, paths=tsa_paths,
                                               validation_context=vc, embed_roots=True)
    await signers.PdfTimeStamper(lta_timestamper).async_timestamp_pdf(
        dss_writer, "sha256", None, in_place=True)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0][:300] if text else ""


def add_document_timestamp(signed: bytes, timestamper: Any,
                           validation_context: ValidationContext | None = None,
                           trust_roots: Any = None) -> bytes:
    """A new document timestamp over signed (PAdES B-LTA renewal), after adding the
    validation data of the previous document timestamp's TSA to the DSS.

    pyHanko's PdfTimeStamper.update_archival_timestamp_chain does the same, but
    its writer would rewrite the XMP (ModifyDate, Producer): here the marker
    metadata stays as it was signed.
    """
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import validation
    from pyhanko.sign.validation.ades import ades_timestamp_validation_internal

    backend = None
    if validation_context is None:
        from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend

        backend = AIOHttpFetcherBackend()
        validation_context = ValidationContext(
            trust_roots=list(trust_roots) if trust_roots else None, allow_fetching=True,
            revocation_mode="soft-fail", fetcher_backend=backend)

    async def dss_for_last_timestamp(data: bytes) -> tuple[bytes, str]:
        """Append the validation data (chain, CRLs/OCSP) of the last document timestamp."""
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        stamps = list(reader.embedded_timestamp_signatures)
        if not stamps:
            return data, "sha256"
        last = stamps[-1]
        status = (await ades_timestamp_validation_internal(
            last.signed_data, validation_context=validation_context,
            expected_tst_imprint=last.compute_digest,
            ts_qualification_requirements=None)).api_status
        if status is None:
            raise SigningError("the last document timestamp could not be validated (no status)")
        if status.validation_path is None:
            return data, status.md_algorithm
        writer = _KeepMetadataWriter(io.BytesIO(data), strict=False)
        validation.DocumentSecurityStore.supply_dss_in_writer(
            writer, last.pkcs7_content, paths=(status.validation_path,),
            validation_context=validation_context, embed_roots=True)
        out = io.BytesIO()
        writer.write(out)
        return out.getvalue(), status.md_algorithm

    async def work() -> bytes:
        data, md = await dss_for_last_timestamp(signed)
        writer = _KeepMetadataWriter(io.BytesIO(data), strict=False)
        out = io.BytesIO()
        # no validation context here: pyHanko would add the new timestamp's DSS with a
        # writer of its own, rewriting the XMP; it is added just below, by ours
        await signers.PdfTimeStamper(timestamper).async_timestamp_pdf(writer, md, None, output=out)
        # and the new timestamp's own validation data, so it validates offline today
        data, _ = await dss_for_last_timestamp(out.getvalue())
        return data

    try:
        return _run(work())
    except Exception as exc:
        raise SigningError(f"document timestamp failed: {type(exc).__name__}: "
                           f"{_first_line(exc)}") from exc
    finally:
        if backend is not None:
            _run(backend.close())
