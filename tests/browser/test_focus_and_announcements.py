"""With JavaScript on, what happens to focus and what screen readers are told: autosave, the
password checklist, the character count, and a wrong security code swapped in by htmx."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.live_regions import announcements, forget_announcements, record_live_regions
from tests.browser.test_account_journey import fill_registration_until_password
from tests.browser.test_appendix_a_journey import open_request, seed
from tests.browser.test_password_journeys import EMAIL, sign_in
from tests.browser.test_two_step_journeys import enter_code, seed_family_with_email_codes, wrong_code_for
from tests.two_step_helpers import code_from

PARENT_VIEWS = "5. Your views as parent or carer"
AUTOSAVE_WAIT_MS = 8000


@pytest.fixture
def js_page(browser_page: Page) -> Page:
    if not browser_page.js_enabled:
        pytest.skip("what scripts do to focus and live regions")
    return browser_page


def no_axe_check(page: Page) -> None:
    """The journeys these tests pass through are checked with axe in their own tests."""


def test_autosave_leaves_focus_and_every_keystroke_in_the_field(js_page: Page, live, mailbox, monkeypatch):
    monkeypatch.setattr(
        "blueprints.sectioned_form.uk_time", lambda when: "4:05pm"
    )  # both saves in one minute
    page = js_page
    record_live_regions(page)
    seed(live)
    open_request(page, live.url, mailbox, no_axe_check)
    page.get_by_role("link", name=PARENT_VIEWS).click()
    page.get_by_label("Mark this section as completed").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_be_focused()

    field = page.get_by_label("The history of your concerns")
    field.click()
    scrolled_to = page.evaluate("window.scrollY")
    field.press_sequentially("Since nursery")
    expect(page.locator("#save-status")).to_contain_text("Saved at", timeout=AUTOSAVE_WAIT_MS)
    version = page.locator("#version").input_value()
    with page.expect_response(lambda response: response.url.endswith("/autosave"), timeout=AUTOSAVE_WAIT_MS):
        page.keyboard.type(", loud places upset Jamie.", delay=40)
    page.wait_for_timeout(300)  # the second answer swapped and settled

    expect(field).to_be_focused()
    expect(field).to_have_value("Since nursery, loud places upset Jamie.")
    assert page.evaluate("window.scrollY") == scrolled_to
    assert announcements(page, "Saved at") == ["Saved at 4:05pm"]  # two saves, the same words once
    assert page.locator("#version").input_value() != version, "the second save's version was not kept"

    page.route("**/autosave", lambda route: route.abort())  # the connection drops
    for words in (" At home", " and at school"):
        with page.expect_event("requestfailed", timeout=AUTOSAVE_WAIT_MS):
            page.keyboard.type(words)
            field.blur()
        field.focus()
    expect(page.locator("#save-status")).to_contain_text("Not saved")
    assert len(announcements(page, "Not saved")) == 1


def test_password_checklist_says_only_what_changed(js_page: Page, live):
    page = js_page
    record_live_regions(page)
    fill_registration_until_password(page, live.url, no_axe_check)
    forget_announcements(page)
    password = page.locator("#password")

    def rule(words: str):
        return page.locator(".app-password-checklist__item", has_text=words)

    password.press_sequentially("marble garden")
    expect(rule("at least one lowercase letter")).to_have_class(re.compile("--met"))
    password.press_sequentially("4")
    expect(rule("at least one number")).to_have_class(re.compile("--met"))
    password.press("Backspace")
    expect(rule("at least one number")).to_have_class(re.compile("--unmet"))
    password.press_sequentially("42 Kettle?")
    expect(page.locator(".app-password-checklist__item--unmet")).to_have_count(0)

    said = announcements(page)
    assert "At least one number: done" in said
    assert "At least one number: not yet" in said
    assert not [text for text in said if "Your password must be" in text or len(text) > 100], said


def test_character_count_shows_the_excess_at_once_and_speaks_when_typing_pauses(
    js_page: Page, live, mailbox, monkeypatch
):
    monkeypatch.setitem(live.app.config, "APPENDIX_A_MAX_CHARACTERS", 20)
    page = js_page
    record_live_regions(page)
    seed(live)
    open_request(page, live.url, mailbox, no_axe_check)
    page.get_by_role("link", name=PARENT_VIEWS).click()
    field = page.get_by_label("The history of your concerns")
    count = page.locator("#history ~ .govuk-character-count__status")

    field.fill("Loud places upset")
    expect(count).to_have_text("You have 3 characters remaining")
    page.wait_for_timeout(1500)
    assert announcements(page, "characters") == ["You have 3 characters remaining"]

    forget_announcements(page)
    field.press_sequentially(" Jamie", delay=700)  # slow typing: a pause under a second between keys
    expect(count).to_have_text("You have 3 characters too many")
    expect(count).to_have_class(re.compile("govuk-error-message"))
    expect(field).to_have_class(re.compile("govuk-textarea--error"))
    page.wait_for_timeout(1500)
    assert announcements(page, "characters") == ["You have 3 characters too many"]


def test_a_wrong_code_swapped_in_by_htmx_starts_the_title_with_error(js_page: Page, live, mailbox):
    page = js_page
    seed_family_with_email_codes(live)
    sign_in(page, live.url)
    page.get_by_role("link", name="SEND", exact=True).click()
    expect(page).to_have_title("Check your email – SEND Citizen Portal – Somerset Council")
    page.evaluate("window.sameDocument = true")
    enter_code(page, wrong_code_for(code_from(mailbox, EMAIL)))

    expect(page.locator(".govuk-error-summary")).to_be_focused()
    expect(page).to_have_title("Error: Check your email – SEND Citizen Portal – Somerset Council")
    assert page.evaluate("window.sameDocument === true"), "the page was loaded again, not swapped"
