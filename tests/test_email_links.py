"""Emailed links take their scheme, host and path prefix from PUBLIC_BASE_URL, never from the request."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

import pytest
from bs4 import BeautifulSoup
from flask import has_request_context

from services import accounts, links
from tests.factories import make_user
from tests.pages import post

BASE = "https://portal.example.gov.uk/send-portal"


@pytest.fixture
def app_settings() -> dict:
    return {"PUBLIC_BASE_URL": BASE}


def test_a_reset_link_ignores_the_host_the_request_named(client, mailbox):
    make_user()
    attacker = "http://attacker.example"
    page = BeautifulSoup(client.get("/", base_url=attacker).get_data(as_text=True), "html.parser")
    token = json.loads(page.body["data-hx-headers"])["X-CSRFToken"]
    data = {"email": "parent@example.com", "csrf_token": token}
    response = client.post("/password/forgotten", data=data, base_url=attacker)
    assert response.status_code == 302
    message = mailbox.wait_for("parent@example.com")[-1]
    [link] = [link for link in mailbox.links(message) if "/password/reset/" in link]
    assert link.startswith(f"{BASE}/password/reset/")
    assert "attacker.example" not in mailbox.text(message) + mailbox.html(message)
    # Behind the prefix, the rest of the address is the portal's own page.
    path = urlsplit(link).path.removeprefix("/send-portal")
    assert post(client, path).location == "/password/reset"


def test_links_are_built_with_no_request(app):
    assert not has_request_context()
    assert links.public_url("auth.activate", token="abc") == f"{BASE}/activate/abc"
    assert links.public_url("auth.sign_in") == f"{BASE}/sign-in"
    assert accounts.password_reset_link(make_user()).startswith(f"{BASE}/password/reset/")


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        ("http://127.0.0.1:5000", "http://127.0.0.1:5000/activate/abc"),
        ("https://send.somerset.gov.uk/", "https://send.somerset.gov.uk/activate/abc"),
        ("https://council.example/a/b/", "https://council.example/a/b/activate/abc"),
    ],
)
def test_the_setting_s_port_trailing_slash_and_prefix(app, base, expected):
    app.config["PUBLIC_BASE_URL"] = base
    assert links.public_url("auth.activate", token="abc") == expected


def test_the_links_written_in_the_emails_carry_the_prefix(client, mailbox):
    post(client, "/password/forgotten", {"email": "nobody@example.com"})
    [message] = mailbox.wait_for("nobody@example.com")
    assert f"{BASE}/register" in mailbox.links(message)
    assert f'href="{BASE}/register"' in mailbox.html(message)
