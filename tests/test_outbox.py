"""The mail outbox: pages only queue mail, the worker sends it with a timeout, retries it soon after a
failure, never sends one message twice, and keeps no code or link once a message is sent."""

from __future__ import annotations

import contextvars
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import requests
import time_machine
from rq import SimpleWorker
from sqlalchemy import select, text

from extensions import db as database
from models import OutboxMessage
from services import mailer, two_step
from services.clock import now
from tests.concurrency import run_together
from tests.conftest import REDIS_URL as CONFTEST_REDIS_URL
from tests.factories import GOOD_PASSWORD as PASSWORD
from tests.factories import make_user
from tests.gunicorn_server import gunicorn_environment, running_gunicorn
from tests.mailbox import deliver_outbox, free_port
from tests.pages import post
from tests.people import make_family
from tests.test_register import register, register_until_password
from tests.two_step_helpers import code_from

REDIS_URL = os.environ.get("TEST_MAIL_REDIS_URL", CONFTEST_REDIS_URL)
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def silent_relay() -> Iterator[int]:
    """A TCP server that accepts every connection and never says a word (a hung SMTP relay)."""
    listener = socket.create_server(("127.0.0.1", 0))
    accepted: list[socket.socket] = []

    def accept() -> None:
        while True:
            try:
                accepted.append(listener.accept()[0])
            except OSError:
                return

    threading.Thread(target=accept, daemon=True).start()
    try:
        yield listener.getsockname()[1]
    finally:
        listener.close()
        for connection in accepted:
            connection.close()


def only_message() -> OutboxMessage:
    database.session.expire_all()
    return database.session.scalars(select(OutboxMessage)).one()


def test_a_relay_that_never_answers_does_not_slow_the_page_and_the_message_is_kept(app, client, db, mailbox):
    mailbox.deliver_from(None)  # this test runs the worker's step itself
    app.config["MAIL_TIMEOUT_SECONDS"] = 3
    with silent_relay() as port:
        app.config["MAIL_PORT"] = port
        register_until_password(client)
        started = time.monotonic()  # the post that creates the account and queues its email
        response = post(client, "/register/password", {"password": PASSWORD, "confirm_password": PASSWORD})
        page_seconds = time.monotonic() - started
        assert response.location == "/register/check-email"
        assert page_seconds < 2, f"the page took {page_seconds:.2f} s"  # waiting would take 3 s
        assert only_message().attempts == 0  # queued, not tried by the page

        # The worker meets the silent relay: it gives up after the timeout, with no transaction open.
        open_transactions: list[int] = []
        worker = threading.Thread(target=deliver_outbox, args=(app,))
        started = time.monotonic()
        worker.start()
        if db.engine.dialect.name == "postgresql":
            time.sleep(0.8)  # the worker is waiting on the relay now
            open_transactions.append(
                db.session.scalar(
                    text(
                        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                        "AND state LIKE 'idle in transaction%' AND pid <> pg_backend_pid()"
                    )
                )
            )
            db.session.commit()
        worker.join()
        worker_seconds = time.monotonic() - started
    print(f"\npage {page_seconds:.3f} s; worker gave up on the silent relay after {worker_seconds:.2f} s")
    assert open_transactions in ([], [0])
    assert 3 <= worker_seconds < 7
    message = only_message()
    assert message.sent_at is None and message.attempts == 1
    assert "timed out" in message.last_error
    assert "/activate/" in message.body_text  # kept whole for the retry

    app.config["MAIL_PORT"] = mailbox.port  # the relay is back
    with time_machine.travel(now() + timedelta(seconds=6)):
        deliver_outbox(app)
    assert mailbox.to("sam@example.com")[0]["Subject"] == "Activate your Citizen Portal account"
    assert only_message().sent_at is not None


