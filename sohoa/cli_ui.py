"""`sohoa ui`, `sohoa user …`: the verifier workbench and its accounts.

Wired into the main group by `register(main)` (sohoa/cli.py).
Settings ui_host and ui_port (sohoa/config.py).
"""
from __future__ import annotations

import getpass
import sys

import click

from sohoa.cli_api import _actor, _fail, _run_server, _settings
from sohoa.core.errors import SohoaError

ROLE_CHOICES = ("scanner", "verifier", "approver", "admin")


def _catalogue(ctx: click.Context):
    import sohoa.ui.models  # noqa: F401
    from sohoa.archive.catalogue import Catalogue

    return Catalogue(_settings(ctx).database_url)


def _read_password(password_file) -> str:
    if password_file is not None:
        return password_file.readline().rstrip("\r\n")
    password = getpass.getpass("Mật khẩu / password: ")
    if getpass.getpass("Nhập lại / again: ") != password:
        _fail("the passwords differ")
    return password


def _account_action(ctx: click.Context, action, message: str) -> None:
    """Run action(session) in one transaction; a refusal exits 2 with its reason."""
    try:
        with _catalogue(ctx).session() as s:
            action(s)
    except SohoaError as exc:
        _fail(str(exc))
    click.echo(message)


def register(main: click.Group) -> None:
    """Add ui and user to the main command group."""

    @main.command("ui")
    @click.option("--host", default=None, help="Address to listen on (default $SOHOA_UI_HOST or 127.0.0.1).")
    @click.option("--port", type=int, default=None, help="Port (default $SOHOA_UI_PORT or 8090).")
    @click.option("--secure-cookies/--no-secure-cookies", default=None,
                  help="Behind a TLS proxy: cookies marked Secure even over plain HTTP, and "
                       "Strict-Transport-Security sent (default $SOHOA_SECURE_COOKIES, off); Secure always over HTTPS.")
    @click.pass_context
    def ui_cmd(ctx: click.Context, host: str | None, port: int | None, secure_cookies: bool | None) -> None:
        """Run the verifier workbench (web UI at /ui/)."""
        from sohoa.runtime import build_runtime
        from sohoa.servers import with_hsts
        from sohoa.ui.app import create_ui_app

        settings = _settings(ctx)
        host = host or settings.ui_host
        port = port or settings.ui_port
        secure = settings.secure_cookies if secure_cookies is None else secure_cookies
        try:
            ui_app = create_ui_app(build_runtime(settings, need_signer=False, actor="ui"), secure_cookies=secure)
            app = with_hsts(ui_app, settings.hsts_seconds) if secure else ui_app
        except SohoaError as exc:
            _fail(str(exc))
        click.echo(f"sohoa verifier workbench on http://{host}:{port}/ui/", err=True)
        _run_server(app, host, port, proxy_headers=True)

    @main.group()
    def user() -> None:
        """Accounts of the verifier workbench (passwords stored as Argon2id hashes)."""

    @user.command("create")
    @click.argument("name")
    @click.option("--role", required=True, type=click.Choice(ROLE_CHOICES))
    @click.option("--full-name", default=None, help="The person's name, shown in the UI.")
    @click.option("--password-file", type=click.File("r", encoding="utf-8"), default=None,
                  help="Read the password from this file's first line ('-' for stdin); else prompt.")
    @click.option("--must-change", is_flag=True,
                  help="The account's owner must choose their own password at the first login "
                       "(the workbench's users page always asks this).")
    @click.pass_context
    def user_create(ctx: click.Context, name: str, role: str, full_name: str | None, password_file,
                    must_change: bool) -> None:
        """Make the account NAME with ROLE (the head of unit is notified)."""
        from sohoa.ui.auth import create_user

        password = _read_password(password_file)
        _account_action(ctx, lambda s: create_user(s, name, role, password, actor=_actor(), full_name=full_name,
                                                   must_change_password=must_change),
                        f"user {name}: {role}")

    @user.command("unlock")
    @click.argument("name")
    @click.pass_context
    def user_unlock(ctx: click.Context, name: str) -> None:
        """Lift the lock NAME got from failed logins (and forget their failures)."""
        from sohoa.ui.login import unlock

        _account_action(ctx, lambda s: unlock(s, name, actor=_actor()), f"user {name}: unlocked")

    @user.command("disable")
    @click.argument("name")
    @click.pass_context
    def user_disable(ctx: click.Context, name: str) -> None:
        """Disable NAME: their sessions end at once and logins are refused."""
        from sohoa.ui.auth import set_active

        _account_action(ctx, lambda s: set_active(s, name, False, actor=_actor()), f"user {name}: disabled")

    @user.command("enable")
    @click.argument("name")
    @click.pass_context
    def user_enable(ctx: click.Context, name: str) -> None:
        """Enable NAME again."""
        from sohoa.ui.auth import set_active

        _account_action(ctx, lambda s: set_active(s, name, True, actor=_actor()), f"user {name}: enabled")

    @user.command("reset-password")
    @click.argument("name")
    @click.option("--password-file", type=click.File("r", encoding="utf-8"), default=None,
                  help="Read the temporary password from this file's first line ('-' for stdin); else prompt.")
    @click.pass_context
    def user_reset_password(ctx: click.Context, name: str, password_file) -> None:
        """Set a temporary password for NAME; they must choose their own at the next login."""
        from sohoa.ui.auth import reset_password

        temporary = _read_password(password_file)
        _account_action(ctx, lambda s: reset_password(s, name, temporary, actor=_actor()),
                        f"user {name}: temporary password set, to be changed at the next login")

    @user.command("list")
    @click.pass_context
    def user_list(ctx: click.Context) -> None:
        """The accounts (never their password hashes)."""
        from sqlalchemy import select

        from sohoa.archive.catalogue import utcnow
        from sohoa.ui.login import is_locked
        from sohoa.ui.models import UiUser

        try:
            with _catalogue(ctx).session() as s:
                rows = list(s.scalars(select(UiUser).order_by(UiUser.username)))
        except SohoaError as exc:
            _fail(str(exc))
        now = utcnow()
        for u in rows:
            state = "locked" if u.active and is_locked(u, now) else "active" if u.active else "disabled"
            click.echo(f"{u.username:<24} {u.role:<10} {state:<9} "
                       f"{u.created_at.strftime('%Y-%m-%d %H:%M')} {u.full_name or ''}")
        sys.stdout.flush()
