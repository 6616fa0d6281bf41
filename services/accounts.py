"""Registering, activating and signing in family and staff accounts."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from extensions import db
from models import PURPOSE_ACTIVATE, PURPOSE_RESET, ROLE_FAMILY, SignInThrottle, User
from models.user import STAFF_ROLES
from services import links, mailer, password_history, passwords, security_events, tokens
from services.clock import now, uk_datetime

DETAIL_FIELDS = (
    "title",
    "first_name",
    "last_name",
    "address_line_1",
    "address_line_2",
    "town",
    "postcode",
    "phone",
)


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def find_by_email(email: str) -> User | None:
    return db.session.scalar(select(User).where(func.lower(User.email) == normalise_email(email)))


def _activation_link(raw_token: str) -> str:
    return links.public_url("auth.activate", token=raw_token)


def _queue_activation_email(user: User) -> None:
    # The address is not confirmed yet, so the email carries nothing the registrant typed.
    hours = current_app.config["ACTIVATION_LINK_HOURS"]
    raw = tokens.issue(user, PURPOSE_ACTIVATE, timedelta(hours=hours))
    mailer.queue_email(
        user.email,
        "Activate your Citizen Portal account",
        "activate",
        link=_activation_link(raw),
        hours=hours,
    )


def _queue_already_registered(user: User) -> None:
    """One email, as a new registration gets one: a fresh activation link when the account
    still waits for one; the holder's own name only once their address is confirmed."""
    link, hours = None, current_app.config["ACTIVATION_LINK_HOURS"]
    if not user.is_activated:
        link = _activation_link(tokens.issue(user, PURPOSE_ACTIVATE, timedelta(hours=hours)))
    mailer.queue_email(
        user.email,
        "You already have a Citizen Portal account",
        "already_registered",
        first_name=mailer.greeting_name(user),
        activated=user.is_activated,
        link=link,
        hours=hours,
    )


def password_reset_link(user: User, minutes: int | None = None) -> str:
    """Issue a reset link (one hour unless told otherwise, cancelling older ones); return its address."""
    minutes = minutes or current_app.config["PASSWORD_RESET_LINK_MINUTES"]
    raw = tokens.issue(user, PURPOSE_RESET, timedelta(minutes=minutes))
    return links.public_url("auth.reset_link", token=raw)


def clear_sign_in_lock(email: str) -> None:
    throttle = db.session.get(SignInThrottle, _email_digest(email))
    if throttle is not None:
        db.session.delete(throttle)


def register(email: str, password: str, details: Mapping[str, str | None]) -> None:
    """Create an account and send its activation email.

    Registering an address that already has an account changes nothing and sends that address
    an email saying so, so the page a stranger sees is the same either way. Both ways hash the
    password and queue one email, so the time taken does not tell them apart either.
    """
    password_hash = passwords.hash_password(password, current_app.config)
    existing = find_by_email(email)
    if existing is not None:
        _queue_already_registered(existing)
        db.session.commit()
        return
    user = User(
        email=normalise_email(email),
        password_hash=password_hash,
        password_changed_at=now(),
        role=ROLE_FAMILY,
        **{name: details.get(name) or None for name in DETAIL_FIELDS},
    )
    db.session.add(user)
    db.session.flush()
    password_history.remember(user, user.password_hash)
    _queue_activation_email(user)
    db.session.commit()


def resend_activation(email: str) -> None:
    """Send a fresh activation link if the address has an account waiting to be activated."""
    user = find_by_email(email)
    if user is None or user.is_activated:
        return
    sent = tokens.issued_since(user, PURPOSE_ACTIVATE, now() - timedelta(hours=1))
    if sent >= current_app.config["ACTIVATION_RESENDS_PER_HOUR"]:
        return
    _queue_activation_email(user)
    db.session.commit()


def activate(raw_token: str) -> tokens.TokenLookup:
    """Activate the account a valid link belongs to; the lookup says what happened."""
    lookup = tokens.redeem(raw_token, PURPOSE_ACTIVATE)
    if lookup.state != tokens.VALID:
        return lookup
    assert lookup.token is not None  # a valid lookup always carries its token
    user = lookup.token.user
    if user.activated_at is None:
        user.activated_at = now()
    db.session.commit()
    return lookup


@dataclass(frozen=True)
class SignInResult:
    outcome: str  # "ok", "invalid", "locked", "not_activated"
    user: User | None = None
    locked_until: datetime | None = None


