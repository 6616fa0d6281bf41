"""Two-step verification: 6-digit codes by email (the council's guide) and authenticator apps (TOTP)."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
import segno
from flask import current_app
from sqlalchemy import select, update

from extensions import db, rows_changed, table_of
from models import CODE_TURN_ON, SecurityCode, User
from services import mailer, passwords, security_events, two_step_cap
from services.clock import now, uk_datetime, uk_time

CODE_DIGITS = 6
TOTP_STEP_SECONDS = 30
CODE_KEY_LABEL = b"two-step-code"
ARGON2_PREFIX = "$argon2"
_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015]")

ENTER_CODE = "Enter the code"
CODE_FORMAT = "The code must be 6 numbers"
CODE_WRONG = "The code is not correct"
CODE_EXPIRED = "The code has expired: request a new one"
CODE_VOIDED = "You entered the wrong code too many times: request a new one"
CODE_MISSING = "There is no code waiting to be used: request a new one"
APP_LOCKED = "You entered the wrong code too many times: use a code sent by email instead, or try again later"
ACCOUNT_LOCKED = "Too many wrong codes have been entered for your account: reset your password to unlock it"
CODE_BUSY = "The code could not be checked: try again"


def normalise_entry(raw: str | None) -> str:
    """'123 456', '123-456' and ' 123456 ' all become '123456'."""
    return _SEPARATORS.sub("", raw or "")


def entry_error(raw: str | None) -> str | None:
    entry = normalise_entry(raw)
    if not entry:
        return ENTER_CODE
    if len(entry) != CODE_DIGITS or not entry.isdecimal() or not entry.isascii():
        return CODE_FORMAT
    return None


# --- Codes by email -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Sent:
    code: SecurityCode | None
    next_allowed_at: datetime | None = None  # set when the limit stopped a new code
    locked: bool = False  # set when too many wrong codes locked the account


def _codes_sent_since(user: User, since: datetime) -> list[datetime]:
    return list(
        db.session.scalars(
            select(SecurityCode.created_at)
            .where(SecurityCode.user_id == user.id, SecurityCode.created_at >= since)
            .order_by(SecurityCode.created_at)
        )
    )


def send_code(user: User, purpose: str) -> Sent:
    """Email a fresh code, cancelling any earlier one, within the per-account limit."""
    if two_step_cap.is_locked(user):
        return Sent(None, locked=True)
    settings = current_app.config
    window = timedelta(minutes=settings["TWO_STEP_CODE_WINDOW_MINUTES"])
    recent = _codes_sent_since(user, now() - window)
    if len(recent) >= settings["TWO_STEP_CODES_PER_WINDOW"]:
        return Sent(None, next_allowed_at=recent[0] + window)
    moment = now()
    db.session.execute(
        update(table_of(SecurityCode))
        .where(
            SecurityCode.user_id == user.id,
            SecurityCode.used_at.is_(None),
            SecurityCode.cancelled_at.is_(None),
        )
        .values(cancelled_at=moment)
    )
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    minutes = settings["TWO_STEP_CODE_MINUTES"]
    row = SecurityCode(
        user_id=user.id,
        purpose=purpose,
        code_hash="",  # set below, once the row has the id the stored code is bound to
        created_at=moment,
        expires_at=moment + timedelta(minutes=minutes),
    )
    db.session.add(row)
    db.session.flush()
    row.code_hash = code_digest(row.id, user.id, code)
    mailer.queue_email(
        user.email,
        "Your Citizen Portal security code",
        "security_code",
        first_name=mailer.greeting_name(user),
        code=code,
        minutes=minutes,
        expires=uk_time(row.expires_at),
        expires_full=uk_datetime(row.expires_at),
    )
    db.session.commit()
    return Sent(row)


def _code_key() -> bytes:
    """TWO_STEP_CODE_KEY, or else a key derived from SECRET_KEY for this use alone."""
    configured = current_app.config["TWO_STEP_CODE_KEY"]
    if configured:
        return str(configured).encode("utf-8")
    secret = current_app.config["SECRET_KEY"]
    secret = secret if isinstance(secret, bytes) else str(secret).encode("utf-8")
    return hmac.new(secret, CODE_KEY_LABEL, hashlib.sha256).digest()


def code_digest(code_id: int, user_id: int, code: str) -> str:
    """An emailed code as stored: HMAC-SHA256 under a server key, over the code's row and account too,
    so a stored value is useless without the key and cannot be copied to another row. A code lives an
    hour, is used once and allows a few wrong entries, so a slow password hash would only cost CPU."""
    message = f"{code_id}:{user_id}:{code}".encode()
    return hmac.new(_code_key(), message, hashlib.sha256).hexdigest()


def _code_matches(code: SecurityCode, entry: str) -> bool:
    if code.code_hash.startswith(ARGON2_PREFIX):  # sent while codes were stored as argon2id, until it expires
        return passwords.verify_password(code.code_hash, entry, current_app.config)
    return hmac.compare_digest(code.code_hash, code_digest(code.id, code.user_id, entry))


def live_code(user: User, code_id: int | None) -> SecurityCode | None:
    """The code this browser session was sent, if it can still be used."""
    if code_id is None:
        return None
    code = db.session.get(SecurityCode, code_id)
    if (
        code is None
        or code.user_id != user.id
        or code.used_at
        or code.cancelled_at
        or code.expires_at <= now()
    ):
        return None
    return code


@dataclass(frozen=True)
class Check:
    ok: bool
    error: str | None = None
    purpose: str | None = None
    locked: bool = False  # the account's second step is locked until a password reset


LOCKED = Check(False, ACCOUNT_LOCKED, locked=True)


def _refused_guess(user: User) -> Check:
    """No slot for a guess: the account is locked, or the last slots are being checked."""
    db.session.refresh(user)
    return LOCKED if two_step_cap.is_locked(user) else Check(False, CODE_BUSY)


def check_code(user: User, code_id: int | None, entry: str) -> Check:
    """Check an entered code against the one sent to this session: single use, 60 minutes, void
    on the sixth wrong entry, and counted against the account's cap on wrong codes."""
    if two_step_cap.is_locked(user):
        return LOCKED
    code = db.session.get(SecurityCode, code_id) if code_id is not None else None
    if code is None or code.user_id != user.id or code.used_at is not None:
        return Check(False, CODE_MISSING)
    if code.cancelled_at is not None:
        return Check(False, CODE_VOIDED if code.failed_attempts > _max_wrong() else CODE_MISSING)
    if code.expires_at <= now():
        return Check(False, CODE_EXPIRED)
    attempt = two_step_cap.reserve(user)
    if attempt is None:
        return _refused_guess(user)
    if not _code_matches(code, normalise_entry(entry)):
        return _wrong_entry(user, code, attempt)
    two_step_cap.release(attempt)
    db.session.commit()
    claimed = rows_changed(
        update(table_of(SecurityCode))
        .where(
            SecurityCode.id == code.id, SecurityCode.used_at.is_(None), SecurityCode.cancelled_at.is_(None)
        )
        .values(used_at=now())
    )
    if claimed != 1:
        db.session.rollback()
        return Check(False, CODE_MISSING)
    purpose = code.purpose
    if purpose == CODE_TURN_ON and user.two_step_email_at is None:
        _turn_on_email(user)
    db.session.commit()
    return Check(True, purpose=purpose)


