"""Changing personal details uses the registration rules, and keeps what was typed on an error."""

from __future__ import annotations

from models import User
from tests.factories import make_user
from tests.pages import error_messages, get_page, post, post_page
from tests.test_sign_in import sign_in

DETAILS = {
    "title": "Dr",
    "first_name": "Alex",
    "last_name": "Morgan-Lee",
    "address_line_1": "5 Castle Street",
    "address_line_2": "Flat 2",
    "town": "Frome",
    "postcode": "ba11 1aa",
    "phone": "01373 455000",
}


def test_the_form_starts_with_the_current_details(client):
    make_user()
    sign_in(client)
    soup = get_page(client, "/account/details")
    assert soup.find(id="last_name")["value"] == "Morgan"
    assert soup.find(id="postcode")["value"] == "TA1 1HE"


def test_details_are_saved_normalised(client, db):
    user = make_user()
    sign_in(client)
    assert post(client, "/account/details", DETAILS).location == "/account"
    assert "Your details have been updated" in get_page(client, "/account").get_text()
    saved = db.session.get(User, user.id)
    assert (saved.title, saved.last_name, saved.postcode, saved.phone) == (
        "Dr",
        "Morgan-Lee",
        "BA11 1AA",
        "01373 455000",
    )


def test_errors_name_the_field_and_keep_what_was_typed(client, db):
    user = make_user()
    sign_in(client)
    soup = post_page(client, "/account/details", {**DETAILS, "first_name": "", "postcode": "nowhere"})
    assert error_messages(soup) == ["Enter your first name", "Enter a full UK postcode, like TA1 1HE"]
    assert soup.find(id="last_name")["value"] == "Morgan-Lee"
    assert db.session.get(User, user.id).last_name == "Morgan"


def test_your_account_links_to_every_change(client):
    make_user()
    sign_in(client)
    soup = get_page(client, "/account")
    hrefs = {a.get_text(" ", strip=True): a["href"] for a in soup.select(".govuk-summary-list__actions a")}
    assert hrefs == {
        "Change name": "/account/details",
        "Change email address": "/account/email",
        "Change address": "/account/details",
        "Change phone number": "/account/details",
        "Change two-step verification": "/account/two-step",
        "Change emails about cases": "/account/emails",
        "Change password": "/account/password",
    }
