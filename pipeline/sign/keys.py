"""Signing keys: a PKCS#11 token or a PKCS#12 file (production), or the DEMO key.

PKCS#11 (``settings.sign_pkcs11_module`` + token/key labels + PIN): one
session is opened per process and kept for every signature of a batch;
``LoadedSigner.close()`` logs out and closes it. The PIN is read from the
setting or from ``sign_pkcs11_pin_file`` and never appears in an error,
a log line or a repr.

The DEMO key is an RSA-3072 key with a self-signed certificate whose subject
CN says "DEMO — NOT FOR PRODUCTION" and O is the converting unit. Key and
certificate are kept together in ``<keys_dir>/demo-signer.pem`` (mode 0600),
created atomically so concurrent workers end up with one key; the
certificate alone is also written to ``demo-signer.cert.pem`` for verifiers.
"""
from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from asn1crypto import keys as asn1_keys
from asn1crypto import x509 as asn1_x509
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID
from pyhanko.sign import signers
from pyhanko_certvalidator.registry import SimpleCertificateStore
from sohoa.core.config import Settings
from sohoa.core.errors import SigningError

from .cms_fast import FrozenCMSMixin

DEMO_MARK = "DEMO — NOT FOR PRODUCTION"
DEMO_CN = f"sohoa {DEMO_MARK}"
DEMO_FILE = "demo-signer.pem"
DEMO_CERT_FILE = "demo-signer.cert.pem"
DEMO_YEARS = 20


class _CachedKeySigner(FrozenCMSMixin, signers.SimpleSigner):
    """SimpleSigner that keeps the parsed private key.

    pyHanko's SimpleSigner re-parses (and so re-validates) the DER key on every
    signature, which costs ~100 ms for RSA-3072 -- most of a signing. Here the
    key object is made once; the signing logic is the same as pyHanko's.
    FrozenCMSMixin: the CMS is assembled without asn1crypto's repeated re-encoding.
    """

    def __init__(self, *args: Any, private_key: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._private_key = private_key

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding
        from pyhanko.sign.general import get_pyca_cryptography_hash
        from pyhanko_certvalidator.util import process_pss_params

        mech = self.get_signature_mechanism_for_digest(digest_algorithm)
        try:
            algo = mech.signature_algo
        except ValueError:
            algo = mech["algorithm"].native
        key = self._private_key
        if algo == "rsassa_pkcs1v15" and isinstance(key, rsa.RSAPrivateKey):
            return key.sign(data, padding.PKCS1v15(), get_pyca_cryptography_hash(digest_algorithm))
        if algo == "rsassa_pss" and isinstance(key, rsa.RSAPrivateKey):
            pad, hash_algo = process_pss_params(mech["parameters"])
            return key.sign(data, pad, hash_algo)
        if algo == "ecdsa" and isinstance(key, ec.EllipticCurvePrivateKey):
            return key.sign(data, ec.ECDSA(get_pyca_cryptography_hash(digest_algorithm)))
        if algo in ("ed25519", "ed448") and isinstance(
                key, (ed25519.Ed25519PrivateKey, ed448.Ed448PrivateKey)):
            return key.sign(data)
        return super().sign_raw(data, digest_algorithm)


@dataclass(frozen=True)
class LoadedSigner:
    """A ready pyHanko signer plus what the pipeline needs to know about it."""

    signer: signers.Signer
    certificate: asn1_x509.Certificate
    chain: tuple[asn1_x509.Certificate, ...]
    is_demo: bool
    subject: str  # RFC 4514
    source: str  # where the key came from (never the PIN or password)
    location: str = "Việt Nam"  # signature /Location (settings.sign_location)
    timestamper: Any = None  # pyHanko TimeStamper (settings.tsa_url): B-T and up
    level: str = "B-B"  # PAdES level to sign at (settings.signature_level)
    trust_roots: tuple[asn1_x509.Certificate, ...] = ()  # settings.trust_roots
    session: Any = field(default=None, repr=False, compare=False)  # PKCS#11 session, kept open
    lock: Any = field(default=None, repr=False, compare=False)  # one token session: one op at a time

    @property
    def cert_pem(self) -> bytes:
        return x509.load_der_x509_certificate(self.certificate.dump()).public_bytes(
            serialization.Encoding.PEM)

    @property
    def is_pkcs11(self) -> bool:
        return self.session is not None

    def close(self) -> None:
        """Close the PKCS#11 session (if any). Safe to call twice."""
        sess = self.session
        if sess is None:
            return
        object.__setattr__(self, "session", None)
        try:
            sess.close()
        except Exception:  # already closed, token removed: nothing more to do
            pass


def subject_of(cert: asn1_x509.Certificate | x509.Certificate) -> str:
    if isinstance(cert, asn1_x509.Certificate):
        cert = x509.load_der_x509_certificate(cert.dump())
    return cert.subject.rfc4514_string()


def is_demo_cert(cert: asn1_x509.Certificate | x509.Certificate) -> bool:
    if isinstance(cert, asn1_x509.Certificate):
        cert = x509.load_der_x509_certificate(cert.dump())
    cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return any(DEMO_MARK in str(a.value) for a in cns) and cert.subject == cert.issuer


def _build(key: Any, cert: x509.Certificate, extra: list[x509.Certificate],
           is_demo: bool, source: str) -> LoadedSigner:
    der_key = key.private_bytes(serialization.Encoding.DER,
                                serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    a_key = asn1_keys.PrivateKeyInfo.load(der_key)
    a_cert = asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))
    a_chain = tuple(asn1_x509.Certificate.load(c.public_bytes(serialization.Encoding.DER))
                    for c in extra)
    store = SimpleCertificateStore.from_certs([a_cert, *a_chain])
    signer = _CachedKeySigner(signing_cert=a_cert, signing_key=a_key, cert_registry=store,
                              private_key=key)
    return LoadedSigner(signer=signer, certificate=a_cert, chain=a_chain, is_demo=is_demo,
                        subject=cert.subject.rfc4514_string(), source=source)


