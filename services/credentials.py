"""Changing and resetting passwords, changing the email address, and password expiry."""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app

from extensions import db
from models import PURPOSE_EMAIL_CHANGE, PURPOSE_RESET, EmailToken, User
from services import (
    accounts,
    links,
    mailer,
    password_history,
    passwords,
    security_events,
    tokens,
    two_step_cap,
)
from services.clock import now

WRONG_CURRENT_PASSWORD = "Your current password is not correct"


def _set_password(user: User, password: str) -> None:
    """Store the new password, keep it in the history, and end every session of the account."""
    user.password_hash = passwords.hash_password(password, current_app.config)
    user.password_changed_at = now()
    user.session_version += 1
    password_history.remember(user, user.password_hash)


def _history_errors(user: User, new_password: str) -> list[str]:
    if password_history.repeats_recent(user, new_password):
        count = current_app.config["PASSWORD_HISTORY_COUNT"]
        return [passwords.IN_HISTORY.format(count=count)]
    return []


def _queue_password_changed(user: User) -> None:
    mailer.queue_email(
        user.email,
        "Your Citizen Portal password has been changed",
        "password_changed",
        first_name=mailer.greeting_name(user),
        when=now(),
    )


def change_password(user: User, current_password: str, new_password: str) -> dict[str, list[str]]:
    """Change a signed-in family's password; returns errors by field name (empty when done)."""
    if not passwords.verify_password(user.password_hash, current_password, current_app.config):
        return {"current_password": [WRONG_CURRENT_PASSWORD]}
    problems = _history_errors(user, new_password) or passwords.simple_change_errors(
        current_password, new_password
    )
    if problems:
        return {"password": problems}
    _set_password(user, new_password)
    security_events.record(user, "password_changed")
    _queue_password_changed(user)
    db.session.commit()
    return {}


NO_ACCOUNT_SUBJECT = "There is no Citizen Portal account with this email address"


def request_reset(email: str) -> None:
    """Email the address either way: a reset link when it has an account, otherwise a note that it
    has none. Both ways look up, count and queue one email, so neither the page nor the time it
    takes tells them apart. Each address gets at most PASSWORD_RESETS_PER_HOUR of either."""
    email = accounts.normalise_email(email)
    user = accounts.find_by_email(email)
    limit = current_app.config["PASSWORD_RESETS_PER_HOUR"]
    hour_ago = now() - timedelta(hours=1)
    if user is None:
        if mailer.queued_since(email, NO_ACCOUNT_SUBJECT, hour_ago) < limit:
            mailer.queue_email(email, NO_ACCOUNT_SUBJECT, "password_reset_no_account")
    elif tokens.issued_since(user, PURPOSE_RESET, hour_ago) < limit:
        mailer.queue_email(
            user.email,
            "Reset your Citizen Portal password",
            "password_reset",
            first_name=mailer.greeting_name(user),
            link=accounts.password_reset_link(user),
            minutes=current_app.config["PASSWORD_RESET_LINK_MINUTES"],
        )
    db.session.commit()


def open_reset_link(raw_token: str) -> tokens.TokenLookup:
    """Spend a reset link when its button is pressed. Its row stays open, on the server, as the
    grant to choose a new password, which the reset itself ends."""
    lookup = tokens.open_as_grant(raw_token, PURPOSE_RESET)
    if lookup.state == tokens.VALID:
        db.session.commit()
    return lookup


def reset_grant(token_id: object) -> EmailToken | None:
    """The opened reset link a session holds, while it can still set a password."""
    return tokens.open_grant(token_id, PURPOSE_RESET)


class ResetGrantEnded(Exception):
    """The reset link's grant was used, cancelled or expired before the new password was stored."""


def _is_near_neighbour_of_current(user: User, new_password: str) -> bool:
    """The previous password's text is not known on a reset, so try the new one's near
    neighbours against its hash; bounded by PASSWORD_NEIGHBOUR_CHECKS hash checks."""
    settings = current_app.config
    candidates = passwords.near_neighbours(new_password, settings["PASSWORD_NEIGHBOUR_CHECKS"])
    return any(passwords.verify_password(user.password_hash, candidate, settings) for candidate in candidates)


