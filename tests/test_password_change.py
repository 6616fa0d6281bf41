"""Changing a password: the guide's rules, history of 10, no simple change, other sessions end."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import PasswordHistory, User
from services import passwords
from tests.factories import GOOD_PASSWORD, make_user
from tests.pages import error_messages, field_error, get_page, post, post_page
from tests.test_sign_in import sign_in

NEW_PASSWORD = "Marble garden 42 Kettle?"
TEN_NEW_PASSWORDS = [
    f"{word} orchard {n} Ribbon!"
    for n, word in enumerate(
        [
            "Walnut",
            "Pebble",
            "Copper",
            "Meadow",
            "Thistle",
            "Harbour",
            "Saffron",
            "Glacier",
            "Bramble",
            "Velvet",
        ]
    )
]


def change(client, new: str, current: str = GOOD_PASSWORD, url: str = "/account/password"):
    return post(client, url, {"current_password": current, "password": new, "confirm_password": new})


@pytest.fixture
def family(client):
    user = make_user()
    sign_in(client)
    return user


def test_the_change_page_asks_for_current_new_and_confirm(client, family):
    soup = get_page(client, "/account/password")
    assert [field["name"] for field in soup.select("form input[type=password]")] == [
        "current_password",
        "password",
        "confirm_password",
    ]
    assert soup.find(id="current_password")["autocomplete"] == "current-password"
    assert soup.find(id="password")["autocomplete"] == "new-password"


def test_a_genuinely_new_password_is_accepted_and_the_holder_is_emailed(client, db, family, mailbox):
    response = change(client, NEW_PASSWORD)
    assert response.location == "/account"
    soup = get_page(client, "/account")
    assert "Your password has been changed" in soup.select_one(".govuk-notification-banner").get_text()
    user = db.session.get(User, family.id)
    assert passwords.verify_password(user.password_hash, NEW_PASSWORD, {**client.application.config})
    [email] = mailbox.wait_for("parent@example.com")
    assert email["Subject"] == "Your Citizen Portal password has been changed"
    assert "/password/forgotten" in mailbox.text(email)


def test_the_current_password_must_be_right(client, db, family):
    soup = post_page(
        client,
        "/account/password",
        {"current_password": "Wrong 7 words!", "password": NEW_PASSWORD, "confirm_password": NEW_PASSWORD},
    )
    assert error_messages(soup) == ["Your current password is not correct"]
    assert passwords.verify_password(
        db.session.get(User, family.id).password_hash, GOOD_PASSWORD, client.application.config
    )


def test_the_registration_rules_apply(client, family):
    soup = post_page(
        client,
        "/account/password",
        {"current_password": GOOD_PASSWORD, "password": "short", "confirm_password": "short"},
    )
    assert "Password must be 10 characters or more" in error_messages(soup)
    assert "Password must include a number" in field_error(soup, "password")


def test_the_same_password_is_refused_as_one_of_the_last_10(client, family):
    soup = post_page(
        client,
        "/account/password",
        {"current_password": GOOD_PASSWORD, "password": GOOD_PASSWORD, "confirm_password": GOOD_PASSWORD},
    )
    assert error_messages(soup) == ["Password must not be one of your last 10 passwords"]


@pytest.mark.parametrize(
    "previous, new, message",
    [
        ("Lantern river 32!", "lANTERN RIVER 32!", passwords.SAME_IGNORING_CASE),
        ("Lantern river 32!", "Lantern river 33!", passwords.SAME_LETTERS),
        ("Lantern river!!", "Lantern river 12", passwords.SAME_LETTERS),
        ("Lantern river 32!", "Lantern rover 32?", passwords.TOO_FEW_EDITS),
    ],
)
def test_the_three_kinds_of_simple_change_are_refused_by_name(client, db, previous, new, message):
    make_user(password=previous)
    sign_in(client, password=previous)
    soup = post_page(
        client, "/account/password", {"current_password": previous, "password": new, "confirm_password": new}
    )
    assert error_messages(soup) == [message]


def test_the_seed_example_is_a_simple_change():
    assert passwords.simple_change_errors("Password32!", "Password33!") == [passwords.SAME_LETTERS]
    assert passwords.simple_change_errors("Password!!", "Password12") == [passwords.SAME_LETTERS]
    assert passwords.simple_change_errors("Lantern river 32!", NEW_PASSWORD) == []


def test_three_edits_away_is_not_a_simple_change():
    assert passwords.simple_change_errors("Lantern river 32!", "Lantern rover 32?x") == []


def test_the_eleventh_oldest_password_is_accepted_again(client, db, family):
    current = GOOD_PASSWORD
    for new in TEN_NEW_PASSWORDS:
        assert change(client, new, current).location == "/account", new
        current = new
    # GOOD_PASSWORD is now the 11th most recent: allowed again
    assert change(client, GOOD_PASSWORD, current).location == "/account"
    assert (
        db.session.scalars(select(PasswordHistory).where(PasswordHistory.user_id == family.id))
        .all()
        .__len__()
        == 10
    )


def test_the_tenth_most_recent_is_still_refused(client, family):
    current = GOOD_PASSWORD
    for new in TEN_NEW_PASSWORDS[:9]:
        assert change(client, new, current).location == "/account", new
        current = new
    soup = post_page(
        client,
        "/account/password",
        {"current_password": current, "password": GOOD_PASSWORD, "confirm_password": GOOD_PASSWORD},
    )
    assert error_messages(soup) == ["Password must not be one of your last 10 passwords"]


def test_changing_the_password_ends_every_other_session_but_keeps_this_one(app, client, family):
    other_device = app.test_client()
    sign_in(other_device)
    assert other_device.get("/account").status_code == 200
    change(client, NEW_PASSWORD)
    assert client.get("/account").status_code == 200
    assert other_device.get("/account").location.startswith("/sign-in")


def test_the_checklist_uses_the_signed_in_email(client, family):
    html = post(client, "/register/password/check", {"password": "Parent river 7 walk!"}).get_data(
        as_text=True
    )
    assert "Not yet: </span>different from your email address" in html
