"""The transactional outbox.

An email is a row written in the same transaction as the change that caused it. A page never talks to
the SMTP relay: at the end of the request it only enqueues the new rows' ids on RQ (`MAIL_REDIS_URL`), and
`flask mail worker` sends them. The row is the durable queue: the worker claims it with a conditional
UPDATE (two workers never send one message), commits, talks to the relay with a timeout and no
transaction open, then marks it sent and blanks its bodies, so no code or link stays readable. A failed
try is retried after `MAIL_RETRY_SECONDS` (the first within seconds) up to `MAIL_MAX_ATTEMPTS`, found by
the worker's poll of the outbox, which also sends anything whose enqueue failed: an outage of the relay
or of Redis loses nothing. With no `MAIL_SERVER` (`make run`) the email is printed at once instead.
"""

from __future__ import annotations

import logging
import smtplib
import sys
import threading
import time
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from flask import Flask, current_app, render_template
from flask_mail import Message
from sqlalchemy import delete, event, func, or_, select, update
from sqlalchemy.orm import Session

from extensions import db, rows_changed
from models import OutboxMessage, User
from services.clock import now

if TYPE_CHECKING:
    from rq import Queue
    from sqlalchemy import Row

log = logging.getLogger(__name__)
_FLUSHED, _COMMITTED = "outbox_flushed", "outbox_committed"
QUEUE_NAME = "mail"
# A page waits at most this long on Redis when enqueueing; on failure the worker's poll sends the mail.
REDIS_TIMEOUT_SECONDS = 1.0


def queue_email(recipient: str, subject: str, template: str, **context) -> OutboxMessage:
    """Render an email from templates/email/<template>.txt and .html and add it to the outbox."""
    context.setdefault("council_name", current_app.config["COUNCIL_NAME"])
    context.setdefault("service_name", current_app.config["SERVICE_NAME"])
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
    return db.session.execute(
        select(func.count(OutboxMessage.id)).where(
            OutboxMessage.recipient == recipient,
            OutboxMessage.subject == subject,
            OutboxMessage.created_at >= since,
        )
    ).scalar_one()


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
    """Hand over the messages this session has committed so far (called at the end of a request).

    With no mail server they are printed at once; otherwise their ids are put on the mail queue, and
    a failure to do so is only logged: the rows stay in the outbox for the worker's poll."""
    ids = db.session.info.pop(_COMMITTED, [])
    if not ids:
        return
    if not current_app.config["MAIL_SERVER"]:
        for message_id in ids:
            send_message(message_id)
        return
    if current_app.config["MAIL_REDIS_URL"]:
        _enqueue(ids)


def _enqueue(ids: list[int]) -> None:
    try:
        queue = mail_queue(current_app.config["MAIL_REDIS_URL"])
        for message_id in ids:
            queue.enqueue(
                "services.mailer.send_job",
                message_id,
                job_timeout=_claim_seconds(),
                result_ttl=0,
                failure_ttl=86400,
            )
    except Exception as error:  # Redis down or hung: the worker's poll of the outbox sends them
        log.warning("Emails %s not enqueued, left for the outbox poll: %s", ids, error)


def mail_queue(redis_url: str, blocking: bool = False) -> Queue:
    """The RQ queue of emails to send. A page's connection has short Redis timeouts so it never waits
    long on it; the worker's (`blocking`) has none on reads, as it waits for the next job."""
    from redis import Redis
    from rq import Queue

    connection = Redis.from_url(
        redis_url,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=None if blocking else REDIS_TIMEOUT_SECONDS,
    )
    return Queue(QUEUE_NAME, connection=connection)


def send_queued(limit: int = 200) -> tuple[int, int]:
    """Send every message that is due (new, or a retry whose time has come); returns (sent, failed).
    Messages another worker is sending are left to it."""
    due_ids = db.session.scalars(
        select(OutboxMessage.id)
        .where(*_due(now()))
        .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
    ).all()
    db.session.commit()  # end the read: no transaction stays open while talking to the relay
    results = [send_message(message_id) for message_id in due_ids]
    return results.count(True), results.count(False)


def send_message(message_id: int) -> bool | None:
    """Send one message if it is due and no other worker has it; True when sent, False when the try
    failed (it is kept for a retry), None when there was nothing to do. Also the RQ job."""
    claimed = _claim(message_id)
    if claimed is None:
        return None
    attempts = claimed.attempts
    try:
        _deliver(claimed)
    except Exception as error:  # any SMTP or network failure: keep the row and retry later
        _record_failure(message_id, attempts, error)
        return False
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None))
        .values(sent_at=now(), claimed_until=None, last_error=None, body_text="", body_html="")
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return True


def send_job(message_id: int) -> bool | None:
    """The RQ job: send one message, leaving the worker's database session clean for the next."""
    try:
        return send_message(message_id)
    finally:
        db.session.remove()


def _due(moment: datetime) -> tuple:
    """Not sent, not given up, not being sent by another worker, and either never tried (a new
    message is due at once, whatever the clock of the server that queued it said) or its retry time
    has come."""
    return (
        OutboxMessage.sent_at.is_(None),
        or_(OutboxMessage.attempts == 0, OutboxMessage.next_attempt_at <= moment),
        OutboxMessage.attempts < current_app.config["MAIL_MAX_ATTEMPTS"],
        or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < moment),
    )


def _claim_seconds() -> int:
    """How long a claim lasts: longer than any send can take (each SMTP step may wait the timeout),
    so a message is taken over only from a worker that died while sending it."""
    return max(300, 10 * int(current_app.config["MAIL_TIMEOUT_SECONDS"]))