def reset_password(grant: EmailToken, new_password: str) -> list[str]:
    """Set a new password with an opened reset link's grant, ending it in the same transaction;
    returns problems (empty when done), leaving the grant open. Raises ResetGrantEnded when
    another request ended the grant first."""
    user = grant.user
    problems = _history_errors(user, new_password)
    if not problems and _is_near_neighbour_of_current(user, new_password):
        problems = [passwords.SAME_LETTERS]
    if problems:
        return problems
    if not tokens.use_grant(grant):
        db.session.rollback()
        raise ResetGrantEnded
    _set_password(user, new_password)
    if user.activated_at is None:
        user.activated_at = now()  # the link proved the address, as activation would
    accounts.clear_sign_in_lock(user.email)
    two_step_cap.clear(user)
    security_events.record(user, "password_reset")
    _queue_password_changed(user)
    db.session.commit()
    return []


def request_email_change(user: User, current_password: str, new_email: str) -> dict[str, list[str]]:
    if not passwords.verify_password(user.password_hash, current_password, current_app.config):
        return {"current_password": [WRONG_CURRENT_PASSWORD]}
    new_email = accounts.normalise_email(new_email)
    if new_email == user.email:
        return {"email": ["Enter a different email address from the one you use now"]}
    hours = current_app.config["EMAIL_CHANGE_LINK_HOURS"]
    raw = tokens.issue(user, PURPOSE_EMAIL_CHANGE, timedelta(hours=hours), new_email=new_email)
    mailer.queue_email(
        new_email,
        "Confirm your new email address for the Citizen Portal",
        "email_change_confirm",
        link=links.public_url("auth.confirm_email", token=raw),
        hours=hours,
    )
    db.session.commit()
    return {}


TAKEN = "taken"


def confirm_email_change(raw_token: str) -> tokens.TokenLookup:
    """Make the new address the username; the old address is told. State TAKEN when another
    account has meanwhile registered the new address."""
    lookup = tokens.look_up(raw_token, PURPOSE_EMAIL_CHANGE)
    if lookup.state != tokens.VALID:
        return lookup
    token = lookup.token
    assert token is not None  # a valid lookup always carries its token
    new_email = token.new_email
    assert new_email is not None  # every email-change link carries the new address
    if accounts.find_by_email(new_email) is not None:
        return tokens.TokenLookup(TAKEN, token)
    if not tokens.use(token):
        db.session.rollback()
        return tokens.TokenLookup(tokens.USED, token)
    user = token.user
    old_email = user.email
    tokens.cancel_all(user)
    user.email = new_email
    user.session_version += 1
    security_events.record(user, "email_changed")
    mailer.queue_email(
        old_email,
        "The email address for your Citizen Portal account has changed",
        "email_changed",
        first_name=mailer.greeting_name(user),
        new_email=mask_email(new_email),
    )
    db.session.commit()
    return lookup


def mask_email(email: str) -> str:
    """'robin.taylor@example.com' -> 'r***@example.com', to tell the old address without
    handing the new one to whoever may be reading it."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def update_details(user: User, details: dict) -> None:
    for name in accounts.DETAIL_FIELDS:
        setattr(user, name, details.get(name) or None)
    db.session.commit()


def password_expires_at(user: User) -> datetime | None:
    days = current_app.config["PASSWORD_EXPIRY_DAYS"]
    return user.password_changed_at + timedelta(days=days) if days else None


def password_expired(user: User) -> bool:
    expires = password_expires_at(user)
    return expires is not None and expires <= now()


def expiry_warning(user: User) -> datetime | None:
    """The expiry date when it is close enough to tell the family, otherwise None."""
    expires = password_expires_at(user)
    warning = timedelta(days=current_app.config["PASSWORD_EXPIRY_WARNING_DAYS"])
    if expires is not None and expires - warning <= now():
        return expires
    return None
