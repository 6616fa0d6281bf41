"""An annual review of an EHC plan in Chromium, JavaScript on and off: the family gives their views before
the meeting, part by part, a mistake shown and put right, checked and sent with a report; later they
comment on the changes the council proposes. Each time the officer reads what they sent on the review page."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Browser, Page, expect

from extensions import db
from models import Plan
from services import documents, plans, reviews, statutory
from services.clock import uk_day
from tests import files
from tests.browser.test_linking_journey import sign_in_with_code
from tests.people import approved_link, make_child, make_family, make_staff

FAMILY, STAFF = "parent@example.com", "officer@somerset.gov.uk"


def seed(live, meeting_in_days: int, amend: bool = False) -> str:
    """A plan of Jamie’s with a review meeting arranged, and advice for it shared with the family. With
    `amend`, the meeting was held 3 days ago, its report added, and the council proposes amendments.
    Gives the review's id."""
    with live.app.app_context():
        family, officer = make_family(FAMILY), make_staff(STAFF)
        child = make_child()
        approved_link(family, child)
        today = statutory.uk_today()
        plan = Plan(
            child_id=child.id,
            issued_on=today - timedelta(days=330),
            school="Taunton Primary",
            to_post_16=False,
            officer_id=officer.id,
            recorded_by_id=officer.id,
        )
        plan.review_due_on = plans.review_due(plan, child)
        db.session.add(plan)
        db.session.commit()
        meeting_on = today + timedelta(days=meeting_in_days)
        review = plans.arrange_meeting(
            officer, plan, meeting_on, "Taunton Primary, room 4", "The SENCo", None
        )
        paper = documents.Incoming("advice.pdf", files.PDF)
        reviews.share_papers(
            officer, review, documents.prepare_to_add(officer, [paper], "", None, child=child).saved
        )
        if amend:  # the meeting moved into the past, then held, its report added, and amendments proposed
            review.meeting_on = today - timedelta(days=3)
            db.session.commit()
            report = documents.Incoming("review report.pdf", files.PDF)
            reviews.record_report(
                officer,
                review,
                review.meeting_on,
                documents.prepare_to_add(officer, [report], "", None, child=child).saved,
            )
            changes = documents.Incoming("proposed changes.pdf", files.PDF)
            reviews.decide(
                officer,
                review,
                "amend",
                "More speech therapy",
                "Section F: two sessions a week",
                documents.prepare_to_add(officer, [changes], "", None, child=child).saved,
            )
        public_id = review.public_id
        db.session.remove()
    return public_id


def officer_page(browser: Browser, family: Page, live, mailbox, public_id: str) -> Page:
    """The officer, signed in in a browser of their own, on the review's page."""
    staff_context = browser.new_context(java_script_enabled=family.js_enabled)
    staff = staff_context.new_page()
    staff.js_enabled = family.js_enabled
    sign_in_with_code(staff, live.url, mailbox, STAFF, 0)
    expect(staff.locator("h1")).to_have_text("Review requests")
    staff.goto(f"{live.url}/staff/reviews/{public_id}")
    expect(staff.locator("h1")).to_have_text("Annual review")
    return staff


def test_a_family_gives_their_views_before_the_meeting_and_the_officer_reads_them(
    browser: Browser, browser_page: Page, live, mailbox, axe_check
):
    family = browser_page
    public_id = seed(live, meeting_in_days=21)
    views_by = uk_day(statutory.uk_today() + timedelta(days=20))
    sign_in_with_code(family, live.url, mailbox, FAMILY, 0)
    family.get_by_role("link", name="Jamie Rivers").last.click()
    family.get_by_role("link", name="The annual review: what to do and by when").click()
    expect(family.locator("h1")).to_have_text("Annual review of the EHC plan")
    expect(family.locator(".govuk-notification-banner")).to_contain_text(f"Send your views by {views_by}")
    expect(family.get_by_role("link", name="advice.pdf")).to_be_visible()
    axe_check(family)

    family.locator(".govuk-notification-banner").get_by_role("link", name="Give your views").click()
    expect(family.locator("h1")).to_have_text("Your views for the annual review")
    axe_check(family)

    family.get_by_role("link", name="1. Your views").click()
    expect(family.locator("h1")).to_have_text("Your views")
    axe_check(family)
    family.get_by_label("What is working well").fill("Reading at home every evening.")
    family.get_by_label("Mark this section as completed").check()
    family.get_by_role("button", name="Save and continue").click()
    expect(family.locator("#status-family_views")).to_have_text("Completed")

    # marked as completed with nothing written: the error says so, beside the first question
    family.get_by_role("link", name="2. All about me").click()
    expect(family.locator("h1")).to_have_text("All about me")
    family.get_by_label("Mark this section as completed").check()
    family.get_by_role("button", name="Save and continue").click()
    summary = family.locator(".govuk-error-summary")
    missing = "Answer at least one question before you mark this section as completed"
    expect(summary).to_contain_text(missing)
    if family.js_enabled:
        expect(summary).to_be_focused()
    expect(family.locator("#liked_for-error")).to_contain_text(missing)
    axe_check(family)
    family.get_by_label("What people like and admire about me").fill("I am kind and I make people laugh.")
    family.get_by_label("Mark this section as completed").check()
    family.get_by_role("button", name="Save and continue").click()
    expect(family.locator("#status-family_views")).to_have_text("Completed")
    expect(family.locator("#status-all_about_me")).to_have_text("Completed")

    family.get_by_role("link", name="Check before sending").click()
    expect(family.locator("h1")).to_have_text("Check before sending")
    expect(family.locator("main")).to_contain_text("Reading at home every evening.")
    expect(family.locator("main")).to_contain_text("I am kind and I make people laugh.")
    axe_check(family)
    family.get_by_label("Reports or documents (optional)").set_input_files(
        {"name": "school report.pdf", "mimeType": "application/pdf", "buffer": files.PDF}
    )
    family.get_by_role("button", name="Send your views").click()
    expect(family.locator("h1")).to_have_text("Annual review of the EHC plan")
    expect(family.locator(".govuk-notification-banner")).to_contain_text(
        "Your views have been sent to the team"
    )
    expect(family.locator("main p").filter(has_text="See your views")).to_contain_text("Sent ")
    axe_check(family)

    staff = officer_page(browser, family, live, mailbox, public_id)
    main = staff.locator("main")
    expect(main).to_contain_text("Reading at home every evening.")
    expect(main).to_contain_text("I am kind and I make people laugh.")
    expect(staff.get_by_role("link", name="school report.pdf")).to_be_visible()
    axe_check(staff)
    staff.context.close()