def _max_wrong() -> int:
    return current_app.config["TWO_STEP_MAX_WRONG_ENTRIES"]


def _wrong_entry(user: User, code: SecurityCode, attempt: int) -> Check:
    account_locked = two_step_cap.record_wrong(user, attempt)
    db.session.execute(
        update(table_of(SecurityCode))
        .where(SecurityCode.id == code.id)
        .values(failed_attempts=SecurityCode.failed_attempts + 1)
    )
    failures = db.session.execute(
        select(SecurityCode.failed_attempts).where(SecurityCode.id == code.id)
    ).scalar_one()
    result = Check(False, CODE_WRONG)
    if failures > _max_wrong():
        db.session.execute(
            update(table_of(SecurityCode)).where(SecurityCode.id == code.id).values(cancelled_at=now())
        )
        security_events.record(user, "code_voided")
        result = Check(False, CODE_VOIDED)
    db.session.commit()
    return LOCKED if account_locked else result


def _turn_on_email(user: User) -> None:
    user.two_step_email_at = now()
    security_events.record(user, "two_step_on")
    _queue_change_email(user, "Two-step verification by email has been turned on")


def turn_off_email(user: User) -> None:
    user.two_step_email_at = None
    security_events.record(user, "two_step_off")
    _queue_change_email(user, "Two-step verification by email has been turned off")
    db.session.commit()


