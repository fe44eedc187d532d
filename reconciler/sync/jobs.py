"""Sync and push as one call each, from a URL and a mapping file: what `sohoa registry sync|push`
and the Celery beat entries (sohoa/worker.py) run."""
from __future__ import annotations

from pathlib import Path
from typing import Any

from sohoa.core.runtime import CatalogueAccess
from sohoa.reconciler.sync.mapping import parse_mapping
from sohoa.reconciler.sync.outbox import PushResult, push
from sohoa.reconciler.sync.pull import SyncResult, source_engine, sync_registry


def run_sync(catalogue: CatalogueAccess, url: str, mapping_file: Path, actor: str, full: bool = False,
             then_push: bool = True) -> tuple[SyncResult, PushResult | None]:
    """Read the source into the catalogue, then push what waits for it (the mapping is checked
    first: a bad mapping or an unreachable source changes nothing stored)."""
    mapping = parse_mapping(mapping_file)
    engine = source_engine(url)
    try:
        result = sync_registry(catalogue, engine, mapping, actor, full=full)
        pushed = push(catalogue, engine, mapping, actor) if then_push else None
    finally:
        engine.dispose()
    return result, pushed


def run_push(catalogue: CatalogueAccess, url: str, mapping_file: Path, actor: str) -> PushResult:
    """Push the due outbox rows; an unreachable source counts as an attempt of each (backoff)."""
    mapping = parse_mapping(mapping_file)
    engine = source_engine(url, check=False)
    try:
        return push(catalogue, engine, mapping, actor)
    finally:
        engine.dispose()


def summary(result: SyncResult | PushResult | None) -> dict[str, Any]:
    return {} if result is None else {k: v for k, v in vars(result).items() if k != "warnings"}


def registry_job(rt: Any, sync: bool) -> dict[str, Any]:
    """The beat entries' work over a Runtime (settings name the source and the mapping)."""
    settings = rt.settings
    url, mapping = settings.registry_source_url, Path(settings.registry_mapping)
    catalogue = rt.catalogue
    if sync:
        result, pushed = run_sync(catalogue, url, mapping, actor=rt.actor)
        return {"sync": summary(result), "push": summary(pushed)}
    return {"push": summary(run_push(catalogue, url, mapping, actor=rt.actor))}
