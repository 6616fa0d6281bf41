"""Two-step verification: turning it on, a code at every sign-in, and the code rules of the guide."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from flask import current_app
from sqlalchemy import select

from extensions import db as database
from models import SecurityCode, SecurityEvent, User
from services import mailer, passwords, two_step
from services.clock import now
from tests.concurrency import run_together
from tests.factories import GOOD_PASSWORD, make_user
from tests.pages import error_messages, field_error, get_page, post, post_page
from tests.test_sign_in import sign_in
from tests.two_step_helpers import code_from, enter, pass_second_step, turn_on


@pytest.fixture
def family(client):
    user = make_user()
    sign_in(client)
    return user


@pytest.fixture
def verified_family(db, client, family):
    """A family with codes by email already on, signed in but not through the second step."""
    family.two_step_email_at = now()
    db.session.commit()
    return family


def test_send_without_two_step_explains_it_and_shows_the_address(client, family):
    assert client.get("/send").location == "/two-step?next=/send"
    soup = get_page(client, "/two-step?next=/send")
    assert soup.h1.get_text(strip=True) == "This area requires two-step verification"
    assert "parent@example.com" in soup.main.get_text()
    assert soup.find(id="password")["autocomplete"] == "current-password"


def test_turning_it_on_needs_the_password(client, family, mailbox):
    soup = post_page(client, "/two-step?next=/send", {"password": "Wrong 7 words!"})
    assert error_messages(soup) == ["Your password is not correct"]
    assert mailbox.to("parent@example.com") == []


def test_turning_it_on_confirms_the_address_with_a_code_and_lets_the_family_in(client, db, family, mailbox):
    response = post(client, "/two-step?next=/send", {"password": GOOD_PASSWORD})
    assert response.location == "/two-step/code?next=/send"
    soup = get_page(client, response.location)
    assert soup.h1.get_text(strip=True) == "Check your email"
    assert "parent@example.com" in soup.main.get_text()
    assert "junk or spam" in soup.main.get_text()
    code_input = soup.find(id="code")
    assert (code_input["autocomplete"], code_input["inputmode"], code_input["type"]) == (
        "one-time-code",
        "numeric",
        "text",
    )
    assert enter(client, code_from(mailbox)).location == "/send"
    assert get_page(client, "/send").h1.get_text(strip=True) == "SEND: your children and requests"
    user = db.session.get(User, family.id)
    assert user.two_step_email_at is not None
    kinds = db.session.scalars(select(SecurityEvent.kind)).all()
    assert kinds == ["two_step_on"]
    turned_on = mailbox.wait_for("parent@example.com", 2)[-1]
    assert turned_on["Subject"] == "Your Citizen Portal sign-in settings have changed"


def test_every_sign_in_needs_a_fresh_code(app, client, db, verified_family, mailbox):
    pass_second_step(client, mailbox)
    post(client, "/sign-out")
    sign_in(client)
    assert client.get("/send").location == "/two-step?next=/send"
    assert client.get("/two-step?next=/send").location == "/two-step/code?next=/send"
    pass_second_step(client, mailbox, count=2)


def test_the_code_email_holds_the_code_and_its_expiry_and_no_personal_details(
    client, verified_family, mailbox
):
    client.get("/two-step/code")
    message = mailbox.wait_for("parent@example.com")[0]
    text = mailbox.text(message)
    assert code_from(mailbox) in text
    assert "It can be used once, until" in text
    assert "an hour" in text
    for detail in ("Morgan", "High Street", "TA1 1HE"):
        assert detail not in text and detail not in mailbox.html(message)


def test_the_code_is_stored_as_a_keyed_hmac(client, db, verified_family, mailbox):
    client.get("/two-step/code")
    code = code_from(mailbox)
    stored = db.session.scalar(select(SecurityCode))
    assert code not in stored.code_hash
    assert re.fullmatch(r"[0-9a-f]{64}", stored.code_hash)


def test_a_stored_code_copied_to_another_row_lets_nothing_in(client, db, verified_family, mailbox):
    client.get("/two-step/code")
    first_code = code_from(mailbox)
    post(client, "/two-step/code/new")
    first, second = db.session.scalars(select(SecurityCode).order_by(SecurityCode.id)).all()
    second.code_hash = first.code_hash
    db.session.commit()
    assert error_messages(post_page(client, "/two-step/code", {"code": first_code})) == [
        "The code is not correct"
    ]


def test_a_stored_code_is_worthless_without_its_key(app, client, verified_family, mailbox, monkeypatch):
    monkeypatch.setitem(app.config, "TWO_STEP_CODE_KEY", "the key the code was stored with")
    client.get("/two-step/code")
    code = code_from(mailbox)
    monkeypatch.setitem(app.config, "TWO_STEP_CODE_KEY", "another key")
    assert error_messages(post_page(client, "/two-step/code", {"code": code})) == ["The code is not correct"]
    monkeypatch.setitem(app.config, "TWO_STEP_CODE_KEY", "the key the code was stored with")
    assert enter(client, code).location == "/send"


def stored_as_argon2id(db, code: str) -> None:
    """The session's code as codes were stored before they were an HMAC: an argon2id hash."""
    row = db.session.scalar(select(SecurityCode))
    row.code_hash = passwords.hash_password(code, current_app.config)
    db.session.commit()