def test_after_a_refused_connection_the_first_retry_comes_within_seconds(app, client, db, mailbox):
    mailbox.deliver_from(None)
    app.config["MAIL_PORT"] = free_port()  # nothing listens: the relay is down
    register(client)
    deliver_outbox(app)
    message = only_message()
    assert message.attempts == 1 and "ConnectionRefusedError" in message.last_error
    wait = (message.next_attempt_at - now()).total_seconds()
    assert 3 < wait <= 5
    assert mailbox.to("sam@example.com") == []

    app.config["MAIL_PORT"] = mailbox.port
    with time_machine.travel(now() + timedelta(seconds=3)):
        deliver_outbox(app)  # not due yet
    assert mailbox.to("sam@example.com") == []
    with time_machine.travel(now() + timedelta(seconds=6)):
        deliver_outbox(app)
        deliver_outbox(app)  # sent once only
    assert len(mailbox.to("sam@example.com")) == 1


def test_retries_back_off_and_stop_at_the_maximum_attempts_keeping_no_code(app, db, mailbox):
    mailbox.deliver_from(None)
    app.config["MAIL_PORT"] = free_port()
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    mailer.queue_email(
        "w@example.com", "Subject", "activate", first_name="W", link="http://l/secret", hours=24
    )
    db.session.commit()
    waits = []
    with time_machine.travel(now(), tick=False) as clock:
        for _ in range(3):
            assert mailer.send_queued() == (0, 1)
            message = only_message()
            waits.append((message.next_attempt_at - now()).total_seconds())
            assert mailer.send_queued() == (0, 0)  # not before its time
            clock.shift(timedelta(seconds=waits[-1]))
        assert mailer.send_queued() == (0, 0)  # given up
    assert waits == [5, 30, 120]
    message = only_message()
    assert message.attempts == 3 and message.sent_at is None
    assert message.body_text == "" and message.body_html == ""  # its link is not kept either


def test_a_sent_row_holds_no_code_or_link(app, client, db, mailbox):
    family = make_family("parent@example.com")
    two_step.send_code(family, "sign_in")
    db.session.commit()
    register(client, "new@example.com")
    code = code_from(mailbox)  # reading the mailbox runs the worker's step
    (activation,) = mailbox.to("new@example.com")
    link = mailbox.links(activation)[0]
    assert "/activate/" in link

    database.session.expire_all()
    rows = database.session.scalars(select(OutboxMessage)).all()
    assert len(rows) == 2 and all(row.sent_at is not None for row in rows)
    for row in rows:
        assert row.body_text == "" and row.body_html == ""
    stored = database.session.execute(text("SELECT * FROM outbox_messages")).all()
    everything = " ".join(str(value) for row in stored for value in row)
    assert code not in everything
    assert link.rsplit("/", 1)[-1] not in everything


def test_two_workers_at_once_send_each_message_once(app, db, mailbox):
    mailbox.deliver_from(None)
    for number in range(20):
        mailer.queue_email(
            f"p{number}@example.com", "Subject", "activate", first_name="P", link="http://l", hours=24
        )
    db.session.commit()

    def work(ready) -> tuple[int, int]:
        with app.app_context():
            ready()
            try:
                return mailer.send_queued()
            finally:
                database.session.remove()

    results = run_together(work, [(), ()])
    assert sum(sent for sent, _ in results) == 20
    for number in range(20):
        assert len(mailbox.wait_for(f"p{number}@example.com")) == 1
    time.sleep(0.3)  # anything sent twice would have arrived by now
    assert len(mailbox.messages) == 20


def test_a_claimed_message_is_left_to_its_worker_until_the_claim_runs_out(app, db, mailbox):
    mailbox.deliver_from(None)
    message = mailer.queue_email(
        "c@example.com", "Subject", "activate", first_name="C", link="http://l", hours=24
    )
    db.session.commit()
    message.claimed_until = now() + timedelta(minutes=5)  # another worker is sending it
    db.session.commit()
    assert mailer.send_queued() == (0, 0)
    with time_machine.travel(now() + timedelta(minutes=6)):  # that worker died
        assert mailer.send_queued() == (1, 0)
    assert mailbox.wait_for("c@example.com")


