"""Registering, and asking for a password reset, do the same work whether or not the address has an
account, so the time a request takes does not tell a stranger which addresses do.

The work is counted, not timed: password hashes computed, emails queued and delivered, and the
database statements run by the request that reveals the difference."""

from __future__ import annotations

from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from sqlalchemy import event, func, select

from extensions import db as database
from models import OutboxMessage
from services import passwords
from tests.factories import GOOD_PASSWORD, make_user
from tests.pages import post
from tests.test_register import register_until_password

KNOWN, UNKNOWN = "sam@example.com", "nobody@example.com"


@dataclass
class Work:
    hashes: int = 0
    emails_queued: int = 0
    emails_delivered: int = 0
    statements: Counter = field(default_factory=Counter)


@contextmanager
def counting(monkeypatch, mailbox, recipient: str):
    work = Work()
    hash_password = passwords.hash_password

    def counted_hash(password, settings):
        work.hashes += 1
        return hash_password(password, settings)

    def count_statement(conn, cursor, statement, parameters, context, executemany):
        work.statements[statement.split(None, 1)[0].upper()] += 1

    monkeypatch.setattr(passwords, "hash_password", counted_hash)
    queued_before = database.session.scalar(select(func.count(OutboxMessage.id)))
    event.listen(database.engine, "before_cursor_execute", count_statement)
    try:
        yield work
    finally:
        event.remove(database.engine, "before_cursor_execute", count_statement)
        monkeypatch.setattr(passwords, "hash_password", hash_password)
    database.session.remove()
    work.emails_queued = database.session.scalar(select(func.count(OutboxMessage.id))) - queued_before
    work.emails_delivered = len(mailbox.wait_for(recipient, 1)) if work.emails_queued else 0


# The rows only one side writes (a new account, its password history and link; a reset link)
# take a few database round trips, well under a millisecond each, beside the password hash and
# the email both sides have; the README's Security section gives the timings measured.
MOST_EXTRA_STATEMENTS = 8


def the_same_work(known: Work, unknown: Work) -> None:
    assert known.hashes == unknown.hashes
    assert known.emails_queued == unknown.emails_queued == 1
    assert known.emails_delivered == unknown.emails_delivered == 1
    extra = abs(sum(known.statements.values()) - sum(unknown.statements.values()))
    assert extra <= MOST_EXTRA_STATEMENTS, (known.statements, unknown.statements)


def finish_registering(client, monkeypatch, mailbox, email: str) -> Work:
    register_until_password(client, email)
    with counting(monkeypatch, mailbox, email) as work:
        response = post(
            client, "/register/password", {"password": GOOD_PASSWORD, "confirm_password": GOOD_PASSWORD}
        )
    assert response.location == "/register/check-email"
    return work


@pytest.mark.parametrize("activated", [True, False], ids=["activated", "not-yet-activated"])
def test_registering_an_existing_address_does_the_work_of_a_new_one(app, monkeypatch, mailbox, activated):
    make_user(KNOWN, activated=activated)
    known = finish_registering(app.test_client(), monkeypatch, mailbox, KNOWN)
    unknown = finish_registering(app.test_client(), monkeypatch, mailbox, UNKNOWN)
    print(f"existing {known}\nnew {unknown}")
    assert known.hashes == unknown.hashes == 1
    the_same_work(known, unknown)


def ask_for_reset(client, monkeypatch, mailbox, email: str) -> Work:
    with counting(monkeypatch, mailbox, email) as work:
        response = post(client, "/password/forgotten", {"email": email})
    assert response.location == "/password/forgotten/check-email"
    return work


def test_a_reset_for_an_address_with_no_account_does_the_work_of_one_with_an_account(
    app, monkeypatch, mailbox
):
    make_user(KNOWN)
    known = ask_for_reset(app.test_client(), monkeypatch, mailbox, KNOWN)
    unknown = ask_for_reset(app.test_client(), monkeypatch, mailbox, UNKNOWN)
    print(f"existing {known}\nnew {unknown}")
    the_same_work(known, unknown)
