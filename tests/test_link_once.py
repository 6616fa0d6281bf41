"""Each emailed link (activation, password reset, email change) works once: a second click reads as used,
and each step that spends a link does so in one conditional UPDATE, so two requests that both found it
unused cannot both spend it."""

from __future__ import annotations

from datetime import timedelta

import pytest

from models import PURPOSE_ACTIVATE, PURPOSE_EMAIL_CHANGE, PURPOSE_RESET
from services import tokens
from tests.factories import make_user
from tests.pages import get_page, post
from tests.test_activation import activation_path
from tests.test_register import register

PURPOSES = [PURPOSE_ACTIVATE, PURPOSE_RESET, PURPOSE_EMAIL_CHANGE]


def _issued(db, purpose: str) -> str:
    user = make_user()
    raw = tokens.issue(user, purpose, timedelta(hours=1))
    db.session.commit()
    return raw


@pytest.mark.parametrize("purpose", PURPOSES)
def test_a_used_link_reads_as_used(db, purpose):
    raw = _issued(db, purpose)
    assert tokens.redeem(raw, purpose).state == tokens.VALID
    db.session.commit()
    assert tokens.look_up(raw, purpose).state == tokens.USED
    assert tokens.redeem(raw, purpose).state == tokens.USED


@pytest.mark.parametrize("purpose", PURPOSES)
def test_two_requests_that_both_found_the_link_unused_spend_it_once(db, purpose):
    raw = _issued(db, purpose)
    first, second = tokens.look_up(raw, purpose), tokens.look_up(raw, purpose)
    assert first.state == second.state == tokens.VALID
    assert tokens.use(first.token) is True
    db.session.commit()
    assert tokens.use(second.token) is False


def test_a_link_opened_by_another_request_meanwhile_reads_as_used(db, monkeypatch):
    raw = _issued(db, PURPOSE_RESET)
    found_unused = tokens.look_up(raw, PURPOSE_RESET)
    assert tokens.open_as_grant(raw, PURPOSE_RESET).state == tokens.VALID
    db.session.commit()
    # The second request had looked the link up before the first opened it.
    monkeypatch.setattr(tokens, "look_up", lambda *_: found_unused)
    assert tokens.open_as_grant(raw, PURPOSE_RESET).state == tokens.USED


def test_an_opened_link_grants_one_submission(db):
    raw = _issued(db, PURPOSE_RESET)
    grant = tokens.open_as_grant(raw, PURPOSE_RESET).token
    db.session.commit()
    assert tokens.use_grant(grant) is True
    db.session.commit()
    assert tokens.use_grant(grant) is False
    assert tokens.open_grant(grant.id, PURPOSE_RESET) is None


def test_an_activation_link_opened_again_says_it_was_used(client, mailbox):
    register(client)
    path = activation_path(mailbox)
    assert get_page(client, path).h1.get_text(strip=True) == "Activate your account"
    post(client, path)
    assert get_page(client, path).h1.get_text(strip=True) == "Your account is already activated"
