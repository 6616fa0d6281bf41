"""Registration answers kept on the server between steps, so nothing typed is lost."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import delete, select

from extensions import db
from models import RegistrationDraft
from services.clock import now
from services.tokens import digest

DRAFT_LIFETIME = timedelta(hours=24)


def load(key: str | None) -> RegistrationDraft | None:
    if not key:
        return None
    draft = db.session.scalar(select(RegistrationDraft).where(RegistrationDraft.key_digest == digest(key)))
    if draft is None or draft.created_at < now() - DRAFT_LIFETIME:
        return None
    return draft


def save(key: str | None, answers: dict) -> str:
    """Merge answers into the draft for this key (creating it); returns the key to keep."""
    draft = load(key)
    if draft is None or key is None:  # load() finds no draft without a key
        key = secrets.token_urlsafe(24)
        draft = RegistrationDraft(key_digest=digest(key), answers={}, created_at=now())
        db.session.add(draft)
        _purge_expired()
    draft.answers = {**draft.answers, **answers}
    db.session.commit()
    return key


def discard(key: str | None) -> None:
    draft = load(key)
    if draft is not None:
        db.session.delete(draft)
        db.session.commit()


def _purge_expired() -> None:
    db.session.execute(delete(RegistrationDraft).where(RegistrationDraft.created_at < now() - DRAFT_LIFETIME))
