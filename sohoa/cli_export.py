"""`sohoa export` (wired into sohoa.cli by register(main)):

    sohoa export (--dossier CODE | --batch ID | --from DATE --to DATE) -o DIR [--json]
    sohoa export --verify DIR [--trust ROOT.pem ...] [--json]

Export exits 0 with the package written, 2 with `sohoa: error: …` when it cannot be made
(nothing selected, -o not a new or empty directory, a stored object not matching the catalogue).
Verify runs offline and exits 0 when the package is valid, 1 with one line per problem otherwise.
"""
from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path

import click

from sohoa.core.errors import SohoaError


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"sohoa: error: {message}", err=True)
    sys.exit(code)


def _date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        _fail(f"{option} {value!r}: not a date (YYYY-MM-DD)")
    return None


@click.command("export")
@click.option("--dossier", help="The dossier (hồ sơ) with this code.")
@click.option("--batch", "batch_id", help="The documents of this batch.")
@click.option("--from", "date_from", help="Documents converted on or after this day (YYYY-MM-DD, Vietnam time).")
@click.option("--to", "date_to", help="… and on or before this day.")
@click.option("-o", "--out", type=click.Path(path_type=Path), help="A new (or empty) directory for the package.")
@click.option("--verify", "verify_dir", type=click.Path(path_type=Path),
              help="Check the package in this directory offline instead of exporting.")
@click.option("--trust", type=click.Path(path_type=Path), multiple=True,
              help="With --verify: trust these root certificates (PEM) instead of the package's own.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.pass_context
def export(ctx: click.Context, dossier: str | None, batch_id: str | None, date_from: str | None,
           date_to: str | None, out: Path | None, verify_dir: Path | None, trust: tuple[Path, ...],
           as_json: bool) -> None:
    """Write a hand-over package (BagIt bag: signed PDFs, METS/PREMIS per dossier, Mục lục hồ sơ),
    or check one offline with --verify."""
    if verify_dir is not None:
        if dossier or batch_id or date_from or date_to or out:
            _fail("--verify DIR takes no selection and no -o")
        from sohoa.handover.verify import verify_package

        report = verify_package(verify_dir, list(trust) or None)
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2) if as_json else report.to_text())
        sys.exit(0 if report.ok else 1)
    from sohoa.handover.selection import Selection

    chosen = [name for name, v in (("--dossier", dossier), ("--batch", batch_id),
                                   ("--from/--to", date_from or date_to)) if v]
    if len(chosen) != 1:
        _fail("give exactly one of --dossier CODE, --batch ID, --from DATE --to DATE")
    if out is None:
        _fail("-o DIR is required")
        return
    if dossier:
        sel = Selection("dossier", dossier=dossier)
    elif batch_id:
        sel = Selection("batch", batch=batch_id)
    else:
        if not (date_from and date_to):
            _fail("--from and --to go together")
        sel = Selection("dates", date_from=_date(date_from, "--from"), date_to=_date(date_to, "--to"))
    from sohoa.handover.bag import export_package
    from sohoa.runtime import build_runtime

    try:
        result = export_package(build_runtime(ctx.obj["settings"], need_signer=False), sel, out)
    except SohoaError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{out}: {exc.strerror or exc}")
    click.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2) if as_json else result.to_text())


def register(main_group: click.Group) -> None:
    """Add `export` to the `sohoa` command (idempotent)."""
    if "export" not in main_group.commands:
        main_group.add_command(export)
