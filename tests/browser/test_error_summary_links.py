"""Error summary links in Chromium, on a 320 by 640 screen where the fields in error are far down the
page: a link focuses its field and, with JavaScript on, leaves the field's label (or the legend of its
radios or date) on screen, as GOV.UK Frontend's error summary does. With JavaScript off the plain
link still moves focus to the field."""

from __future__ import annotations

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_every_page import FAMILY_EMAIL, seed, signed_in_page

ON_SCREEN = """element => {
    const top = element.getBoundingClientRect().top;
    return {top, height: window.innerHeight, visible: top >= 0 && top < window.innerHeight};
}"""


def focused_id(page: Page) -> str:
    return page.evaluate("document.activeElement && document.activeElement.id")


def assert_on_screen(page: Page, selector: str) -> None:
    where = page.locator(selector).evaluate(ON_SCREEN)
    assert where["visible"], f"{selector} is at {where['top']}, outside a screen {where['height']} high"


def legend_of(field_id: str) -> str:
    """The legend of the fieldset nearest the field: its radios' or date's question."""
    return f"#{field_id} >> xpath=ancestor::fieldset[1]/legend"


def follow(page: Page, message: str) -> None:
    page.locator(".govuk-error-summary").get_by_role("link", name=message, exact=True).click()


def household_with_person_2_missing(page: Page, live, ids: dict) -> None:
    page.goto(f"{live.url}/send/requests/{ids['draft']}/sections/household")
    page.get_by_role("button", name="Add another person").click()  # a new draft has person 1
    page.locator("#people-0-name").fill("Robin Rivers")
    page.locator("#people-0-relationship").fill("Mother")
    page.locator("[name='people-0-has_pr'][value='yes']").check()
    page.get_by_label("Mark this section as completed").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("Enter the full name of person 2")


def child_with_only_a_day_of_birth(page: Page, live, ids: dict) -> None:
    page.goto(f"{live.url}/send/requests/{ids['draft']}/sections/child")
    page.locator("#date_of_birth-day").fill("2")
    page.locator("#date_of_birth-month").fill("")
    page.locator("#date_of_birth-year").fill("")
    page.get_by_label("Mark this section as completed").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Date of birth must include a month and a year"
    )


@pytest.fixture
def page_for(browser: Browser, live):
    pages = []

    def open_page(js_enabled: bool) -> tuple[Page, dict]:
        ids = seed(live)
        page = signed_in_page(browser, live, FAMILY_EMAIL, js_enabled)
        pages.append(page)
        return page, ids

    yield open_page
    for page in pages:
        page.context.close()


@pytest.mark.parametrize("js_enabled", [True], ids=["js"])
def test_a_row_link_focuses_the_field_with_its_label_on_screen(page_for, live, js_enabled):
    page, ids = page_for(js_enabled)
    household_with_person_2_missing(page, live, ids)

    follow(page, "Enter the full name of person 2")
    assert focused_id(page) == "people-1-name"
    assert_on_screen(page, "label[for='people-1-name']")

    page.evaluate("window.scrollTo(0, 0)")
    follow(page, "Enter the relationship of person 2 to the child")
    assert focused_id(page) == "people-1-relationship"
    assert_on_screen(page, "label[for='people-1-relationship']")

    page.evaluate("window.scrollTo(0, 0)")
    follow(page, "Select whether person 2 has parental responsibility")
    assert focused_id(page) == "people-1-has_pr"
    assert_on_screen(page, legend_of("people-1-has_pr"))


@pytest.mark.parametrize("js_enabled", [True], ids=["js"])
def test_the_date_of_birth_link_focuses_the_part_in_error_with_the_legend_on_screen(
    page_for, live, js_enabled
):
    page, ids = page_for(js_enabled)
    child_with_only_a_day_of_birth(page, live, ids)
    follow(page, "Date of birth must include a month and a year")
    assert focused_id(page) == "date_of_birth-month"
    assert_on_screen(page, legend_of("date_of_birth-month"))


@pytest.mark.parametrize("js_enabled", [False], ids=["no-js"])
def test_without_javascript_the_plain_links_still_focus_the_field(page_for, live, js_enabled):
    page, ids = page_for(js_enabled)
    household_with_person_2_missing(page, live, ids)
    follow(page, "Enter the full name of person 2")
    assert focused_id(page) == "people-1-name"
    follow(page, "Select whether person 2 has parental responsibility")
    assert focused_id(page) == "people-1-has_pr"

    child_with_only_a_day_of_birth(page, live, ids)
    follow(page, "Date of birth must include a month and a year")
    assert focused_id(page) == "date_of_birth-month"
