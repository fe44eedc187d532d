"""Cheaper CMS assembly for pyHanko signers (same bytes, less asn1crypto work).

asn1crypto keeps a value it built from Python data "mutated" for good, and
re-encodes it on every ``dump()``; a parent dumps each child twice (once for
its contents, once for its length), so a deep freshly built value is encoded
2^depth times. The signing-certificate-v2 attribute (Name inside GeneralName
inside IssuerSerial ... inside the signed attributes) made that ~60 % of a
B-B signature's CPU time.

``FrozenCMSMixin`` fixes that for a ``pyhanko.sign.signers.Signer`` subclass:

* the signing-certificate-v2 value depends on the certificate only: it is
  built once per signer and kept as parsed DER (which dumps as is);
* the signed attributes and the SignerInfo are re-parsed from their DER once
  built, so the enclosing SignedData encodes them once.

The CMS produced is byte-for-byte what pyHanko produces without the mixin.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from asn1crypto import tsp
from asn1crypto import x509 as asn1_x509
from pyhanko.sign import attributes
from pyhanko.sign.general import as_signing_certificate_v2


def frozen(value: Any) -> Any:
    """The same ASN.1 value, re-parsed from its DER: further dumps reuse the bytes."""
    return type(value).load(value.dump())


class _CachedSigningCertProvider(attributes.SigningCertificateV2Provider):
    """signing-certificate-v2 from a value prepared once for the certificate."""

    def __init__(self, signing_cert: asn1_x509.Certificate, value: tsp.SigningCertificateV2):
        super().__init__(signing_cert=signing_cert)
        self._value = value

    async def build_attr_value(self, dry_run: bool = False) -> tsp.SigningCertificateV2:
        # a copy of an unparsed value is cheap, and callers can never alter the cached one
        return self._value.copy()


class _CachedCertAttrSpec(attributes.SignedAttributeProviderSpec):
    """pyHanko's own provider spec, with its signing-certificate-v2 provider swapped."""

    def __init__(self, inner: attributes.SignedAttributeProviderSpec,
                 value_for: Callable[[asn1_x509.Certificate], tsp.SigningCertificateV2]):
        self._inner = inner
        self._value_for = value_for

    def signed_attr_providers(self, data_digest: bytes,
                              digest_algorithm: str) -> Iterable[attributes.CMSAttributeProvider]:
        for prov in self._inner.signed_attr_providers(data_digest=data_digest,
                                                      digest_algorithm=digest_algorithm):
            if type(prov) is attributes.SigningCertificateV2Provider:
                prov = _CachedSigningCertProvider(prov.signing_cert, self._value_for(prov.signing_cert))
            yield prov


class FrozenCMSMixin:
    """Mix in before a pyHanko Signer class (see the module docstring)."""

    _sohoa_cert_v2: tuple[bytes, tsp.SigningCertificateV2] | None = None

    def _signing_cert_v2(self, cert: asn1_x509.Certificate) -> tsp.SigningCertificateV2:
        der = cert.dump()
        cached = self._sohoa_cert_v2
        if cached is None or cached[0] != der:  # first use, or the token's certificate changed
            cached = self._sohoa_cert_v2 = (der, frozen(as_signing_certificate_v2(cert)))
        return cached[1]

    # pyHanko internal hook (Signer): picks the signed-attribute providers
    def _signed_attr_provider_spec(self, *args: Any, **kwargs: Any) -> Any:
        inner = super()._signed_attr_provider_spec(*args, **kwargs)  # type: ignore[misc]
        return _CachedCertAttrSpec(inner, self._signing_cert_v2)

    async def signed_attrs(self, *args: Any, **kwargs: Any) -> Any:
        return frozen(await super().signed_attrs(*args, **kwargs))  # type: ignore[misc]

    def signer_info(self, *args: Any, **kwargs: Any) -> Any:
        return frozen(super().signer_info(*args, **kwargs))  # type: ignore[misc]
