"""Forgotten password: same page for every address, a one-hour single-use link, and what a reset ends."""

from __future__ import annotations

import threading
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from sqlalchemy import select

from extensions import db as database
from models import SignInThrottle, User
from services import credentials, passwords
from services.clock import now
from tests.factories import GOOD_PASSWORD, make_user
from tests.pages import check_page, csrf_token, error_messages, get_page, post, post_page
from tests.test_sign_in import sign_in

NEW_PASSWORD = "Marble garden 42 Kettle?"


def reset_path(mailbox, address: str = "parent@example.com", count: int = 1) -> str:
    message = mailbox.wait_for(address, count)[-1]
    [link] = [link for link in mailbox.links(message) if "/password/reset/" in link]
    return urlsplit(link).path


def ask_for_reset(client, email: str = "parent@example.com"):
    return post(client, "/password/forgotten", {"email": email})


def open_link_and_choose(client, path: str, password: str = NEW_PASSWORD):
    assert post(client, path).location == "/password/reset"
    return post(client, "/password/reset", {"password": password, "confirm_password": password})


def test_the_sign_in_page_links_to_the_reset(client):
    soup = get_page(client, "/sign-in")
    assert soup.find("a", string="Forgotten your password?")["href"] == "/password/forgotten"


def test_known_and_unknown_addresses_get_the_same_page(client, mailbox):
    make_user()
    known = ask_for_reset(client)
    known_page = get_page(client, known.location)
    unknown = ask_for_reset(client, "nobody@example.com")
    unknown_page = get_page(client, unknown.location)
    assert known.location == unknown.location == "/password/forgotten/check-email"
    assert known_page.main.get_text().replace("parent", "nobody") == unknown_page.main.get_text()
    assert "junk or spam" in known_page.get_text()
    assert mailbox.wait_for("parent@example.com")[0]["Subject"] == "Reset your Citizen Portal password"
    [no_account] = mailbox.wait_for("nobody@example.com")
    assert no_account["Subject"] == "There is no Citizen Portal account with this email address"
    assert "/password/reset/" not in mailbox.text(no_account)
    assert "http://localhost/register" in mailbox.text(no_account)


def test_a_bad_address_gets_an_error(client):
    soup = post_page(client, "/password/forgotten", {"email": "nope"})
    assert error_messages(soup) == ["Enter an email address in the correct format, like name@example.com"]


def test_the_link_opens_a_button_page_and_then_the_new_password_form(client, db, mailbox):
    make_user()
    ask_for_reset(client)
    path = reset_path(mailbox)
    soup = get_page(client, path)
    assert soup.h1.get_text(strip=True) == "Reset your password"
    assert soup.select_one(f'form[action="{path}"] button').get_text(strip=True) == "Choose a new password"
    response = open_link_and_choose(client, path)
    assert response.location == "/sign-in"
    assert "Your password has been changed" in get_page(client, "/sign-in").get_text()
    user = db.session.scalar(select(User))
    assert passwords.verify_password(user.password_hash, NEW_PASSWORD, client.application.config)
    assert sign_in(client, password=NEW_PASSWORD).location == "/account"


def test_the_link_works_once(client, mailbox):
    make_user()
    ask_for_reset(client)
    path = reset_path(mailbox)
    post(client, path)
    assert post_page(client, path).h1.get_text(strip=True) == "This password reset link has already been used"


def test_the_link_expires_after_an_hour(client, mailbox):
    make_user()
    ask_for_reset(client)
    path = reset_path(mailbox)
    with time_machine.travel(now() + timedelta(minutes=59)):
        assert get_page(client, path).h1.get_text(strip=True) == "Reset your password"
    with time_machine.travel(now() + timedelta(minutes=61)):
        assert get_page(client, path).h1.get_text(strip=True) == "This password reset link has expired"
        assert post_page(client, path).h1.get_text(strip=True) == "This password reset link has expired"


