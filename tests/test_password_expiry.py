"""Passwords expire after 60 days: a warning from day 53, a forced change after, then back where you were."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from services import passwords
from services.clock import now
from tests.factories import GOOD_PASSWORD, make_user
from tests.pages import error_messages, get_page, post, post_page
from tests.test_sign_in import sign_in

NEW_PASSWORD = "Marble garden 42 Kettle?"


def test_day_59_has_no_prompt_but_warns_on_your_account(client):
    make_user()
    with time_machine.travel(now() + timedelta(days=59)):
        assert sign_in(client).location == "/account"
        soup = get_page(client, "/account")
        assert "Your password will expire on" in soup.select_one(".govuk-notification-banner").get_text()


def test_no_warning_more_than_7_days_before(client):
    make_user()
    with time_machine.travel(now() + timedelta(days=52)):
        sign_in(client)
        assert get_page(client, "/account").select_one(".govuk-notification-banner") is None


def test_day_61_forces_a_change_before_any_other_page_and_returns_there(client):
    make_user()
    with time_machine.travel(now() + timedelta(days=61)):
        response = sign_in(client, url="/sign-in?next=/send")
        assert response.location == "/send"
        forced = client.get("/send")
        assert forced.location == "/account/password/expired?next=/send"
        assert client.get("/account").location.startswith("/account/password/expired")
        soup = get_page(client, forced.location)
        assert soup.h1.get_text(strip=True) == "Your password has expired"
        assert soup.select_one("main form")["action"] == "/account/password/expired?next=/send"
        assert get_page(client, "/privacy").h1.get_text(strip=True) == "Privacy notice"

        response = post(
            client,
            "/account/password/expired?next=/send",
            {"current_password": GOOD_PASSWORD, "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
        )
        assert response.location == "/send"
        assert client.get("/send").location == "/two-step?next=/send"  # on to the second step


def test_the_forced_change_applies_the_same_rules(client):
    make_user(password="Lantern river 32!")
    with time_machine.travel(now() + timedelta(days=61)):
        sign_in(client, password="Lantern river 32!")
        soup = post_page(
            client,
            "/account/password/expired",
            {
                "current_password": "Lantern river 32!",
                "password": "Lantern river 33!",
                "confirm_password": "Lantern river 33!",
            },
        )
        assert error_messages(soup) == [passwords.SAME_LETTERS]


def test_the_forced_change_never_sends_you_off_site(client):
    make_user()
    with time_machine.travel(now() + timedelta(days=61)):
        sign_in(client)
        response = post(
            client,
            "/account/password/expired?next=https://evil.example/",
            {"current_password": GOOD_PASSWORD, "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
        )
        assert response.location == "/account"


def test_signing_out_still_works_when_expired(client):
    make_user()
    with time_machine.travel(now() + timedelta(days=61)):
        sign_in(client)
        assert post(client, "/sign-out").location == "/signed-out"


class TestExpiryTurnedOff:
    @pytest.fixture
    def app_settings(self):
        return {"PASSWORD_EXPIRY_DAYS": 0}

    def test_no_prompt_however_old_the_password(self, client):
        make_user()
        with time_machine.travel(now() + timedelta(days=400)):
            sign_in(client)
            assert client.get("/account").status_code == 200
            assert get_page(client, "/account").select_one(".govuk-notification-banner") is None
