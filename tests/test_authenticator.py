"""An authenticator app as a stronger second step, with codes by email always available instead."""

from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
import time_machine
from sqlalchemy import select

from models import SecurityEvent, User
from services.clock import now
from tests.factories import GOOD_PASSWORD, make_user
from tests.pages import error_messages, get_page, post, post_page
from tests.test_sign_in import sign_in
from tests.two_step_helpers import code_from, enter, pass_second_step


@pytest.fixture
def family(db, client, mailbox):
    user = make_user()
    user.two_step_email_at = now()
    db.session.commit()
    sign_in(client)
    return user


def app_code(db, user_id: int, at=None) -> str:
    db.session.expire_all()
    secret = db.session.get(User, user_id).totp_secret
    return pyotp.TOTP(secret).at(at or now())


def add_app(client, db, family) -> None:
    get_page(client, "/account/two-step/app")
    response = post(
        client, "/account/two-step/app", {"code": app_code(db, family.id), "password": GOOD_PASSWORD}
    )
    assert response.location == "/account/two-step"


def test_adding_an_app_needs_the_second_step_first(client, family):
    assert client.get("/account/two-step/app").location == "/two-step?next=/account/two-step/app"


def test_the_setup_page_shows_a_qr_code_and_the_key(client, db, family, mailbox):
    pass_second_step(client, mailbox)
    soup = get_page(client, "/account/two-step/app")
    qr_code = soup.select_one(".app-qr-code[role=img]")
    assert qr_code.find("svg") is not None
    assert "QR code" in qr_code["aria-label"]
    key = soup.find(id="secret-key").get_text().replace(" ", "")
    assert key == db.session.get(User, family.id).totp_secret
    assert soup.find(id="code")["autocomplete"] == "one-time-code"


def test_the_app_is_added_with_a_code_and_the_password(client, db, family, mailbox):
    pass_second_step(client, mailbox)
    get_page(client, "/account/two-step/app")
    wrong_code = "000000" if app_code(db, family.id) != "000000" else "111111"
    wrong = post_page(client, "/account/two-step/app", {"code": wrong_code, "password": GOOD_PASSWORD})
    assert error_messages(wrong) == ["The code is not correct"]
    bad_password = post_page(
        client, "/account/two-step/app", {"code": app_code(db, family.id), "password": "Wrong 7 words!"}
    )
    assert error_messages(bad_password) == ["Your password is not correct"]
    add_app(client, db, family)
    assert "Your authenticator app has been added" in get_page(client, "/account/two-step").get_text()
    db.session.expire_all()
    assert db.session.get(User, family.id).has_authenticator
    assert "authenticator_on" in db.session.scalars(select(SecurityEvent.kind)).all()
    assert (
        mailbox.wait_for("parent@example.com", 2)[-1]["Subject"]
        == "Your Citizen Portal sign-in settings have changed"
    )


def test_signing_in_with_the_app_and_a_code_cannot_be_used_twice(app, client, db, family, mailbox):
    pass_second_step(client, mailbox)
    add_app(client, db, family)
    post(client, "/sign-out")
    later = now() + timedelta(seconds=31)
    with time_machine.travel(later):
        sign_in(client)
        soup = get_page(client, "/two-step/code?next=/send")
        assert soup.h1.get_text(strip=True) == "Enter the code from your authenticator app"
        assert soup.find("button", string="Email me a code instead")
        code = app_code(db, family.id, later)
        assert enter(client, code).location == "/send"
        post(client, "/sign-out")
        sign_in(client)
        assert error_messages(post_page(client, "/two-step/code", {"code": code})) == [
            "The code is not correct"
        ]


def test_email_me_a_code_instead_is_always_there(client, db, family, mailbox):
    pass_second_step(client, mailbox)
    add_app(client, db, family)
    post(client, "/sign-out")
    sign_in(client)
    assert post(client, "/two-step/email-instead?next=/send").location == "/two-step/code?next=/send"
    assert get_page(client, "/two-step/code?next=/send").h1.get_text(strip=True) == "Check your email"
    assert enter(client, code_from(mailbox, count=3)).location == "/send"


def test_repeated_wrong_app_codes_lock_the_app_for_a_while(client, db, family, mailbox):
    pass_second_step(client, mailbox)
    add_app(client, db, family)
    post(client, "/sign-out")
    sign_in(client)
    right = app_code(db, family.id, now() + timedelta(seconds=30))
    wrong = "000000" if right != "000000" else "111111"
    for _ in range(5):
        assert error_messages(post_page(client, "/two-step/code", {"code": wrong})) == [
            "The code is not correct"
        ]
    locked = error_messages(post_page(client, "/two-step/code", {"code": wrong}))
    assert locked[0].startswith("You entered the wrong code too many times: use a code sent by email instead")
    assert "authenticator_locked" in db.session.scalars(select(SecurityEvent.kind)).all()


def test_removing_the_app_needs_the_password(client, db, family, mailbox):
    pass_second_step(client, mailbox)
    add_app(client, db, family)
    soup = post_page(client, "/account/two-step/app/remove", {"password": "Wrong 7 words!"})
    assert error_messages(soup) == ["Your password is not correct"]
    assert (
        post(client, "/account/two-step/app/remove", {"password": GOOD_PASSWORD}).location
        == "/account/two-step"
    )
    assert not db.session.get(User, family.id).has_authenticator
    assert "authenticator_off" in db.session.scalars(select(SecurityEvent.kind)).all()