def test_a_new_message_is_sent_at_once_even_from_a_server_whose_clock_is_ahead(app, db, mailbox):
    mailbox.deliver_from(None)
    with time_machine.travel(now() + timedelta(minutes=10)):  # the web server's clock
        mailer.queue_email("k@example.com", "Subject", "activate", first_name="K", link="http://l", hours=24)
        db.session.commit()
    assert mailer.send_queued() == (1, 0)
    assert mailbox.wait_for("k@example.com")


def test_purge_removes_old_sent_and_given_up_rows_only(app, db):
    app.config["MAIL_MAX_ATTEMPTS"] = 3
    moment = now()

    def row(subject: str, age_days: int, sent: bool = False, attempts: int = 0) -> None:
        created = moment - timedelta(days=age_days)
        db.session.add(
            OutboxMessage(
                recipient="a@example.com",
                subject=subject,
                body_text="",
                body_html="",
                created_at=created,
                next_attempt_at=created,
                attempts=attempts,
                sent_at=created if sent else None,
            )
        )

    row("old sent", 31, sent=True)
    row("old given up", 31, attempts=3)
    row("recent sent", 29, sent=True)
    row("recent given up", 29, attempts=3)
    row("old still trying", 31, attempts=2)
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["mail", "purge"])
    assert "Deleted 2 old emails." in result.output
    db.session.expire_all()
    assert sorted(db.session.scalars(select(OutboxMessage.subject))) == [
        "old still trying",
        "recent given up",
        "recent sent",
    ]


def redis_queue():
    queue = mailer.mail_queue(REDIS_URL)
    try:
        queue.connection.ping()
    except Exception:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    queue.empty()
    return queue


def test_with_redis_the_page_enqueues_and_the_rq_worker_sends(app, client, db, mailbox):
    queue = redis_queue()
    mailbox.deliver_from(None)
    app.config["MAIL_REDIS_URL"] = REDIS_URL
    register(client)
    assert queue.count == 1
    assert mailbox.to("sam@example.com") == []

    def work() -> None:
        with app.app_context():
            SimpleWorker([queue], connection=queue.connection).work(burst=True)

    contextvars.Context().run(work)
    assert mailbox.wait_for("sam@example.com")[0]["Subject"] == "Activate your Citizen Portal account"
    assert only_message().body_text == ""


def test_when_redis_is_down_the_page_still_works_and_the_poll_sends(app, client, db, mailbox):
    mailbox.deliver_from(None)
    app.config["MAIL_REDIS_URL"] = f"redis://127.0.0.1:{free_port()}/0"  # nothing listens
    started = time.monotonic()
    response = register(client)
    assert response.location == "/register/check-email"
    assert time.monotonic() - started < 1.5
    assert only_message().sent_at is None
    deliver_outbox(app)  # the worker's poll of the outbox
    assert mailbox.wait_for("sam@example.com")


def test_the_worker_command_sends_what_a_page_enqueues(app, client, db, mailbox, database_url):
    queue = redis_queue()
    mailbox.deliver_from(None)
    app.config["MAIL_REDIS_URL"] = REDIS_URL
    environment = gunicorn_environment(
        database_url,
        mailbox.port,
        "http://localhost",
        MAIL_REDIS_URL=REDIS_URL,
        MAIL_WORKER_POLL_SECONDS="60",  # after its first look at the outbox, mail comes through RQ
    )
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "app", "mail", "worker"],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 20
        while worker.pid not in {w.pid for w in SimpleWorker.all(connection=queue.connection)}:
            assert worker.poll() is None, worker.stdout.read().decode()
            assert time.monotonic() < deadline
            time.sleep(0.1)
        register(client)
        started = time.monotonic()
        assert mailbox.wait_for("sam@example.com", timeout=10)
        print(f"\nenqueued to received: {time.monotonic() - started:.2f} s")
    finally:
        worker.send_signal(signal.SIGTERM)
        output = worker.communicate(timeout=20)[0].decode()
    assert worker.returncode == 0, output
    assert only_message().body_text == ""


