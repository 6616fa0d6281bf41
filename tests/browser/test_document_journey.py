"""Sending documents in Chromium, JavaScript on and off: two files, one refused, then a download."""

from __future__ import annotations

import hashlib
import re

from playwright.sync_api import Page, expect
from sqlalchemy import select

from extensions import db
from models import Document
from services.storage import storage_from_settings
from tests import files
from tests.browser.test_linking_journey import FAMILY, sign_in_with_code
from tests.people import approved_link, make_child, make_family


def seed(live) -> str:
    with live.app.app_context():
        family = make_family(FAMILY)
        child = make_child()
        approved_link(family, child)
        public_id = child.public_id
        db.session.remove()
    return public_id


def test_upload_two_files_one_refused_then_download(browser_page: Page, live, mailbox, axe_check):
    page = browser_page
    child_id = seed(live)
    sign_in_with_code(page, live.url, mailbox, FAMILY, 0)
    page.get_by_role("link", name="Jamie Rivers").click()
    page.get_by_role("link", name="Send documents", exact=True).click()
    expect(page.locator("h1")).to_have_text("Send documents to the SEND Assessment Hub Team")
    expect(page.locator("#files")).to_have_attribute(
        "accept", ".pdf,.jpg,.jpeg,.png,.heic,.heif,.doc,.docx,.odt,image/*,application/pdf"
    )
    axe_check(page)

    page.set_input_files(
        "#files",
        [
            {"name": "speech-report.pdf", "mimeType": "application/pdf", "buffer": files.PDF},
            {"name": "virus.pdf", "mimeType": "application/pdf", "buffer": files.EXECUTABLE},
        ],
    )
    page.get_by_label("Report").check()
    page.get_by_role("button", name="Upload", exact=True).click()

    document_list = page.locator("#document-list")
    expect(document_list).to_contain_text("speech-report.pdf")
    expect(document_list).not_to_contain_text("virus.pdf")
    if page.js_enabled:
        expect(page.locator("#upload-status")).to_contain_text("Uploaded speech-report.pdf")
        expect(page.locator("#upload-status")).to_contain_text("virus.pdf is not a real PDF file")
        expect(page.locator("#upload-progress progress")).to_have_count(2)
    else:
        expect(page.locator(".govuk-error-summary")).to_contain_text("virus.pdf is not a real PDF file")
        expect(page.locator(".govuk-notification-banner")).to_contain_text("Uploaded speech-report.pdf")
    axe_check(page)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="speech-report.pdf").click()
    download = download_info.value
    assert download.suggested_filename == "speech-report.pdf"
    with open(download.path(), "rb") as saved:
        assert saved.read() == files.PDF
    # What the team receives: the report, filed against the child, and nothing of the refused file.
    with live.app.app_context():
        sent = db.session.scalars(select(Document)).all()
        assert [(d.original_name, d.category, d.child.public_id) for d in sent] == [
            ("speech-report.pdf", "report", child_id)
        ]
        assert sent[0].sha256 == hashlib.sha256(files.PDF).hexdigest()
        assert storage_from_settings(live.app.config).load(sent[0].storage_key) == files.PDF
        db.session.remove()


TWO_FILES = [
    {"name": "speech-report.pdf", "mimeType": "application/pdf", "buffer": files.PDF},
    {"name": "diagnosis.pdf", "mimeType": "application/pdf", "buffer": files.PDF},
]


def upload_without_saying_what_it_is(page: Page, axe_check) -> None:
    """The error pattern of every form: summary at the top linking to the field, "Error: " in the
    title, the field marked, focus on the summary (JavaScript on), the chosen files kept, nothing sent."""
    page.set_input_files("#files", TWO_FILES)
    page.get_by_label("Describe it").fill("Speech and language, March")
    page.get_by_role("button", name="Upload", exact=True).click()

    summary = page.locator(".govuk-error-summary")
    expect(summary.get_by_role("link", name="Select what you are sending")).to_have_attribute(
        "href", "#category"
    )
    expect(page).to_have_title(re.compile("^Error: "))
    group = page.locator(".govuk-form-group:has(#category)")
    expect(group).to_have_class(re.compile("govuk-form-group--error"))
    expect(page.locator("#category-error")).to_have_text("Error: Select what you are sending")
    expect(page.locator("fieldset:has(#category)")).to_have_attribute("aria-describedby", "category-error")
    expect(page.locator("#files-error")).to_have_count(0)
    expect(page.get_by_label("Describe it")).to_have_value("Speech and language, March")
    expect(page.locator("#document-list")).to_contain_text("No documents have been sent yet")
    if page.js_enabled:
        expect(summary).to_be_focused()
        assert page.eval_on_selector("#files", "input => input.files.length") == 2
        expect(page.locator("#upload-progress li")).to_have_count(0)
    else:
        page.set_input_files("#files", TWO_FILES)
    axe_check(page)

    page.get_by_label("Report").check()
    page.get_by_role("button", name="Upload", exact=True).click()
    expect(page.locator("#document-list")).to_contain_text("speech-report.pdf")
    expect(page.locator("#document-list")).to_contain_text("diagnosis.pdf")
    expect(page.locator(".govuk-error-summary")).to_have_count(0)
    expect(page.locator(".govuk-form-group--error")).to_have_count(0)
    expect(page).not_to_have_title(re.compile("^Error"))
    if page.js_enabled:
        expect(page.locator("#upload-status")).to_contain_text("Uploaded diagnosis.pdf")
    axe_check(page)


def test_upload_errors_follow_the_error_pattern_and_keep_the_chosen_files(
    browser_page: Page, live, mailbox, axe_check
):
    page = browser_page
    seed(live)
    sign_in_with_code(page, live.url, mailbox, FAMILY, 0)
    page.get_by_role("link", name="Jamie Rivers").click()
    page.get_by_role("link", name="Send documents", exact=True).click()
    upload_without_saying_what_it_is(page, axe_check)

    page.goto(live.url + "/send")
    page.get_by_role("link", name="Request an EHC needs assessment").click()
    page.get_by_label("Jamie Rivers").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("link", name=re.compile("Documents")).click()
    expect(page.locator("h1")).to_have_text("Documents")
    upload_without_saying_what_it_is(page, axe_check)
