"""Signing in and out: one message for every failure, lockout, fresh sessions and their limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from sqlalchemy import select

from models import SignInThrottle
from services.clock import now
from tests.factories import GOOD_PASSWORD, make_user
from tests.pages import error_messages, get_page, post, post_page

GENERIC = ["Enter a correct email address and password"]


def sign_in(client, email: str = "parent@example.com", password: str = GOOD_PASSWORD, url: str = "/sign-in"):
    return post(client, url, {"email": email, "password": password})


def test_signing_in_lands_on_your_account_with_the_send_button(client, app):
    make_user()
    assert sign_in(client).location == "/account"
    soup = get_page(client, "/account")
    assert soup.h1.get_text(strip=True) == "Your account"
    send = soup.select_one("a.govuk-button--start")
    assert send.get_text(strip=True) == "SEND"
    assert send["href"] == "/send"
    assert "parent@example.com" in soup.select_one(".govuk-summary-list").get_text()
    assert soup.select_one('form[action="/sign-out"] button').get_text(strip=True) == "Sign out"


def test_the_send_button_leads_to_the_two_step_explanation(client):
    make_user()
    sign_in(client)
    assert client.get("/send").location == "/two-step?next=/send"
    soup = get_page(client, "/two-step?next=/send")
    assert soup.h1.get_text(strip=True) == "This area requires two-step verification"
    assert "you will receive a unique code each time you log in" in soup.get_text()


def test_unknown_email_and_wrong_password_get_the_same_page(client):
    make_user()
    wrong_password = post_page(
        client, "/sign-in", {"email": "parent@example.com", "password": "Wrong pass 7!"}
    )
    unknown = post_page(client, "/sign-in", {"email": "stranger@example.com", "password": "Wrong pass 7!"})
    assert error_messages(wrong_password) == error_messages(unknown) == GENERIC
    assert wrong_password.main.get_text() == unknown.main.get_text().replace("stranger", "parent")
    assert not wrong_password.find(id="password").get("value")


def test_empty_fields_are_named(client):
    soup = post_page(client, "/sign-in", {"email": "", "password": ""})
    assert error_messages(soup) == ["Enter your email address", "Enter your password"]


def test_an_account_not_yet_activated_is_told_how_only_with_the_right_password(client, mailbox):
    make_user(activated=False)
    assert (
        error_messages(
            post_page(client, "/sign-in", {"email": "parent@example.com", "password": "Nope 7 nope!"})
        )
        == GENERIC
    )
    response = sign_in(client)
    assert response.location == "/register/check-email?activate_first=1"
    soup = get_page(client, response.location)
    assert soup.h1.get_text(strip=True) == "Activate your account"
    assert "parent@example.com" in soup.get_text()
    assert client.get("/account").status_code == 302


def test_five_wrong_passwords_lock_the_account_for_15_minutes_and_email_the_holder(client, db, mailbox):
    make_user()
    for _ in range(4):
        assert (
            error_messages(
                post_page(client, "/sign-in", {"email": "parent@example.com", "password": "Bad 7 guess!"})
            )
            == GENERIC
        )
    soup = post_page(client, "/sign-in", {"email": "parent@example.com", "password": "Bad 7 guess!"})
    assert soup.h1.get_text(strip=True) == "Sign-in is locked for now"
    [email] = mailbox.wait_for("parent@example.com")
    assert email["Subject"] == "Sign-in to your Citizen Portal account has been locked"
    assert "15 minutes" in mailbox.text(email)

    assert sign_in(client).status_code == 200  # the right password is refused while locked
    with time_machine.travel(now() + timedelta(minutes=14)):
        assert sign_in(client).status_code == 200
    with time_machine.travel(now() + timedelta(minutes=16)):
        assert sign_in(client).location == "/account"


def test_unknown_addresses_lock_the_same_way_so_nothing_is_revealed(client, mailbox):
    for _ in range(5):
        soup = post_page(client, "/sign-in", {"email": "stranger@example.com", "password": "Bad 7 guess!"})
    assert soup.h1.get_text(strip=True) == "Sign-in is locked for now"
    assert mailbox.to("stranger@example.com") == []


def test_a_successful_sign_in_clears_the_failure_count(client, db):
    make_user()
    for _ in range(4):
        post(client, "/sign-in", {"email": "parent@example.com", "password": "Bad 7 guess!"})
    sign_in(client)
    assert db.session.scalars(select(SignInThrottle)).all() == []


def test_the_throttle_table_names_no_one(client, db):
    post(client, "/sign-in", {"email": "parent@example.com", "password": "Bad 7 guess!"})
    [row] = db.session.scalars(select(SignInThrottle)).all()
    assert "parent" not in row.email_digest


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def test_the_session_changes_at_sign_in_and_the_old_one_gains_nothing(client, app):
    make_user()
    get_page(client, "/sign-in")
    before = session_cookie(client)
    sign_in(client)
    assert session_cookie(client) != before
    other = app.test_client()  # same isolated client class
    other.set_cookie("session", before)
    assert other.get("/account").status_code == 302


def test_signing_out_ends_the_session_on_the_server(client, app):
    make_user()
    sign_in(client)
    signed_in_cookie = session_cookie(client)
    response = post(client, "/sign-out")
    assert response.location == "/signed-out"
    assert get_page(client, "/signed-out").h1.get_text(strip=True) == "You have signed out"
    replay = app.test_client()
    replay.set_cookie("session", signed_in_cookie)
    assert replay.get("/account").location.startswith("/sign-in")


def test_sign_out_must_be_a_post(client):
    make_user()
    sign_in(client)
    assert client.get("/sign-out").status_code == 405


def test_the_session_ends_after_30_idle_minutes(client):
    make_user()
    sign_in(client)
    with time_machine.travel(now() + timedelta(minutes=29)):
        assert client.get("/account").status_code == 200
    with time_machine.travel(now() + timedelta(minutes=29 + 31)):
        response = client.get("/account")
        assert response.location.startswith("/sign-in")
        soup = get_page(client, "/sign-in")
        assert "had not used the portal for 30 minutes" in soup.select_one(".govuk-inset-text").get_text()


def test_the_session_ends_after_12_hours_however_busy(client):
    make_user()
    sign_in(client)
    start = now()
    for minutes in range(20, 12 * 60, 20):
        with time_machine.travel(start + timedelta(minutes=minutes)):
            assert client.get("/account").status_code == 200
    with time_machine.travel(start + timedelta(hours=12, minutes=1)):
        assert client.get("/account").location.startswith("/sign-in")


@pytest.mark.parametrize(
    "target, expected",
    [
        ("/send", "/send"),
        ("https://evil.example/", "/account"),
        ("//evil.example/", "/account"),
        ("/\\evil.example", "/account"),
    ],
)
def test_next_only_leads_to_pages_of_this_site(client, target, expected):
    make_user()
    assert sign_in(client, url=f"/sign-in?next={target}").location == expected


def test_signed_in_pages_need_sign_in_and_come_back_after(client):
    make_user()
    response = client.get("/send")
    assert response.location == "/sign-in?next=%2Fsend"
    assert sign_in(client, url="/sign-in?next=%2Fsend").location == "/send"


def test_no_remember_me_cookie_is_ever_set(client):
    make_user()
    response = sign_in(client)
    assert "remember_token" not in response.headers.get("Set-Cookie", "")