def test_a_new_request_cancels_earlier_links(client, mailbox):
    make_user()
    ask_for_reset(client)
    first = reset_path(mailbox)
    ask_for_reset(client)
    second = reset_path(mailbox, count=2)
    assert get_page(client, first).h1.get_text(strip=True) == "This password reset link has been replaced"
    assert open_link_and_choose(client, second).location == "/sign-in"


def test_the_new_password_form_is_not_reachable_without_a_link(client):
    soup = get_page(client, "/password/reset")
    assert soup.h1.get_text(strip=True) == "This password reset link has expired"


def test_a_reset_ends_every_other_session_and_emails_the_holder(app, client, mailbox):
    make_user()
    signed_in = app.test_client()
    sign_in(signed_in)
    assert signed_in.get("/account").status_code == 200
    ask_for_reset(client)
    open_link_and_choose(client, reset_path(mailbox))
    assert signed_in.get("/account").location.startswith("/sign-in")
    changed = mailbox.wait_for("parent@example.com", 2)[-1]
    assert changed["Subject"] == "Your Citizen Portal password has been changed"


def test_a_reset_does_not_sign_anyone_in(client, mailbox):
    make_user()
    ask_for_reset(client)
    open_link_and_choose(client, reset_path(mailbox))
    assert client.get("/account").location.startswith("/sign-in")


def test_the_rules_apply_and_errors_keep_the_link_usable(client, mailbox):
    make_user()
    ask_for_reset(client)
    path = reset_path(mailbox)
    assert post(client, path).location == "/password/reset"
    soup = post_page(
        client, "/password/reset", {"password": "Password123!", "confirm_password": "Password123!"}
    )
    assert error_messages(soup) == ["Password must not be a commonly used password, like Password123!"]
    soup = post_page(
        client, "/password/reset", {"password": GOOD_PASSWORD, "confirm_password": GOOD_PASSWORD}
    )
    assert error_messages(soup) == ["Password must not be one of your last 10 passwords"]
    response = post(client, "/password/reset", {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.location == "/sign-in"


@pytest.mark.parametrize(
    "near", ["Lantern river 33!", "Lantern river 29!", "lANTERN RIVER 32!", "lantern River 32!"]
)
def test_near_neighbours_of_the_previous_password_are_refused_without_knowing_it(client, near, mailbox):
    make_user(password="Lantern river 32!")
    ask_for_reset(client)
    post(client, reset_path(mailbox))
    soup = post_page(client, "/password/reset", {"password": near, "confirm_password": near})
    assert passwords.SAME_LETTERS in error_messages(soup) or error_messages(soup)[0].startswith(
        "Password must include"
    )


def test_a_number_moved_by_more_than_3_is_beyond_what_a_reset_can_check(client, mailbox):
    make_user(password="Lantern river 32!")
    ask_for_reset(client)
    post(client, reset_path(mailbox))
    response = post(
        client, "/password/reset", {"password": "Lantern river 40!", "confirm_password": "Lantern river 40!"}
    )
    assert response.location == "/sign-in"


def test_near_neighbours_are_bounded():
    assert len(passwords.near_neighbours("Lantern river 32!", 12)) <= 12
    assert "Lantern river 33!" in passwords.near_neighbours("Lantern river 32!", 12)
    assert "Lantern river 07!" in passwords.near_neighbours("Lantern river 08!", 12)


def test_a_reset_clears_a_sign_in_lock_and_the_lock_email_offers_the_link(client, db, mailbox):
    make_user()
    for _ in range(5):
        post(client, "/sign-in", {"email": "parent@example.com", "password": "Bad 7 guess!"})
    locked_email = mailbox.wait_for("parent@example.com")[0]
    [link] = [link for link in mailbox.links(locked_email) if "/password/reset/" in link]
    open_link_and_choose(client, urlsplit(link).path)
    assert db.session.scalars(select(SignInThrottle)).all() == []
    assert sign_in(client, password=NEW_PASSWORD).location == "/account"


def test_resetting_activates_an_account_that_never_was(client, db, mailbox):
    make_user(activated=False)
    ask_for_reset(client)
    open_link_and_choose(client, reset_path(mailbox))
    assert sign_in(client, password=NEW_PASSWORD).location == "/account"


def test_reset_requests_are_limited_per_account(client, mailbox):
    make_user()
    for _ in range(5):
        ask_for_reset(client)
    assert len(mailbox.wait_for("parent@example.com", 3)) == 3
    assert len(mailbox.to("parent@example.com")) == 3


THIRD_PASSWORD = "Copper lighthouse 58 Fern?"


def saved_session_cookie(client) -> str:
    return client.get_cookie(client.application.config["SESSION_COOKIE_NAME"]).value


def test_a_cookie_saved_before_a_reset_cannot_replay_it(app, client, mailbox):
    make_user()
    ask_for_reset(client)
    assert post(client, reset_path(mailbox)).location == "/password/reset"
    saved = saved_session_cookie(client)
    assert get_page(client, "/password/reset").h1.get_text(strip=True) == "Choose a new password"
    response = post(client, "/password/reset", {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD})
    assert response.location == "/sign-in"

    replay = app.test_client()
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], saved)
    expired = "This password reset link has expired"
    assert get_page(replay, "/password/reset").h1.get_text(strip=True) == expired
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], saved)
    token = csrf_token(replay)  # the saved session's own token
    replay.set_cookie(app.config["SESSION_COOKIE_NAME"], saved)
    choose = {"password": THIRD_PASSWORD, "confirm_password": THIRD_PASSWORD, "csrf_token": token}
    response = replay.post("/password/reset", data=choose)
    assert response.status_code == 200
    assert check_page(response.get_data(as_text=True)).h1.get_text(strip=True) == expired
    assert sign_in(app.test_client(), password=THIRD_PASSWORD).status_code == 200
    assert sign_in(app.test_client(), password=NEW_PASSWORD).location == "/account"