def _check_cert(cert: x509.Certificate, key: Any, where: str) -> None:
    pub = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if cert.public_key().public_bytes(*pub) != key.public_key().public_bytes(*pub):
        raise SigningError(f"signing key {where}: the private key does not match the certificate")
    now = datetime.now(timezone.utc)
    if cert.not_valid_after_utc < now:
        raise SigningError(f"signing key {where}: certificate expired on "
                           f"{cert.not_valid_after_utc:%Y-%m-%d}")
    if cert.not_valid_before_utc > now:
        raise SigningError(f"signing key {where}: certificate not valid before "
                           f"{cert.not_valid_before_utc:%Y-%m-%d}")


def load_pkcs12(path: str | Path, password: str | bytes | None) -> LoadedSigner:
    p = Path(path)
    try:
        data = p.read_bytes()
    except FileNotFoundError:
        raise SigningError(f"signing key {p}: no such file") from None
    except OSError as exc:
        raise SigningError(f"signing key {p}: cannot read ({exc.strerror or exc})") from None
    pw = password.encode() if isinstance(password, str) else password
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, pw or None)
    except ValueError:
        # cryptography says only "Invalid password or PKCS12 data"
        raise SigningError(f"signing key {p}: cannot open PKCS#12 "
                           "(wrong password or not a PKCS#12 file)") from None
    except Exception as exc:  # unsupported algorithms etc.
        raise SigningError(f"signing key {p}: cannot open PKCS#12 ({exc})") from None
    if key is None:
        raise SigningError(f"signing key {p}: PKCS#12 holds no private key")
    if cert is None:
        raise SigningError(f"signing key {p}: PKCS#12 holds no certificate")
    _check_cert(cert, key, str(p))
    return _build(key, cert, list(extra or []), is_demo_cert(cert), str(p))


