"""`sohoa integrity …`, `sohoa backup …` and `sohoa retention extend` (wired into
sohoa.cli by register(main)).

    sohoa integrity check [--json] [--no-signatures]       exit 1 on findings
    sohoa integrity repair [--from DIR_OR_S3URL] [--object-id N] [--document ID]   exit 1 when not all repaired
    sohoa backup run --kind full|incremental [--target DIR_OR_S3URL]
    sohoa backup restore-drill [--target …] [--scratch DIR] [--keep]   exit 1 when not clean
    sohoa backup list [--target …] [--json]
    sohoa retention extend [--within-days N] [--dry-run] [--json]   exit 1 on failures

--target defaults to settings.backup_target (SOHOA_BACKUP_TARGET). Exit 2 with
`sohoa: error: …` when a job cannot run at all.
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


def _runtime(ctx: click.Context):
    from sohoa.runtime import build_runtime

    return build_runtime(ctx.obj["settings"], need_signer=False)


def _dump(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=str)


@click.group("integrity")
def integrity() -> None:
    """Integrity checks of the archive (every object re-hashed, every signature re-validated)."""


@integrity.command("check")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--no-signatures", is_flag=True, help="Only hashes and catalogue/store consistency.")
@click.pass_context
def integrity_check(ctx: click.Context, as_json: bool, no_signatures: bool) -> None:
    """Check every catalogued object against the store and the store against the catalogue.
    Writes $SOHOA_HOME/reports/integrity-<time>.json; exits 1 on findings."""
    from sohoa.retention.integrity import check_integrity

    try:
        report = check_integrity(_runtime(ctx), signatures=not no_signatures)
    except SohoaError as exc:
        _fail(str(exc))
    click.echo(_dump(report.to_dict()) if as_json else report.to_text())
    sys.exit(0 if report.ok else 1)


@integrity.command("repair")
@click.option("--target", "--from", "target", default=None,
              help="The backup to repair from (a directory or s3://…); default $SOHOA_BACKUP_TARGET.")
@click.option("--object-id", "object_ids", type=int, multiple=True, help="Only this catalogued object (repeatable).")
@click.option("--document", "document_ids", multiple=True, help="Only this document's objects (repeatable).")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def integrity_repair(ctx: click.Context, target: str | None, object_ids: tuple[int, ...],
                     document_ids: tuple[str, ...], as_json: bool) -> None:
    """Put back missing or corrupt archived objects from a backup, hash-checked against the
    catalogue, each repair audited; exits 1 when one could not be repaired."""
    from sohoa.retention.repair import repair_objects

    try:
        report = repair_objects(_runtime(ctx), target, object_ids=list(object_ids) or None,
                                document_ids=list(document_ids) or None)
    except SohoaError as exc:
        _fail(str(exc))
    click.echo(_dump(report.to_dict()) if as_json else report.to_text())
    sys.exit(0 if report.ok else 1)


@click.group("backup")
def backup_group() -> None:
    """Backups to a second storage, and restore drills."""


_TARGET = click.option("--target", default=None,
                       help="A directory (second disk) or s3://[HOST:PORT/]BUCKET[/PREFIX]; "
                            "default $SOHOA_BACKUP_TARGET.")


@backup_group.command("run")
@click.option("--kind", type=click.Choice(["full", "incremental"]), required=True)
@_TARGET
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def backup_run(ctx: click.Context, kind: str, target: str | None, as_json: bool) -> None:
    """Back up the catalogue and the objects (full: all; incremental: new since the last run)."""
    from sohoa.retention.backup import backup

    try:
        result = backup(_runtime(ctx), kind, target)
    except SohoaError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"backup target: {exc}")
    click.echo(_dump(result.to_dict()) if as_json else result.to_text())
    sys.exit(0 if result.ok else 1)


@backup_group.command("restore-drill")
@_TARGET
@click.option("--scratch", type=click.Path(path_type=Path), default=None,
              help="Restore here (empty or absent; kept). Default: a temporary directory, removed after.")
@click.option("--scratch-db", default=None, help="PostgreSQL catalogues: restore into this (empty) database "
                                                  "instead of a new scratch one on the same server.")
@click.option("--keep", is_flag=True, help="Keep the scratch directory/database.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def backup_restore_drill(ctx: click.Context, target: str | None, scratch: Path | None, scratch_db: str | None,
                         keep: bool, as_json: bool) -> None:
    """Restore the newest full backup and later incrementals into scratch, verify every hash and
    signature against the manifests; exits 1 when anything is missing or corrupt."""
    from sohoa.retention.backup import restore_drill

    try:
        report = restore_drill(_runtime(ctx), target, scratch, keep=keep, scratch_db_url=scratch_db)
    except SohoaError as exc:
        _fail(str(exc))
    click.echo(_dump(report.to_dict()) if as_json else report.to_text())
    sys.exit(0 if report.ok else 1)


@backup_group.command("list")
@_TARGET
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def backup_list(ctx: click.Context, target: str | None, as_json: bool) -> None:
    """The backup runs on the target, oldest first."""
    from sohoa.retention.backup import list_runs, open_target

    settings = ctx.obj["settings"]
    try:
        tgt = open_target(target if target is not None else settings.backup_target, settings)
        runs, unfinished = list_runs(tgt)
    except SohoaError as exc:
        _fail(str(exc))
    if as_json:
        click.echo(_dump({"target": tgt.description, "runs": runs, "unfinished": unfinished}))
        return
    click.echo(f"target: {tgt.description}")
    for m in runs:
        o = m["objects"]
        click.echo(f"{m['run_id']}  {m['kind']:<11} {m.get('schedule', ''):<8} {o['count']:>7} objects "
                   f"{o['bytes']:>13} bytes  catalogue {m['catalogue']['size']} bytes  "
                   f"{len(m.get('problems') or [])} problems")
    for name in unfinished:
        click.echo(f"{name}  UNFINISHED (no manifest: ignored)")
    if not runs and not unfinished:
        click.echo("no backups")


@click.command("extend")
@click.option("--within-days", type=click.IntRange(min=0), default=None,
              help="Renew what lapses within N days (default: settings.retention_extend_within_days).")
@click.option("--dry-run", is_flag=True, help="Only list what is due; change nothing.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.pass_context
def retention_extend(ctx: click.Context, within_days: int | None, dry_run: bool, as_json: bool) -> None:
    """Renew the S3 object-lock retain-until of archived objects before it lapses (never shortened)
    and put back missing legal holds. Writes $SOHOA_HOME/reports/retention-extend-<time>.json;
    exits 1 when an object could not be renewed."""
    from sohoa.retention.objectlock import extend_retention

    def progress(done: int, total: int) -> None:
        click.echo(f"retention extend: {done}/{total} objects", err=True)

    try:
        report = extend_retention(_runtime(ctx), within_days=within_days, dry_run=dry_run, progress=progress)
    except SohoaError as exc:
        _fail(str(exc))
    click.echo(_dump(report.to_dict()) if as_json else report.to_text())
    sys.exit(0 if report.ok else 1)


def register(main_group: click.Group) -> None:
    """Add the `integrity` and `backup` groups, and `extend` to the `retention` group, to the
    `sohoa` command (idempotent)."""
    if "integrity" not in main_group.commands:
        main_group.add_command(integrity)
    if "backup" not in main_group.commands:
        main_group.add_command(backup_group, "backup")
    group = main_group.commands.get("retention")
    if isinstance(group, click.Group) and "extend" not in group.commands:
        group.add_command(retention_extend)
