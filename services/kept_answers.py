"""Answers posted after a session ended (or with an expired form), kept for a short time for the
account the session belonged to, and given back once, on the page they came from, after the family
signs in again."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import timedelta

from sqlalchemy import delete, select

from extensions import db, rows_changed
from models import KeptAnswers
from services.clock import now

KEEP_FOR = timedelta(hours=2)
# Never kept: passwords, security codes, CSRF and other tokens. "postcode" is an answer, not a code.
SECRET_FIELD = re.compile(r"password|csrf|secret|token|(^|[_-])code$", re.IGNORECASE)
PAGE_MAX_LENGTH = 500


def keepable(fields: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, value) for name, value in fields if not SECRET_FIELD.search(name)]


def keep(user_id: int, page: str, fields: Iterable[tuple[str, str]]) -> bool:
    """Keep what was posted on `page` for this account, replacing what an earlier post kept there.
    Returns whether anything was worth keeping."""
    kept = keepable(fields)
    if not kept or len(page) > PAGE_MAX_LENGTH:
        return False
    _purge_expired()
    db.session.execute(delete(KeptAnswers).where(KeptAnswers.user_id == user_id, KeptAnswers.page == page))
    fields_kept = [list(pair) for pair in kept]
    db.session.add(KeptAnswers(user_id=user_id, page=page, fields=fields_kept, created_at=now()))
    db.session.commit()
    return True


def _live(user_id: int):
    fresh = KeptAnswers.created_at >= now() - KEEP_FOR
    return select(KeptAnswers).where(KeptAnswers.user_id == user_id, fresh)


def waiting_page(user_id: int) -> str | None:
    """The page of this account's most recent kept answers, if any are still kept."""
    latest = db.session.scalar(_live(user_id).order_by(KeptAnswers.created_at.desc(), KeptAnswers.id.desc()))
    return latest.page if latest else None


def take(user_id: int, page: str) -> list[tuple[str, str]] | None:
    """This account's answers kept for this page, given once: the row is deleted as it is read."""
    found = db.session.scalar(_live(user_id).where(KeptAnswers.page == page).order_by(KeptAnswers.id.desc()))
    if found is None:
        return None
    fields = [(name, value) for name, value in found.fields]
    # Whoever deletes the row gives the answers back: two tabs signing in at once get them once.
    taken = rows_changed(delete(KeptAnswers).where(KeptAnswers.id == found.id))
    db.session.commit()
    return fields if taken else None


def _purge_expired() -> None:
    db.session.execute(delete(KeptAnswers).where(KeptAnswers.created_at < now() - KEEP_FOR))


def minutes_text(minutes: float) -> str:
    """30 -> '30 minutes', 1 -> '1 minute'; under a minute (short test settings) in seconds."""
    if minutes < 1:
        seconds = max(1, round(minutes * 60))
        return f"{seconds} second{'' if seconds == 1 else 's'}"
    whole = round(minutes)
    return f"{whole} minute{'' if whole == 1 else 's'}"
