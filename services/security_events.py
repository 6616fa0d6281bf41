"""Security events an account holder sees on Your account: what happened and when, never a secret."""

from __future__ import annotations

from contextvars import ContextVar

from sqlalchemy import select

from extensions import db
from models import SecurityEvent, User
from services.clock import now

# The client address of the request being served, set by the app for each request.
client_address: ContextVar[str | None] = ContextVar("client_address", default=None)

DESCRIPTIONS = {
    "two_step_on": "Two-step verification by email turned on",
    "two_step_off": "Two-step verification by email turned off",
    "authenticator_on": "Authenticator app added",
    "authenticator_off": "Authenticator app removed",
    "code_voided": "A security code was entered wrongly too many times",
    "authenticator_locked": "Authenticator app codes were entered wrongly too many times",
    "two_step_locked": "Security codes stopped after too many wrong codes: reset your password to unlock",
    "sign_in_locked": "Sign-in locked after too many wrong passwords",
    "password_changed": "Password changed",
    "password_reset": "Password reset by email link",
    "email_changed": "Email address changed",
    "infected_upload": "A file you uploaded was refused because it contained a virus",
}


def record(user: User, kind: str) -> None:
    """Add an event to the session; it is saved with the change it describes."""
    if kind not in DESCRIPTIONS:
        raise ValueError(f"unknown security event {kind!r}")
    db.session.add(
        SecurityEvent(user_id=user.id, kind=kind, created_at=now(), ip_address=client_address.get())
    )


def recent(user: User, limit: int = 10) -> list[tuple[SecurityEvent, str]]:
    rows = db.session.scalars(
        select(SecurityEvent)
        .where(SecurityEvent.user_id == user.id)
        .order_by(SecurityEvent.id.desc())
        .limit(limit)
    )
    return [(event, DESCRIPTIONS[event.kind]) for event in rows]
