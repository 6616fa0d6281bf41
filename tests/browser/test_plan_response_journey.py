"""A family gives their views on a draft EHC plan in Chromium, JavaScript on and off: part by part, a
mistake shown and put right, checked, sent with a document; then the officer reads them on the case page."""

from __future__ import annotations

from playwright.sync_api import Browser, Page, expect

from extensions import db
from models.documents import PLAN
from services import documents
from tests import files
from tests.browser.test_linking_journey import sign_in_with_code
from tests.people import approved_link, make_child, make_family, make_staff, moved_on, submitted_case

FAMILY, STAFF = "parent@example.com", "officer@somerset.gov.uk"


def seed(live) -> str:
    """A case whose draft plan has just been sent to the family."""
    with live.app.app_context():
        family, officer = make_family(FAMILY), make_staff(STAFF)
        child = make_child()
        approved_link(family, child)
        case = submitted_case(family, child)
        moved_on(officer, case, until="plan_to_be_issued")
        draft = documents.prepare_to_add(
            officer, [documents.Incoming("draft plan.pdf", files.PDF)], PLAN, case
        )
        moved_on(officer, case, until="draft_plan_sent", letters_for={"draft_plan_sent": draft.saved})
        reference = case.reference
        db.session.remove()
    return reference


def complete(page: Page, part: str) -> None:
    page.get_by_role("link", name=part).click()
    expect(page.locator("h1")).to_have_text(part.split(". ", 1)[1])
    page.get_by_label("Mark this section as completed").check()
    page.get_by_role("button", name="Save and continue").click()
    expect(page.locator("h1")).to_have_text("Your views on the draft EHC plan")


def test_a_family_gives_their_views_on_the_draft_plan_and_the_officer_reads_them(
    browser: Browser, browser_page: Page, live, mailbox, axe_check
):
    family = browser_page
    reference = seed(live)
    sign_in_with_code(family, live.url, mailbox, FAMILY, 0)
    family.get_by_role("link", name="Jamie Rivers").last.click()
    expect(family.locator(".govuk-notification-banner")).to_contain_text("Comment on the draft EHC plan by")
    family.get_by_role("link", name="Give your views on the draft plan").click()
    expect(family.locator("h1")).to_have_text("Your views on the draft EHC plan")
    axe_check(family)

    family.get_by_role("link", name="1. Sections A to D: the child and their needs").click()
    axe_check(family)
    family.get_by_label("B: Special educational needs").fill("Speech and language therapy every week.")
    family.get_by_label("Mark this section as completed").check()
    family.get_by_role("button", name="Save and continue").click()
    expect(family.locator("#status-child_and_needs")).to_have_text("Completed")

    family.get_by_role("link", name="4. The school or setting you want named").click()
    family.get_by_label("The school or setting you want named").fill("Westfield Academy")
    family.get_by_label("Mark this section as completed").check()
    family.get_by_role("button", name="Save and continue").click()
    summary = family.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter why you want this school or setting")
    if family.js_enabled:
        expect(summary).to_be_focused()
    expect(family.get_by_label("The school or setting you want named")).to_have_value("Westfield Academy")
    axe_check(family)
    family.get_by_label("Why you want this school or setting").fill("It has a speech and language base.")
    family.get_by_label("Mark this section as completed").check()
    family.get_by_role("button", name="Save and continue").click()
    expect(family.locator("#status-school")).to_have_text("Completed")

    complete(family, "2. Sections E to H: outcomes and provision")
    complete(family, "3. Sections I to K: placement, personal budget and advice")
    family.get_by_role("link", name="5. A meeting about the draft plan").click()
    family.get_by_label("Yes").check()
    family.get_by_label("Mark this section as completed").check()
    family.get_by_role("button", name="Save and continue").click()

    family.get_by_role("link", name="Check your views").click()
    expect(family.locator("h1")).to_have_text("Check your views before sending them")
    expect(family.locator("main")).to_contain_text("Westfield Academy")
    axe_check(family)
    family.get_by_label("Documents (optional)").set_input_files(
        {"name": "therapy report.pdf", "mimeType": "application/pdf", "buffer": files.PDF}
    )
    family.get_by_role("button", name="Send your views").click()
    expect(family.locator(".govuk-notification-banner")).to_contain_text(
        "Your response has been sent to the team"
    )
    expect(family.locator("#case-progress")).to_contain_text("Your response to the draft plan")
    expect(family.locator("#case-progress").get_by_role("link", name="therapy report.pdf")).to_be_visible()
    axe_check(family)

    staff_context = browser.new_context(java_script_enabled=family.js_enabled)
    staff = staff_context.new_page()
    staff.js_enabled = family.js_enabled
    sign_in_with_code(staff, live.url, mailbox, STAFF, 0)
    expect(staff.locator("h1")).to_have_text("Review requests")
    staff.get_by_role("link", name="Cases", exact=True).click()
    staff.get_by_role("link", name=reference).click()
    response = staff.locator("#plan-response")
    expect(response).to_have_text("The family’s response to the draft plan")
    expect(staff.locator("main")).to_contain_text("Speech and language therapy every week.")
    expect(staff.locator("main")).to_contain_text("It has a speech and language base.")
    axe_check(staff)
    staff_context.close()
