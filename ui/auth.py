"""Accounts and sessions: Argon2id password hashes, random session tokens stored
hashed, a per-session CSRF token."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from archive.catalogue import audit, utcnow
from pipeline.errors import SohoaError
from ui.models import ROLES, UiSession, UiUser

SESSION_IDLE = timedelta(minutes=60)
SESSION_MAX = timedelta(hours=10)
MIN_PASSWORD = 10
_hasher = PasswordHasher()  # Argon2id, library defaults (RFC 9106 low-memory profile)
_DUMMY = _hasher.hash("not a real password, for constant-time refusals")
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

    def can(self, what: str) -> bool:
        allowed = {
            "view": ("verifier", "approver", "admin"),
            "verify": ("verifier", "approver", "admin"),
            "approve": ("approver", "admin"),
            "admin": ("admin",),
        }
        return self.role in allowed[what]


def create_user(s: Session, username: str, role: str, password: str, actor: str,
                full_name: str | None = None) -> UiUser:
    if not USERNAME_RE.match(username):
        raise UserError("username: 2-64 lower-case letters, digits, . _ -")
    if role not in ROLES:
        raise UserError(f"role must be one of {', '.join(ROLES)}")
    if len(password) < MIN_PASSWORD:
        raise UserError(f"password: at least {MIN_PASSWORD} characters")
    if s.scalar(select(UiUser).where(UiUser.username == username)) is not None:
        raise UserError(f"user {username!r} exists")
    user = UiUser(username=username, role=role, full_name=full_name, password_hash=_hasher.hash(password),
                  active=True, created_at=utcnow(), created_by=actor)
    s.add(user)
    s.flush()
    audit(s, actor, "ui.user.create", username, role=role)
    return user


def check_password(s: Session, username: str, password: str) -> UiUser | None:
    user = s.scalar(select(UiUser).where(UiUser.username == username))
    if user is None or not user.active:
        try:
            _hasher.verify(_DUMMY, password)  # same work whether or not the user exists
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


def _aware(dt):
    from datetime import timezone
    return dt if dt is None or dt.tzinfo else dt.replace(tzinfo=timezone.utc)


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
    return CurrentUser(user.id, user.username, user.role, user.full_name, row.csrf)


def close_session(s: Session, token: str | None) -> None:
    if token:
        s.execute(delete(UiSession).where(UiSession.token_hash == _digest(token)))


def csrf_ok(expected: str, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(expected.encode(), str(given).encode())