def _make_demo(unit: str) -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, DEMO_CN),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, unit or "sohoa"),
        x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
    ])
    now = datetime.now(timezone.utc).replace(microsecond=0)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name).issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=365 * DEMO_YEARS))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                     key_encipherment=False, data_encipherment=False,
                                     key_agreement=False, key_cert_sign=False, crl_sign=False,
                                     encipher_only=False, decipher_only=False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                       critical=False)
        .sign(key, hashes.SHA256())
    )
    return (key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption())
            + cert.public_bytes(serialization.Encoding.PEM))


def _write_atomic_new(path: Path, data: bytes, mode: int) -> bool:
    """Create path with data unless it exists; True if we created it."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        try:
            os.link(tmp, path)  # fails if another worker won the race
            return True
        except FileExistsError:
            return False
    finally:
        os.unlink(tmp)


def load_demo(keys_dir: Path, unit: str) -> LoadedSigner:
    keys_dir = Path(keys_dir)
    path = keys_dir / DEMO_FILE
    try:
        keys_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            _write_atomic_new(path, _make_demo(unit), 0o600)
        pem = path.read_bytes()
    except OSError as exc:
        raise SigningError(f"demo signing key {path}: {exc.strerror or exc}") from None
    try:
        key = serialization.load_pem_private_key(pem, password=None)
        cert = x509.load_pem_x509_certificate(pem[pem.index(b"-----BEGIN CERTIFICATE-----"):])
    except ValueError as exc:
        raise SigningError(f"demo signing key {path}: unreadable ({exc}); delete it to "
                           "make a new one") from None
    if os.stat(path).st_mode & 0o077:
        os.chmod(path, 0o600)
    _check_cert(cert, key, str(path))
    cert_path = keys_dir / DEMO_CERT_FILE
    cert_pem = cert.public_bytes(serialization.Encoding.PEM)
    try:
        if not cert_path.exists() or cert_path.read_bytes() != cert_pem:
            tmp = cert_path.with_name(f".{cert_path.name}.{os.getpid()}")
            tmp.write_bytes(cert_pem)
            os.replace(tmp, cert_path)
    except OSError:
        pass  # the public copy is a convenience only
    return _build(key, cert, [], True, str(path))


def _pin(settings: Settings) -> str | None:
    pin = getattr(settings, "sign_pkcs11_pin", "") or ""
    pin_file = getattr(settings, "sign_pkcs11_pin_file", "") or ""
    if not pin and pin_file:
        try:
            pin = Path(pin_file).read_text("utf-8").strip()
        except OSError as exc:
            raise SigningError(f"PKCS#11 PIN file {pin_file}: cannot read "
                               f"({exc.strerror or type(exc).__name__})") from None
    return pin or None


def load_pkcs11(settings: Settings) -> LoadedSigner:
    """Open one session on the token and find the key and certificate by label."""
    import threading

    from pyhanko.config.pkcs11 import TokenCriteria
    from pyhanko.sign.pkcs11 import PKCS11Signer, open_pkcs11_session

    module = settings.sign_pkcs11_module
    token = getattr(settings, "sign_pkcs11_token_label", "") or None
    key_label = getattr(settings, "sign_pkcs11_key_label", "") or None
    cert_label = getattr(settings, "sign_pkcs11_cert_label", "") or key_label
    where = f"pkcs11:{module}" + (f" token '{token}'" if token else "") + \
        (f" key '{key_label}'" if key_label else "")
    if not Path(module).is_file():
        raise SigningError(f"signing key {where}: no such PKCS#11 module")
    if not key_label:
        raise SigningError(f"signing key {where}: sign_pkcs11_key_label is not set")
    pin = _pin(settings)
    try:
        session = open_pkcs11_session(module, token_criteria=TokenCriteria(label=token),
                                      user_pin=pin)
    except Exception as exc:
        # the PKCS#11 error names the failure (PinIncorrect, TokenNotPresent...), never the PIN
        raise SigningError(f"signing key {where}: cannot open a session "
                           f"({type(exc).__name__}{': ' + str(exc) if str(exc) else ''})") from None

    class _Signer(FrozenCMSMixin, PKCS11Signer):  # same CMS, assembled faster (cms_fast)
        pass

    try:
        signer = _Signer(session, key_label=key_label, cert_label=cert_label,
                         other_certs_to_pull=None)  # the chain, if the token holds it
        cert = signer.signing_cert  # loads the key handle and certificates now
        chain = tuple(c for c in signer.cert_registry if c.dump() != cert.dump())
        py_cert = x509.load_der_x509_certificate(cert.dump())
        now = datetime.now(timezone.utc)
        if py_cert.not_valid_after_utc < now:
            raise SigningError(f"signing key {where}: certificate expired on "
                               f"{py_cert.not_valid_after_utc:%Y-%m-%d}")
    except SigningError:
        session.close()
        raise
    except Exception as exc:
        session.close()
        raise SigningError(f"signing key {where}: {type(exc).__name__}: {exc}") from None
    return LoadedSigner(signer=signer, certificate=cert, chain=chain, is_demo=False,
                        subject=subject_of(cert), source=where, session=session,
                        lock=threading.Lock())


def load_trust_roots(settings: Settings) -> list[asn1_x509.Certificate]:
    """The certificates in the PEM files of settings.trust_roots (comma-separated)."""
    from asn1crypto import pem as asn1_pem

    out: list[asn1_x509.Certificate] = []
    raw = getattr(settings, "trust_roots", "") or ""
    for path in [p.strip() for p in raw.split(",") if p.strip()]:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise SigningError(f"trust root {path}: cannot read ({exc.strerror or exc})") from None
        try:
            if asn1_pem.detect(data):
                for _, _, der in asn1_pem.unarmor(data, multiple=True):
                    out.append(asn1_x509.Certificate.load(der))
            else:
                out.append(asn1_x509.Certificate.load(data))
        except Exception as exc:
            raise SigningError(f"trust root {path}: not a certificate ({exc})") from None
    return out


def make_timestamper(url: str) -> Any:
    from pyhanko.sign.timestamps import HTTPTimeStamper
    return HTTPTimeStamper(str(url), timeout=30)


def load_signer(settings: Settings) -> LoadedSigner:
    """PKCS#11 token when sign_pkcs11_module is set, else PKCS#12 (sign_pkcs12), else DEMO.

    Create it once per process and close() it at the end (a token session)."""
    if getattr(settings, "sign_pkcs11_module", ""):
        loaded = load_pkcs11(settings)
    elif getattr(settings, "sign_pkcs12", ""):
        loaded = load_pkcs12(settings.sign_pkcs12, getattr(settings, "sign_pkcs12_password", ""))
    else:
        loaded = load_demo(settings.keys_dir, getattr(settings, "unit", "") or "sohoa")
    tsa = getattr(settings, "timestamp_url", None)
    if tsa is None:  # a settings object without the property
        tsa = getattr(settings, "tsa_url", "") or \
            (getattr(settings, "extra", None) or {}).get("sign_tsa_url")
    level = getattr(settings, "signature_level", None) or ("B-T" if tsa else "B-B")
    if level != "B-B" and not tsa:
        loaded.close()
        raise SigningError(f"signature level {level} needs a timestamping authority (SOHOA_TSA_URL)")
    try:
        roots = tuple(load_trust_roots(settings))
    except SigningError:
        loaded.close()
        raise
    return replace(loaded, location=getattr(settings, "sign_location", "") or loaded.location,
                   timestamper=make_timestamper(tsa) if tsa else None, level=level,
                   trust_roots=roots)


def demo_trust_roots(settings: Settings) -> list[asn1_x509.Certificate]:
    """The local DEMO certificate, if one was made, as a trust root for verify_pdf."""
    path = Path(settings.keys_dir) / DEMO_CERT_FILE
    if not path.is_file():
        return []
    cert = x509.load_pem_x509_certificate(path.read_bytes())
    return [asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))]
