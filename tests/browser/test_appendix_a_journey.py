"""Appendix A in Chromium: all eleven sections, check answers, a change, submit (JavaScript off);
autosave and a reload that keeps every answer (JavaScript on)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from extensions import db
from tests import files
from tests.appendix_answers import ANSWERS
from tests.browser.test_linking_journey import FAMILY, sign_in_with_code
from tests.people import approved_link, make_child, make_family

ADD_BUTTONS = {"previous_settings": "Add a previous school or setting", "professionals": "Add a professional"}


def seed(live) -> None:
    with live.app.app_context():
        family = make_family(FAMILY)
        approved_link(family, make_child())
        db.session.remove()


def fill_section(page: Page, key: str) -> None:
    fields = ANSWERS[key]
    for group, button in ADD_BUTTONS.items():
        if f"{group}-count" in fields and page.locator(f"[name='{group}-0-name']").count() == 0:
            page.get_by_role("button", name=button).click()
    for name, value in fields.items():
        if name.endswith("-count"):
            continue
        target = page.locator(f"[name='{name}']")
        kind = target.first.get_attribute("type")
        if kind in ("radio", "checkbox"):
            page.locator(f"[name='{name}'][value='{value}']").check()
        else:
            target.fill(value)


def open_request(page: Page, base: str, mailbox, axe_check) -> None:

    sign_in_with_code(page, base, mailbox, FAMILY, 0)
    page.get_by_role("link", name="Request an EHC needs assessment", exact=True).click()
    expect(page.locator("h1")).to_have_text("Who is the request for?")
    axe_check(page)
    page.get_by_label("Jamie Rivers").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.locator("h1")).to_have_text("Request an EHC needs assessment")
    axe_check(page)


@pytest.fixture
def js_only(browser_page: Page):
    if not browser_page.js_enabled:
        pytest.skip("autosave needs JavaScript")


def test_complete_check_change_and_submit(browser_page: Page, live, mailbox, axe_check):
    page = browser_page
    seed(live)
    open_request(page, live.url, mailbox, axe_check)
    for number, key in enumerate(ANSWERS, start=1):
        page.locator(".govuk-task-list__link").nth(number - 1).click()
        axe_check(page)
        if key == "documents":
            page.set_input_files(
                "#files", [{"name": "report.pdf", "mimeType": "application/pdf", "buffer": files.PDF}]
            )
            page.get_by_label("Report").check()
            page.get_by_role("button", name="Upload", exact=True).click()
            expect(page.locator("#document-list")).to_contain_text("report.pdf")
        else:
            fill_section(page, key)
        page.get_by_label("Mark this section as completed").check()
        page.get_by_role("button", name="Save and continue").click()
        expect(page.locator("h1")).to_have_text("Request an EHC needs assessment")
        expect(page.locator("main")).to_contain_text(f"You have completed {number} of 11 sections")

    page.get_by_role("link", name="Check your answers", exact=True).click()
    expect(page.locator("h1")).to_have_text("Check your answers before sending your request")
    axe_check(page)
    page.locator("#section-about a", has_text="Change").first.click()
    page.locator("[name='relationship']").fill("Stepmother")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("h1")).to_have_text("Check your answers before sending your request")
    expect(page.locator("#section-about")).to_contain_text("Stepmother")

    page.get_by_role("button", name="Submit request").click()
    expect(page.locator("h1")).to_have_text("Request sent")
    axe_check(page)
    reference = page.locator(".govuk-panel__body strong").inner_text()
    assert reference.startswith("EHC-")
    email = mailbox.wait_for(FAMILY, 2)[-1]
    assert reference in email["Subject"]
    page.get_by_role("link", name="View or print your request").click()
    expect(page.locator("main")).to_contain_text("Stepmother")
    axe_check(page)


def test_autosave_then_reload_keeps_every_answer(js_only, browser_page: Page, live, mailbox, axe_check):
    page = browser_page
    seed(live)
    open_request(page, live.url, mailbox, axe_check)
    page.get_by_role("link", name="5. Your views as parent or carer").click()
    page.get_by_label("The history of your concerns").fill("Since nursery, loud places upset Jamie.")
    page.get_by_label("Your hopes, and the outcomes you want for them").fill("Happy and learning")
    page.get_by_label("Your hopes, and the outcomes you want for them").blur()
    expect(page.locator("#save-status")).to_contain_text("Saved at", timeout=8000)
    axe_check(page)
    page.reload()
    expect(page.get_by_label("The history of your concerns")).to_have_value(
        "Since nursery, loud places upset Jamie."
    )
    expect(page.get_by_label("Your hopes, and the outcomes you want for them")).to_have_value(
        "Happy and learning"
    )
    page.get_by_label("The history of your concerns").fill("Changed after the autosave")
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("#status-parent_views")).to_contain_text("In progress")


def focused_id(page: Page) -> str:
    return page.evaluate("document.activeElement.id")


def in_view_from_the_top(page: Page, selector: str) -> bool:
    box = page.locator(selector).bounding_box()
    return box is not None and 0 <= box["y"] <= page.viewport_size["height"] - box["height"]


def test_adding_and_removing_rows_moves_focus_and_keeps_other_rows(
    browser_page: Page, live, mailbox, axe_check
):
    page = browser_page
    seed(live)
    open_request(page, live.url, mailbox, axe_check)
    page.get_by_role("link", name=re.compile("Professionals involved")).click()

    for row, name in enumerate(["Dr Ada Okafor", "Sam Jones", "Lee Third"]):
        page.get_by_role("button", name="Add a professional").click()
        new_field = f"professionals-{row}-name"
        expect(page).to_have_url(re.compile(f"#{new_field}$"))
        expect(page.locator(f"#{new_field}")).to_be_focused()
        assert in_view_from_the_top(page, f"label[for='{new_field}']")
        assert in_view_from_the_top(page, f"fieldset:has(#{new_field}) legend")
        page.keyboard.type(name)
    axe_check(page)

    if page.js_enabled:
        # what each group's status region says once the page has loaded: text present on load is not
        # read out, so it must be emptied, then set again a moment later
        page.add_init_script(
            """window.said = [];
            document.addEventListener("DOMContentLoaded", function () {
              document.querySelectorAll("[data-row-announcement]").forEach(function (region) {
                new MutationObserver(function () { window.said.push(region.textContent); })
                  .observe(region, {childList: true, characterData: true, subtree: true});
              });
            });"""
        )
    page.get_by_role("button", name="Remove professional 2").click()
    heading = page.get_by_role("heading", name="Professionals", exact=True)
    expect(page).to_have_url(re.compile("#professionals-heading$"))
    expect(heading).to_be_focused()
    assert focused_id(page) == "professionals-heading"
    assert in_view_from_the_top(page, "#professionals-heading")
    expect(page.locator("#professionals-status[role=status]")).to_have_text("Professional 2 removed")
    if page.js_enabled:
        page.wait_for_function("window.said.includes('Professional 2 removed')")
        assert page.evaluate("window.said") == ["", "Professional 2 removed"]
    expect(page.locator("#professionals-0-name")).to_have_value("Dr Ada Okafor")
    expect(page.locator("#professionals-1-name")).to_have_value("Lee Third")
    expect(page.locator("#professionals-2-name")).to_have_count(0)
    axe_check(page)
