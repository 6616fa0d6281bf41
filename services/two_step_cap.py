"""The per-account cap on wrong second-step codes, emailed and from an app alike.

Each code is counted before it is checked: a guess takes a slot under a lock on the account's
row, so however many arrive at once, no more than TWO_STEP_ACCOUNT_MAX_FAILURES wrong codes are
ever checked in TWO_STEP_ACCOUNT_WINDOW_HOURS. The wrong code that reaches the cap locks the
account's second step until a password reset clears it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, func, select, update

from extensions import db, rows_changed
from models import SecondStepAttempt, User
from services import mailer, security_events
from services.clock import now, uk_datetime


def is_locked(user: User) -> bool:
    return user.two_step_locked_at is not None


def _cap() -> int:
    return current_app.config["TWO_STEP_ACCOUNT_MAX_FAILURES"]


def _window_start() -> datetime:
    return now() - timedelta(hours=current_app.config["TWO_STEP_ACCOUNT_WINDOW_HOURS"])


def _lock_account_row(user: User) -> datetime | None:
    """Wait for any other guess at this account to finish; returns the current lock."""
    return db.session.scalar(select(User.two_step_locked_at).where(User.id == user.id).with_for_update())


def _count(user: User, *conditions) -> int:
    return db.session.execute(
        select(func.count())
        .select_from(SecondStepAttempt)
        .where(
            SecondStepAttempt.user_id == user.id, SecondStepAttempt.created_at > _window_start(), *conditions
        )
    ).scalar_one()


def reserve(user: User) -> int | None:
    """Take a slot for one guess before the code is checked, and commit it; None when the
    account is locked or every slot of the window is taken (wrong, or still being checked)."""
    locked_at = _lock_account_row(user)
    # SQLite has no row locks: this first write takes its database-wide write lock instead.
    db.session.execute(
        delete(SecondStepAttempt).where(
            SecondStepAttempt.user_id == user.id, SecondStepAttempt.created_at <= _window_start()
        )
    )
    attempt = SecondStepAttempt(user_id=user.id, created_at=now(), pending=True)
    db.session.add(attempt)
    db.session.flush()
    if locked_at is not None or _count(user) > _cap():
        db.session.rollback()
        return None
    db.session.commit()
    return attempt.id


def release(attempt_id: int) -> None:
    """The code was right: the guess does not count. The caller commits."""
    db.session.execute(delete(SecondStepAttempt).where(SecondStepAttempt.id == attempt_id))


def record_wrong(user: User, attempt_id: int) -> bool:
    """The code was wrong: keep the guess, and lock the account when it reaches the cap.
    Returns whether the account is now locked. The caller commits."""
    _lock_account_row(user)
    db.session.execute(
        update(SecondStepAttempt).where(SecondStepAttempt.id == attempt_id).values(pending=False)
    )
    if _count(user, SecondStepAttempt.pending.is_(False)) < _cap():
        return False
    _lock(user)
    return True


def _lock(user: User) -> None:
    moment = now()
    newly_locked = rows_changed(
        update(User)
        .where(User.id == user.id, User.two_step_locked_at.is_(None))
        .values(two_step_locked_at=moment)
    )
    if newly_locked != 1:
        return
    security_events.record(user, "two_step_locked")
    mailer.queue_email(
        user.email,
        "Your Citizen Portal account needs a new password",
        "two_step_locked",
        first_name=mailer.greeting_name(user),
        failures=_cap(),
        hours=current_app.config["TWO_STEP_ACCOUNT_WINDOW_HOURS"],
        when=uk_datetime(moment),
    )


def clear(user: User) -> None:
    """A completed password reset: codes are accepted again and the count starts afresh.
    The caller commits."""
    db.session.execute(delete(SecondStepAttempt).where(SecondStepAttempt.user_id == user.id))
    user.two_step_locked_at = None