def _queue_change_email(user: User, change: str) -> None:
    mailer.queue_email(
        user.email,
        "Your Citizen Portal sign-in settings have changed",
        "two_step_changed",
        first_name=mailer.greeting_name(user),
        change=change,
        when=now(),
    )


# --- Authenticator apps (TOTP) ------------------------------------------------------------------


def new_authenticator_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    issuer = f"{current_app.config['COUNCIL_NAME']} SEND Portal"
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=issuer)


def qr_code_svg(uri: str) -> str:
    """The QR code as inline SVG: no image request, works on any phone browser."""
    return segno.make(uri, error="m").svg_inline(scale=4, dark="#0b0c0c", light="#ffffff", border=4)


def _matching_step(secret: str, entry: str) -> int | None:
    """The time step (now, or one either side for clock drift) whose code is `entry`."""
    totp = pyotp.TOTP(secret)
    current = int(now().timestamp()) // TOTP_STEP_SECONDS
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.at(step * TOTP_STEP_SECONDS), entry):
            return step
    return None


def add_authenticator(user: User, secret: str, entry: str) -> bool:
    """Confirm a new authenticator with its first code, and turn it on."""
    step = _matching_step(secret, normalise_entry(entry))
    if step is None:
        return False
    user.totp_secret = secret
    user.totp_confirmed_at = now()
    user.totp_last_step = step
    user.totp_failures = 0
    security_events.record(user, "authenticator_on")
    _queue_change_email(user, "An authenticator app has been added")
    db.session.commit()
    return True


def remove_authenticator(user: User) -> None:
    user.totp_secret = None
    user.totp_confirmed_at = None
    user.totp_last_step = None
    security_events.record(user, "authenticator_off")
    _queue_change_email(user, "The authenticator app has been removed")
    db.session.commit()


def authenticator_locked(user: User) -> bool:
    return user.totp_locked_until is not None and user.totp_locked_until > now()


def check_authenticator(user: User, entry: str) -> Check:
    """A code from the app: each time step used once, and a lock after repeated wrong codes."""
    if not user.has_authenticator:
        return Check(False, CODE_MISSING)
    if two_step_cap.is_locked(user):
        return LOCKED
    if authenticator_locked(user):
        return Check(False, APP_LOCKED)
    attempt = two_step_cap.reserve(user)
    if attempt is None:
        return _refused_guess(user)
    assert user.totp_secret is not None  # a confirmed authenticator keeps its secret
    step = _matching_step(user.totp_secret, normalise_entry(entry))
    if step is not None:
        two_step_cap.release(attempt)
        claimed = rows_changed(
            update(table_of(User))
            .where(User.id == user.id, (User.totp_last_step.is_(None)) | (User.totp_last_step < step))
            .values(totp_last_step=step, totp_failures=0)
        )
        if claimed == 1:
            db.session.commit()
            return Check(True)
        db.session.rollback()  # a code already used counts as a wrong one
    account_locked = two_step_cap.record_wrong(user, attempt)
    user.totp_failures += 1
    result = Check(False, CODE_WRONG)
    if user.totp_failures > _max_wrong():
        user.totp_failures = 0
        user.totp_locked_until = now() + timedelta(minutes=current_app.config["TWO_STEP_CODE_WINDOW_MINUTES"])
        security_events.record(user, "authenticator_locked")
        result = Check(False, APP_LOCKED)
    db.session.commit()
    return LOCKED if account_locked else result
