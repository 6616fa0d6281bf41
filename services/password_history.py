"""The hashes of an account's recent passwords, kept to stop a new password repeating one."""

from __future__ import annotations

from flask import current_app
from sqlalchemy import delete, select, update

from extensions import db, table_of
from models import PasswordHistory, User
from services import passwords
from services.clock import now


def remember(user: User, password_hash: str) -> None:
    """Keep this hash, dropping those older than the last PASSWORD_HISTORY_COUNT."""
    db.session.add(PasswordHistory(user_id=user.id, password_hash=password_hash, created_at=now()))
    db.session.flush()
    keep = select(PasswordHistory.id).where(PasswordHistory.user_id == user.id)
    keep = keep.order_by(PasswordHistory.id.desc()).limit(current_app.config["PASSWORD_HISTORY_COUNT"])
    keep_ids = list(db.session.scalars(keep))
    db.session.execute(
        delete(PasswordHistory).where(PasswordHistory.user_id == user.id, PasswordHistory.id.not_in(keep_ids))
    )


def rehashed(user: User, old_hash: str, new_hash: str) -> None:
    """The same password hashed again at the current cost: its history row follows, so checks against
    the history do not verify it twice, once at the earlier cost."""
    db.session.execute(
        update(table_of(PasswordHistory))
        .where(PasswordHistory.user_id == user.id, PasswordHistory.password_hash == old_hash)
        .values(password_hash=new_hash)
    )


def recent_hashes(user: User) -> list[str]:
    count = current_app.config["PASSWORD_HISTORY_COUNT"]
    rows = select(PasswordHistory.password_hash).where(PasswordHistory.user_id == user.id)
    hashes = list(db.session.scalars(rows.order_by(PasswordHistory.id.desc()).limit(count)))
    if user.password_hash not in hashes:
        hashes = [user.password_hash, *hashes][:count]
    return hashes


def repeats_recent(user: User, password: str) -> bool:
    settings = current_app.config
    return any(passwords.verify_password(stored, password, settings) for stored in recent_hashes(user))
