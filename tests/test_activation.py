"""Activating an account by the emailed link: once, within 24 hours, by a button that POSTs."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import time_machine
from sqlalchemy import select

from models import EmailToken, User
from services.clock import now
from tests.pages import error_messages, get_page, post, post_page
from tests.test_register import register


def activation_path(mailbox, address: str = "sam@example.com", count: int = 1) -> str:
    message = mailbox.wait_for(address, count)[-1]
    [link] = [link for link in mailbox.links(message) if "/activate/" in link]
    return urlsplit(link).path


def test_the_link_opens_a_page_with_a_button_and_changes_nothing_by_itself(client, db, mailbox):
    register(client)
    path = activation_path(mailbox)
    soup = get_page(client, path)
    assert soup.h1.get_text(strip=True) == "Activate your account"
    assert soup.select_one(f'form[method=post][action="{path}"] button').get_text(strip=True) == (
        "Activate my account"
    )
    get_page(client, path)
    assert db.session.scalar(select(User)).activated_at is None


def test_pressing_the_button_activates_and_the_sign_in_page_says_so(client, db, mailbox):
    register(client)
    path = activation_path(mailbox)
    response = post(client, path)
    assert response.location == "/sign-in"
    soup = get_page(client, "/sign-in")
    banner = soup.select_one(".govuk-notification-banner--success")
    assert "Your account has been activated" in banner.get_text()
    assert banner.find("a", string="sign in")["href"] == "#email"
    db.session.expire_all()
    assert db.session.scalar(select(User)).activated_at is not None


def test_the_link_works_once(client, mailbox):
    register(client)
    path = activation_path(mailbox)
    post(client, path)
    soup = post_page(client, path)
    assert soup.h1.get_text(strip=True) == "Your account is already activated"
    assert soup.find("a", string="sign in")["href"] == "/sign-in"


def test_the_token_is_stored_only_as_a_digest(client, db, mailbox):
    register(client)
    raw = activation_path(mailbox).rsplit("/", 1)[1]
    token = db.session.scalar(select(EmailToken))
    assert len(raw) >= 43
    assert raw not in token.token_digest
    assert len(token.token_digest) == 64


def test_an_expired_link_says_so_and_offers_a_new_one(client, db, mailbox):
    register(client)
    path = activation_path(mailbox)
    with time_machine.travel(now() + timedelta(hours=24, minutes=1)):
        soup = get_page(client, path)
        assert soup.h1.get_text(strip=True) == "This activation link has expired"
        assert soup.select_one('form[action="/activate/new-link"] input[name=email]')
        assert post(client, path).status_code == 200
    db.session.expire_all()
    assert db.session.scalar(select(User)).activated_at is None


def test_a_link_at_23_hours_still_works(client, db, mailbox):
    register(client)
    path = activation_path(mailbox)
    with time_machine.travel(now() + timedelta(hours=23, minutes=59)):
        assert post(client, path).location == "/sign-in"


def test_asking_for_a_new_link_replaces_the_old_one(client, mailbox):
    register(client)
    old_path = activation_path(mailbox)
    response = post(client, "/activate/new-link", {"email": "SAM@example.com"})
    assert response.location == "/register/check-email"
    new_path = activation_path(mailbox, count=2)
    assert new_path != old_path
    assert get_page(client, old_path).h1.get_text(strip=True) == "This activation link has been replaced"
    assert post(client, new_path).location == "/sign-in"


def test_a_new_link_request_for_an_unknown_address_looks_the_same_and_sends_nothing(client, mailbox):
    response = post(client, "/activate/new-link", {"email": "nobody@example.com"})
    assert response.location == "/register/check-email"
    assert "nobody@example.com" in get_page(client, "/register/check-email").get_text()
    assert mailbox.to("nobody@example.com") == []


def test_a_bad_address_on_the_new_link_form_gets_an_error(client):
    soup = post_page(client, "/activate/new-link", {"email": "not an email"})
    assert error_messages(soup) == ["Enter an email address in the correct format, like name@example.com"]


def test_resending_from_the_check_email_page_is_limited_to_three_an_hour(client, db, mailbox):
    register(client)
    for _ in range(4):
        assert post(client, "/register/check-email").location == "/register/check-email"
    soup = get_page(client, "/register/check-email")
    assert "we have sent a new link" in soup.select_one(".govuk-notification-banner").get_text()
    assert db.session.query(EmailToken).count() == 3
    assert len(mailbox.wait_for("sam@example.com", 3)) == 3


def test_an_unknown_token_says_the_link_is_not_valid(client):
    soup = get_page(client, "/activate/not-a-real-token")
    assert soup.h1.get_text(strip=True) == "This activation link is not valid"