def test_a_code_stored_as_argon2id_still_works(client, db, verified_family, mailbox):
    client.get("/two-step/code")
    stored_as_argon2id(db, "123456")
    assert error_messages(post_page(client, "/two-step/code", {"code": "654321"})) == [
        "The code is not correct"
    ]
    assert enter(client, "123 456").location == "/send"


def test_a_code_stored_as_argon2id_expires_at_61_minutes(client, db, verified_family, mailbox):
    start = now()
    client.get("/two-step/code")
    stored_as_argon2id(db, "123456")
    keep_session_alive(client, start)
    with time_machine.travel(start + timedelta(minutes=61)):
        assert error_messages(post_page(client, "/two-step/code", {"code": "123456"})) == [
            "The code has expired: request a new one"
        ]


@pytest.mark.parametrize("typed", ["{0} {1}", "{0}-{1}", " {0}{1} ", "{0} – {1}"])
def test_spaces_and_hyphens_are_allowed(client, db, verified_family, mailbox, typed):
    client.get("/two-step/code")
    code = code_from(mailbox)
    formatted = typed.format(code[:3], code[3:])
    assert enter(client, formatted).location == "/send"


@pytest.mark.parametrize(
    "typed, message",
    [
        ("", "Enter the code"),
        ("12345", "The code must be 6 numbers"),
        ("abcdef", "The code must be 6 numbers"),
    ],
)
def test_badly_formed_entries_get_the_security_code_messages(
    client, verified_family, mailbox, typed, message
):
    client.get("/two-step/code")
    soup = post_page(client, "/two-step/code?next=/send", {"code": typed})
    assert error_messages(soup) == [message]
    assert field_error(soup, "code") == f"Error: {message}"
    assert soup.title.get_text().startswith("Error: Check your email")


def test_a_code_is_accepted_once(app, client, verified_family, mailbox):
    client.get("/two-step/code")
    code = code_from(mailbox)
    assert enter(client, code).location == "/send"
    post(client, "/sign-out")
    sign_in(client)
    client.get("/two-step/code")  # a new code is sent to this new session
    assert error_messages(post_page(client, "/two-step/code", {"code": code})) == ["The code is not correct"]


def keep_session_alive(client, start) -> None:
    """The session's idle limit is 30 minutes: look at the page at 20 and 40 minutes meanwhile."""
    for waited in (20, 40):
        with time_machine.travel(start + timedelta(minutes=waited)):
            assert client.get("/two-step/code").status_code == 200


def test_a_code_works_at_59_minutes(client, verified_family, mailbox):
    start = now()
    client.get("/two-step/code")
    code = code_from(mailbox)
    keep_session_alive(client, start)
    with time_machine.travel(start + timedelta(minutes=59)):
        assert enter(client, code).location == "/send"


