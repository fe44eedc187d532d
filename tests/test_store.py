"""The embedded write-once store: no overwrite, no delete, versions kept, hashes checked."""
from __future__ import annotations

import hashlib
import os

import pytest
from sohoa.archive.store import LocalObjectStore
from sohoa.core.errors import IntegrityError, StoreError


@pytest.fixture
def store(tmp_path):
    return LocalObjectStore(tmp_path / "objects")


def test_put_get_roundtrip_and_idempotent(store):
    ref = store.put("sohoa-archive", "judgments/2024/D1.pdf", b"%PDF-1 signed", {"document-id": "D1"})
    assert ref.sha256 == hashlib.sha256(b"%PDF-1 signed").hexdigest()
    assert store.get(ref) == b"%PDF-1 signed"
    again = store.put("sohoa-archive", "judgments/2024/D1.pdf", b"%PDF-1 signed", {"document-id": "D1"})
    assert again == ref
    assert len(store.versions("sohoa-archive", "judgments/2024/D1.pdf")) == 1


def test_new_content_is_a_new_version_old_kept(store):
    key = "decisions/2025/D2.pdf"
    v1 = store.put("sohoa-archive", key, b"one", {})
    v2 = store.put("sohoa-archive", key, b"two", {})
    assert v1.version_id != v2.version_id
    assert [v.sha256 for v in store.versions("sohoa-archive", key)] == [v1.sha256, v2.sha256]
    assert store.get(v1) == b"one" and store.get(v2) == b"two"


def test_delete_refused_and_blobs_read_only(store):
    ref = store.put("sohoa-archive", "k/D3.pdf", b"data", {})
    with pytest.raises(StoreError, match="write-once"):
        store.delete(ref)
    blob = store._blob_path(ref.sha256)
    assert not os.access(blob, os.W_OK) or os.geteuid() == 0  # root ignores modes; the mode is still 0444
    assert blob.stat().st_mode & 0o777 == 0o444


def test_corruption_detected_on_read(store):
    ref = store.put("sohoa-archive", "k/D4.pdf", b"original bytes", {})
    blob = store._blob_path(ref.sha256)
    os.chmod(blob, 0o644)
    blob.write_bytes(b"tampered bytes")
    with pytest.raises(IntegrityError, match="hash"):
        store.get(ref)


@pytest.mark.parametrize("key", ["../escape.pdf", "/abs.pdf", "a//b.pdf", "a/../../b", ""])
def test_hostile_keys_refused(store, key):
    with pytest.raises(StoreError, match="invalid object key"):
        store.put("sohoa-archive", key, b"x", {})
