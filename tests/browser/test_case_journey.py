"""A case after submission in Chromium, JavaScript on and off: staff give it an officer and ask for more
information from the Cases page and the case page; the family's open Progress page shows each change
(with JavaScript, within one poll, said politely, focus left where it was; without, on refresh), and the
family answers."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from extensions import db
from models import AssessmentRequest, User
from services import cases
from services.clock import uk_day
from tests import files
from tests.browser.live_regions import announcements, record_live_regions
from tests.browser.test_linking_journey import sign_in_with_code
from tests.people import approved_link, make_child, make_family, make_staff, submitted_case

FAMILY, STAFF = "parent@example.com", "officer@somerset.gov.uk"


@pytest.fixture
def one_second_polls(live):
    live.app.config["PROGRESS_POLL_SECONDS"] = 1
    yield
    live.app.config["PROGRESS_POLL_SECONDS"] = 60


def seed(live) -> str:
    with live.app.app_context():
        family = make_family(FAMILY)
        make_staff(STAFF)
        child = make_child()
        approved_link(family, child)
        case = submitted_case(family, child)
        reference = case.reference
        db.session.remove()
    return reference


def test_staff_move_a_case_and_the_family_follows_it(
    browser: Browser, browser_page: Page, live, mailbox, axe_check, one_second_polls
):
    family = browser_page
    reference = seed(live)
    responses: list[int] = []
    family.on(
        "response", lambda response: responses.append(response.status) if "/status" in response.url else None
    )
    if family.js_enabled:
        record_live_regions(family)
    sign_in_with_code(family, live.url, mailbox, FAMILY, 0)
    family.get_by_role("link", name="Jamie Rivers").last.click()
    expect(family.locator("h1")).to_have_text("Progress of your request")
    expect(family.locator("#case-progress")).to_contain_text("Request received")
    axe_check(family)
    refresh = family.get_by_role("link", name="Refresh this page")
    refresh.focus()

    staff_context = browser.new_context(java_script_enabled=family.js_enabled)
    staff = staff_context.new_page()
    staff.js_enabled = family.js_enabled
    sign_in_with_code(staff, live.url, mailbox, STAFF, 0)
    expect(staff.locator("h1")).to_have_text("Review requests")  # signed in and through the code
    staff.get_by_role("link", name="Cases", exact=True).click()
    expect(staff.locator("h1")).to_have_text("Cases")
    axe_check(staff)
    staff.get_by_role("link", name=reference).click()
    expect(staff.locator("h1")).to_have_text("Request for an EHC needs assessment")
    axe_check(staff)
    staff.get_by_label("Pat Morgan").check()
    staff.get_by_role("button", name="Save officer").click()
    expect(staff.locator(".govuk-notification-banner")).to_contain_text(
        "Pat Morgan is the officer for this case"
    )

    if family.js_enabled:
        expect(family.locator("#case-progress")).to_contain_text("Being reviewed", timeout=5_000)
        expect(family.locator("#case-progress")).to_contain_text("Pat Morgan")
        expect(family.locator("#case-update")).to_have_text("Update: Officer: Pat Morgan")
        assert announcements(family, "Update: Officer: Pat Morgan")
        assert 304 in responses  # the polls before the change were answered with no body
        expect(refresh).to_be_focused()
        axe_check(family)
    else:
        refresh.click()
        expect(family.locator("#case-progress")).to_contain_text("Being reviewed")
        expect(family.locator("#case-progress")).to_contain_text("Pat Morgan")
        assert responses == []  # nothing polls without JavaScript

    staff.get_by_label("More information needed").check()
    staff.get_by_role("button", name="Move the case on").click()
    expect(staff.locator(".govuk-error-summary")).to_contain_text("Enter the note the family will read")
    axe_check(staff)
    staff.get_by_label("Note for the family").fill("Please send the latest school report.")
    answer_by = date.today() + timedelta(days=14)
    dates = staff.get_by_role("group", name="If you ask for more information: the date to answer by")
    dates.get_by_label("Day").fill(str(answer_by.day))
    dates.get_by_label("Month").fill(str(answer_by.month))
    dates.get_by_label("Year").fill(str(answer_by.year))
    staff.get_by_label("Internal note (the family never sees it)").fill("SENCo says it is late")
    staff.get_by_label("I have checked this change").check()
    staff.get_by_role("button", name="Move the case on").click()
    expect(staff.locator(".govuk-notification-banner")).to_contain_text("More information needed")
    axe_check(staff)

    if family.js_enabled:
        expect(family.locator("#case-progress")).to_contain_text(
            f"The team has asked you for more information by {uk_day(answer_by)}: "
            "Please send the latest school report.",
            timeout=5_000,
        )
        expect(family.locator("#case-update")).to_have_text("Update: More information needed")
        expect(refresh).to_be_focused()
    else:
        refresh.click()
        expect(family.locator(".govuk-notification-banner")).to_contain_text(
            "Please send the latest school report."
        )
    expect(family.locator("main")).not_to_contain_text("SENCo says it is late")
    axe_check(family)

    if family.js_enabled:
        family.get_by_role("link", name="Answer the team").click()
    family.get_by_role("button", name="Send your answer").click()
    expect(family.locator(".govuk-error-summary")).to_contain_text("Enter your answer")
    axe_check(family)
    family.get_by_label("Answer the team").fill("The report is attached.")
    family.get_by_label("Documents (optional)").set_input_files(
        {"name": "school report.pdf", "mimeType": "application/pdf", "buffer": pdf("report")}
    )
    family.get_by_role("button", name="Send your answer").click()
    expect(family.locator(".govuk-notification-banner")).to_contain_text(
        "Your answer has been sent to the team"
    )
    expect(family.locator("#case-progress")).to_contain_text("Being reviewed")
    expect(family.locator("#case-progress")).to_contain_text("The report is attached.")
    expect(family.locator("#case-progress").get_by_role("link", name="school report.pdf")).to_be_visible()
    axe_check(family)

    # the officer reads the answer with its document, and decides, with the decision letter
    staff.reload()
    expect(staff.locator("main")).to_contain_text("The report is attached.")
    with staff.expect_download() as sent:
        staff.get_by_role("link", name="school report.pdf").click()
    assert Path(sent.value.path()).read_bytes() == pdf("report")
    staff.get_by_label("Agreed to assess", exact=True).check()
    staff.get_by_label("Note for the family").fill("We will ask for advice from the school and health.")
    staff.get_by_label("Letter or plan for the family (PDF)").set_input_files(
        {"name": "decision.pdf", "mimeType": "application/pdf", "buffer": pdf("decision")}
    )
    staff.get_by_label("I have checked this change").check()
    staff.get_by_role("button", name="Move the case on").click()
    expect(staff.locator(".govuk-notification-banner")).to_contain_text("Agreed to assess")
    staff_context.close()

    if family.js_enabled:
        expect(family.locator("#case-update")).to_have_text("Update: Agreed to assess", timeout=5_000)
    else:
        refresh.click()
    letters = family.get_by_role("heading", name="Letters and plans from the council")
    expect(letters).to_be_visible()
    expect(family.locator("#case-progress")).to_contain_text("The council has agreed to carry out")
    axe_check(family)
    with family.expect_download() as received:
        family.locator("#case-progress").get_by_role("link", name="decision.pdf").first.click()
    assert Path(received.value.path()).read_bytes() == pdf("decision")


def pdf(marker: str) -> bytes:
    return files.PDF.replace(b"%%EOF", f"% {marker}\n%%EOF".encode())


def test_the_send_home_keeps_each_request_s_step_current(browser_page: Page, live, mailbox, one_second_polls):
    family = browser_page
    reference = seed(live)
    if family.js_enabled:
        record_live_regions(family)
    sign_in_with_code(family, live.url, mailbox, FAMILY, 0)
    requests = family.locator("#your-requests")
    expect(requests).to_contain_text(f"Request received {reference}")
    with live.app.app_context():
        case = db.session.scalar(select(AssessmentRequest).where(AssessmentRequest.reference == reference))
        officer = db.session.scalar(select(User).where(User.email == STAFF))
        cases.assign_officer(officer, case, officer, None)
        db.session.remove()
    if family.js_enabled:
        expect(requests).to_contain_text(f"Being reviewed {reference}", timeout=5_000)
        assert announcements(family, "the progress of your requests has changed")
    else:
        expect(requests).to_contain_text("Request received")  # nothing changes by itself
        family.reload()
        expect(requests).to_contain_text(f"Being reviewed {reference}")
