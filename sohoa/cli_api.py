"""`sohoa serve`, `sohoa token …`, `sohoa audit …`: the service API's commands.

Wired into the main group by `register(main)` (sohoa/cli.py). They read the
settings the group put in ctx.obj["settings"] (else load them).

Their settings (api_host, api_port, api_presign_seconds) are in sohoa/config.py.
"""
from __future__ import annotations

import dataclasses
import getpass
import json
import os
import sys

import click

from sohoa.core.errors import SohoaError

SCOPE_CHOICES = ("read", "read_personal", "write", "admin")


def _settings(ctx: click.Context):
    obj = ctx.find_root().obj or {}
    if isinstance(obj, dict) and obj.get("settings") is not None:
        return obj["settings"]
    from sohoa.core.config import load_settings

    return load_settings()


def _fail(message: str, code: int = 2) -> None:
    click.echo(f"sohoa: error: {message}", err=True)
    sys.exit(code)


def _catalogue(ctx: click.Context):
    from sohoa.archive.catalogue import Catalogue

    return Catalogue(_settings(ctx).database_url)


def _run_server(app, host: str, port: int, **options) -> None:
    """uvicorn.run without an access log (query strings may hold personal IDs; the apps log and audit each
    request themselves) and without a Server header; `options`: uvicorn's others."""
    import uvicorn

    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning", server_header=False, **options)


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:
        return "cli"


