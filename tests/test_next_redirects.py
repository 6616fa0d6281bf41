"""`?next=` after signing in and after the second step: only a path of this site, never a 500."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from services.clock import now
from tests.factories import GOOD_PASSWORD, make_user
from tests.pages import post
from tests.test_sign_in import sign_in
from tests.two_step_helpers import code_from, enter

UNSAFE_TARGETS = [
    "/send\r\nSet-Cookie: planted=1",
    "/send\rLocation: https://evil.example/",
    "/send\nX-Planted: 1",
    "/send\tx",
    "/\t/evil.example",
    "/\r\n/evil.example",
    "/send\x01",
    "/send\x1b[0m",
    "/send\x7f",
    "/send\x85",
    "/send\u2028",
    "/send%0d%0aSet-Cookie:%20planted=1",
    "//evil.example",
    "//evil.example/send",
    "/\\evil.example",
    "/%5cevil.example",
    "/%2f/evil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "https:/evil.example",
    "javascript:alert(1)",
    " /send",
    "/no-such-page",
    "/sign-out",  # a path of this site, but not one a redirect can GET
]


def with_next(path: str, target: str) -> str:
    return f"{path}?next={quote(target, safe='')}"


@pytest.fixture
def family(db):
    user = make_user()
    user.two_step_email_at = now()
    db.session.commit()
    return user


@pytest.mark.parametrize("target", UNSAFE_TARGETS)
def test_sign_in_ignores_an_unsafe_next(client, family, target):
    response = sign_in(client, url=with_next("/sign-in", target))
    assert (response.status_code, response.location) == (302, "/account")
    response = client.get(with_next("/sign-in", target))  # already signed in
    assert (response.status_code, response.location) == (302, "/account")


@pytest.mark.parametrize("target", UNSAFE_TARGETS)
def test_the_second_step_ignores_an_unsafe_next(client, family, mailbox, target):
    sign_in(client)
    assert client.get(with_next("/two-step/code", target)).status_code == 200
    response = post(client, with_next("/two-step/code", target), {"code": code_from(mailbox)})
    assert (response.status_code, response.location) == (302, "/send")
    for path in ("/two-step", "/two-step/code"):
        response = client.get(with_next(path, target))  # already through the second step
        assert (response.status_code, response.location) == (302, "/send")


@pytest.mark.parametrize("target", UNSAFE_TARGETS)
def test_the_second_step_with_htmx_ignores_an_unsafe_next(client, family, mailbox, target):
    sign_in(client)
    client.get("/two-step/code")
    response = post(
        client,
        with_next("/two-step/code", target),
        {"code": code_from(mailbox)},
        headers={"HX-Request": "true"},
    )
    assert (response.status_code, response.headers["HX-Redirect"]) == (200, "/send")


@pytest.mark.parametrize("target", UNSAFE_TARGETS)
def test_turning_two_step_on_does_not_pass_an_unsafe_next_along(client, db, mailbox, target):
    make_user()
    sign_in(client)
    response = post(client, with_next("/two-step", target), {"password": GOOD_PASSWORD})
    assert (response.status_code, response.location) == (302, "/two-step/code")
    page = client.get(with_next("/two-step", target))
    assert page.status_code == 200
    assert 'action="/two-step"' in page.get_data(as_text=True)


@pytest.mark.parametrize("target", ["/send", "/account/details", "/send/access/new?from=home"])
def test_a_path_of_this_site_is_followed(client, family, mailbox, target):
    assert sign_in(client, url=with_next("/sign-in", target)).location == target
    client.get("/two-step/code")
    response = post(client, with_next("/two-step/code", target), {"code": code_from(mailbox)})
    assert response.location == target


def test_signing_in_from_a_page_comes_back_to_it_through_the_second_step(client, family, mailbox):
    response = client.get("/send/access/new")
    assert response.location == "/sign-in?next=%2Fsend%2Faccess%2Fnew"
    assert sign_in(client, url=response.location).location == "/send/access/new"
    assert client.get("/send/access/new").location == "/two-step?next=/send/access/new"
    assert client.get("/two-step?next=/send/access/new").location == "/two-step/code?next=/send/access/new"
    client.get("/two-step/code?next=/send/access/new")
    assert enter(client, code_from(mailbox), next_url="/send/access/new").location == "/send/access/new"
