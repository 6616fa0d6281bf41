"""Changing, forced changing and resetting a password in Chromium, JavaScript on and off."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from extensions import db
from models import User
from services.clock import now
from tests.factories import GOOD_PASSWORD, make_user

EMAIL = "parent@example.com"
NEW_PASSWORD = "Marble garden 42 Kettle?"


def seed_family(live, password_age_days: int = 0) -> None:
    with live.app.app_context():
        user = make_user(EMAIL)
        user.password_changed_at = now() - timedelta(days=password_age_days)
        db.session.commit()
        db.session.remove()


def sign_in(page: Page, base: str, password: str = GOOD_PASSWORD) -> None:
    page.goto(base + "/sign-in")
    page.locator("#email").fill(EMAIL)
    page.locator("#password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def fill_new_password(page: Page, password: str, current: str | None = None) -> None:
    if current is not None:
        page.locator("#current_password").fill(current)
    page.locator("#password").fill(password)
    page.locator("#confirm_password").fill(password)
    page.get_by_role("button", name="Change password").click()


def test_change_password_from_your_account(browser_page: Page, live, axe_check):
    page = browser_page
    seed_family(live)
    sign_in(page, live.url)
    page.get_by_role("link", name="Change password").click()
    expect(page.locator("h1")).to_have_text("Change your password")
    axe_check(page)
    fill_new_password(page, NEW_PASSWORD, current="Not it 7 at all!")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Your current password is not correct")
    axe_check(page)
    fill_new_password(page, NEW_PASSWORD, current=GOOD_PASSWORD)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your password has been changed")
    axe_check(page)


def test_an_expired_password_is_changed_before_anything_else(browser_page: Page, live, axe_check):
    page = browser_page
    seed_family(live, password_age_days=61)
    sign_in(page, live.url)
    expect(page.locator("h1")).to_have_text("Your password has expired")
    axe_check(page)
    fill_new_password(page, GOOD_PASSWORD, current=GOOD_PASSWORD)
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Password must not be one of your last 10 passwords"
    )
    axe_check(page)
    fill_new_password(page, NEW_PASSWORD, current=GOOD_PASSWORD)
    expect(page.locator("h1")).to_have_text("Your account")
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your password has been changed")


def test_reset_a_forgotten_password(browser_page: Page, live, mailbox, axe_check):
    page = browser_page
    seed_family(live)
    page.goto(live.url + "/sign-in")
    page.get_by_role("link", name="Forgotten your password?").click()
    expect(page.locator("h1")).to_have_text("Reset your password")
    axe_check(page)
    page.locator("#email").fill(EMAIL)
    page.get_by_role("button", name="Send the link").click()
    expect(page.locator("h1")).to_have_text("Check your email")
    axe_check(page)

    message = mailbox.wait_for(EMAIL)[-1]
    [link] = [link for link in mailbox.links(message) if "/password/reset/" in link]
    page.goto(live.url + urlsplit(link).path)
    expect(page.locator("h1")).to_have_text("Reset your password")
    axe_check(page)
    page.get_by_role("button", name="Choose a new password").click()
    expect(page.locator("h1")).to_have_text("Choose a new password")
    axe_check(page)
    fill_new_password(page, "Password123!")
    expect(page.locator(".govuk-error-summary")).to_contain_text("commonly used password")
    axe_check(page)
    fill_new_password(page, NEW_PASSWORD)
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your password has been changed")
    axe_check(page)
    sign_in(page, live.url, NEW_PASSWORD)
    expect(page.locator("h1")).to_have_text("Your account")
    with live.app.app_context():
        assert db.session.query(User).one().email == EMAIL
        db.session.remove()
