"""Build the runtime (catalogue, store, signer) once per process."""
from __future__ import annotations

import atexit
import threading
from typing import Any

from sohoa.archive.catalogue import Catalogue
from sohoa.archive.factory import open_store
from sohoa.core.config import Settings
from sohoa.core.runtime import Runtime

_signers: dict[tuple, Any] = {}
_signers_lock = threading.Lock()


def _signer_key(settings: Settings) -> tuple:
    return (str(settings.keys_dir), settings.unit, settings.sign_pkcs12, settings.sign_pkcs11_module,
            settings.sign_pkcs11_token_label, settings.sign_pkcs11_key_label,
            settings.sign_pkcs11_cert_label, settings.timestamp_url, settings.signature_level,
            settings.trust_roots, settings.sign_location)


def shared_signer(settings: Settings) -> Any:
    """One signer per process and configuration: a PKCS#11 token session is opened once,
    kept for every document of every batch, and closed when the process exits."""
    key = _signer_key(settings)
    with _signers_lock:
        signer = _signers.get(key)
        if signer is None:
            from sohoa.pipeline.sign import load_signer

            signer = _signers[key] = load_signer(settings)
        return signer


def close_signers() -> None:
    with _signers_lock:
        for signer in _signers.values():
            signer.close()
        _signers.clear()


atexit.register(close_signers)


def build_runtime(settings: Settings, need_signer: bool, actor: str = "cli") -> Runtime:
    signer = shared_signer(settings) if need_signer else None  # before any work: no key, no run
    return Runtime(settings=settings, catalogue=Catalogue(settings.database_url), store=open_store(settings),
                   signer=signer, actor=actor)
