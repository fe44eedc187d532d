"""Verification records on the command line (issue 16, item 1).

    sohoa verify RECORD.json [--original FILE.pdf]   (sohoa/cli.py hands a record over to verify_record_file)
    sohoa verification seal                          seal the records still waiting (the signer or TSA was away)
    sohoa verification list DOCUMENT_ID              a document's records and its current state
    sohoa verification fetch DOCUMENT_ID N -o DIR    the record's JSON and .p7s, hash-checked

Wired into the main group by `register(main)` (sohoa/cli.py).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from sohoa.core.errors import SohoaError


def _settings(ctx: click.Context):
    return ctx.obj["settings"]


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"sohoa: error: {message}", err=True)
    sys.exit(code)


def signature_beside(record: Path) -> Path | None:
    """The detached signature next to a record: N.p7s beside N.json, or N.json.p7s."""
    for cand in (record.with_suffix(".p7s"), record.with_name(record.name + ".p7s")):
        if cand.is_file():
            return cand
    return None


def verify_record_file(ctx: click.Context, record: Path, data: bytes, as_json: bool, use_catalogue: bool,
                       original: Path | None = None) -> None:
    """`sohoa verify` of a verification record: prints the report, exits 0 when VALID, 1 when not."""
    from sohoa.pipeline.sign.record import MAX_SIGNATURE_BYTES, verify_record

    settings = _settings(ctx)
    sig_path = signature_beside(record)
    sig = None
    if sig_path is not None:
        with sig_path.open("rb") as fh:  # a huge file is refused by its size, not read whole
            sig = fh.read(MAX_SIGNATURE_BYTES + 1)
    orig = None
    if original is not None:
        try:
            orig = original.read_bytes()
        except OSError as exc:
            _fail(f"{original}: {exc.strerror}")
    catalogue = store = None
    notes = []
    if use_catalogue:
        try:
            from sohoa.archive.factory import open_store
            from sohoa.pipeline.sign.report import _open_catalogue

            catalogue = _open_catalogue(settings)
            if catalogue is None:
                notes.append("catalogue not checked (no catalogue in this data directory)")
            else:
                store = open_store(settings)
        except Exception as exc:  # the report comes out without them
            notes.append(f"catalogue not checked ({type(exc).__name__}: {exc})")
            catalogue = store = None
    try:
        report = verify_record(settings, data, sig, original=orig, catalogue=catalogue, store=store)
    except SohoaError as exc:
        _fail(str(exc))
    finally:
        if catalogue is not None:
            catalogue.dispose()
    report.notes += notes
    if sig_path is not None:
        report.notes.insert(0, f"signature: {sig_path}")
    click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str) if as_json
               else report.to_text())
    sys.exit(0 if report.valid else 1)


def register(main: click.Group) -> None:
    @main.group()
    def verification() -> None:
        """Signed verification records: what people decided on a document's values."""

    @verification.command("seal")
    @click.pass_context
    def seal_cmd(ctx: click.Context) -> None:
        """Seal and store the records written but not sealed yet (exit 1 when some still fail)."""
        from sohoa.pipeline.sign.record import seal_pending
        from sohoa.runtime import build_runtime

        try:
            rt = build_runtime(_settings(ctx), need_signer=True)
            done = seal_pending(rt, limit=10_000)
        except SohoaError as exc:
            _fail(str(exc))
        for r in done:
            click.echo(f"{r.document_id} #{r.n}: {'sealed' if r.ok else 'NOT sealed: ' + r.detail}")
        click.echo(f"verification seal: {sum(r.ok for r in done)} sealed, {sum(not r.ok for r in done)} failed")
        sys.exit(1 if any(not r.ok for r in done) else 0)

    @verification.command("list")
    @click.argument("document_id")
    @click.pass_context
    def list_cmd(ctx: click.Context, document_id: str) -> None:
        """A document's verification state, records and current values (who decided, on what basis)."""
        from sqlalchemy import select

        from sohoa.archive.catalogue import Catalogue
        from sohoa.archive.models import Document, VerificationRecord
        from sohoa.archive.verified import current_values, provenance, record_summary

        cat = Catalogue(_settings(ctx).database_url)
        with cat.session() as s:
            doc = s.get(Document, document_id)
            if doc is None:
                _fail(f"document {document_id}: not in the archive")
                return
            click.echo(f"{document_id}: status {doc.status}, verification {doc.verification_state or '-'}")
            for r in s.scalars(select(VerificationRecord).where(VerificationRecord.document_id == document_id)
                               .order_by(VerificationRecord.n)):
                x = record_summary(r)
                click.echo(f"  #{x['n']}  {x['verification_state']:<10} {x['created_at']}  sha256 {x['sha256']}  "
                           + (f"sealed by {x['signer']}" if x["sealed"] else "NOT sealed yet"))
            # the current values (the newest record's), each with what it rests on: the truth as decided
            for person, values in current_values(s, document_id).items():
                click.echo(f"  person {person + 1}, current values:")
                for v in values:
                    p = provenance(v)
                    who = "".join([f"; decided by {p['decided_by']}" if p["decided_by"] else "",
                                   f", approved by {p['approved_by']}" if p["approved_by"] else "",
                                   f" at {p['decided_at']}" if p["decided_at"] else "",
                                   f"; basis: {p['legal_basis']}" if p["legal_basis"] else ""])
                    click.echo(f"    {v.name} = {json.dumps(p['value'], ensure_ascii=False)}  ({p['decision']}{who})")
        cat.dispose()

    @verification.command("fetch")
    @click.argument("document_id")
    @click.argument("n", type=int)
    @click.option("-o", "out_dir", type=click.Path(path_type=Path), required=True, help="Directory for N.json, N.p7s.")
    @click.pass_context
    def fetch_cmd(ctx: click.Context, document_id: str, n: int, out_dir: Path) -> None:
        """Write record N of DOCUMENT_ID (JSON and its .p7s, hash-checked) to a directory."""
        from sohoa.pipeline.sign.record import stored_record
        from sohoa.runtime import build_runtime

        try:
            rt = build_runtime(_settings(ctx), need_signer=False)
            rec, data, sig = stored_record(rt, document_id, n)
            out_dir.mkdir(parents=True, exist_ok=True)
            (out_dir / f"{n}.json").write_bytes(data)
            (out_dir / f"{n}.p7s").write_bytes(sig)
        except SohoaError as exc:
            _fail(str(exc))
        except OSError as exc:
            _fail(f"{out_dir}: {exc.strerror}")
        click.echo(f"{out_dir / f'{n}.json'}: sha256 {rec.sha256}; signature {out_dir / f'{n}.p7s'}")


def status_lines(rt, batch_id: str) -> list[str]:
    """`sohoa status`: how many of the batch's documents people verified or corrected."""
    from sohoa.archive.verified import state_counts

    with rt.catalogue.session() as s:
        counts = state_counts(s, batch_id=batch_id)
    shown = {k: v for k, v in counts.items() if k != "none"}
    if not shown:
        return []
    return ["verification: " + ", ".join(f"{k} {shown[k]}" for k in ("pending", "verified", "corrected")
                                         if shown.get(k))]
