"""The `sohoa` command (contract section 3)."""
from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

import click

# pyhanko imports cryptography's DSA types, which cryptography >= 46 marks deprecated: a notice for
# the library's developers, not for the person running sohoa (stderr carries errors, one line each)
warnings.filterwarnings("ignore", message="DSA is deprecated", module=r"pyhanko\.")

from sohoa.core.config import Settings, load_settings
from sohoa.core.enums import IN_PROGRESS, DocumentStatus
from sohoa.core.errors import SohoaError
from sohoa.core.logs import configure_logging


def _settings(ctx: click.Context) -> Settings:
    return ctx.obj["settings"]


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"sohoa: error: {message}", err=True)
    sys.exit(code)


@click.group()
@click.option("--home", type=click.Path(path_type=Path), help="Data directory (default $SOHOA_HOME or ./sohoa-data).")
@click.option("--verbose", "-v", is_flag=True, help="Also print JSON logs to stderr.")
@click.pass_context
def main(ctx: click.Context, home: Path | None, verbose: bool) -> None:
    """Digitize paper judgment-execution records into a signed, reconciled archive."""
    try:
        settings = load_settings(home=home)
        configure_logging(settings.home / "logs", verbose)
    except SohoaError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"data directory {home or '$SOHOA_HOME'}: {exc.strerror}")
    ctx.obj = {"settings": settings}


def _runtime(settings: Settings, need_signer: bool):
    from sohoa.runtime import build_runtime

    return build_runtime(settings, need_signer=need_signer)


@main.group()
def registry() -> None:
    """Database entries to reconcile against."""


@registry.command("import")
@click.argument("registry_file", type=click.Path(path_type=Path))
@click.pass_context
def registry_import(ctx: click.Context, registry_file: Path) -> None:
    """Load REGISTRY.jsonl (one record per line)."""
    from sohoa.archive.catalogue import Catalogue
    from sohoa.reconciler.registry import import_registry

    try:
        result = import_registry(Catalogue(_settings(ctx).database_url), registry_file, actor="cli")
    except SohoaError as exc:
        _fail(str(exc))
    for w in result.warnings:
        click.echo(f"warning: {w}", err=True)
    # a change held back because a person decided that field is a review item: say so, as sync does
    click.echo(f"registry: {result.added} added, {result.updated} updated, {result.unchanged} unchanged, "
               f"{result.conflicts} conflicts")


@main.command()
@click.argument("batch_dir", type=click.Path(path_type=Path))
@click.option("--report", "report_path", type=click.Path(path_type=Path), required=True, help="Where to write REPORT.json.")
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
@click.option("--wait/--no-wait", default=True, show_default=True,
              help="With workers (SOHOA_BROKER_URL set): wait for the batch and write the report, or only submit it.")
@click.option("--profile", is_flag=True, help="At the end, a table of wall, CPU and peak RSS per stage and page kind.")
@click.pass_context
def process(ctx: click.Context, batch_dir: Path, report_path: Path, quiet: bool, wait: bool, profile: bool) -> None:
    """Run the whole pipeline over BATCH_DIR and write the report."""
    import time

    from sohoa.cli_profile import profile_table, profiling
    from sohoa.pipeline.batch import run_batch
    from sohoa.summary import progress_line, summary_table
    from sohoa.worker import make_app

    settings = _settings(ctx)
    if not batch_dir.is_dir():
        _fail(f"{batch_dir}: no such batch directory")
    try:
        rt = _runtime(settings, need_signer=True)
        rt.store.prepare(rt.bucket)  # an unreachable store fails the run before any work
        make_app(settings)  # the Celery app the batch's tasks run on (eager without a broker)
        started = time.perf_counter()
        with profiling(profile) as stage_records:
            report = run_batch(rt, batch_dir, None if quiet else lambda i, n, o: click.echo(progress_line(i, n, o), err=True),
                               wait=wait)
        if report is None:
            click.echo("submitted; follow it with: sohoa status BATCH_ID")
            return
        _checkpoint_audit_log(rt)
        report_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = report_path.with_name(report_path.name + ".tmp")
        tmp.write_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2), "utf-8")
        tmp.replace(report_path)
    except SohoaError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{exc.filename or report_path}: {exc.strerror}")
    # said even with --quiet: a wrong path or an unfinished copy looks like this
    if report is not None and not report.documents:
        click.echo(f"warning: {batch_dir}: empty batch, no files to process (the report lists no documents)",
                   err=True)
    if not quiet:
        click.echo(summary_table(report, report_path, settings))
    if profile:
        click.echo(profile_table(stage_records, time.perf_counter() - started))


