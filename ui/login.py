"""A login attempt, guarded against floods (issue 17).

Three steps, so that the Argon2 check (about 0.1-0.5 s of CPU and 64 MiB) never runs on
the event loop and never more than a few at a time:

    refusal = precheck(...)       the database: is the address throttled, the account locked?
    ok, rehash = verify(...)      Argon2, in a small thread pool of its own (ui/routes/session.py)
    result = record(...)          the database: a session, or a failure counted

Failures are counted in the database (the account's `failed_logins`, one `LoginFailure` row
per refused password) so that every server worker sees the same counts. An account locks
after `max_failures` refusals in a row, for `lock_minutes` (0: until an admin unlocks it,
`sohoa user unlock` or the users page). An address with `address_failures` refusals within
the window is refused without a password check until the window has passed.

Audit: each checked password (ok or refused), the lock, and the moment an address is
throttled; attempts refused by the lock or the throttle write no audit row each (they cost
no password check; the lock and throttle events stand for them).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sohoa.archive.catalogue import audit, utcnow
from sohoa.core.config import Settings
from sohoa.ui import auth
from sohoa.ui.models import LoginFailure, UiUser
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

FOREVER = datetime(9999, 12, 31, tzinfo=timezone.utc)  # locked until an admin unlocks
THROTTLED = "throttled"
LOCKED = "locked"


@dataclass(frozen=True)
class LoginPolicy:
    max_failures: int = 5
    lock_minutes: int = 15
    address_failures: int = 20
    window_minutes: int = 15

    @classmethod
    def from_settings(cls, settings: Settings) -> LoginPolicy:
        return cls(max(1, settings.login_max_failures), max(0, settings.login_lock_minutes),
                   max(1, settings.login_address_failures), max(1, settings.login_window_minutes))

    @property
    def window(self) -> timedelta:
        return timedelta(minutes=self.window_minutes)

    def lock_end(self, now: datetime) -> datetime:
        return now + timedelta(minutes=self.lock_minutes) if self.lock_minutes else FOREVER


@dataclass(frozen=True)
class Attempt:
    username: str
    address: str


@dataclass(frozen=True)
class Granted:
    token: str
    username: str
    must_change_password: bool


def is_locked(user: UiUser, now: datetime) -> bool:
    until = auth.aware(user.locked_until)
    return until is not None and until > now


def precheck(s: Session, attempt: Attempt, policy: LoginPolicy) -> str:
    """The stored hash to check the password against (a dummy one for an unknown or disabled
    account: the same work either way), or THROTTLED / LOCKED: refused without a check."""
    now = utcnow()
    since = now - policy.window
    by_address = s.scalar(select(func.count()).select_from(LoginFailure).where(
        LoginFailure.address == attempt.address, LoginFailure.at >= since)) or 0
    if by_address >= policy.address_failures:
        return THROTTLED
    user = s.scalar(select(UiUser).where(UiUser.username == attempt.username))
    if user is None:  # an unknown name locks like an account does, so that a lock tells nothing
        by_name = s.scalar(select(func.count()).select_from(LoginFailure).where(
            LoginFailure.username == attempt.username, LoginFailure.at >= since)) or 0
        return LOCKED if by_name >= policy.max_failures else auth.DUMMY_HASH
    if is_locked(user, now):
        # counted (no audit row each): the users page shows how hard the account is tried
        s.execute(update(UiUser).where(UiUser.id == user.id).values(failed_logins=UiUser.failed_logins + 1))
        return LOCKED
    return user.password_hash if user.active else auth.DUMMY_HASH


def verify(hasher: PasswordHasher, stored: str, password: str) -> tuple[bool, str | None]:
    """The Argon2 check (CPU-bound: run it off the event loop); a new hash when the
    parameters changed since this one was made."""
    try:
        hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False, None
    return True, (hasher.hash(password) if hasher.check_needs_rehash(stored) else None)


def record(s: Session, attempt: Attempt, ok: bool, rehash: str | None, policy: LoginPolicy) -> Granted | str:
    """A session for a right password, else the failure counted (and the account locked, the
    address throttled, when this failure is the one too many). Returns Granted or the refusal:
    "wrong", LOCKED or THROTTLED."""
    now = utcnow()
    actor = f"ui:{attempt.username}"
    user = s.scalar(select(UiUser).where(UiUser.username == attempt.username))
    if ok and user is not None and user.active:
        if is_locked(user, now):  # locked by a parallel flood since the precheck
            return LOCKED
        user.failed_logins, user.locked_until = 0, None
        if rehash:
            user.password_hash = rehash
        token = auth.open_session(s, user)
        audit(s, actor, "ui.login", "ui", address=attempt.address)
        return Granted(token, user.username, bool(user.must_change_password))
    s.execute(delete(LoginFailure).where(LoginFailure.at < now - policy.window))
    failure = LoginFailure(at=now, address=attempt.address, username=attempt.username)
    s.add(failure)
    audit(s, actor, "ui.login", "ui", outcome="refused", address=attempt.address)
    refusal = "wrong"
    if user is not None:
        s.execute(update(UiUser).where(UiUser.id == user.id).values(failed_logins=UiUser.failed_logins + 1))
        s.refresh(user)
        if user.failed_logins >= policy.max_failures and not is_locked(user, now):
            user.locked_until = policy.lock_end(now)
            audit(s, "ui:login-guard", "ui.user.lock", user.username, failures=user.failed_logins,
                  until=None if user.locked_until == FOREVER else user.locked_until.isoformat(),
                  address=attempt.address)
            refusal = LOCKED
    else:  # an unknown name: the same answer at the same count as an account
        s.flush()
        by_name = s.scalar(select(func.count()).select_from(LoginFailure).where(
            LoginFailure.username == attempt.username, LoginFailure.at >= now - policy.window)) or 0
        if by_name >= policy.max_failures:
            refusal = LOCKED
    s.flush()
    # this failure's place in the window (ids up to its own: concurrent failures may both see the
    # limit and write the event twice, never none)
    by_address = s.scalar(select(func.count()).select_from(LoginFailure).where(
        LoginFailure.address == attempt.address, LoginFailure.at >= now - policy.window,
        LoginFailure.id <= failure.id)) or 0
    if by_address == policy.address_failures:  # the one event that stands for the refusals to come
        audit(s, "ui:login-guard", "ui.login.throttle", attempt.address, failures=by_address,
              window_minutes=policy.window_minutes)
        refusal = THROTTLED
    return refusal


def unlock(s: Session, username: str, actor: str) -> UiUser:
    """An admin lifts the lock (and the count of failures) of an account."""
    user = s.scalar(select(UiUser).where(UiUser.username == username))
    if user is None:
        raise auth.UserError(f"no user {username!r}")
    failures, was_locked = user.failed_logins, is_locked(user, utcnow())
    user.failed_logins, user.locked_until = 0, None
    s.execute(delete(LoginFailure).where(LoginFailure.username == username))
    audit(s, actor, "ui.user.unlock", username, failures=failures, was_locked=was_locked)
    return user
