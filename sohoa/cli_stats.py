"""`sohoa stats`: the unit's figures for its periodic report (ui/stats.py), as CSV or JSON.

Wired into the main group by `register(main)` (sohoa/cli.py).
"""
from __future__ import annotations

from datetime import datetime, timedelta

import click

from sohoa.cli_api import _fail, _settings
from sohoa.cli_export import _date


def register(main: click.Group) -> None:
    @main.command("stats")
    @click.option("--from", "start", metavar="DATE", help="First day counted (default: 28 days before --to).")
    @click.option("--to", "end", metavar="DATE", help="Last day counted (default: today, Vietnamese time).")
    @click.option("--unit", default=None, help="Only this unit (batch.json's unit).")
    @click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="json", show_default=True)
    @click.pass_context
    def stats_cmd(ctx: click.Context, start: str | None, end: str | None, unit: str | None, fmt: str) -> None:
        """Documents received, auto-matched, sent to review, resolved within the deadline,
        overdue, corrections made and pushed back: in total and per unit, verifier, kind, week."""
        import sohoa.ui.models  # noqa: F401  (the workbench's tables: corrections)
        from sohoa.archive.catalogue import Catalogue
        from sohoa.ui.stats import VN, compute

        to = _date(end, "--to") or datetime.now(VN).date()
        frm = _date(start, "--from") or to - timedelta(days=27)
        if frm > to:
            _fail(f"--from {frm} is after --to {to}")
        try:
            with Catalogue(_settings(ctx).database_url).session() as s:
                figures = compute(s, frm, to, unit)
        except Exception as exc:  # the catalogue is unreachable or not migrated: one line, not a trace
            _fail(f"cannot read the catalogue: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}")
            return
        click.echo(figures.to_csv() if fmt == "csv" else figures.to_json(), nl=fmt == "json")