def _checkpoint_audit_log(rt) -> None:
    """A sealed checkpoint of the audit log after each batch (retention/checkpoints.py). A
    refusal (the log does not check out) is reported, not fatal: the batch is archived."""
    from sohoa.retention.checkpoints import write_checkpoint

    try:
        write_checkpoint(rt)
    except (SohoaError, OSError) as exc:
        click.echo(f"sohoa: warning: audit checkpoint not written: {exc}", err=True)


@main.command()
@click.argument("batch_id")
@click.option("--report", "report_path", type=click.Path(path_type=Path), help="Also write the report so far.")
@click.pass_context
def status(ctx: click.Context, batch_id: str, report_path: Path | None) -> None:
    """Per-stage counts of a batch's documents."""
    from sohoa.archive.models import Batch
    from sohoa.pipeline.batch import batch_progress, build_report

    try:
        rt = _runtime(_settings(ctx), need_signer=False)
        with rt.catalogue.session() as s:
            row = s.get(Batch, batch_id)
            if row is None:
                _fail(f"batch {batch_id}: unknown")
            state, total = row.status, row.total
        counts = batch_progress(rt, batch_id)
        if report_path:
            report_path.write_text(json.dumps(build_report(rt, batch_id).to_dict(), ensure_ascii=False, indent=2),
                                   "utf-8")
    except SohoaError as exc:
        _fail(str(exc))
    done = sum(v for k, v in counts.items() if k not in IN_PROGRESS)
    click.echo(f"batch {batch_id}: {state}, {done}/{total} done")
    from sohoa.cli_verification import status_lines  # verified / corrected by people (issue 16)

    for line in status_lines(rt, batch_id):
        click.echo(line)
    for k in (*IN_PROGRESS, DocumentStatus.MATCHED, DocumentStatus.MISMATCH, DocumentStatus.UNMATCHED,
              DocumentStatus.NEEDS_REVIEW, DocumentStatus.REJECTED):
        if counts.get(k):
            click.echo(f"  {k:<13}{counts[k]}")


@main.command()
@click.argument("document_id")
@click.option("-o", "output", type=click.Path(path_type=Path), required=True, help="Where to write the signed PDF.")
@click.pass_context
def fetch(ctx: click.Context, document_id: str, output: Path) -> None:
    """Write the signed original of DOCUMENT_ID (hash checked) to a file."""
    from sohoa.archive.fetch import fetch_signed

    try:
        rt = _runtime(_settings(ctx), need_signer=False)
        ref, data = fetch_signed(rt, document_id)
        output.write_bytes(data)
    except SohoaError as exc:
        _fail(str(exc))
    except OSError as exc:
        _fail(f"{output}: {exc.strerror}")
    click.echo(f"{output}: {len(data)} bytes, sha256 {ref.sha256} ({ref.bucket}/{ref.key} version {ref.version_id})")


