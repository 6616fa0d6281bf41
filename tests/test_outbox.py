"""The mail outbox keeps every message while the SMTP server is down and sends it once it is back."""

from __future__ import annotations

from datetime import timedelta

import time_machine
from sqlalchemy import select

from models import OutboxMessage
from services import mailer
from services.clock import now
from tests.mailbox import free_port
from tests.test_register import register


def test_a_message_survives_an_smtp_outage_and_the_worker_sends_it_later(app, client, db, mailbox):
    working_port = app.config["MAIL_PORT"]
    app.extensions["mail"].port = free_port()  # nothing listens here: the relay is down
    response = register(client)
    assert response.location == "/register/check-email"  # the family is not troubled by it

    message = db.session.scalar(select(OutboxMessage))
    assert message.sent_at is None
    assert message.attempts == 1
    assert "ConnectionRefusedError" in message.last_error
    assert mailbox.to("sam@example.com") == []

    app.extensions["mail"].port = working_port
    assert mailer.send_queued() == (0, 0)  # not due yet: retries back off
    with time_machine.travel(now() + timedelta(minutes=3)):
        assert mailer.send_queued() == (1, 0)
    db.session.expire_all()
    assert db.session.scalar(select(OutboxMessage)).sent_at is not None
    assert mailbox.wait_for("sam@example.com")[0]["Subject"] == "Activate your Citizen Portal account"
    assert mailer.send_queued() == (0, 0)  # sent once only


def test_nothing_is_queued_when_the_change_is_rolled_back(app, db, mailbox):
    mailer.queue_email("x@example.com", "Subject", "activate", first_name="X", link="http://l", hours=24)
    db.session.flush()
    db.session.rollback()
    mailer.send_committed()
    assert db.session.scalars(select(OutboxMessage)).all() == []
    assert mailbox.to("x@example.com") == []


def test_the_send_queued_command_reports_and_retries(app, db, mailbox):
    app.extensions["mail"].port, working_port = free_port(), app.config["MAIL_PORT"]
    mailer.queue_email("y@example.com", "Subject", "activate", first_name="Y", link="http://l", hours=24)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["mail", "send-queued"])
    assert result.exit_code == 1
    assert "Sent 0, failed 1." in result.output
    app.extensions["mail"].port = working_port
    with time_machine.travel(now() + timedelta(minutes=5)):
        result = runner.invoke(args=["mail", "send-queued"])
    assert "Sent 1, failed 0." in result.output
    assert mailbox.wait_for("y@example.com")


def test_without_a_mail_server_emails_are_printed_in_full(app, db, capsys):
    app.config["MAIL_SERVER"] = ""
    mailer.queue_email(
        "z@example.com", "Activate", "activate", first_name="Z", link="http://x/activate/abc", hours=24
    )
    db.session.commit()
    mailer.send_committed()
    printed = capsys.readouterr().err
    assert "To: z@example.com" in printed
    assert "http://x/activate/abc" in printed
    assert db.session.scalar(select(OutboxMessage)).sent_at is not None


def test_a_message_is_given_up_after_the_maximum_attempts(app, db, mailbox):
    app.config["MAIL_MAX_ATTEMPTS"] = 2
    app.extensions["mail"].port = free_port()
    mailer.queue_email("w@example.com", "Subject", "activate", first_name="W", link="http://l", hours=24)
    db.session.commit()
    assert mailer.send_queued() == (0, 1)
    with time_machine.travel(now() + timedelta(minutes=5)):
        assert mailer.send_queued() == (0, 1)
    with time_machine.travel(now() + timedelta(hours=2)):
        assert mailer.send_queued() == (0, 0)
    assert db.session.scalar(select(OutboxMessage)).attempts == 2
