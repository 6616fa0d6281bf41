"""The idle limit in Chromium: the timeout warning (JavaScript on), and answers typed when the limit
passes anyway, kept through signing in again and the second step (JavaScript on and off)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.test_appendix_a_journey import open_request, seed
from tests.browser.test_linking_journey import FAMILY
from tests.factories import GOOD_PASSWORD
from tests.two_step_helpers import code_from

HISTORY = "The history of your concerns"
HOPES = "Your hopes, and the outcomes you want for them"


@pytest.fixture
def idle_minutes(live):
    """Change the live portal's idle limit for one test; put it back afterwards."""
    before = live.app.config["SESSION_IDLE_MINUTES"]

    def set_to(minutes: float) -> None:
        live.app.config["SESSION_IDLE_MINUTES"] = minutes

    yield set_to
    live.app.config["SESSION_IDLE_MINUTES"] = before


def open_parent_views(page: Page, live, mailbox, axe_check) -> str:
    seed(live)
    open_request(page, live.url, mailbox, axe_check)
    page.get_by_role("link", name="5. Your views as parent or carer").click()
    expect(page.locator("h1")).to_have_text("Your views as parent or carer")
    return page.url


def active_element_id(page: Page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def session_state(page: Page, live) -> dict:
    """The session as the server sees it, asked without renewing it."""
    return page.request.get(live.url + "/session").json()


def test_the_warning_opens_before_the_limit_and_stay_signed_in_extends_it(
    browser_page: Page, live, mailbox, axe_check, idle_minutes
):
    page = browser_page
    if not page.js_enabled:
        pytest.skip("the warning needs JavaScript; without it the page states the limit (tested below)")
    url = open_parent_views(page, live, mailbox, axe_check)
    idle_minutes(0.2)  # 12 seconds: the warning opens 6 seconds before the end
    page.goto(url)
    page.get_by_label(HISTORY).click()

    dialog = page.get_by_role("alertdialog", name="You’re about to be signed out")
    expect(dialog).to_be_visible(timeout=9000)
    expect(dialog).to_have_attribute("aria-modal", "true")
    assert "we will sign you out in" in page.locator("#timeout-warning-text").inner_text()
    assert active_element_id(page) == "timeout-warning"
    expect(page.locator("#timeout-warning-announcement")).to_contain_text("We will sign you out in")
    axe_check(page)

    # The countdown moves every second; what screen readers hear does not.
    spoken = page.locator("#timeout-warning-announcement").inner_text()
    shown = page.locator("#timeout-warning-countdown").inner_text()
    page.wait_for_timeout(2100)
    assert page.locator("#timeout-warning-countdown").inner_text() != shown
    assert page.locator("#timeout-warning-announcement").inner_text() == spoken

    page.get_by_role("button", name="Stay signed in").click()
    expect(dialog).to_be_hidden()
    assert active_element_id(page) == "history"
    page.wait_for_timeout(5000)  # past the limit the page was loaded with
    assert session_state(page, live)["signed_in"] is True

    # Escape means stay signed in too.
    expect(dialog).to_be_visible(timeout=9000)
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    assert active_element_id(page) == "history"
    assert session_state(page, live)["signed_in"] is True


def test_the_page_says_how_long_the_session_lasts(browser_page: Page, live, mailbox, axe_check, idle_minutes):
    page = browser_page
    url = open_parent_views(page, live, mailbox, axe_check)
    expect(page.locator("main")).to_contain_text("You will be signed out if you do nothing for 30 minutes.")
    idle_minutes(1)
    page.goto(url)
    expect(page.locator("main")).to_contain_text("You will be signed out if you do nothing for 1 minute.")


def sign_in_again_through_the_second_step(page: Page, mailbox) -> None:
    expect(page.locator("h1")).to_have_text("Sign in")
    expect(page.locator("main")).to_contain_text("You were signed out because you had not used the portal")
    page.locator("#email").fill(FAMILY)
    page.locator("#password").fill(GOOD_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("h1")).to_have_text("Check your email")
    page.get_by_label("Security code").fill(code_from(mailbox, FAMILY, count=2))
    page.get_by_role("button", name="Continue").click()


def expect_both_answers_back(page: Page, url: str, history: str, hopes: str, axe_check) -> None:
    expect(page.locator("h1")).to_have_text("Your views as parent or carer")
    assert page.url == url
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "We kept what you typed before you were signed out"
    )
    expect(page.get_by_label(HISTORY)).to_have_value(history)
    expect(page.get_by_label(HOPES)).to_have_value(hopes)
    axe_check(page)


def test_answers_typed_when_the_limit_passes_are_kept_through_signing_in_again(
    browser_page: Page, live, mailbox, axe_check, idle_minutes
):
    page = browser_page
    url = open_parent_views(page, live, mailbox, axe_check)
    # The page was loaded under 30 minutes: the computer then sleeps through the warning.
    idle_minutes(0.05)
    page.wait_for_timeout(3500)
    page.get_by_label(HISTORY).fill("Since nursery, loud places upset Jamie.")
    if page.js_enabled:
        page.get_by_label(HISTORY).blur()  # the autosave arrives after the session ended
        expect(page.locator("#save-status")).to_have_text(
            "You have been signed out. What you typed has been kept: sign in again to save it.", timeout=8000
        )
    page.get_by_label(HOPES).fill("Happy and learning")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("h1")).to_have_text("Sign in")
    idle_minutes(30)
    sign_in_again_through_the_second_step(page, mailbox)
    expect_both_answers_back(
        page, url, "Since nursery, loud places upset Jamie.", "Happy and learning", axe_check
    )

    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#status-parent_views")).to_contain_text("In progress")
    page.goto(url)
    expect(page.get_by_label(HOPES)).to_have_value("Happy and learning")
    expect(page.locator(".govuk-notification-banner")).to_have_count(0)  # given back once


def test_an_expired_form_while_signed_in_comes_back_with_the_answers(
    browser_page: Page, live, mailbox, axe_check
):
    page = browser_page
    url = open_parent_views(page, live, mailbox, axe_check)
    page.get_by_label(HISTORY).fill("Typed before the form expired")
    page.get_by_label(HOPES).fill("Still here")
    page.locator("#section-form input[name=csrf_token]").evaluate("input => { input.value = 'expired'; }")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("This page had expired")
    assert page.url == url
    assert page.title().startswith("Error: ")
    expect(page.get_by_label(HISTORY)).to_have_value("Typed before the form expired")
    expect(page.get_by_label(HOPES)).to_have_value("Still here")
    axe_check(page)