@main.command()
@click.argument("pdf", type=click.Path(path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--online", is_flag=True, help="Also fetch revocation data (OCSP/CRL) from the certificates' URLs.")
@click.option("--no-catalogue", is_flag=True, help="Do not compare the marker with the catalogue.")
@click.option("--original", type=click.Path(path_type=Path), help="A verification record's original, to hash-check.")
@click.pass_context
def verify(ctx: click.Context, pdf: Path, as_json: bool, online: bool, no_catalogue: bool,
           original: Path | None) -> None:
    """Check the signatures, timestamps, revocation data, integrity and conversion marker
    of a signed PDF -- or a verification record (RECORD.json, its .p7s beside it) --
    against the trust roots of the settings. Exits 1 when not valid."""
    from sohoa.pipeline.sign.record import MAX_RECORD_BYTES, looks_like_record
    from sohoa.pipeline.sign.report import verify_file

    try:
        data = pdf.read_bytes() if pdf.suffix.lower() != ".json" else pdf.open("rb").read(MAX_RECORD_BYTES + 1)
    except OSError as exc:
        _fail(f"{pdf}: {exc.strerror}")
    if pdf.suffix.lower() == ".json" or looks_like_record(data):  # issue 16: a signed verification record
        from sohoa.cli_verification import verify_record_file

        verify_record_file(ctx, pdf, data, as_json, not no_catalogue, original)
    try:
        report = verify_file(_settings(ctx), data, online=online, use_catalogue=not no_catalogue)
    except SohoaError as exc:
        _fail(str(exc))
    click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str) if as_json
               else report.to_text())
    sys.exit(0 if report.valid else 1)


@main.group()
def pki() -> None:
    """The local test PKI (root, intermediate, signer, TSA, OCSP, CRLs) -- tests and demo only."""


def _pki_dir(ctx: click.Context, directory: Path | None) -> Path:
    return directory or _settings(ctx).pki_dir


def _load_pki(ctx: click.Context, directory: Path | None):
    """The test PKI made by `sohoa pki init` (exits with an error when there is none)."""
    from sohoa.corpus.pki import load_pki

    try:
        return load_pki(_pki_dir(ctx, directory))
    except FileNotFoundError as exc:
        _fail(str(exc))


@pki.command("init")
@click.option("--dir", "directory", type=click.Path(path_type=Path), help="Default $SOHOA_HOME/pki.")
@click.option("--port", default=9771, show_default=True, help="Port on 127.0.0.1 (baked into the certificates); 0: a free one.")
@click.pass_context
def pki_init(ctx: click.Context, directory: Path | None, port: int) -> None:
    """Create the test PKI (once; an existing one is kept)."""
    from sohoa.corpus.pki import create_pki

    p = create_pki(_pki_dir(ctx, directory), port)
    click.echo(f"test PKI in {p.dir} (services on {p.base_url}); trust root {p.root_pem}")


