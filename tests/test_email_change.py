"""Changing the email address: needs the password, changes only once the new address confirms."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from models import User
from tests.factories import GOOD_PASSWORD, make_user
from tests.pages import error_messages, get_page, post, post_page
from tests.test_sign_in import sign_in
from tests.two_step_helpers import pass_second_step, turn_on


def confirm_path(mailbox, address: str = "new@example.com") -> str:
    message = mailbox.wait_for(address)[-1]
    [link] = [link for link in mailbox.links(message) if "/email/confirm/" in link]
    return urlsplit(link).path


def request_change(client, new: str = "New@Example.com", password: str = GOOD_PASSWORD):
    return post(client, "/account/email", {"email": new, "current_password": password})


def test_nothing_changes_until_the_new_address_confirms(client, db, mailbox):
    user = make_user()
    sign_in(client)
    assert request_change(client).location == "/account/email/check"
    assert "new@example.com" in get_page(client, "/account/email/check").get_text()
    assert db.session.get(User, user.id).email == "parent@example.com"
    path = confirm_path(mailbox)
    soup = get_page(client, path)
    assert soup.h1.get_text(strip=True) == "Confirm your new email address"
    assert db.session.get(User, user.id).email == "parent@example.com"

    assert post(client, path).location == "/sign-in"
    assert "Your email address has been changed" in get_page(client, "/sign-in").get_text()
    db.session.expire_all()
    assert db.session.get(User, user.id).email == "new@example.com"
    told = mailbox.wait_for("parent@example.com")[-1]
    assert told["Subject"] == "The email address for your Citizen Portal account has changed"
    assert "n***@example.com" in mailbox.text(told)


def test_the_username_changes_with_it(app, client, mailbox):
    make_user()
    sign_in(client)
    request_change(client)
    post(client, confirm_path(mailbox))
    assert sign_in(client, email="new@example.com").location == "/account"
    assert sign_in(app.test_client(), email="parent@example.com").status_code == 200


def test_confirming_ends_every_session(app, client, mailbox):
    make_user()
    sign_in(client)
    request_change(client)
    post(app.test_client(), confirm_path(mailbox))
    assert client.get("/account").location.startswith("/sign-in")


def test_the_current_password_is_needed(client, mailbox):
    make_user()
    sign_in(client)
    soup = post_page(
        client, "/account/email", {"email": "new@example.com", "current_password": "Wrong 7 words!"}
    )
    assert error_messages(soup) == ["Your current password is not correct"]
    assert soup.find(id="email")["value"] == "new@example.com"
    assert mailbox.to("new@example.com") == []


def test_the_same_address_and_bad_addresses_are_refused(client):
    make_user()
    sign_in(client)
    same = post_page(
        client, "/account/email", {"email": "PARENT@example.com", "current_password": GOOD_PASSWORD}
    )
    assert error_messages(same) == ["Enter a different email address from the one you use now"]
    bad = post_page(client, "/account/email", {"email": "nope", "current_password": ""})
    assert error_messages(bad) == [
        "Enter an email address in the correct format, like name@example.com",
        "Enter your current password",
    ]


def test_an_address_taken_meanwhile_is_not_stolen(client, db, mailbox):
    make_user()
    sign_in(client)
    request_change(client)
    make_user("new@example.com")
    soup = post_page(client, confirm_path(mailbox))
    assert soup.h1.get_text(strip=True) == "This email address is already used by another account"
    assert db.session.scalar(select(User).where(User.email == "parent@example.com")) is not None


def test_the_link_works_once_and_old_links_stop_working(client, mailbox):
    make_user()
    sign_in(client)
    post(client, "/password/forgotten", {"email": "parent@example.com"})
    reset_message = mailbox.wait_for("parent@example.com")[-1]
    [reset_link] = [link for link in mailbox.links(reset_message) if "/password/reset/" in link]
    request_change(client)
    path = confirm_path(mailbox)
    post(client, path)
    assert post_page(client, path).h1.get_text(strip=True) == "This confirmation link has already been used"
    reset_page = get_page(client, urlsplit(reset_link).path)
    assert reset_page.h1.get_text(strip=True) == "This password reset link has been replaced"


def test_with_two_step_on_the_password_alone_cannot_move_the_address(app, client, db, mailbox):
    """Otherwise a stolen password could send the next second-step code to the thief's address."""
    make_user()
    sign_in(client)
    turn_on(client, mailbox, GOOD_PASSWORD)
    stranger = app.test_client()
    sign_in(stranger)

    assert stranger.get("/account/email").location == "/two-step?next=/account/email"
    assert request_change(stranger, new="thief@example.com").location.startswith("/two-step")
    assert mailbox.to("thief@example.com") == []

    pass_second_step(stranger, mailbox, count=2)
    assert request_change(stranger, new="new@example.com").location == "/account/email/check"
    assert confirm_path(mailbox)
