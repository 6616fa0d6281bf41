"""The first journey in real Chromium, with JavaScript on and off: register, activate, sign in, sign out."""

from __future__ import annotations

from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from tests.factories import GOOD_PASSWORD

EMAIL = "family@example.com"


def fill_registration_until_password(page: Page, base: str, axe_check) -> None:
    page.goto(base + "/")
    axe_check(page)
    page.get_by_role("link", name="Register", exact=True).click()
    expect(page.locator("h1")).to_have_text("Create an account")
    axe_check(page)
    page.get_by_label("Email address", exact=False).first.fill(EMAIL)
    page.get_by_label("Confirm email address").fill(EMAIL.upper())
    page.get_by_role("button", name="Continue").click()

    expect(page.locator("h1")).to_have_text("Your personal details")
    page.get_by_role("button", name="Continue").click()  # nothing filled in: errors
    expect(page).to_have_title("Error: Your personal details – SEND Citizen Portal – Somerset Council")
    axe_check(page)
    page.get_by_label("First name").fill("Robin")
    page.get_by_label("Last name").fill("Taylor")
    page.get_by_label("Address line 1").fill("2 Station Road")
    page.get_by_label("Town or city").fill("Yeovil")
    page.get_by_label("Postcode").fill("ba201aa")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Create a password")
    axe_check(page)


def activation_path(mailbox) -> str:
    message = mailbox.wait_for(EMAIL)[-1]
    [link] = [link for link in mailbox.links(message) if "/activate/" in link]
    return urlsplit(link).path


def test_register_activate_sign_in_and_out(browser_page: Page, live, mailbox, axe_check):
    page, base = browser_page, live.url
    fill_registration_until_password(page, base, axe_check)

    page.locator("#password").fill("Password123!")
    page.locator("#confirm_password").fill("Password123!")
    page.get_by_role("button", name="Create account").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Password must not be a commonly used password")
    axe_check(page)

    page.locator("#password").fill(GOOD_PASSWORD)
    page.locator("#confirm_password").fill(GOOD_PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.locator("h1")).to_have_text("Check your email")
    expect(page.locator("main")).to_contain_text(EMAIL)
    axe_check(page)

    page.goto(base + activation_path(mailbox))
    expect(page.locator("h1")).to_have_text("Activate your account")
    axe_check(page)
    page.get_by_role("button", name="Activate my account").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your account has been activated")
    axe_check(page)

    page.locator("#email").fill(EMAIL)
    page.locator("#password").fill("Not my password 7!")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter a correct email address and password")
    axe_check(page)
    page.locator("#password").fill(GOOD_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator("h1")).to_have_text("Your account")
    axe_check(page)

    page.get_by_role("link", name="SEND", exact=True).click()
    expect(page.locator("h1")).to_have_text("This area requires two-step verification")
    axe_check(page)

    page.get_by_role("button", name="Sign out").click()
    expect(page.locator("h1")).to_have_text("You have signed out")
    axe_check(page)
    page.goto(base + "/account")
    expect(page.locator("h1")).to_have_text("Sign in")


def test_the_checklist_ticks_rules_as_the_family_types(browser_page: Page, live, axe_check):
    page = browser_page
    fill_registration_until_password(page, live.url, axe_check)
    if not page.js_enabled:
        # Without JavaScript the rules are listed, unticked, and checked on submit.
        expect(page.locator("#password-rules li")).to_have_count(7)
        expect(page.locator(".app-password-checklist__item--met")).to_have_count(0)
        return
    page.locator("#password").press_sequentially("zqxwtea", delay=20)
    met = page.locator(".app-password-checklist__item--met")
    expect(met).to_have_count(3)  # lowercase, different from email, not common
    # The list is not read out again; a polite status says what changed.
    expect(page.locator("#password-rules-status")).to_have_text("3 of 7 password rules done")
    page.locator("#password").press_sequentially(" River 7!", delay=20)
    expect(met).to_have_count(7)
    expect(page.locator(".app-password-checklist__item--unmet")).to_have_count(0)
    axe_check(page)


def test_show_password_reveals_the_password_with_javascript(browser_page: Page, live, axe_check):
    page = browser_page
    page.goto(live.url + "/sign-in")
    toggle = page.locator(".govuk-password-input__toggle")
    if not page.js_enabled:
        expect(toggle).to_be_hidden()
        return
    page.locator("#password").fill("secret words 7!")
    toggle.click()
    expect(page.locator("#password")).to_have_attribute("type", "text")
    expect(toggle).to_have_text("Hide")
    toggle.click()
    expect(page.locator("#password")).to_have_attribute("type", "password")
    axe_check(page)


def test_the_error_summary_takes_focus_with_javascript(browser_page: Page, live):
    page = browser_page
    page.goto(live.url + "/sign-in")
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    if page.js_enabled:
        expect(page.locator(".govuk-error-summary")).to_be_focused()