@pki.command("serve")
@click.option("--dir", "directory", type=click.Path(path_type=Path))
@click.option("--background", is_flag=True, help="Detach; the pid goes to DIR/server.pid (stop: sohoa pki stop).")
@click.pass_context
def pki_serve(ctx: click.Context, directory: Path | None, background: bool) -> None:
    """Serve the TSA, OCSP responder, CRLs and certificates on 127.0.0.1."""
    from sohoa.corpus.pki import make_server, start_background

    p = _load_pki(ctx, directory)
    if background:
        try:
            pid = start_background(p)
        except RuntimeError as exc:
            _fail(str(exc))
        click.echo(f"test PKI services on {p.base_url} (pid {pid})")
        return
    server = make_server(p)
    click.echo(f"test PKI services on {p.base_url}; Ctrl-C stops", err=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()


@pki.command("stop")
@click.option("--dir", "directory", type=click.Path(path_type=Path))
@click.pass_context
def pki_stop(ctx: click.Context, directory: Path | None) -> None:
    """Stop the background services started by `sohoa pki serve --background`."""
    from sohoa.corpus.pki import stop_background

    p = _load_pki(ctx, directory)
    click.echo("stopped" if stop_background(p) else "not running")


@pki.command("env")
@click.option("--dir", "directory", type=click.Path(path_type=Path))
@click.option("--level", type=click.Choice(["B-B", "B-T", "B-LT", "B-LTA"]), default="B-LTA", show_default=True)
@click.pass_context
def pki_env(ctx: click.Context, directory: Path | None, level: str) -> None:
    """Print the SOHOA_* settings that sign with the test PKI (eval them)."""
    import shlex

    p = _load_pki(ctx, directory)
    for k, v in p.env(level).items():
        click.echo(f"{k}={shlex.quote(v)}")


@main.group()
def retention() -> None:
    """Retention and long-term validity jobs."""


@retention.command("renew-timestamps")
@click.option("--within-days", type=int, default=None, help="Renew what expires within N days (default: settings.timestamp_renewal_days).")
@click.option("--dry-run", is_flag=True, help="Only list the documents that are due.")
@click.option("--json", "as_json", is_flag=True)
@click.pass_context
def renew_timestamps_cmd(ctx: click.Context, within_days: int | None, dry_run: bool, as_json: bool) -> None:
    """Add a document timestamp to archived PDFs whose newest timestamp expires soon (new version, old kept)."""
    from sohoa.retention.timestamps import renew_timestamps

    try:
        rt = _runtime(_settings(ctx), need_signer=False)
        results = renew_timestamps(rt, within_days=within_days, dry_run=dry_run)
    except SohoaError as exc:
        _fail(str(exc))
    if as_json:
        click.echo(json.dumps([r.to_dict() for r in results], ensure_ascii=False, indent=2))
    else:
        for r in results:
            click.echo(f"{r.document_id}  {r.status:<12} {r.key}  {r.old_expires or 'no timestamp'} -> "
                       f"{r.new_expires or '-'}" + (f"  {r.detail}" if r.detail else ""))
        counts: dict[str, int] = {}
        for r in results:
            counts[r.status] = counts.get(r.status, 0) + 1
        click.echo("renew-timestamps: " + (", ".join(f"{v} {k}" for k, v in sorted(counts.items()))
                                          or "nothing due"))
    sys.exit(1 if any(r.status == "failed" for r in results) else 0)


@main.command()
@click.argument("out_dir", type=click.Path(path_type=Path))
@click.option("--docs", default=20, show_default=True, help="Number of documents.")
@click.option("--seed", default=0, show_default=True, help="Random seed (same seed, same corpus).")
@click.option("--degradation", type=click.Choice(["none", "light", "medium", "heavy"]), default="medium", show_default=True)
@click.option("--no-bad-files", is_flag=True, help="Leave out the bad-input files.")
@click.option("--co-defendants", type=click.FloatRange(0, 1), default=None,
              help="Share of judgments with 2-4 defendants (default: the historic mix, 1-3).")
@click.option("--variation", type=click.Choice(["default", "wide"]), default="default", show_default=True,
              help="wide: other fonts, rare and minority names, post-2025 courts, marks, photocopies "
                   "(corpus/README.md).")
def sample(out_dir: Path, docs: int, seed: int, degradation: str, no_bad_files: bool,
           co_defendants: float | None, variation: str) -> None:
    """Generate a realistic sample batch with its truth and registry files."""
    from sohoa.corpus import generate_batch

    result = generate_batch(out_dir, docs=docs, seed=seed, degradation=degradation, bad_files=not no_bad_files,
                            co_defendants=co_defendants, variation=variation)
    click.echo(f"batch:    {result.batch_dir}  ({result.documents} documents, {result.bad} bad files)")
    click.echo(f"registry: {result.registry_path}")
    click.echo(f"truth:    {result.truth_path}")


def _register_command_groups() -> None:
    """Command groups that live in their own modules."""
    from sohoa import (
        cli_api,  # serve, token, audit
        cli_archival,  # archival backfill
        cli_export,  # export (hand-over package) and export --verify
        cli_notify,  # notify [contact]: deadline notifications
        cli_registry_sync,  # registry sync | push | outbox, into the registry group
        cli_retention,
        cli_stats,
        cli_ui,
        cli_verification,  # verification seal|list|fetch
    )

    for module in (cli_api, cli_export, cli_retention, cli_stats, cli_ui, cli_registry_sync, cli_archival,
                   cli_verification, cli_notify):
        module.register(main)


_register_command_groups()

if __name__ == "__main__":
    main()
