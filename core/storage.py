"""The object store's interface and its references, shared by every floor.

archive/ implements it (local write-once files, S3 object lock); the pipeline,
retention and the API use it through this interface only.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import BinaryIO, Iterator, Protocol


@dataclass(frozen=True)
class ObjectRef:
    bucket: str
    key: str
    version_id: str | None
    sha256: str
    size: int

    def to_report(self) -> dict[str, str | None]:
        return {"bucket": self.bucket, "key": self.key, "version_id": self.version_id, "sha256": self.sha256}


class ObjectStore(Protocol):
    def prepare(self, bucket: str) -> None: ...

    def put(self, bucket: str, key: str, data: bytes, metadata: dict[str, str]) -> ObjectRef: ...

    def get(self, ref: ObjectRef) -> bytes: ...

    def versions(self, bucket: str, key: str) -> list[ObjectRef]: ...

    def delete(self, ref: ObjectRef) -> None: ...

    # Listing and raw access, for the integrity check and backups (retention/).

    def list_keys(self, bucket: str) -> Iterator[str]: ...

    def list_versions(self, bucket: str) -> Iterator[ObjectRef]: ...

    def stat(self, bucket: str, key: str, version_id: str | None) -> ObjectRef | None: ...

    def open_raw(self, ref: ObjectRef) -> BinaryIO | None: ...