def test_a_code_has_expired_at_61_minutes(client, verified_family, mailbox):
    start = now()
    client.get("/two-step/code")
    code = code_from(mailbox)
    keep_session_alive(client, start)
    with time_machine.travel(start + timedelta(minutes=61)):
        assert error_messages(post_page(client, "/two-step/code", {"code": code})) == [
            "The code has expired: request a new one"
        ]
    assert len(mailbox.to("parent@example.com")) == 1  # looking at the page sent no new code


def test_five_wrong_entries_are_allowed_and_the_sixth_voids_the_code(client, db, verified_family, mailbox):
    client.get("/two-step/code")
    code = code_from(mailbox)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        assert error_messages(post_page(client, "/two-step/code", {"code": wrong})) == [
            "The code is not correct"
        ]
    assert error_messages(post_page(client, "/two-step/code", {"code": wrong})) == [
        "You entered the wrong code too many times: request a new one"
    ]
    assert error_messages(post_page(client, "/two-step/code", {"code": code})) == [
        "You entered the wrong code too many times: request a new one"
    ]
    assert "code_voided" in db.session.scalars(select(SecurityEvent.kind)).all()


def test_five_wrong_entries_then_the_right_code_still_works(client, verified_family, mailbox):
    client.get("/two-step/code")
    code = code_from(mailbox)
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        post(client, "/two-step/code", {"code": wrong})
    assert enter(client, code).location == "/send"


def test_a_newer_code_cancels_the_older(client, verified_family, mailbox):
    client.get("/two-step/code")
    first = code_from(mailbox)
    assert post(client, "/two-step/code/new?next=/send").location == "/two-step/code?next=/send"
    soup = get_page(client, "/two-step/code?next=/send")
    assert "We have sent a new code" in soup.select_one("[role=status]").get_text()
    second = code_from(mailbox, count=2)
    if first != second:
        assert error_messages(post_page(client, "/two-step/code", {"code": first})) == [
            "The code is not correct"
        ]
    assert enter(client, second).location == "/send"


def test_at_most_5_codes_in_15_minutes_and_the_page_says_when_another_can_be_sent(
    client, verified_family, mailbox
):
    client.get("/two-step/code")
    for _ in range(4):
        post(client, "/two-step/code/new")
    assert len(mailbox.wait_for("parent@example.com", 5)) == 5
    post(client, "/two-step/code/new")
    soup = get_page(client, "/two-step/code")
    assert "You have asked for too many codes. You can ask for another at" in soup.get_text()
    assert len(mailbox.to("parent@example.com")) == 5
    with time_machine.travel(now() + timedelta(minutes=16)):
        post(client, "/two-step/code/new")
        assert len(mailbox.wait_for("parent@example.com", 6)) == 6


def test_reloading_the_code_page_does_not_send_another_code(client, verified_family, mailbox):
    for _ in range(3):
        client.get("/two-step/code")
    code_from(mailbox)
    assert len(mailbox.to("parent@example.com")) == 1


def test_a_code_sent_to_one_browser_cannot_be_used_in_another(app, client, verified_family, mailbox):
    client.get("/two-step/code")
    code = code_from(mailbox)
    other = app.test_client()
    sign_in(other)
    assert error_messages(post_page(other, "/two-step/code", {"code": code})) == [
        "There is no code waiting to be used: request a new one"
    ]


def test_passing_the_step_changes_the_session(app, client, verified_family, mailbox):
    client.get("/two-step/code")
    before = client.get_cookie("session").value
    enter(client, code_from(mailbox))
    assert client.get_cookie("session").value != before
    replay = app.test_client()
    replay.set_cookie("session", before)
    assert replay.get("/send").location.startswith("/two-step")


