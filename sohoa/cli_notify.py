"""`sohoa notify`: one pass of deadline notifications (ui/deadline_alerts.py); `sohoa notify
contact NAME --email ...`: where an account's mail goes, its unit, whether it heads the unit.

Wired into the main group by `register(main)` (sohoa/cli.py). The Celery beat entry
deadline-notify (sohoa/worker.py) runs the same pass every few minutes.
"""
from __future__ import annotations

import json
import sys

import click

from sohoa.cli_api import _actor, _fail, _settings
from sohoa.core.errors import SohoaError


def notify_pass(settings, actor: str) -> dict:
    """One pass against the settings' catalogue (the CLI's and the Celery task's)."""
    import sohoa.ui.models  # noqa: F401  (the workbench's tables: accounts, item states, notices)
    from sohoa.archive.catalogue import Catalogue
    from sohoa.ui.deadline_alerts import Notifier, run_pass

    catalogue = Catalogue(settings.database_url)
    try:
        return run_pass(Notifier(settings, catalogue, actor)).to_dict()
    finally:
        catalogue.dispose()


def register(main: click.Group) -> None:
    @main.group("notify", invoke_without_command=True)
    @click.pass_context
    def notify(ctx: click.Context) -> None:
        """Tell of review items due within notify_due_soon_hours and overdue ones (mail, webhook),
        escalate overdue ones to the head of unit: one pass, each notice at most once."""
        if ctx.invoked_subcommand is not None:
            return
        try:
            report = notify_pass(_settings(ctx), _actor())
        except SohoaError as exc:
            _fail(str(exc))
            return
        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        sys.stdout.flush()

    @notify.command("contact")
    @click.argument("name")
    @click.option("--email", default=None, help="Where mail reaches this account ('' removes it).")
    @click.option("--unit", default=None, help="The unit (batch.json's unit) the account works for ('' for all).")
    @click.option("--head/--no-head", default=None, help="Head of the unit: escalations of overdue items go to them.")
    @click.pass_context
    def contact(ctx: click.Context, name: str, email: str | None, unit: str | None, head: bool | None) -> None:
        """Set an account's mail address, unit and head-of-unit flag (audited)."""
        from sqlalchemy import select

        import sohoa.ui.models  # noqa: F401
        from sohoa.archive.catalogue import Catalogue, audit
        from sohoa.ui.mailer import valid_address
        from sohoa.ui.models import UiUser

        if email and not valid_address(email):
            _fail(f"--email {email!r} is not one mail address")
        try:
            cat = Catalogue(_settings(ctx).database_url)
            with cat.session() as s:
                user = s.scalar(select(UiUser).where(UiUser.username == name))
                if user is None:
                    _fail(f"no account {name!r}")
                    return
                if email is not None:
                    user.email = email or None
                if unit is not None:
                    user.unit = unit or None
                if head is not None:
                    user.head_of_unit = head
                audit(s, _actor(), "ui.user.contact", name, email=user.email, unit=user.unit,
                      head_of_unit=user.head_of_unit)
                click.echo(f"user {name}: email {user.email or '-'}, unit {user.unit or 'all'}, "
                           f"head of unit {'yes' if user.head_of_unit else 'no'}")
            cat.dispose()
        except SohoaError as exc:
            _fail(str(exc))