def test_a_family_comments_on_the_proposed_amendments_and_the_officer_reads_them(
    browser: Browser, browser_page: Page, live, mailbox, axe_check
):
    family = browser_page
    public_id = seed(live, meeting_in_days=15, amend=True)
    comment_by = uk_day(statutory.uk_today() + timedelta(days=live.app.config["DRAFT_PLAN_COMMENT_DAYS"]))
    sign_in_with_code(family, live.url, mailbox, FAMILY, 0)
    expect(family.get_by_role("link", name="Jamie Rivers").last).to_be_visible()  # signed in: the SEND home
    family.goto(f"{live.url}/send/reviews/{public_id}")
    expect(family.locator("h1")).to_have_text("Annual review of the EHC plan")
    banner = family.locator(".govuk-notification-banner")
    expect(banner).to_contain_text(f"Comment on the proposed changes by {comment_by}")
    expect(family.locator("main")).to_contain_text("Section F: two sessions a week")
    expect(family.get_by_role("link", name="review report.pdf")).to_be_visible()
    axe_check(family)

    banner.get_by_role("link", name="Comment on the proposed changes").click()
    expect(family.locator("h1")).to_have_text("Your comments on the proposed amendments")
    expect(family.get_by_role("link", name="proposed changes.pdf")).to_be_visible()
    axe_check(family)

    # marked as completed without saying whether they agree: the error shows, what was typed is kept
    family.get_by_role("link", name="1. The proposed changes").click()
    expect(family.locator("h1")).to_have_text("The proposed changes")
    family.get_by_label("Your comments on the proposed changes").fill("Two sessions is a good start.")
    family.get_by_label("Mark this section as completed").check()
    family.get_by_role("button", name="Save and continue").click()
    summary = family.locator(".govuk-error-summary")
    missing = "Select whether you agree with the proposed changes"
    expect(summary).to_contain_text(missing)
    if family.js_enabled:
        expect(summary).to_be_focused()
    expect(family.locator("#agree-error")).to_contain_text(missing)
    expect(family.get_by_label("Your comments on the proposed changes")).to_have_value(
        "Two sessions is a good start."
    )
    axe_check(family)
    family.get_by_label("Partly", exact=True).check()
    family.get_by_label("Mark this section as completed").check()
    family.get_by_role("button", name="Save and continue").click()
    expect(family.locator("#status-proposed_changes")).to_have_text("Completed")

    family.get_by_role("link", name="2. A meeting, and the school or setting").click()
    expect(family.locator("h1")).to_have_text("A meeting, and the school or setting")
    axe_check(family)
    family.get_by_label("No", exact=True).check()
    family.get_by_label("Mark this section as completed").check()
    family.get_by_role("button", name="Save and continue").click()
    expect(family.locator("#status-proposed_changes")).to_have_text("Completed")
    expect(family.locator("#status-meeting_and_school")).to_have_text("Completed")

    family.get_by_role("link", name="Check before sending").click()
    expect(family.locator("h1")).to_have_text("Check before sending")
    expect(family.locator("main")).to_contain_text("Two sessions is a good start.")
    axe_check(family)
    family.get_by_role("button", name="Send your comments").click()
    expect(family.locator("h1")).to_have_text("Annual review of the EHC plan")
    expect(family.locator(".govuk-notification-banner")).to_contain_text(
        "Your comments have been sent to the team"
    )
    expect(family.locator("main")).to_contain_text("You sent your comments")
    axe_check(family)

    staff = officer_page(browser, family, live, mailbox, public_id)
    main = staff.locator("main")
    expect(main).to_contain_text("Two sessions is a good start.")
    expect(main).to_contain_text("Partly")
    axe_check(staff)
    staff.context.close()