def _claim(message_id: int) -> Row | None:
    """Take the message for this worker in one conditional UPDATE and commit at once: the row is
    locked only for that statement, never while the relay is being talked to."""
    moment = now()
    claimed = rows_changed(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, *_due(moment))
        .values(
            attempts=OutboxMessage.attempts + 1,
            claimed_until=moment + timedelta(seconds=_claim_seconds()),
        )
        .execution_options(synchronize_session=False)
    )
    if claimed != 1:
        db.session.rollback()
        return None
    row = db.session.execute(
        select(
            OutboxMessage.recipient,
            OutboxMessage.subject,
            OutboxMessage.body_text,
            OutboxMessage.body_html,
            OutboxMessage.attempts,
        ).where(OutboxMessage.id == message_id)
    ).one()
    db.session.commit()
    return row


def retry_delay(attempts: int) -> timedelta:
    """The wait after the given number of failed tries: the first within seconds, then longer."""
    delays = current_app.config["MAIL_RETRY_SECONDS"] or [60]
    return timedelta(seconds=delays[min(attempts, len(delays)) - 1])


def _record_failure(message_id: int, attempts: int, error: Exception) -> None:
    values: dict = {
        "claimed_until": None,
        "last_error": f"{type(error).__name__}: {error}"[:500],
        "next_attempt_at": now() + retry_delay(attempts),
    }
    if attempts >= current_app.config["MAIL_MAX_ATTEMPTS"]:
        log.error("Email %s given up after %s attempts: %s", message_id, attempts, error)
        values.update(body_text="", body_html="")  # never sent: its code or link is not kept either
    else:
        log.warning("Email %s not sent (attempt %s), retried later: %s", message_id, attempts, error)
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.sent_at.is_(None))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def purge_old(days: int | None = None) -> int:
    """Delete sent and given-up messages older than the retention; returns how many."""
    config = current_app.config
    cutoff = now() - timedelta(days=config["MAIL_RETENTION_DAYS"] if days is None else days)
    removed = rows_changed(
        delete(OutboxMessage)
        .where(
            or_(
                OutboxMessage.sent_at < cutoff,
                (OutboxMessage.sent_at.is_(None))
                & (OutboxMessage.attempts >= config["MAIL_MAX_ATTEMPTS"])
                & (OutboxMessage.created_at < cutoff),
            )
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return removed


def _deliver(message: Row) -> None:
    config = current_app.config
    if not config["MAIL_SERVER"]:
        _print_to_console(message)
        return
    email = Message(
        subject=message.subject,
        recipients=[message.recipient],
        body=message.body_text,
        html=message.body_html,
        sender=config["MAIL_DEFAULT_SENDER"],
    )
    _smtp_send(email)


def _smtp_send(email: Message) -> None:
    """Send through the relay, every wait on it bounded by MAIL_TIMEOUT_SECONDS."""
    config = current_app.config
    timeout = config["MAIL_TIMEOUT_SECONDS"]
    smtp_class = smtplib.SMTP_SSL if config["MAIL_USE_SSL"] else smtplib.SMTP
    with smtp_class(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=timeout) as relay:
        if config["MAIL_USE_TLS"]:
            relay.starttls()
        if config["MAIL_USERNAME"] and config["MAIL_PASSWORD"]:
            relay.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"])
        relay.sendmail(str(email.sender), [str(address) for address in email.send_to], email.as_bytes())


def _print_to_console(message: Row) -> None:
    sender = current_app.config["MAIL_DEFAULT_SENDER"]
    print(
        f"\n----- Email (no mail server set, so printed here) -----\n"
        f"From: {sender}\nTo: {message.recipient}\nSubject: {message.subject}\n\n"
        f"{message.body_text}\n----- End of email -----\n",
        file=sys.stderr,
        flush=True,
    )


def run_worker(app: Flask, stop: threading.Event | None = None) -> None:
    """The mail worker: an RQ worker on the mail queue when MAIL_REDIS_URL is set, and always a poll of
    the outbox every MAIL_WORKER_POLL_SECONDS for retries and anything not enqueued, which also purges
    old rows once an hour. Returns when `stop` is set (the poll alone) or the RQ worker is stopped."""
    stop = stop or threading.Event()
    redis_url = app.config["MAIL_REDIS_URL"]
    if not redis_url:
        poll_outbox(app, stop)
        return
    from rq import SimpleWorker

    poller = threading.Thread(target=poll_outbox, args=(app, stop), name="outbox-poll", daemon=True)
    poller.start()
    queue = mail_queue(redis_url, blocking=True)
    try:
        with app.app_context():  # jobs run in this thread (no fork), each with the app
            SimpleWorker([queue], connection=queue.connection).work()
    finally:
        stop.set()
        poller.join(timeout=app.config["MAIL_TIMEOUT_SECONDS"] * 10)


def poll_outbox(app: Flask, stop: threading.Event) -> None:
    """Send what is due every MAIL_WORKER_POLL_SECONDS until `stop` is set; purge old rows hourly.
    An error (the database away) is logged and the next round tries again."""
    last_purge: float | None = None
    while not stop.is_set():
        with app.app_context():
            try:
                send_queued()
                if last_purge is None or time.monotonic() - last_purge > 3600:
                    purged = purge_old()
                    last_purge = time.monotonic()
                    if purged:
                        log.info("Purged %s old outbox rows", purged)
            except Exception:
                log.exception("Outbox poll failed; trying again")
                db.session.rollback()
            finally:
                db.session.remove()
        stop.wait(app.config["MAIL_WORKER_POLL_SECONDS"])
