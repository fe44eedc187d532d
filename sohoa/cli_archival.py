"""`sohoa archival backfill`: archival metadata (Law on Archives 2024 / Decree 30/2020 App. VI
sets, archive/archival.py) for documents archived before the pipeline wrote it.

Wired into the main group by `register(main)` (sohoa/cli.py).
"""
from __future__ import annotations

import click

from sohoa.cli_api import _fail, _settings


def register(main: click.Group) -> None:
    @main.group("archival")
    def archival_group() -> None:
        """Archival metadata of documents and dossiers (hồ sơ)."""

    @archival_group.command("backfill")
    @click.option("--all", "all_documents", is_flag=True,
                  help="Rebuild every document's set, not only those that have none.")
    @click.pass_context
    def backfill_cmd(ctx: click.Context, all_documents: bool) -> None:
        """Fill Document.archival (from the catalogue's rows and the stored signature's
        certificate) and each dossier's set; documents already filled are left as they are."""
        from sohoa.archive.catalogue import audit
        from sohoa.pipeline.archival import backfill
        from sohoa.runtime import build_runtime

        try:
            rt = build_runtime(_settings(ctx), need_signer=False, actor="cli")
            n = backfill(rt, all_documents=all_documents)
            with rt.catalogue.session() as s:
                audit(s, rt.actor, "archival.backfill", "catalogue", documents=n, all=all_documents)
        except Exception as exc:  # the catalogue is unreachable or not migrated: one line, not a trace
            _fail(f"archival backfill failed: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}")
            return
        click.echo(f"archival metadata written for {n} document(s)")