def test_the_grant_ends_with_a_newer_link(client, mailbox):
    make_user()
    ask_for_reset(client)
    post(client, reset_path(mailbox))
    ask_for_reset(client)
    expired = "This password reset link has expired"
    assert get_page(client, "/password/reset").h1.get_text(strip=True) == expired


def test_the_grant_ends_when_the_link_expires(client, mailbox):
    make_user()
    ask_for_reset(client)
    post(client, reset_path(mailbox))
    with time_machine.travel(now() + timedelta(minutes=61)):
        response = post(
            client, "/password/reset", {"password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD}
        )
    assert "This password reset link has expired" in response.get_data(as_text=True)
    assert sign_in(client, password=GOOD_PASSWORD).location == "/account"


def test_two_concurrent_resets_with_one_grant_set_exactly_one_password(app, db, client, mailbox, monkeypatch):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("row locking is what PostgreSQL gives; SQLite serialises writers")
    make_user()
    ask_for_reset(client)
    post(client, reset_path(mailbox))
    with client.session_transaction() as session:
        grant_id = session["password_reset"]
    barrier = threading.Barrier(2)
    checks = credentials._is_near_neighbour_of_current

    def checked_then_wait(user, password):
        found = checks(user, password)
        barrier.wait()  # both submissions have passed every check before either stores its password
        return found

    monkeypatch.setattr(credentials, "_is_near_neighbour_of_current", checked_then_wait)
    outcomes = []

    def submit(password: str) -> None:
        with app.app_context():
            grant = credentials.reset_grant(grant_id)
            try:
                outcomes.append(credentials.reset_password(grant, password) == [])
            except credentials.ResetGrantEnded:
                outcomes.append(False)
            database.session.remove()

    threads = [threading.Thread(target=submit, args=(pw,)) for pw in (NEW_PASSWORD, THIRD_PASSWORD)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == [False, True]
    user = db.session.scalar(select(User))
    db.session.refresh(user)
    settings = app.config
    matches = [
        passwords.verify_password(user.password_hash, pw, settings) for pw in (NEW_PASSWORD, THIRD_PASSWORD)
    ]
    assert sorted(matches) == [False, True]
