"""The transactional outbox.

An email is a row written in the same transaction as the change that caused it. Rows committed
during a request are sent once the request's work is done; `flask mail send-queued` sends
whatever is still waiting and retries what failed, so an SMTP outage loses nothing.
"""

from __future__ import annotations

import logging
import sys
from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_mail import Message
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from extensions import db, mail
from models import OutboxMessage, User
from services.clock import now

log = logging.getLogger(__name__)
_FLUSHED, _COMMITTED = "outbox_flushed", "outbox_committed"


def queue_email(recipient: str, subject: str, template: str, **context) -> OutboxMessage:
    """Render an email from templates/email/<template>.txt and .html and add it to the outbox."""
    context.setdefault("council_name", current_app.config["COUNCIL_NAME"])
    context.setdefault("service_name", current_app.config["SERVICE_NAME"])
    context.setdefault("base_url", current_app.config["PUBLIC_BASE_URL"].rstrip("/"))
    message = OutboxMessage(
        recipient=recipient,
        subject=subject,
        body_text=render_template(f"email/{template}.txt", **context),
        body_html=render_template(f"email/{template}.html", subject=subject, **context),
    )
    db.session.add(message)
    return message


def queued_since(recipient: str, subject: str, since: datetime) -> int:
    """How many emails with this subject were queued for this address since then."""
    return db.session.scalar(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.recipient == recipient,
            OutboxMessage.subject == subject,
            OutboxMessage.created_at >= since,
        )
    )


def greeting_name(user: User) -> str | None:
    """The first name to greet an account holder by, only once their address is confirmed: before
    that, whoever typed the name may not own the address, and the council's email must not carry
    their words to it."""
    return user.first_name if user.is_activated else None


@event.listens_for(Session, "after_flush")
def _remember_new_messages(session: Session, flush_context) -> None:
    new_ids = [obj.id for obj in session.new if isinstance(obj, OutboxMessage)]
    if new_ids:
        session.info.setdefault(_FLUSHED, []).extend(new_ids)


@event.listens_for(Session, "after_commit")
def _mark_committed(session: Session) -> None:
    flushed = session.info.pop(_FLUSHED, [])
    if flushed:
        session.info.setdefault(_COMMITTED, []).extend(flushed)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_FLUSHED, None)


def send_committed() -> None:
    """Send the messages this session has committed so far (called at the end of a request)."""
    ids = db.session.info.pop(_COMMITTED, [])
    for message_id in ids:
        _send_one(message_id)


def send_queued(limit: int = 200) -> tuple[int, int]:
    """Send every message that is due; returns (sent, failed)."""
    due_ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(
            OutboxMessage.sent_at.is_(None),
            OutboxMessage.next_attempt_at <= now(),
            OutboxMessage.attempts < current_app.config["MAIL_MAX_ATTEMPTS"],
        )
        .order_by(OutboxMessage.id)
        .limit(limit)
    ).all()
    results = [_send_one(message_id) for message_id in due_ids]
    return results.count(True), results.count(False)


def _send_one(message_id: int) -> bool:
    message = db.session.scalar(
        select(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None))
        .with_for_update(skip_locked=True)
    )
    if message is None:
        db.session.rollback()
        return True
    try:
        _deliver(message)
    except Exception as error:  # any SMTP or network failure: keep the row and retry later
        message.attempts += 1
        message.last_error = f"{type(error).__name__}: {error}"[:500]
        delay_minutes = min(2**message.attempts, 60)
        message.next_attempt_at = now() + timedelta(minutes=delay_minutes)
        log.warning("Email %s not sent (attempt %s): %s", message.id, message.attempts, error)
        if message.attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
            log.error("Email %s given up after %s attempts", message.id, message.attempts)
        db.session.commit()
        return False
    message.attempts += 1
    message.sent_at = now()
    db.session.commit()
    return True


def _deliver(message: OutboxMessage) -> None:
    config = current_app.config
    if not config["MAIL_SERVER"]:
        _print_to_console(message)
        return
    mail.send(
        Message(
            subject=message.subject,
            recipients=[message.recipient],
            body=message.body_text,
            html=message.body_html,
            sender=config["MAIL_DEFAULT_SENDER"],
        )
    )


def _print_to_console(message: OutboxMessage) -> None:
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    print(
        f"\n----- Email (no mail server set, so printed here) -----\n"
        f"From: {sender}\nTo: {message.recipient}\nSubject: {message.subject}\n\n"
        f"{message.body_text}\n----- End of email -----\n",
        file=sys.stderr,
        flush=True,
    )
