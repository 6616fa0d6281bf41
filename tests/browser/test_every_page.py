"""axe on the pages the journeys do not reach, as a family and as staff, JavaScript on and off, in a
320 CSS pixel wide window that no page may scroll sideways in (WCAG 1.4.10 reflow), with long data."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Browser, Page

from bench.pages import csrf, pass_second_step
from extensions import db
from models import AdviceKind, CaseStep, Plan
from models.documents import ADVICE, PLAN, WITH_MESSAGE
from services import (
    advice,
    assessment_requests,
    cases,
    documents,
    messages,
    plan_response,
    plans,
    reviews,
    sectioned_forms,
)
from services.clock import now
from tests import files
from tests.factories import GOOD_PASSWORD
from tests.people import (
    approved_link,
    make_child,
    make_family,
    make_link,
    make_staff,
    moved_on,
    submitted_case,
)

# Long data that must wrap or scroll inside its own region at 320 CSS pixels.
FAMILY_EMAIL = "the.parent.of.a.child.with.special.educational.needs@a-long-family-mail-domain.example.co.uk"
LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis-Supercalifragilisticexpialidocious"
LONG_FILE_NAME = "educational-psychology-report-for-the-annual-review-meeting-final-signed-version.pdf"
NARROW_VIEWPORT = {"width": 320, "height": 640}


def seed(live) -> dict:
    with live.app.app_context():
        family = make_family(FAMILY_EMAIL, first_name=LONG_WORD)
        admin = make_staff("admin@somerset.gov.uk", role="admin")
        child = make_child(first=LONG_WORD)
        approved_link(family, child)
        question = make_link(family, state="more_info", first="Casey", last=LONG_WORD)
        question.question = f"Which class is Casey in? {LONG_WORD}"
        draft = assessment_requests.start(family, child)
        sent = assessment_requests.start(family, None)
        sent.state, sent.reference, sent.submitted_at = "submitted", "EHC-2026-000042", now()
        sent.received_on = sent.decision_due_on = now().date()
        cases.open_case(family, sent, now())
        db.session.commit()
        sent_document = documents.save_uploads(
            family, [documents.Incoming(LONG_FILE_NAME, files.PDF)], "report", None, child=child
        ).saved[0]
        assessed, asked = a_case_under_assessment(family, child, admin)
        commenting = a_case_with_a_draft_plan(family, child, admin, "EHC-2026-000044")
        responded = a_case_with_a_draft_plan(family, child, admin, "EHC-2026-000045")
        response = plan_response.response_for_saving(family, responded)
        for section in plan_response.SECTIONS:
            answers = {question.key: f"{LONG_WORD} {question.key}" for question in section.questions}
            answers = {**answers, "meeting": "yes"} if section.key == "meeting" else answers
            sectioned_forms.save_section(
                family, response, section, answers, response.version, True, audited=responded
            )
        plan_response.send(family, responded, response, [])
        about_the_case = messages.thread_for_sending(child, assessed)
        letter = documents.prepare_to_add(
            family, [documents.Incoming(LONG_FILE_NAME, files.PDF)], WITH_MESSAGE, assessed
        )
        messages.send(family, about_the_case, f"{LONG_WORD}\nA second line", letter.saved)
        messages.send(admin, about_the_case, f"A reply about {LONG_WORD}")
        messages.send(family, messages.thread_for_sending(child), f"About {LONG_WORD}")
        plan = Plan(child_id=child.id, issued_on=now().date(), school=LONG_WORD, recorded_by_id=admin.id)
        plan.review_due_on, plan.to_post_16, plan.transfer_year = now().date(), False, now().year + 1
        db.session.add(plan)
        db.session.commit()
        reviewing, amending = reviews_under_way(admin, child, plan)
        ids = {
            "plan": plan.public_id,
            "reviewing": reviewing.public_id,
            "amending": amending.public_id,
            "commenting": commenting.public_id,
            "responded": responded.public_id,
            "assessed": assessed.public_id,
            "advice": asked.public_id,
            "child": child.public_id,
            "question": question.public_id,
            "draft": draft.public_id,
            "sent": sent.public_id,
            "document": sent_document.public_id,
        }
        db.session.remove()
    return ids


def a_case_under_assessment(family, child, officer) -> tuple:
    """A case the council agreed to assess, with advice asked for from two professionals: one received
    and shared with the family, one not yet received."""
    case = submitted_case(family, child, reference="EHC-2026-000043")
    cases.assign_officer(officer, case, officer, None)
    cases.move(
        officer, case, CaseStep.BEING_REVIEWED, CaseStep.AGREED_TO_ASSESS, f"We will assess {LONG_WORD}."
    )
    received = advice.ask(officer, case, AdviceKind.HEALTH, f"Dr {LONG_WORD}", now().date())
    report = documents.prepare_to_add(officer, [documents.Incoming(LONG_FILE_NAME, files.PDF)], ADVICE, case)
    advice.receive(officer, received, now().date(), report.saved)
    advice.share(officer, received)
    waiting = advice.ask(officer, case, AdviceKind.SETTING, "Taunton Primary", now().date())
    return case, waiting


def reviews_under_way(officer, child, plan) -> tuple:
    """The plan's review, its meeting 3 weeks away and papers shared; and another plan's review, held,
    with amendments proposed."""
    reviewing = plans.arrange_meeting(
        officer, plan, now().date() + timedelta(days=21), LONG_WORD, f"The SENCo {LONG_WORD}", None
    )
    paper = documents.prepare_to_add(
        officer, [documents.Incoming(LONG_FILE_NAME, files.PDF)], "", None, child=child
    )
    reviews.share_papers(officer, reviewing, paper.saved)
    older = Plan(child_id=child.id, issued_on=now().date() - timedelta(days=360), recorded_by_id=officer.id)
    older.review_due_on, older.to_post_16 = now().date(), False
    db.session.add(older)
    db.session.commit()
    amending = plans.arrange_meeting(
        officer, older, now().date() + timedelta(days=15), "Online", "SENCo", None
    )
    amending.meeting_on = now().date() - timedelta(days=3)
    db.session.commit()
    report = documents.prepare_to_add(
        officer, [documents.Incoming(LONG_FILE_NAME, files.PDF)], "", None, child=child
    )
    reviews.record_report(officer, amending, amending.meeting_on, report.saved)
    changes = documents.prepare_to_add(
        officer, [documents.Incoming(LONG_FILE_NAME, files.PDF)], "", None, child=child
    )
    reviews.decide(officer, amending, "amend", f"Reasons {LONG_WORD}", f"Changes {LONG_WORD}", changes.saved)
    return reviewing, amending


def a_case_with_a_draft_plan(family, child, officer, reference: str):
    """A case whose draft plan (a PDF) has just been sent to the family to comment on."""
    case = submitted_case(family, child, reference=reference)
    moved_on(officer, case, until="plan_to_be_issued")
    draft = documents.prepare_to_add(officer, [documents.Incoming(LONG_FILE_NAME, files.PDF)], PLAN, case)
    moved_on(officer, case, until="draft_plan_sent", letters_for={"draft_plan_sent": draft.saved})
    return case


def signed_in_page(browser: Browser, live, email: str, js_enabled: bool) -> Page:
    """A browser already through sign-in and the second step (both tested in the journeys)."""
    client = live.app.test_client()
    client.post("/sign-in", data={"csrf_token": csrf(client), "email": email, "password": GOOD_PASSWORD})
    pass_second_step(client)
    context = browser.new_context(java_script_enabled=js_enabled, viewport=NARROW_VIEWPORT)
    host = urlsplit(live.url)
    context.add_cookies(
        [
            {
                "name": "session",
                "value": client.get_cookie("session").value,
                "url": f"{host.scheme}://{host.netloc}",
            }
        ]
    )
    page = context.new_page()
    page.js_enabled = js_enabled
    return page


FAMILY_PAGES = [
    "/account",
    "/account/details",
    "/account/emails",
    "/account/email",
    "/account/password",
    "/account/two-step",
    "/account/two-step/email/off",
    "/account/two-step/app",
    "/send",
    "/send/access/new",
    "/send/access/{question}",
    "/send/access/{question}/documents",
    "/send/children/{child}",
    "/send/children/{child}/documents",
    "/send/requests/new",
    "/send/requests/{draft}",
    "/send/requests/{draft}/sections/child",
    "/send/requests/{draft}/sections/needs",
    "/send/requests/{draft}/sections/documents",
    "/send/requests/{draft}/check",
    "/send/requests/{draft}/delete",
    "/send/requests/{sent}",
    "/send/requests/{sent}/submitted",
    "/send/requests/{sent}/progress",
    "/send/requests/{sent}/withdraw",
    "/send/requests/{assessed}/progress",
    "/send/messages",
    "/send/requests/{assessed}/messages",
    "/send/children/{child}/messages",
    "/send/requests/{commenting}/progress",
    "/send/requests/{commenting}/draft-plan",
    "/send/requests/{commenting}/draft-plan/school",
    "/send/requests/{commenting}/draft-plan/check",
    "/send/requests/{responded}/draft-plan",
    "/send/reviews/{reviewing}",
    "/send/reviews/{reviewing}/views",
    "/send/reviews/{reviewing}/views/family_views",
    "/send/reviews/{reviewing}/views/all_about_me",
    "/send/reviews/{reviewing}/views/check",
    "/send/reviews/{amending}",
    "/send/reviews/{amending}/comments",
    "/send/reviews/{amending}/comments/proposed_changes",
    "/send/reviews/{amending}/comments/check",
    "/send/no-such-page",
]
STAFF_PAGES = [
    "/staff",
    "/staff/team",
    "/staff/access/{question}",
    "/staff/children/{child}",
    "/staff/requests/{sent}",
    "/staff/requests/{assessed}",
    "/staff/advice/{advice}",
    "/staff/requests/{responded}",
    "/staff/messages",
    "/account/emails",
    "/staff/reviews",
    "/staff/reviews?show=all&transfer=yes",
    "/staff/children/{child}/plans/new",
    "/staff/plans/{plan}/meeting",
    "/staff/reviews/{reviewing}",
    "/staff/reviews/{amending}",
    "/staff/requests/{assessed}/messages",
    "/staff/children/{child}/messages",
    "/staff/cases",
    "/staff/documents/{document}/share",
]
PUBLIC_PAGES = [
    "/",
    "/accessibility",
    "/privacy",
    "/cookies",
    "/password/forgotten",
    "/activate/not-a-link",
    "/password/reset/not-a-link",
    "/email/confirm/not-a-link",
    "/signed-out",
    "/register/check-email",
]


# The only addresses expected to answer "Page not found".
NOT_FOUND = {"/send/no-such-page": 404}


def registered_session_cookie(live) -> dict:
    """The cookie of a visitor who has just registered, so that "Check your email" shows the address."""
    client = live.app.test_client()
    client.post(
        "/register",
        data={"csrf_token": csrf(client), "email": REGISTERED_EMAIL, "confirm_email": REGISTERED_EMAIL},
    )
    client.post("/register/details", data={"csrf_token": csrf(client), **REGISTRATION_DETAILS})
    response = client.post(
        "/register/password",
        data={"csrf_token": csrf(client), "password": GOOD_PASSWORD, "confirm_password": GOOD_PASSWORD},
    )
    assert response.location == "/register/check-email"
    host = urlsplit(live.url)
    return {
        "name": "session",
        "value": client.get_cookie("session").value,
        "url": f"{host.scheme}://{host.netloc}",
    }


REGISTERED_EMAIL = "someone.registering.with.a.very.long.address@an-even-longer-mail-domain.example.org.uk"
REGISTRATION_DETAILS = {
    "title": "Ms",
    "first_name": LONG_WORD,
    "last_name": "Jones",
    "address_line_1": "1 High Street",
    "town": "Taunton",
    "postcode": "TA1 1HE",
    "phone": "07700 900982",
}


def assert_no_sideways_scroll(page: Page, address: str) -> None:
    widths = page.evaluate("[document.scrollingElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"{address} scrolls sideways at {widths[1]} px: {widths[0]} px wide"


@pytest.mark.parametrize("who", ["family", "staff", "anyone"])
def test_every_page_has_no_axe_violations_and_no_sideways_scroll_at_320_pixels(
    browser: Browser, js_enabled: bool, live, axe_check, who
):
    ids = seed(live)
    if who == "anyone":
        context = browser.new_context(java_script_enabled=js_enabled, viewport=NARROW_VIEWPORT)
        context.add_cookies([registered_session_cookie(live)])
        page = context.new_page()
        page.js_enabled = js_enabled
        addresses = PUBLIC_PAGES
    else:
        email = FAMILY_EMAIL if who == "family" else "admin@somerset.gov.uk"
        page = signed_in_page(browser, live, email, js_enabled)
        addresses = FAMILY_PAGES if who == "family" else STAFF_PAGES
    for address in addresses:
        url = live.url + address.format(**ids)
        response = page.goto(url)
        # Each page itself, not a page it redirected to, nor "Page not found" unless that is the page.
        assert (response.status, page.url) == (NOT_FOUND.get(address, 200), url), address
        assert page.locator("h1").count() == 1, address
        assert_no_sideways_scroll(page, address)
        axe_check(page)
    page.context.close()
