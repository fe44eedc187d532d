"""The object store named by the settings ('local' or 's3').

A module of its own so that the backends do not import each other.
"""
from __future__ import annotations

from sohoa.archive.store import LocalObjectStore
from sohoa.core.config import Settings, StoreKind
from sohoa.core.errors import StoreError
from sohoa.core.storage import ObjectStore


def open_store(settings: Settings) -> ObjectStore:
    if settings.store == StoreKind.LOCAL:
        return LocalObjectStore(settings.store_root)
    if settings.store == StoreKind.S3:
        from sohoa.archive.s3store import S3ObjectStore

        return S3ObjectStore.from_settings(settings)
    raise StoreError(f"object store backend {settings.store!r} is not available (use 'local' or 's3')")