def test_with_htmx_an_error_swaps_only_the_form_and_success_redirects(client, verified_family, mailbox):
    client.get("/two-step/code")
    headers = {"HX-Request": "true"}
    response = post(client, "/two-step/code?next=/send", {"code": "12"}, headers=headers)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html and html.lstrip().startswith("<title>Error: Check your email – ")
    assert '<div id="code-form">' in html  # htmx takes the page title from the root-level title
    assert "The code must be 6 numbers" in html
    assert 'role="alert"' in html
    response = post(client, "/two-step/code?next=/send", {"code": code_from(mailbox)}, headers=headers)
    assert response.headers["HX-Redirect"] == "/send"


def test_two_concurrent_submissions_of_one_code_let_exactly_one_in(app, db, verified_family, mailbox):
    sent = two_step.send_code(verified_family, "sign_in")
    mailer.send_committed()
    code_id, user_id = sent.code.id, verified_family.id
    code = code_from(mailbox)

    def submit(ready) -> bool:
        with app.app_context():
            user = database.session.get(User, user_id)
            ready()
            passed = two_step.check_code(user, code_id, code).ok
            database.session.remove()
            return passed

    assert sorted(run_together(submit, [(), ()])) == [False, True]


class TestStaff:
    def test_staff_go_through_the_second_step_before_any_page(self, app, client, db, mailbox):
        result = app.test_cli_runner().invoke(
            args=["staff", "create", "officer@somerset.gov.uk", "--name", "Pat Officer", "--password-stdin"],
            input=f"{GOOD_PASSWORD}\n",
        )
        assert result.exit_code == 0
        sign_in(client, email="officer@somerset.gov.uk")
        assert client.get("/account").location == "/two-step?next=/account"
        assert client.get("/account", headers={"HX-Request": "true"}).status_code == 403
        assert client.get("/two-step?next=/account").location == "/two-step/code?next=/account"
        assert get_page(client, "/two-step/code?next=/account").h1.get_text(strip=True) == "Check your email"
        code = code_from(mailbox, "officer@somerset.gov.uk")
        assert enter(client, code, next_url="/account").location == "/account"
        assert client.get("/account").status_code == 200

    def test_staff_cannot_turn_off_codes_by_email(self, app, client, db, mailbox):
        make_user("officer@somerset.gov.uk", role="staff")
        staff = db.session.scalar(select(User))
        staff.two_step_email_at = now()
        db.session.commit()
        sign_in(client, email="officer@somerset.gov.uk")
        client.get("/two-step/code")
        enter(client, code_from(mailbox, "officer@somerset.gov.uk"))
        assert client.get("/account/two-step/email/off").location == "/account/two-step"
        mailbox.clear()
        # Posting the form as a family would, with the right password, changes nothing either.
        turned_off = post(client, "/account/two-step/email/off", {"password": GOOD_PASSWORD})
        assert turned_off.location == "/account/two-step"
        db.session.expire_all()
        assert db.session.get(User, staff.id).two_step_email_at is not None
        assert mailbox.to("officer@somerset.gov.uk") == []
        assert client.get("/account").status_code == 200  # still past the second step


def test_turning_email_codes_off_needs_the_password_and_tells_the_holder(
    client, db, verified_family, mailbox
):
    soup = post_page(client, "/account/two-step/email/off", {"password": "Wrong 7 words!"})
    assert error_messages(soup) == ["Your password is not correct"]
    response = post(client, "/account/two-step/email/off", {"password": GOOD_PASSWORD})
    assert response.location == "/account/two-step"
    assert db.session.get(User, verified_family.id).two_step_email_at is None
    assert (
        mailbox.wait_for("parent@example.com")[-1]["Subject"]
        == "Your Citizen Portal sign-in settings have changed"
    )
    assert client.get("/two-step?next=/send").status_code == 200  # asked to turn it on again


def test_your_account_lists_security_events_without_secrets(client, db, family, mailbox):
    turn_on(client, mailbox, GOOD_PASSWORD)
    soup = get_page(client, "/account")
    rows = [row.get_text(" ", strip=True) for row in soup.select("table tbody tr")]
    assert len(rows) == 1
    assert rows[0].endswith("Two-step verification by email turned on")