def test_under_gunicorn_a_silent_relay_holds_up_no_page(app, db, database_url):
    """As in production: one gunicorn worker, the relay accepting connections and never answering.
    The page that queues an email, and the next page, answer at once; the email waits on the queue."""
    queue = redis_queue()
    make_user("sam@example.com")
    with (
        silent_relay() as port,
        running_gunicorn(database_url, port, workers=1, MAIL_REDIS_URL=REDIS_URL) as server,
    ):
        browser = requests.Session()
        form = browser.get(f"{server.url}/password/forgotten", timeout=10)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        started = time.monotonic()
        response = browser.post(
            f"{server.url}/password/forgotten",
            data={"csrf_token": token, "email": "sam@example.com"},
            allow_redirects=False,
            timeout=30,
        )
        post_seconds = time.monotonic() - started
        started = time.monotonic()
        sign_in = requests.get(f"{server.url}/sign-in", timeout=30)
        sign_in_seconds = time.monotonic() - started
    print(f"\nunder gunicorn: post queueing mail {post_seconds:.3f} s, /sign-in {sign_in_seconds:.3f} s")
    assert response.status_code == 302 and response.headers["Location"].endswith("/check-email")
    assert sign_in.status_code == 200
    assert post_seconds < 2 and sign_in_seconds < 2
    assert queue.count == 1
    message = only_message()
    assert message.subject == "Reset your Citizen Portal password" and message.sent_at is None


def test_nothing_is_queued_when_the_change_is_rolled_back(app, db, mailbox):
    mailer.queue_email("x@example.com", "Subject", "activate", first_name="X", link="http://l", hours=24)
    db.session.flush()
    db.session.rollback()
    mailer.send_committed()
    assert db.session.scalars(select(OutboxMessage)).all() == []
    assert mailbox.to("x@example.com") == []


def test_the_send_queued_command_reports_and_retries(app, db, mailbox):
    mailbox.deliver_from(None)
    app.config["MAIL_PORT"], working_port = free_port(), app.config["MAIL_PORT"]
    mailer.queue_email("y@example.com", "Subject", "activate", first_name="Y", link="http://l", hours=24)
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["mail", "send-queued"])
    assert result.exit_code == 1
    assert "Sent 0, failed 1." in result.output
    app.config["MAIL_PORT"] = working_port
    with time_machine.travel(now() + timedelta(seconds=10)):
        result = runner.invoke(args=["mail", "send-queued"])
    assert "Sent 1, failed 0." in result.output
    assert mailbox.wait_for("y@example.com")


def test_without_a_mail_server_emails_are_printed_at_once_in_full(app, client, db, mailbox, capsys):
    mailbox.deliver_from(None)  # no worker: the page itself prints the email
    app.config["MAIL_SERVER"] = ""
    register(client)
    printed = capsys.readouterr().err
    assert "To: sam@example.com" in printed
    assert "Subject: Activate your Citizen Portal account" in printed
    assert "http://localhost/activate/" in printed
    message = only_message()
    assert message.sent_at is not None and message.body_text == ""


def test_without_redis_the_worker_finds_new_mail_in_the_outbox(app, client, db, mailbox):
    mailbox.deliver_from(None)
    app.config["MAIL_WORKER_POLL_SECONDS"] = 0.2
    stop = threading.Event()
    worker = threading.Thread(target=mailer.run_worker, args=(app, stop))
    worker.start()
    try:
        register(client)
        assert mailbox.wait_for("sam@example.com")
    finally:
        stop.set()
        worker.join(timeout=10)
    assert not worker.is_alive()
    assert only_message().body_text == ""
