"""Messages in Chromium, JavaScript on and off: a family writes to the team about their request (with
JavaScript the message appears without a page load, the box is emptied and keeps focus); a reply from
the team in another browser reaches the family's open thread within one poll, said politely (without
JavaScript, on reload); the team sees the family read it."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.live_regions import announcements, record_live_regions
from tests.browser.test_case_journey import FAMILY, STAFF, seed
from tests.browser.test_linking_journey import sign_in_with_code


@pytest.fixture
def one_second_polls(live):
    live.app.config["PROGRESS_POLL_SECONDS"] = 1
    yield
    live.app.config["PROGRESS_POLL_SECONDS"] = 60


def test_a_family_and_the_team_write_to_each_other(
    browser: Browser, browser_page: Page, live, mailbox, axe_check, one_second_polls
):
    family = browser_page
    reference = seed(live)
    if family.js_enabled:
        record_live_regions(family)
    sign_in_with_code(family, live.url, mailbox, FAMILY, 0)
    family.get_by_role("link", name="Jamie Rivers").last.click()
    family.get_by_role("link", name="Messages with the team about this request").click()
    expect(family.locator("h1")).to_have_text(f"Messages about request {reference}")
    axe_check(family)
    family.get_by_role("button", name="Send message").click()
    expect(family.locator(".govuk-error-summary")).to_contain_text("Enter your message")
    axe_check(family)
    box = family.get_by_label("Your message")
    box.fill("Can we meet to talk about the request?\nAny weekday morning.")
    family.get_by_role("button", name="Send message").click()
    thread = family.locator("#thread-messages")
    expect(thread).to_contain_text("Can we meet to talk about the request?")
    if family.js_enabled:
        expect(box).to_have_value("")
        expect(box).to_be_focused()
    else:
        expect(family.locator(".govuk-notification-banner")).to_contain_text("Your message has been sent")

    staff_context = browser.new_context(java_script_enabled=family.js_enabled)
    staff = staff_context.new_page()
    staff.js_enabled = family.js_enabled
    sign_in_with_code(staff, live.url, mailbox, STAFF, 0)
    expect(staff.locator("h1")).to_have_text("Review requests")
    staff.get_by_role("link", name="Messages", exact=True).click()
    expect(staff.locator("h1")).to_have_text("Messages")
    axe_check(staff)
    staff.get_by_role("link", name=reference).click()
    axe_check(staff)
    staff.get_by_label("Reply to the family").fill("Yes: Tuesday at 10am suits us.")
    staff.get_by_role("button", name="Send reply").click()
    expect(staff.locator("#thread-messages")).to_contain_text("Not read by the family yet")

    if family.js_enabled:
        expect(thread).to_contain_text("Yes: Tuesday at 10am suits us.", timeout=5_000)
        expect(family.locator("#thread-update")).to_have_text("New message from the SEND Assessment Hub Team")
        assert announcements(family, "New message from the SEND Assessment Hub Team")
    else:
        family.get_by_role("link", name="Refresh this page").click()
        expect(thread).to_contain_text("Yes: Tuesday at 10am suits us.")
    expect(thread).to_contain_text("SEND Assessment Hub Team (Pat)")
    axe_check(family)
    staff.reload()
    expect(staff.locator("#thread-messages")).to_contain_text("Read by the family")
    staff_context.close()
