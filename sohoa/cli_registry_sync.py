"""`sohoa registry sync|push|outbox` (wired into the `registry` group by register(main)).

    sohoa registry sync --source URL --mapping FILE [--full] [--no-push]
    sohoa registry push --source URL --mapping FILE        exit 1 when a push failed or conflicted
    sohoa registry outbox [--status S] [--json]

URL is an SQLAlchemy URL (postgresql+psycopg://user:pw@host/db); it may also come from
SOHOA_REGISTRY_SOURCE_URL, so no password needs to be on a command line. Exit 2 with
`sohoa: error: …` when nothing could be done (bad mapping, unreachable source).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from sohoa.core.errors import SohoaError


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"sohoa: error: {message}", err=True)
    sys.exit(code)


def _catalogue(ctx: click.Context):
    from sohoa.archive.catalogue import Catalogue

    return Catalogue(ctx.obj["settings"].database_url)


def _source(ctx: click.Context, source: str | None, mapping: Path | None) -> tuple[str, Path]:
    settings = ctx.obj["settings"]
    url = source or settings.registry_source_url
    path = mapping or (Path(settings.registry_mapping) if settings.registry_mapping else None)
    if not url:
        _fail("no source: --source URL (or SOHOA_REGISTRY_SOURCE_URL)")
    if path is None:
        _fail("no mapping: --mapping FILE (or SOHOA_REGISTRY_MAPPING)")
    return url, path  # type: ignore[return-value]  # _fail exits


def _print_push(pushed) -> None:
    click.echo(f"push: {pushed.done} pushed, {pushed.conflicts} conflicts, {pushed.retrying} to retry, "
               f"{pushed.failed} failed")
    for m in pushed.messages:
        click.echo(f"  {m}")


@click.command("sync")
@click.option("--source", "source", help="SQLAlchemy URL of the source database (or SOHOA_REGISTRY_SOURCE_URL).")
@click.option("--mapping", "mapping", type=click.Path(path_type=Path), help="Mapping file (TOML).")
@click.option("--full", is_flag=True, help="Read every row, not only those changed since the last sync.")
@click.option("--no-push", is_flag=True, help="Do not push approved corrections afterwards.")
@click.pass_context
def registry_sync(ctx: click.Context, source: str | None, mapping: Path | None, full: bool, no_push: bool) -> None:
    """Read the registry from an SQL database through a mapping; push approved corrections back."""
    from sohoa.reconciler.sync.jobs import run_sync

    url, path = _source(ctx, source, mapping)
    try:
        result, pushed = run_sync(_catalogue(ctx), url, path, actor="cli", full=full, then_push=not no_push)
    except SohoaError as exc:
        _fail(str(exc))
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)
    click.echo(f"registry: {result.added} added, {result.updated} updated, {result.unchanged} unchanged, "
               f"{result.conflicts} conflicts ({'full' if result.full else 'incremental'} sync of "
               f"{result.source}: {result.read} rows read)")
    if pushed is not None:
        _print_push(pushed)


@click.command("push")
@click.option("--source", "source", help="SQLAlchemy URL of the source database (or SOHOA_REGISTRY_SOURCE_URL).")
@click.option("--mapping", "mapping", type=click.Path(path_type=Path), help="Mapping file (TOML).")
@click.pass_context
def registry_push(ctx: click.Context, source: str | None, mapping: Path | None) -> None:
    """Push approved corrections waiting in the outbox to the source database."""
    from sohoa.reconciler.sync.jobs import run_push

    url, path = _source(ctx, source, mapping)
    try:
        pushed = run_push(_catalogue(ctx), url, path, actor="cli")
    except SohoaError as exc:
        _fail(str(exc))
    _print_push(pushed)
    sys.exit(1 if pushed.failed or pushed.conflicts else 0)


@click.command("outbox")
@click.option("--status", type=click.Choice(["pending", "done", "conflict", "failed"]))
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def registry_outbox(ctx: click.Context, status: str | None, as_json: bool) -> None:
    """Corrections waiting for, or pushed to, the source database."""
    from sohoa.reconciler.sync.outbox import outbox_rows

    rows = outbox_rows(_catalogue(ctx), status)
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2, default=str))
        return
    for r in rows:
        click.echo(f"#{r['id']} {r['status']:8} {r['source']} {r['record_id']}.{r['field']} = {r['value']!r} "
                   f"(attempts {r['attempts']}{', ' + r['last_error'] if r['last_error'] else ''})")


def register(main_group: click.Group) -> None:
    """Add sync, push and outbox to the `registry` group (idempotent)."""
    group = main_group.commands.get("registry")
    if isinstance(group, click.Group):
        for cmd in (registry_sync, registry_push, registry_outbox):
            if cmd.name not in group.commands:
                group.add_command(cmd)