def register(main: click.Group) -> None:
    """Add serve, token and audit to the main command group."""

    @main.command()
    @click.option("--host", default=None, help="Address to listen on (default $SOHOA_API_HOST or 127.0.0.1).")
    @click.option("--port", type=int, default=None, help="Port (default $SOHOA_API_PORT or 8080).")
    @click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
                  help="Worker processes (more than one needs the PostgreSQL catalogue).")
    @click.option("--secure-cookies/--no-secure-cookies", default=None,
                  help="Behind TLS: cookies marked Secure and Strict-Transport-Security sent "
                       "(default $SOHOA_SECURE_COOKIES, off).")
    @click.pass_context
    def serve(ctx: click.Context, host: str | None, port: int | None, workers: int,
              secure_cookies: bool | None) -> None:
        """Run the service API for other systems (OpenAPI at /openapi.json) and the verifier workbench (/ui/)."""
        settings = _settings(ctx)
        if secure_cookies is not None:
            settings = dataclasses.replace(settings, secure_cookies=secure_cookies)
            os.environ["SOHOA_SECURE_COOKIES"] = "1" if secure_cookies else "0"  # for --workers' processes
        host = host or settings.api_host
        port = port or settings.api_port
        try:
            if workers > 1:
                if settings.database_url.startswith("sqlite"):
                    _fail("--workers above 1 needs the PostgreSQL catalogue (SOHOA_DB_URL): "
                          "SQLite cannot serialise the audit chain across processes")
                os.environ["SOHOA_HOME"] = str(settings.home)
                click.echo(f"sohoa API on http://{host}:{port} ({workers} workers); spec at /openapi.json; "
                           f"verifier workbench at /ui/", err=True)
                _run_server("sohoa.servers:app_factory", host, port, factory=True, workers=workers)
                return
            from sohoa.servers import build_service

            app = build_service(settings)
        except SohoaError as exc:
            _fail(str(exc))
        click.echo(f"sohoa API on http://{host}:{port}; spec at /openapi.json; "
                   f"verifier workbench at http://{host}:{port}/ui/", err=True)
        _run_server(app, host, port)

    @main.group()
    def token() -> None:
        """API tokens for the service API (stored hashed; the secret is shown once)."""

    @token.command("create")
    @click.argument("name")
    @click.option("--scope", "scopes", multiple=True, required=True, type=click.Choice(SCOPE_CHOICES),
                  help="A scope the token grants (repeat): read, read_personal, write, admin.")
    @click.option("--expires-days", type=click.FloatRange(min=0, min_open=True), default=None,
                  help="Expire after this many days (default: never).")
    @click.option("--json", "as_json", is_flag=True, help="Print the token and its record as JSON.")
    @click.pass_context
    def token_create(ctx: click.Context, name: str, scopes: tuple[str, ...], expires_days: float | None,
                     as_json: bool) -> None:
        """Make a token NAME; prints its secret once."""
        from sohoa.api.tokens import create_token

        try:
            with _catalogue(ctx).session() as s:
                secret, info = create_token(s, name, list(scopes), expires_days=expires_days, actor=_actor())
        except SohoaError as exc:
            _fail(str(exc))
        if as_json:
            click.echo(json.dumps({"token": secret, **info.to_dict()}, ensure_ascii=False))
            return
        click.echo(secret)
        click.echo(f"token {info.name}: scopes {' '.join(info.scopes)}; "
                   f"expires {info.expires_at.isoformat() if info.expires_at else 'never'}. "
                   "Shown once: only its hash is kept.", err=True)

    @token.command("list")
    @click.option("--json", "as_json", is_flag=True, help="JSON lines.")
    @click.pass_context
    def token_list(ctx: click.Context, as_json: bool) -> None:
        """The tokens (never their secrets)."""
        from sohoa.api.tokens import list_tokens

        try:
            with _catalogue(ctx).session() as s:
                tokens = list_tokens(s)
        except SohoaError as exc:
            _fail(str(exc))
        if as_json:
            for t in tokens:
                click.echo(json.dumps(t.to_dict(), ensure_ascii=False))
            return
        click.echo(f"{'name':<24} {'state':<8} {'scopes':<32} {'created':<20} {'expires':<20} prefix")
        for t in tokens:
            click.echo(f"{t.name:<24} {t.state:<8} {' '.join(t.scopes):<32} "
                       f"{t.created_at.strftime('%Y-%m-%d %H:%M'):<20} "
                       f"{t.expires_at.strftime('%Y-%m-%d %H:%M') if t.expires_at else 'never':<20} {t.prefix}…")

    @token.command("revoke")
    @click.argument("name")
    @click.pass_context
    def token_revoke(ctx: click.Context, name: str) -> None:
        """Revoke the token NAME (at once: the next request with it gets 401)."""
        from sohoa.api.tokens import revoke_token

        try:
            with _catalogue(ctx).session() as s:
                n = revoke_token(s, name, actor=_actor())
        except SohoaError as exc:
            _fail(str(exc))
        if not n:
            _fail(f"no active token named {name!r}", code=1)
        click.echo(f"token {name}: revoked")

    @main.group("audit")
    def audit_group() -> None:
        """The hash-chained audit log."""

    @audit_group.command("verify")
    @click.option("--all-checkpoints", is_flag=True, help="Compare the log with every checkpoint, not only the latest.")
    @click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
    @click.pass_context
    def audit_verify(ctx: click.Context, all_checkpoints: bool, as_json: bool) -> None:
        """Check the audit chain and the log against its latest sealed checkpoint (events cut off the end);
        exit 1 and list the problems when it is broken."""
        from sohoa.retention.checkpoints import verify_log
        from sohoa.runtime import build_runtime

        try:
            rt = build_runtime(_settings(ctx), need_signer=False)
            report = verify_log(rt, all_checkpoints=all_checkpoints)
        except SohoaError as exc:
            _fail(str(exc))
        if as_json:
            click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2, default=str))
        else:
            for p in report.problems:
                click.echo(p)
            for note in report.notes:
                click.echo(f"note: {note}", err=True)
        n, k = report.events, report.checkpoints
        if not report.ok:
            click.echo(f"audit log: BROKEN — {len(report.problems)} problem(s) in {n} events ({k} checkpoints)",
                       err=True)
            sys.exit(1)
        latest = report.checked[-1] if report.checked else None
        anchored = (f", anchored by checkpoint {latest['key']} ({latest['count']} events, {latest['at']})"
                    if latest else "")
        if not as_json:
            click.echo(f"audit log: intact ({n} events){anchored}")

    @audit_group.command("checkpoint")
    @click.option("--force", is_flag=True, help="Write one even when the log has not moved since the latest.")
    @click.pass_context
    def audit_checkpoint(ctx: click.Context, force: bool) -> None:
        """Seal the log's head (events, newest event's hash, time) and store it write-once."""
        from sohoa.retention.checkpoints import checkpoint_bucket, write_checkpoint
        from sohoa.runtime import build_runtime

        try:
            rt = build_runtime(_settings(ctx), need_signer=True, actor=_actor())
            res = write_checkpoint(rt, force=force)
        except SohoaError as exc:
            _fail(str(exc), code=1)
        if res.written:
            click.echo(f"audit checkpoint {checkpoint_bucket(rt)}/{res.key}: {res.count} events, "
                       f"head #{res.head_id}")
        else:
            click.echo(f"audit checkpoint: {res.reason}; latest is {res.key} ({res.count} events)")

    @audit_group.command("show")
    @click.option("--limit", type=click.IntRange(min=1), default=20, show_default=True, help="The newest N events.")
    @click.option("--json", "as_json", is_flag=True, help="JSON lines.")
    @click.pass_context
    def audit_show(ctx: click.Context, limit: int, as_json: bool) -> None:
        """The newest audit events, oldest first."""
        from sqlalchemy import select

        from sohoa.archive.models import AuditEvent

        try:
            with _catalogue(ctx).session() as s:
                evs = list(reversed(s.scalars(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)).all()))
        except SohoaError as exc:
            _fail(str(exc))
        for e in evs:
            row = {"id": e.id, "at": e.at.isoformat(), "actor": e.actor, "action": e.action, "object": e.object,
                   "outcome": e.outcome, "detail": e.detail}
            if as_json:
                click.echo(json.dumps(row, ensure_ascii=False, default=str))
            else:
                detail = json.dumps(e.detail, ensure_ascii=False, default=str, sort_keys=True)
                click.echo(_printable(f"{e.id:>6} {e.at.isoformat(timespec='seconds')} {e.actor} {e.action} "
                                      f"{e.object} {e.outcome} {detail}"))


def _printable(s: str) -> str:
    """No control characters (escape sequences) from logged input reach the terminal."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in s)
