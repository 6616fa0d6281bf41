"""Whatever a family or member of staff sends, no route answers with a server error."""

from __future__ import annotations

import pytest

from tests.pages import post
from tests.people import signed_in_past_second_step
from tests.test_authorization import url_for_rule, world  # noqa: F401 - the world fixture

JUNK = "\x00<script>alert(1)</script>{{7*7}}'\"; DROP TABLE users; --" * 20
FIELDS = [
    "email",
    "confirm_email",
    "password",
    "confirm_password",
    "current_password",
    "first_name",
    "last_name",
    "postcode",
    "phone",
    "code",
    "child",
    "reason",
    "question",
    "answer",
    "category",
    "description",
    "name",
    "role",
    "relationship",
    "parental_responsibility",
    "dob_day",
    "dob_month",
    "dob_year",
    "version",
    "tab",
    "action",
    "completed",
    "people-count",
    "people-0-name",
    "date_of_birth-day",
    "nhs_number",
    "upn",
    "history",
]


@pytest.mark.parametrize("who", ["a@example.com", "admin@somerset.gov.uk"])
def test_junk_posted_to_every_route_never_causes_a_500(app, client, world, who):  # noqa: F811
    signed_in_past_second_step(client, who)
    junk = {name: JUNK for name in FIELDS}
    junk.update({"action": "remove:people:99", "people-count": "-5", "version": "x"})
    for rule in app.url_map.iter_rules():
        if "POST" not in rule.methods or rule.endpoint in ("auth.sign_out",):
            continue
        url = url_for_rule(rule, world)
        response = post(client, url, junk)
        assert response.status_code < 500, (url, response.status_code)
        assert "<script>alert(1)" not in response.get_data(as_text=True), url


def test_nul_characters_in_addresses_get_a_400_page(client, world):  # noqa: F811
    signed_in_past_second_step(client, "a@example.com")
    for url in ("/send/children/%00abc", "/send/access/x%00", "/sign-in?next=%00"):
        response = client.get(url)
        assert response.status_code == 400, url
        assert "Sorry, we could not understand that request" in response.get_data(as_text=True)
