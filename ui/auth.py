"""Accounts and sessions: Argon2id password hashes, random session tokens stored
hashed, a per-session CSRF token."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import overload

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sohoa.archive.catalogue import audit, utcnow
from sohoa.core.errors import SohoaError
from sohoa.ui.models import ROLES, UiSession, UiUser
from sohoa.ui.notices import notify_head
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

SESSION_IDLE = timedelta(minutes=60)
SESSION_MAX = timedelta(hours=10)
MIN_PASSWORD = 10
MAX_PASSWORD = 1024
_hasher = PasswordHasher()  # Argon2id, library defaults (RFC 9106 low-memory profile)
DUMMY_HASH = _hasher.hash("not a real password, for constant-time refusals")
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")


class UserError(SohoaError):
    pass


@dataclass(frozen=True)
class CurrentUser:
    id: int
    username: str
    role: str
    full_name: str | None
    csrf: str
    must_change_password: bool = False

    def can(self, what: str) -> bool:
        allowed = {
            "view": ("verifier", "approver", "admin"),
            "verify": ("verifier", "approver", "admin"),
            "approve": ("approver", "admin"),
            "admin": ("admin",),
        }
        return self.role in allowed[what]


def hasher() -> PasswordHasher:
    """The Argon2id hasher (stateless, its parameters fixed here)."""
    return _hasher


def _check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise UserError(f"password: at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise UserError(f"password: at most {MAX_PASSWORD} characters")


def create_user(s: Session, username: str, role: str, password: str, actor: str,
                full_name: str | None = None, must_change_password: bool = False) -> UiUser:
    if not USERNAME_RE.match(username):
        raise UserError("username: 2-64 lower-case letters, digits, . _ -")
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    _check_password_rules(password)
    if s.scalar(select(UiUser).where(UiUser.username == username)) is not None:
        raise UserError(f"user {username!r} exists")
    user = UiUser(username=username, role=role, full_name=full_name, password_hash=_hasher.hash(password),
                  active=True, must_change_password=must_change_password, created_at=utcnow(), created_by=actor)
    s.add(user)
    s.flush()
    audit(s, actor, "ui.user.create", username, role=role, must_change_password=must_change_password)
    notify_head(s, "account.create", username,
                f"{actor} created the account {username} ({role}); it may not approve {actor}'s changes, "
                "nor they its, for the next days (two-person rule)", actor)
    return user


def end_sessions(s: Session, user_id: int) -> int:
    """Every open session of the account ends now; returns how many there were."""
    result = s.execute(delete(UiSession).where(UiSession.user_id == user_id))
    return getattr(result, "rowcount", 0) or 0  # a CursorResult: DELETE reports its row count


def _account(s: Session, username: str) -> UiUser:
    user = s.scalar(select(UiUser).where(UiUser.username == username))
    if user is None:
        raise UserError(f"no user {username!r}")
    return user


def set_active(s: Session, username: str, active: bool, actor: str, actor_username: str | None = None) -> UiUser:
    """Disable (their sessions end at once, logins are refused) or enable an account."""
    user = _account(s, username)
    if not active and username == actor_username:
        raise UserError("Không thể tự khóa tài khoản của mình — you cannot disable your own account")
    if user.active == active:
        return user
    if not active and user.role == "admin":
        # Two admins disabling each other at once must not both succeed: the admins' rows are locked
        # (PostgreSQL) and the change written first (SQLite's write lock), then those left are counted.
        s.scalars(select(UiUser.id).where(UiUser.role == "admin").with_for_update()).all()
        user.active = False
        s.flush()
        if not s.scalar(select(func.count()).select_from(UiUser)
                        .where(UiUser.role == "admin", UiUser.active.is_(True))):
            raise UserError("Phải còn ít nhất một quản trị viên — the last active admin cannot be disabled")
    user.active = active
    ended = 0 if active else end_sessions(s, user.id)
    audit(s, actor, "ui.user.enable" if active else "ui.user.disable", username, sessions_ended=ended)
    return user


def reset_password(s: Session, username: str, temporary: str, actor: str) -> UiUser:
    """An admin sets a temporary password: the account's sessions end and the user must choose
    a new password at their next login."""
    user = _account(s, username)
    _check_password_rules(temporary)
    user.password_hash = _hasher.hash(temporary)
    user.must_change_password = True
    user.reset_by, user.reset_at = actor, utcnow()
    user.failed_logins, user.locked_until = 0, None
    ended = end_sessions(s, user.id)
    audit(s, actor, "ui.user.reset_password", username, sessions_ended=ended)
    notify_head(s, "account.reset", username,
                f"{actor} reset the password of {username} ({user.role}); it may not approve {actor}'s changes, "
                "nor they its, for the next days (two-person rule)", actor)
    return user


def change_password(s: Session, user_id: int, current: str, new: str, keep_token: str | None = None) -> UiUser:
    """The user's own change (after a reset, or at any time): the current password is checked,
    the new one must differ; the user's other sessions end."""
    user = s.get(UiUser, user_id)
    if user is None or not user.active:
        raise UserError("no such account")
    try:
        _hasher.verify(user.password_hash, current)
    except (VerificationError, InvalidHashError):
        raise UserError("Mật khẩu hiện tại sai — the current password is wrong") from None
    _check_password_rules(new)
    if new == current:
        raise UserError("Mật khẩu mới phải khác mật khẩu cũ — the new password must differ")
    user.password_hash = _hasher.hash(new)
    user.must_change_password = False
    q = delete(UiSession).where(UiSession.user_id == user.id)
    if keep_token:
        q = q.where(UiSession.token_hash != _digest(keep_token))
    s.execute(q)
    audit(s, f"ui:{user.username}", "ui.user.change_password", user.username)
    return user


def check_password(s: Session, username: str, password: str) -> UiUser | None:
    user = s.scalar(select(UiUser).where(UiUser.username == username))
    if user is None or not user.active:
        try:
            _hasher.verify(DUMMY_HASH, password)  # same work whether or not the user exists
        except VerificationError:
            pass
        return None
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(s: Session, user: UiUser) -> str:
    now = utcnow()
    s.execute(delete(UiSession).where(UiSession.expires_at < now))
    token = secrets.token_urlsafe(32)
    s.add(UiSession(token_hash=_digest(token), user_id=user.id, csrf=secrets.token_urlsafe(32),
                    created_at=now, last_seen=now, expires_at=now + SESSION_MAX))
    return token


@overload
def aware(dt: datetime) -> datetime: ...
@overload
def aware(dt: None) -> None: ...
def aware(dt: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back: they are UTC."""
    return dt if dt is None or dt.tzinfo else dt.replace(tzinfo=timezone.utc)


_aware = aware


def session_user(s: Session, token: str | None) -> CurrentUser | None:
    if not token or len(token) > 100:
        return None
    row = s.scalar(select(UiSession).where(UiSession.token_hash == _digest(token)))
    if row is None:
        return None
    now = utcnow()
    if _aware(row.expires_at) < now or _aware(row.last_seen) + SESSION_IDLE < now:
        s.delete(row)
        return None
    user = s.get(UiUser, row.user_id)
    if user is None or not user.active:
        return None
    row.last_seen = now
    return CurrentUser(user.id, user.username, user.role, user.full_name, row.csrf,
                       bool(user.must_change_password))


def close_session(s: Session, token: str | None) -> None:
    if token:
        s.execute(delete(UiSession).where(UiSession.token_hash == _digest(token)))


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())
