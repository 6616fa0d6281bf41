"""A Host header the portal cannot understand gets the 400 page from gunicorn, never a bare 500."""

from __future__ import annotations

import pytest
from bs4 import BeautifulSoup

UNUSABLE_HOSTS = [
    "a" * 64 + ".example.com",  # a label over 63 characters
    "b" * 64,
    "portal..somerset.gov.uk",  # an empty label
    "c" * 300,
]


@pytest.mark.parametrize("host", UNUSABLE_HOSTS)
@pytest.mark.parametrize("path", ["/", "/sign-in", "/no-such-page"])
def test_an_unusable_host_gets_the_400_page(app, gunicorn, host, path):
    status, headers, body = gunicorn.get(path, {"Host": host})
    page = BeautifulSoup(body, "html.parser")
    assert status == 400
    assert page.h1.get_text(strip=True) == "Sorry, we could not understand that request"
    assert page.find("a", string="Go to the start of the SEND Citizen Portal")["href"] == "/"
    assert host not in body.decode()
    assert headers["Cache-Control"] == "no-store"
    assert "Traceback" not in gunicorn.log_text()


def test_a_post_with_an_unusable_host_gets_a_400_page(app, gunicorn):
    """The CSRF check comes first here: either 400 page will do, as long as it renders."""
    connection = gunicorn.connection()
    connection.putrequest("POST", "/sign-in", skip_host=True)
    connection.putheader("Host", "d" * 64 + ".example.com")
    connection.putheader("Content-Type", "application/x-www-form-urlencoded")
    connection.putheader("Content-Length", "0")
    connection.endheaders()
    response = connection.getresponse()
    page = BeautifulSoup(response.read(), "html.parser")
    connection.close()
    assert response.status == 400
    assert page.find("a", string="Go to the start of the SEND Citizen Portal")["href"] == "/"
    assert "Traceback" not in gunicorn.log_text()


def test_an_ordinary_host_still_gets_the_page(app, gunicorn):
    status, _headers, body = gunicorn.get("/")
    assert status == 200
    assert b"Sorry" not in body
