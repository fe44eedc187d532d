"""API tokens: made, listed, revoked, and checked.

A token is `sohoa_` + 43 URL-safe base64 characters (32 random bytes). Only its
SHA-256 is kept (a fast hash is enough for a high-entropy secret: there is
nothing to guess); the secret itself is returned once, by create_token.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import overload

from sohoa.archive.catalogue import audit
from sohoa.archive.models import ApiToken
from sohoa.core.errors import SohoaError
from sqlalchemy import select
from sqlalchemy.orm import Session

SCOPES = ("read", "read_personal", "write", "admin")
TOKEN_PREFIX = "sohoa_"
_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@\-]{0,99}$")
_TOKEN_RE = re.compile(r"^sohoa_[A-Za-z0-9_\-]{43}$")


class TokenError(SohoaError):
    pass


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


@overload
def _aware(t: datetime) -> datetime: ...
@overload
def _aware(t: datetime | None) -> datetime | None: ...
def _aware(t: datetime | None) -> datetime | None:
    return t.replace(tzinfo=timezone.utc) if t is not None and t.tzinfo is None else t


def hash_token(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class TokenInfo:
    name: str
    scopes: tuple[str, ...]
    prefix: str
    created_at: datetime
    created_by: str
    expires_at: datetime | None
    revoked_at: datetime | None

    @property
    def state(self) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= utcnow():
            return "expired"
        return "active"

    def has(self, scope: str) -> bool:
        return scope in self.scopes or "admin" in self.scopes

    @classmethod
    def of(cls, row: ApiToken) -> "TokenInfo":
        return cls(row.name, tuple(row.scopes or ()), row.prefix, _aware(row.created_at), row.created_by,
                   _aware(row.expires_at), _aware(row.revoked_at))

    def to_dict(self) -> dict:
        return {"name": self.name, "scopes": list(self.scopes), "prefix": self.prefix + "…",
                "created_at": self.created_at.isoformat(), "created_by": self.created_by,
                "expires_at": self.expires_at.isoformat() if self.expires_at else None,
                "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None, "state": self.state}


def create_token(session: Session, name: str, scopes: list[str] | tuple[str, ...], *,
                 expires_days: float | None = None, actor: str = "cli") -> tuple[str, TokenInfo]:
    """A new token: (the secret, shown once; its record). Names are unique among
    tokens not revoked; a revoked token's name may be used again."""
    if not _NAME_RE.match(name or ""):
        raise TokenError(f"token name {name!r}: use 1-100 letters, digits, '.', '_', '@', '-'")
    wanted = tuple(dict.fromkeys(scopes))
    if not wanted:
        raise TokenError("a token needs at least one scope (" + ", ".join(SCOPES) + ")")
    unknown = [s for s in wanted if s not in SCOPES]
    if unknown:
        raise TokenError(f"unknown scope(s) {', '.join(unknown)} (use {', '.join(SCOPES)})")
    if expires_days is not None and expires_days <= 0:
        raise TokenError("--expires-days must be positive")
    active = session.scalars(select(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None))).all()
    if active:
        raise TokenError(f"a token named {name!r} exists; revoke it first or choose another name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    now = utcnow()
    row = ApiToken(name=name, token_hash=hash_token(secret), prefix=secret[:10], scopes=list(wanted),
                   created_at=now, created_by=actor,
                   expires_at=now + timedelta(days=expires_days) if expires_days else None)
    session.add(row)
    session.flush()
    audit(session, actor, "token.create", name, scopes=list(wanted),
          expires_at=row.expires_at.isoformat() if row.expires_at else None)
    return secret, TokenInfo.of(row)


def list_tokens(session: Session) -> list[TokenInfo]:
    return [TokenInfo.of(r) for r in session.scalars(select(ApiToken).order_by(ApiToken.id))]


def revoke_token(session: Session, name: str, *, actor: str = "cli") -> int:
    """Revoke every active token named name; how many were."""
    rows = session.scalars(select(ApiToken).where(ApiToken.name == name, ApiToken.revoked_at.is_(None))).all()
    now = utcnow()
    for r in rows:
        r.revoked_at, r.revoked_by = now, actor
    audit(session, actor, "token.revoke", name, outcome="ok" if rows else "not_found", revoked=len(rows))
    return len(rows)


def lookup(session: Session, secret: str | None) -> tuple[TokenInfo | None, str]:
    """The token a presented secret belongs to and why it is refused ("" when usable):
    missing | malformed | unknown | revoked | expired."""
    if not secret:
        return None, "missing"
    if not _TOKEN_RE.match(secret):
        return None, "malformed"
    digest = hash_token(secret)
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == digest)).first()
    if row is None or not hmac.compare_digest(row.token_hash, digest):
        return None, "unknown"
    info = TokenInfo.of(row)
    state = info.state
    return info, "" if state == "active" else state
