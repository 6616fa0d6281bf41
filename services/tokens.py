"""One-time email links: random, stored only as a digest, expiring, single use, newest wins."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, func, select, update

from extensions import db, rows_changed, table_of
from models import EmailToken, User
from services.clock import now

VALID, USED, EXPIRED, CANCELLED, UNKNOWN = "valid", "used", "expired", "cancelled", "unknown"


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def cancel_all(user: User) -> None:
    """Cancel every open link of the account (its address changed, so they point the wrong way)."""
    db.session.execute(
        update(table_of(EmailToken))
        .where(EmailToken.user_id == user.id, EmailToken.used_at.is_(None), EmailToken.cancelled_at.is_(None))
        .values(cancelled_at=now())
    )


def issued_since(user: User, purpose: str, since) -> int:
    return db.session.execute(
        select(func.count(EmailToken.id)).where(
            EmailToken.user_id == user.id, EmailToken.purpose == purpose, EmailToken.created_at >= since
        )
    ).scalar_one()


def issue(user: User, purpose: str, lifetime: timedelta, new_email: str | None = None) -> str:
    """Create a link token for the user, cancelling any earlier one for the same purpose."""
    moment = now()
    earlier = db.session.scalars(
        select(EmailToken).where(
            EmailToken.user_id == user.id,
            EmailToken.purpose == purpose,
            EmailToken.used_at.is_(None),
            EmailToken.cancelled_at.is_(None),
        )
    )
    for token in earlier:
        token.cancelled_at = moment
    raw = secrets.token_urlsafe(32)
    db.session.add(
        EmailToken(
            user=user,
            purpose=purpose,
            token_digest=digest(raw),
            created_at=moment,
            expires_at=moment + lifetime,
            new_email=new_email,
        )
    )
    return raw


@dataclass(frozen=True)
class TokenLookup:
    state: str
    token: EmailToken | None = None


def look_up(raw: str, purpose: str) -> TokenLookup:
    if not raw or len(raw) > 100:
        return TokenLookup(UNKNOWN)
    token = db.session.scalar(
        select(EmailToken).where(EmailToken.token_digest == digest(raw), EmailToken.purpose == purpose)
    )
    if token is None:
        return TokenLookup(UNKNOWN)
    if token.used_at is not None or token.opened_at is not None:
        return TokenLookup(USED, token)
    if token.cancelled_at is not None:
        return TokenLookup(CANCELLED, token)
    if token.expires_at <= now():
        return TokenLookup(EXPIRED, token)
    return TokenLookup(VALID, token)


def use(token: EmailToken) -> bool:
    """Mark the token used; False when another request used it first."""
    updated = rows_changed(
        update(table_of(EmailToken))
        .where(EmailToken.id == token.id, EmailToken.used_at.is_(None))
        .values(used_at=now())
    )
    return updated == 1


def open_as_grant(raw: str, purpose: str) -> TokenLookup:
    """Spend a link whose button was pressed, keeping its row open as the grant for the next step
    (uncommitted); a link another request opened first reads as used."""
    lookup = look_up(raw, purpose)
    if lookup.state != VALID:
        return lookup
    assert lookup.token is not None  # a valid lookup always carries its token
    opened = rows_changed(
        update(table_of(EmailToken))
        .where(EmailToken.id == lookup.token.id, EmailToken.opened_at.is_(None), _still_open())
        .values(opened_at=now())
    )
    if opened != 1:
        db.session.rollback()
        return TokenLookup(USED, lookup.token)
    return lookup


def open_grant(token_id: object, purpose: str) -> EmailToken | None:
    """The opened link row a session holds, while it is neither used, cancelled nor expired."""
    if not isinstance(token_id, int):
        return None
    return db.session.scalar(
        select(EmailToken).where(
            EmailToken.id == token_id,
            EmailToken.purpose == purpose,
            EmailToken.opened_at.is_not(None),
            _still_open(),
        )
    )


def use_grant(token: EmailToken) -> bool:
    """End an opened link's grant; False when another request ended it first, or it was cancelled or
    expired meanwhile. One conditional update, so two submissions cannot both succeed."""
    used = rows_changed(
        update(table_of(EmailToken))
        .where(EmailToken.id == token.id, EmailToken.opened_at.is_not(None), _still_open())
        .values(used_at=now())
    )
    return used == 1


def _still_open():
    return and_(
        EmailToken.used_at.is_(None), EmailToken.cancelled_at.is_(None), EmailToken.expires_at > now()
    )


def redeem(raw: str, purpose: str) -> TokenLookup:
    """Look a link up and, when it is valid, use it up (uncommitted); a link another request used
    first reads as used."""
    lookup = look_up(raw, purpose)
    if lookup.state == VALID:
        assert lookup.token is not None
        if not use(lookup.token):
            db.session.rollback()
            return TokenLookup(USED, lookup.token)
    return lookup
