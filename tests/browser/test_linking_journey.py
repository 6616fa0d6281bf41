"""The whole linking loop in Chromium, JavaScript on and off: a family asks for two children, staff
approve one and reject the other, and the family sees the child and the reason."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from extensions import db
from tests.factories import GOOD_PASSWORD
from tests.people import make_family, make_staff
from tests.two_step_helpers import code_from

FAMILY, STAFF = "parent@example.com", "officer@somerset.gov.uk"


def seed(live) -> None:
    with live.app.app_context():
        make_family(FAMILY)
        make_staff(STAFF)
        db.session.remove()


def sign_in_with_code(page: Page, base: str, mailbox, email: str, codes_before: int) -> None:
    page.goto(base + "/sign-in")
    page.locator("#email").fill(email)
    page.locator("#password").fill(GOOD_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    if email == FAMILY:
        page.get_by_role("link", name="SEND", exact=True).click()
    expect(page.locator("h1")).to_have_text("Check your email")
    page.get_by_label("Security code").fill(code_from(mailbox, email, count=codes_before + 1))
    page.get_by_role("button", name="Continue").click()


def ask_for(page: Page, axe_check, first: str, day: str) -> None:
    page.get_by_role("link", name="Ask to be linked to a child or young person", exact=True).click()
    expect(page.locator("h1")).to_have_text("Ask to be linked to a child or young person")
    axe_check(page)
    page.get_by_label("First name").fill(first)
    page.get_by_label("Last name").fill("Rivers")
    page.get_by_label("Day").fill(day)
    page.get_by_label("Month").fill("4")
    page.get_by_label("Year").fill("2015")
    page.get_by_label("Home postcode").fill("TA1 1HE")
    page.get_by_label("School or setting").fill("Taunton Primary")
    page.get_by_label("Parent", exact=True).check()
    page.get_by_role("button", name="Send request").click()
    # parental responsibility was left out: the error names it and the answers are kept
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Select whether you have parental responsibility"
    )
    axe_check(page)
    expect(page.get_by_label("First name")).to_have_value(first)
    page.get_by_label("Yes").check()
    page.get_by_role("button", name="Send request").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Your request has been sent")
    axe_check(page)
    page.get_by_role("link", name="Back to SEND").click()


def test_request_review_and_see_the_decision(browser: Browser, browser_page: Page, live, mailbox, axe_check):
    family = browser_page
    seed(live)
    sign_in_with_code(family, live.url, mailbox, FAMILY, 0)
    expect(family.locator("h1")).to_have_text("SEND: your children and requests")
    axe_check(family)
    ask_for(family, axe_check, "Jamie", "2")
    family.get_by_role("link", name="Ask to be linked to a child or young person", exact=True).click()
    family.get_by_label("First name").fill("Casey")
    family.get_by_label("Last name").fill("Rivers")
    family.get_by_label("Day").fill("9")
    family.get_by_label("Month").fill("1")
    family.get_by_label("Year").fill("2013")
    family.get_by_label("Home postcode").fill("TA1 1HE")
    family.get_by_label("School or setting").fill("Taunton Academy")
    family.get_by_label("Parent", exact=True).check()
    family.get_by_label("Yes").check()
    family.get_by_role("button", name="Send request").click()
    expect(family.locator(".govuk-notification-banner")).to_contain_text("Your request has been sent")

    staff_context = browser.new_context(java_script_enabled=family.js_enabled)
    staff = staff_context.new_page()
    staff.js_enabled = family.js_enabled
    sign_in_with_code(staff, live.url, mailbox, STAFF, 0)
    expect(staff.locator("h1")).to_have_text("Review requests")
    expect(staff.locator("main")).to_contain_text("Access requests waiting (2)")
    axe_check(staff)

    staff.get_by_role("link", name="Jamie Rivers").click()
    expect(staff.locator("h1")).to_have_text("Access request")
    axe_check(staff)
    staff.get_by_label("Create a new record from this request").check()
    staff.get_by_role("button", name="Approve and link").click()
    expect(staff.locator(".govuk-notification-banner")).to_contain_text("Request approved")
    axe_check(staff)

    staff.get_by_role("link", name="Casey Rivers").click()
    staff.get_by_role("button", name="Reject request").click()
    expect(staff.locator(".govuk-error-summary")).to_contain_text("Enter the reason the family will read")
    axe_check(staff)
    staff.get_by_label("Reject: reason the family will read").fill(
        "We need a court order showing parental responsibility."
    )
    staff.get_by_role("button", name="Reject request").click()
    expect(staff.locator(".govuk-notification-banner")).to_contain_text("Request rejected")
    staff_context.close()

    family.goto(live.url + "/send")
    family.get_by_role("link", name="Jamie Rivers").click()
    expect(family.locator("h1")).to_have_text("Child or young person’s record")
    expect(family.locator("main")).to_contain_text("2 April 2015")
    axe_check(family)
    family.goto(live.url + "/send")
    family.get_by_role("link", name="Request for Casey Rivers").click()
    expect(family.locator("main")).to_contain_text("We need a court order showing parental responsibility.")
    axe_check(family)
    assert len(mailbox.to(FAMILY)) == 3  # the code, then one email per decision
