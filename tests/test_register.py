"""Registering in three steps, with everything typed kept on the server, and the emails it sends."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import OutboxMessage, RegistrationDraft, User
from tests.factories import GOOD_PASSWORD, make_user
from tests.pages import error_messages, field_error, get_page, post, post_page

DETAILS = {
    "title": "Ms",
    "first_name": "Sam",
    "last_name": "Jones",
    "address_line_1": "1 High Street",
    "address_line_2": "",
    "town": "Taunton",
    "postcode": "ta1 1he",
    "phone": "+44 (0)7700-900982",
}


def register_until_password(client, email: str = "sam@example.com") -> None:
    response = post(client, "/register", {"email": email, "confirm_email": email})
    assert response.location == "/register/details"
    response = post(client, "/register/details", DETAILS)
    assert response.location == "/register/password"


def register(client, email: str = "sam@example.com", password: str = GOOD_PASSWORD):
    register_until_password(client, email)
    return post(client, "/register/password", {"password": password, "confirm_password": password})


def test_the_start_page_offers_register_and_sign_in(client):
    soup = get_page(client, "/")
    links = {a.get_text(strip=True): a["href"] for a in soup.select("main a")}
    assert links["Register"] == "/register"
    assert links["Sign in"] == "/sign-in"


def test_a_new_family_registers_and_gets_an_activation_email(client, db, mailbox):
    response = register(client)
    assert response.location == "/register/check-email"
    soup = get_page(client, "/register/check-email")
    text = soup.main.get_text(" ")
    assert "sam@example.com" in text
    assert "junk or spam" in text

    user = db.session.scalar(select(User).where(User.email == "sam@example.com"))
    assert (user.first_name, user.postcode, user.phone) == ("Sam", "TA1 1HE", "07700 900982")
    assert user.activated_at is None
    assert user.password_hash.startswith("$argon2id$")

    [email] = mailbox.wait_for("sam@example.com")
    assert email["From"] == "onlineadmissions@somerset.gov.uk"
    assert email["Subject"] == "Activate your Citizen Portal account"
    assert email.get_body(("html",)) is not None
    [link] = [link for link in mailbox.links(email) if "/activate/" in link]
    assert link.startswith("http://localhost/activate/")
    assert db.session.scalars(select(RegistrationDraft)).all() == []


def test_emails_must_match_and_be_well_formed(client):
    soup = post_page(client, "/register", {"email": "sam@example", "confirm_email": "other@example.com"})
    assert error_messages(soup) == [
        "Enter an email address in the correct format, like name@example.com",
        "Email addresses must match",
    ]
    assert soup.find(id="email")["value"] == "sam@example"
    assert soup.title.get_text().startswith("Error: Create an account")


def test_missing_details_are_named_and_what_was_typed_is_kept(client):
    post(client, "/register", {"email": "sam@example.com", "confirm_email": "sam@example.com"})
    soup = post_page(
        client, "/register/details", {**DETAILS, "last_name": "", "postcode": "TA1", "phone": "12"}
    )
    assert error_messages(soup) == [
        "Enter your last name",
        "Enter a full UK postcode, like TA1 1HE",
        "Enter a UK phone number, like 01823 355000 or 07700 900982",
    ]
    assert soup.find(id="first_name")["value"] == "Sam"
    assert soup.find(id="town")["value"] == "Taunton"
    assert soup.find(id="postcode")["value"] == "TA1"


def test_going_back_shows_earlier_answers(client):
    register_until_password(client)
    assert get_page(client, "/register").find(id="email")["value"] == "sam@example.com"
    soup = get_page(client, "/register/details")
    assert soup.find(id="first_name")["value"] == "Sam"
    assert soup.find(id="postcode")["value"] == "TA1 1HE"


def test_required_fields_carry_an_asterisk_and_optional_ones_say_so(client):
    post(client, "/register", {"email": "sam@example.com", "confirm_email": "sam@example.com"})
    soup = get_page(client, "/register/details")
    first_name_label = soup.find("label", attrs={"for": "first_name"})
    assert first_name_label.select_one(".app-required[aria-hidden=true]").get_text() == "*"
    assert "(required)" in first_name_label.select_one(".govuk-visually-hidden").get_text()
    assert soup.find("label", attrs={"for": "phone"}).get_text(" ", strip=True).endswith("(optional)")


def test_later_steps_send_you_back_when_earlier_ones_are_missing(client):
    assert client.get("/register/details").location == "/register"
    assert client.get("/register/password").location == "/register"


def test_a_refused_password_names_every_broken_rule(client, db):
    register_until_password(client)
    soup = post_page(client, "/register/password", {"password": "password", "confirm_password": "password"})
    messages = error_messages(soup)
    assert "Password must be 10 characters or more" in messages
    assert "Password must include an uppercase letter" in messages
    assert "Password must include a number" in messages
    assert "Password must not be a commonly used password, like Password123!" in messages
    assert "Password must include an uppercase letter" in field_error(soup, "password")
    assert db.session.scalars(select(User)).all() == []


def test_the_seed_example_is_refused_as_common(client):
    register_until_password(client)
    soup = post_page(
        client, "/register/password", {"password": "Password32!", "confirm_password": "Password32!"}
    )
    assert error_messages(soup) == ["Password must not be a commonly used password, like Password123!"]


def test_a_129_character_password_gets_a_message_and_the_field_has_no_maxlength(client):
    register_until_password(client)
    too_long = ("Teapot river 7 Lantern! " * 6)[:129]
    soup = post_page(client, "/register/password", {"password": too_long, "confirm_password": too_long})
    assert error_messages(soup) == ["Password must be 128 characters or fewer"]
    assert not soup.find(id="password").has_attr("maxlength")
    assert soup.find(id="password")["autocomplete"] == "new-password"


def test_passwords_must_match(client):
    register_until_password(client)
    soup = post_page(
        client, "/register/password", {"password": GOOD_PASSWORD, "confirm_password": "Other 7 words!"}
    )
    assert error_messages(soup) == ["Passwords must match"]


def test_the_checklist_fragment_ticks_rules_as_they_are_met(client):
    register_until_password(client)
    response = post(
        client, "/register/password/check", {"password": "teapot"}, headers={"HX-Request": "true"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert 'item--met"><span class="govuk-visually-hidden">Done: </span>at least one lowercase letter' in html
    assert 'item--unmet"><span class="govuk-visually-hidden">Not yet: </span>10 to 128 characters' in html
    good = post(client, "/register/password/check", {"password": GOOD_PASSWORD}).get_data(as_text=True)
    assert "item--unmet" not in good


def test_the_checklist_knows_the_email_being_registered(client):
    register_until_password(client, email="lanternfan@example.com")
    html = post(client, "/register/password/check", {"password": "Lanternfan 7 river!"}).get_data(
        as_text=True
    )
    assert "Not yet: </span>different from your email address" in html


def test_registering_an_existing_address_looks_the_same_and_emails_the_owner(client, db, mailbox):
    make_user("sam@example.com", first_name="Existing")
    response = register(client, "sam@example.com")
    assert response.location == "/register/check-email"
    assert "sam@example.com" in get_page(client, "/register/check-email").get_text()
    assert db.session.scalar(select(User).where(User.email == "sam@example.com")).first_name == "Existing"
    [email] = mailbox.wait_for("sam@example.com")
    assert email["Subject"] == "You already have a Citizen Portal account"
    assert "http://localhost/sign-in" in mailbox.text(email)


def test_registering_is_case_insensitive_for_the_address(client, db, mailbox):
    make_user("sam@example.com")
    register(client, "SAM@Example.COM")
    assert len(db.session.scalars(select(User)).all()) == 1
    assert mailbox.wait_for("sam@example.com")[0]["Subject"] == "You already have a Citizen Portal account"


def test_emails_hold_no_personal_details_beyond_the_first_name(client, db, mailbox):
    register(client)
    message = db.session.scalars(select(OutboxMessage)).one()
    for detail in ("Jones", "High Street", "TA1 1HE", "07700"):
        assert detail not in message.body_text
        assert detail not in message.body_html


@pytest.mark.parametrize("step", ["/register", "/register/details", "/register/password"])
def test_junk_input_never_causes_a_server_error(client, step):
    post(client, "/register", {"email": "sam@example.com", "confirm_email": "sam@example.com"})
    post(client, "/register/details", DETAILS)
    junk = {name: "\x00<script>alert(1)</script>" * 50 for name in [*DETAILS, "email", "password"]}
    response = post(client, step, junk)
    assert response.status_code == 200
    assert "<script>alert(1)" not in response.get_data(as_text=True)
