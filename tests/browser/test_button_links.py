"""Links that look like buttons are links: screen readers call them links and Enter follows them."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser

from tests.browser.test_every_page import FAMILY_EMAIL, seed, signed_in_page

# (page, link text, where the link goes)
BUTTON_LINKS = [
    ("/account", "SEND", "/send"),
    ("/send", "Ask to be linked to a child or young person", "/send/access/new"),
    ("/send", "Request an EHC needs assessment", "/send/requests/new"),
    ("/send/requests/{draft}", "Check your answers", "/send/requests/{draft}/check"),
    ("/send/children/{child}", "Send documents", "/send/children/{child}/documents"),
]


def follow_with_enter(page, name: str) -> None:
    link = page.get_by_role("link", name=name, exact=True)
    assert link.count() == 1, f"{name!r} is not a link in the accessibility tree"
    assert link.evaluate("element => element.getAttribute('role')") is None
    link.focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")


@pytest.mark.parametrize("js_enabled", [True], ids=["js"])
def test_register_is_a_link_that_enter_follows(browser: Browser, live, js_enabled):
    context = browser.new_context()
    page = context.new_page()
    page.goto(live.url + "/")
    follow_with_enter(page, "Register")
    assert page.url.startswith(live.url + "/register")
    context.close()


@pytest.mark.parametrize("js_enabled", [True], ids=["js"])
def test_button_styled_links_are_links_that_enter_follows(browser: Browser, live, js_enabled):
    ids = seed(live)
    page = signed_in_page(browser, live, FAMILY_EMAIL, js_enabled)
    for address, name, target in BUTTON_LINKS:
        page.goto(live.url + address.format(**ids))
        follow_with_enter(page, name)
        assert page.url == live.url + target.format(**ids), name
    page.context.close()
