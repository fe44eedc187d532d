"""What every stage needs, built once per process by the composition root
(sohoa.runtime) and handed down: no global state.

The catalogue and the signer are described by the little the stages need of
them, so that this floor names no class of the floors above it.
"""
from __future__ import annotations

from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

from sohoa.core.config import Settings
from sohoa.core.storage import ObjectStore
from sohoa.core.workarea import WorkArea
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session


class CatalogueAccess(Protocol):
    """The catalogue database (sohoa.archive.catalogue.Catalogue)."""

    url: str
    engine: Engine

    def session(self) -> AbstractContextManager[Session]: ...

    def dispose(self) -> None: ...


class SigningKey(Protocol):
    """A loaded signing key (sohoa.pipeline.sign.keys.LoadedSigner)."""

    @property
    def subject(self) -> str: ...

    def close(self) -> None: ...


@dataclass
class Runtime:
    settings: Settings
    catalogue: CatalogueAccess
    store: ObjectStore
    signer: SigningKey | None  # loaded before any work starts when the run signs
    actor: str = "cli"

    @property
    def bucket(self) -> str:
        return f"{self.settings.bucket_prefix}-archive"

    def work(self, document_id: str) -> WorkArea:
        return WorkArea(self.settings.home / "work", document_id)
