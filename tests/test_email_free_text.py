"""What a registrant types never reaches an address that has not been confirmed, and no email
turns typed text into a link."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from bs4 import BeautifulSoup

from tests.factories import GOOD_PASSWORD, make_user
from tests.pages import post
from tests.people import make_staff, signed_in_past_second_step
from tests.test_register import DETAILS
from tests.test_sign_in import sign_in

SPAM = "URGENT: call 0900 123 456 or visit evil.example"
SPAM_PARTS = ("URGENT", "0900", "evil.example")
VICTIM = "victim@example.com"


def register_as_spammer(client, email: str = VICTIM):
    post(client, "/register", {"email": email, "confirm_email": email})
    post(client, "/register/details", {**DETAILS, "first_name": SPAM, "last_name": SPAM})
    response = post(
        client, "/register/password", {"password": GOOD_PASSWORD, "confirm_password": GOOD_PASSWORD}
    )
    assert response.location == "/register/check-email"


def links_only_to_the_portal(mailbox, message) -> None:
    """Every link in the HTML part goes to the portal, and none shows typed text."""
    for anchor in BeautifulSoup(mailbox.html(message), "html.parser").find_all("a"):
        assert anchor["href"].startswith("http://localhost/"), anchor
        assert "evil.example" not in anchor.get_text()


def carries_no_typed_text(mailbox, message) -> None:
    for part in (mailbox.text(message), mailbox.html(message)):
        for typed in SPAM_PARTS:
            assert typed not in part, f"{message['Subject']!r} carries {typed!r}"
        assert "Hello," in part
    links_only_to_the_portal(mailbox, message)


def test_the_activation_email_to_someone_elses_address_carries_nothing_typed(client, mailbox):
    register_as_spammer(client)
    [activation] = mailbox.wait_for(VICTIM)
    assert activation["Subject"] == "Activate your Citizen Portal account"
    carries_no_typed_text(mailbox, activation)


def test_every_email_to_the_unconfirmed_address_carries_nothing_typed(app, client, mailbox):
    register_as_spammer(client)
    register_as_spammer(app.test_client())  # already registered, not yet activated
    post(app.test_client(), "/activate/new-link", {"email": VICTIM})
    post(app.test_client(), "/password/forgotten", {"email": VICTIM})
    for _ in range(5):
        sign_in(app.test_client(), email=VICTIM, password="Wrong 7 guess!")
    messages = mailbox.wait_for(VICTIM, 5)
    assert [m["Subject"] for m in messages] == [
        "Activate your Citizen Portal account",
        "You already have a Citizen Portal account",
        "Activate your Citizen Portal account",
        "Reset your Citizen Portal password",
        "Sign-in to your Citizen Portal account has been locked",
    ]
    for message in messages:
        carries_no_typed_text(mailbox, message)
    assert any("/activate/" in link for link in mailbox.links(messages[1]))


def test_a_new_address_is_not_greeted_by_the_name_typed_on_the_account(client, mailbox):
    make_user(first_name=SPAM)
    sign_in(client)
    response = post(client, "/account/email", {"email": VICTIM, "current_password": GOOD_PASSWORD})
    assert response.status_code == 302
    [confirm] = mailbox.wait_for(VICTIM)
    assert confirm["Subject"] == "Confirm your new email address for the Citizen Portal"
    carries_no_typed_text(mailbox, confirm)


def test_a_staff_invite_carries_no_name_the_admin_typed(app, client, mailbox):
    make_staff("admin@somerset.gov.uk", role="admin")
    signed_in_past_second_step(client, "admin@somerset.gov.uk")
    invite = {"first_name": SPAM, "last_name": "Officer", "email": VICTIM, "role": "staff"}
    assert post(client, "/staff/team", invite).location == "/staff/team"
    [message] = mailbox.wait_for(VICTIM)
    carries_no_typed_text(mailbox, message)


def test_an_address_with_no_account_is_told_so_with_nothing_typed(client, mailbox):
    post(client, "/password/forgotten", {"email": VICTIM})
    [message] = mailbox.wait_for(VICTIM)
    carries_no_typed_text(mailbox, message)


def test_once_confirmed_the_holder_is_greeted_by_name_and_no_typed_url_is_a_link(app, client, mailbox):
    register_as_spammer(client)
    [activation] = mailbox.wait_for(VICTIM)
    [link] = [link for link in mailbox.links(activation) if "/activate/" in link]
    assert post(client, urlsplit(link).path).location == "/sign-in"
    register_as_spammer(app.test_client())
    post(app.test_client(), "/password/forgotten", {"email": VICTIM})
    already, reset = mailbox.wait_for(VICTIM, 3)[1:]
    for message in (already, reset):
        assert f"Dear {SPAM}," in mailbox.text(message)
        assert (
            "Dear URGENT: call 0900 123 456 or visit evil.example,"
            in BeautifulSoup(mailbox.html(message), "html.parser").get_text()
        )
        links_only_to_the_portal(mailbox, message)


def test_every_email_greets_through_the_one_greeting_that_checks_the_address():
    """A template that printed a name itself would skip mailer.greeting_name's check."""
    folder = Path(__file__).resolve().parent.parent / "templates" / "email"
    for template in folder.glob("[!_]*.*"):
        source = template.read_text()
        assert "first_name }}" not in source, template.name
        if "first_name" in source:
            assert f'include "email/_greeting{template.suffix}"' in source, template.name
