"""One rule for an email address's format: Appendix A and the account forms accept and refuse the same."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

from tests.appendix_answers import ANSWERS
from tests.pages import error_messages, post
from tests.test_appendix_a import save, start

FORMAT = "Enter an email address in the correct format, like name@example.com"

EXAMPLES = [
    ("name@example.com", True),
    ("first.last+letters@example.co.uk", True),
    ("o'brien@example.com", True),
    ("josé@example.com", True),
    ("a@b.co", True),
    ("name@example", False),
    ("name@@example.com", False),
    ("name example@example.com", False),
    ("@example.com", False),
    ("name@", False),
    ("name@example..com", False),
    ("name.@example.com", False),
    ("name@example.com.", False),
    ("name@localhost", False),
]


def appendix_a_refuses(client, db, request, email: str) -> bool:
    household = {**ANSWERS["household"], "people-0-email": email}
    response = save(client, db, request, "household", household)
    messages = error_messages(BeautifulSoup(response.get_data(as_text=True), "html.parser"))
    assert response.status_code == 302 or messages, "a page with no error summary should have redirected"
    return f"Person 1: {FORMAT[0].lower()}{FORMAT[1:]}" in messages


def registration_refuses(app, email: str) -> bool:
    response = post(app.test_client(), "/register", {"email": email, "confirm_email": email})
    if response.status_code == 302:  # on to the next step
        return False
    return FORMAT in error_messages(BeautifulSoup(response.get_data(as_text=True), "html.parser"))


@pytest.mark.parametrize(("email", "accepted"), EXAMPLES)
def test_appendix_a_and_the_account_forms_take_the_same_addresses(app, client, db, child, email, accepted):
    request = start(client, db, child.public_id)
    assert appendix_a_refuses(client, db, request, email) is not accepted
    assert registration_refuses(app, email) is not accepted
