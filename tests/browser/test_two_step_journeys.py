"""Two-step verification in Chromium, JavaScript on and off: turn it on, sign in again with a
wrong then the right code, and the authenticator app."""

from __future__ import annotations

import pyotp
from playwright.sync_api import Page, expect

from extensions import db
from models import User
from tests.browser.test_password_journeys import EMAIL, seed_family, sign_in
from tests.factories import GOOD_PASSWORD
from tests.two_step_helpers import code_from


def seed_family_with_email_codes(live) -> None:
    """The family account, with two-step verification by emailed code already turned on."""
    seed_family(live)
    with live.app.app_context():
        user = db.session.scalar(db.select(User))
        user.two_step_email_at = user.created_at
        db.session.commit()
        db.session.remove()


def enter_code(page: Page, code: str) -> None:
    page.get_by_label("Security code").fill(code)
    page.get_by_role("button", name="Continue").click()


def wrong_code_for(code: str) -> str:
    return "000000" if code != "000000" else "111111"


def test_turn_on_then_sign_in_again_with_a_wrong_then_the_right_code(
    browser_page: Page, live, mailbox, axe_check
):
    page = browser_page
    seed_family(live)
    sign_in(page, live.url)
    page.get_by_role("link", name="SEND", exact=True).click()
    expect(page.locator("h1")).to_have_text("This area requires two-step verification")
    expect(page.locator("main")).to_contain_text(EMAIL)
    axe_check(page)
    page.locator("#password").fill(GOOD_PASSWORD)
    page.get_by_role("button", name="Send me a code").click()
    expect(page.locator("h1")).to_have_text("Check your email")
    axe_check(page)
    enter_code(page, code_from(mailbox, EMAIL))
    expect(page.locator("h1")).to_have_text("SEND: your children and requests")
    axe_check(page)

    page.get_by_role("button", name="Sign out").click()
    sign_in(page, live.url)
    page.get_by_role("link", name="SEND", exact=True).click()
    expect(page.locator("h1")).to_have_text("Check your email")
    code = code_from(mailbox, EMAIL, count=3)  # turn-on code, "turned on" email, this code
    enter_code(page, wrong_code_for(code))
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The code is not correct")
    if page.js_enabled:
        expect(summary).to_be_focused()  # swapped in by htmx without a page load
    else:
        expect(page).to_have_title("Error: Check your email – SEND Citizen Portal – Somerset Council")
    axe_check(page)
    enter_code(page, f"{code[:3]} {code[3:]}")
    expect(page.locator("h1")).to_have_text("SEND: your children and requests")
    axe_check(page)


def test_add_an_authenticator_app_and_sign_in_with_it(browser_page: Page, live, mailbox, axe_check):
    page = browser_page
    seed_family(live)
    sign_in(page, live.url)
    page.goto(live.url + "/account")
    page.get_by_role("link", name="Change two-step verification").click()
    expect(page.locator("h1")).to_have_text("Two-step verification")
    axe_check(page)
    page.get_by_role("link", name="Set up an authenticator app").click()
    expect(page.locator("h1")).to_have_text("This area requires two-step verification")
    page.locator("#password").fill(GOOD_PASSWORD)
    page.get_by_role("button", name="Send me a code").click()
    enter_code(page, code_from(mailbox, EMAIL))

    expect(page.locator("h1")).to_have_text("Set up an authenticator app")
    axe_check(page)
    secret = page.locator("#secret-key").inner_text().replace(" ", "")
    page.get_by_label("Code from the app").fill(pyotp.TOTP(secret).now())
    page.locator("#password").fill(GOOD_PASSWORD)
    page.get_by_role("button", name="Add the app").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Your authenticator app has been added"
    )
    axe_check(page)

    page.get_by_role("button", name="Sign out").click()
    with live.app.app_context():
        db.session.query(User).update({User.totp_last_step: 0})  # let this window's code be used again
        db.session.commit()
        db.session.remove()
    sign_in(page, live.url)
    page.get_by_role("link", name="SEND", exact=True).click()
    expect(page.locator("h1")).to_have_text("Enter the code from your authenticator app")
    axe_check(page)
    enter_code(page, pyotp.TOTP(secret).now())
    expect(page.locator("h1")).to_have_text("SEND: your children and requests")


def test_too_many_wrong_codes_lock_the_account_and_the_page_leads_to_a_reset(
    browser_page: Page, live, mailbox, axe_check, monkeypatch
):
    page = browser_page
    seed_family_with_email_codes(live)
    monkeypatch.setitem(live.app.config, "TWO_STEP_ACCOUNT_MAX_FAILURES", 2)
    sign_in(page, live.url)
    page.get_by_role("link", name="SEND", exact=True).click()
    code = code_from(mailbox, EMAIL)
    enter_code(page, wrong_code_for(code))
    expect(page.locator(".govuk-error-summary")).to_contain_text("The code is not correct")
    enter_code(page, wrong_code_for(code))
    expect(page.locator("h1")).to_have_text("Reset your password to unlock your account")
    expect(page.get_by_role("alert")).to_contain_text("stopped accepting codes")
    expect(page.get_by_label("Security code")).to_have_count(0)
    axe_check(page)
    page.get_by_role("link", name="Reset your password").click()
    expect(page.locator("h1")).to_have_text("Reset your password")
    expect(page.locator("#email")).to_be_visible()
