"""The two-person rule between people, not accounts (issue 17): an admin could otherwise
create (or reset) a second account and approve their own change with it. Besides "not the
author", an approver may not approve a change whose author's account they created or reset
within the last `days` days, nor one by the person who created or reset theirs, nor one whose
author's account was made (created or reset) by the same person as theirs. (Accounts an
admin makes or resets must also change their password before acting: ui/web.py.)"""
from __future__ import annotations

from datetime import datetime, timedelta

from sohoa.archive.catalogue import utcnow
from sohoa.ui.auth import aware
from sohoa.ui.models import UiUser
from sqlalchemy import select
from sqlalchemy.orm import Session


def _made_by(account: UiUser, username: str, since: datetime) -> str | None:
    """How `username` had the hands on `account` since `since`: 'created', 'reset' or None."""
    actor = f"ui:{username}"
    created = aware(account.created_at)
    if account.created_by == actor and created is not None and created >= since:
        return "created"
    reset = aware(account.reset_at)
    if account.reset_by == actor and reset is not None and reset >= since:
        return "reset"
    return None


def refusal(s: Session, approver: str, author: str, days: int) -> tuple[str, str] | None:
    """None when approver and author are two people; else (the message shown, the reason audited)."""
    if approver == author:
        return ("Không được tự phê duyệt đề nghị của mình — you cannot approve your own correction",
                             "self-approval")
    since = utcnow() - timedelta(days=max(0, days))
    accounts = {u.username: u for u in s.scalars(select(UiUser).where(UiUser.username.in_((approver, author))))}
    if author in accounts and (how := _made_by(accounts[author], approver, since)):
        return (
            f"Bạn đã tạo hoặc đặt lại tài khoản {author} trong {days} ngày qua — you {how} the account of the "
            f"author {author} within {days} days: another approver must decide", f"approver {how} author's account")
    if approver in accounts and (how := _made_by(accounts[approver], author, since)):
        return (
            f"Tài khoản của bạn do {author} tạo hoặc đặt lại trong {days} ngày qua — the author {author} {how} "
            f"your account within {days} days: another approver must decide", f"author {how} approver's account")
    # one admin's two puppets: both accounts made (or reset) by the same person within the window
    if author in accounts and approver in accounts:
        common = _makers(accounts[author], since) & _makers(accounts[approver], since)
        if common:
            maker = sorted(common)[0].removeprefix("ui:")
            return (
                f"Cả hai tài khoản do {maker} tạo hoặc đặt lại trong {days} ngày qua — {maker} created or reset "
                f"both your account and the author's within {days} days: another approver must decide",
                "one admin made both accounts")
    return None


def _makers(account: UiUser, since: datetime) -> set[str]:
    """The workbench users who created or reset `account` since `since`."""
    made = set()
    created, reset = aware(account.created_at), aware(account.reset_at)
    if account.created_by.startswith("ui:") and created is not None and created >= since:
        made.add(account.created_by)
    if account.reset_by and account.reset_by.startswith("ui:") and reset is not None and reset >= since:
        made.add(account.reset_by)
    return made