def _email_digest(email: str) -> str:
    return hashlib.sha256(normalise_email(email).encode("utf-8")).hexdigest()


def authenticate(email: str, password: str) -> SignInResult:
    """Check an email and password, counting failures per address (known or not) and locking."""
    settings = current_app.config
    moment = now()
    throttle = db.session.get(SignInThrottle, _email_digest(email))
    if throttle and throttle.locked_until and throttle.locked_until > moment:
        return SignInResult("locked", locked_until=throttle.locked_until)
    user = find_by_email(email)
    stored = user.password_hash if user else passwords.dummy_hash(settings)
    if not (passwords.verify_password(stored, password, settings) and user):
        return _record_failure(email, user, throttle, moment)
    if throttle is not None:
        db.session.delete(throttle)
    if not user.is_activated:
        db.session.commit()
        return SignInResult("not_activated", user=user)
    if passwords.needs_rehash(user.password_hash, settings):
        new_hash = passwords.hash_password(password, settings)
        password_history.rehashed(user, user.password_hash, new_hash)
        user.password_hash = new_hash
    user.last_sign_in_at = moment
    db.session.commit()
    return SignInResult("ok", user=user)


def _record_failure(
    email: str, user: User | None, throttle: SignInThrottle | None, moment: datetime
) -> SignInResult:
    settings = current_app.config
    if throttle is None:
        throttle = SignInThrottle(email_digest=_email_digest(email), failures=0)
        db.session.add(throttle)
    throttle.failures += 1
    throttle.updated_at = moment
    if throttle.failures < settings["SIGN_IN_MAX_FAILURES"]:
        db.session.commit()
        return SignInResult("invalid")
    throttle.failures = 0
    throttle.locked_until = moment + timedelta(minutes=settings["SIGN_IN_LOCK_MINUTES"])
    if user is not None:
        security_events.record(user, "sign_in_locked")
        mailer.queue_email(
            user.email,
            "Sign-in to your Citizen Portal account has been locked",
            "locked",
            first_name=mailer.greeting_name(user),
            minutes=settings["SIGN_IN_LOCK_MINUTES"],
            until=uk_datetime(throttle.locked_until),
            reset_link=password_reset_link(user),
            reset_minutes=settings["PASSWORD_RESET_LINK_MINUTES"],
        )
    db.session.commit()
    return SignInResult("locked", locked_until=throttle.locked_until)


def end_all_sessions(user: User) -> None:
    user.session_version += 1
    db.session.commit()


def create_staff(
    email: str, first_name: str, last_name: str, password: str, role: str = "staff", activated: bool = True
) -> User:
    user = User(
        email=normalise_email(email),
        password_hash=passwords.hash_password(password, current_app.config),
        password_changed_at=now(),
        role=role,
        first_name=first_name,
        last_name=last_name,
        activated_at=now() if activated else None,
        two_step_email_at=now(),  # staff always pass the second step
    )
    db.session.add(user)
    db.session.flush()
    password_history.remember(user, user.password_hash)
    db.session.commit()
    return user


def invite_staff(email: str, first_name: str, last_name: str, role: str) -> User:
    """An admin adds a member of staff: the account gets an unusable random password and the
    person is emailed a link (valid for the activation period) to choose their own. Choosing it
    confirms the address and activates the account; until then the email names nobody, as the
    admin typed the name."""
    user = create_staff(email, first_name, last_name, secrets.token_urlsafe(32), role=role, activated=False)
    hours = current_app.config["ACTIVATION_LINK_HOURS"]
    mailer.queue_email(
        user.email,
        "Your SEND Citizen Portal staff account",
        "staff_invite",
        link=password_reset_link(user, minutes=hours * 60),
        hours=hours,
    )
    db.session.commit()
    return user


def staff_members() -> list[User]:
    return list(db.session.scalars(select(User).where(User.role.in_(STAFF_ROLES)).order_by(User.last_name)))


def update_email_settings(user: User, chosen: Mapping[str, str]) -> None:
    """Save the choices the person was asked (Your account, "How we email you")."""
    if "email_updates" in chosen:
        user.email_updates = chosen["email_updates"]
    if "parents_see_messages" in chosen:
        user.parents_see_messages = chosen["parents_see_messages"] == "yes"
    if "email_on_family_messages" in chosen:
        user.email_on_family_messages = chosen["email_on_family_messages"] == "yes"
    db.session.commit()
