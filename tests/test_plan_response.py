"""The family's response to a draft EHC plan: views section by section, saved as they type with the same
rules as Appendix A, sent once by the last day (UK time), read by the team on the case page."""

from __future__ import annotations

import io
from contextlib import contextmanager
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from extensions import db as database
from models import CaseEvent, PlanResponse, User
from services import assessment_requests, cases, plan_response, sectioned_forms
from services.clock import now
from tests import files
from tests.concurrency import run_together
from tests.pages import error_messages, field_error, get_page, post, post_page
from tests.people import (
    approved_link,
    make_child,
    make_family,
    make_staff,
    moved_on,
    signed_in_past_second_step,
    submitted_case,
)

CHILD_DETAILS = ("Jamie", "Rivers", "Taunton Primary", "TA1 1HE")
SENT = datetime(2026, 6, 22, 10, 0, tzinfo=UTC)  # the draft plan: the last day to comment is 7 July 2026
EVERY_ANSWER = {
    "child_and_needs": {"b": "Jamie needs speech and language therapy every week."},
    "outcomes_and_provision": {"f": "Name the hours of support."},
    "placement_and_advice": {},
    "school": {"school": "Westfield Academy", "school_reason": "It has a speech and language base."},
    "meeting": {"meeting": "yes", "meeting_about": "The hours of support"},
}


@pytest.fixture
def world(app, db):
    family = make_family("parent@example.com", first_name="Robin")
    pat = make_staff("pat@somerset.gov.uk")
    child = make_child()
    approved_link(family, child)
    with time_machine.travel(datetime(2026, 3, 9, 10, 0, tzinfo=UTC), tick=False):
        case = submitted_case(family, child, now())
        moved_on(pat, case, until="plan_to_be_issued")
    with time_machine.travel(SENT, tick=False):
        moved_on(pat, case, until="draft_plan_sent")
    return {"case": case, "family": family, "pat": pat, "app": app}


@contextmanager
def at(world, when: datetime, who: str = "parent@example.com"):
    """A client signed in at that moment (sessions are timed, so each moment signs in afresh)."""
    with time_machine.travel(when, tick=False):
        client = world["app"].test_client()
        signed_in_past_second_step(client, who)
        yield client


def autosave(client, address: str, data: dict):
    return post(client, f"{address}/autosave", data, headers={"HX-Request": "true"})


def url(world, rest: str = "") -> str:
    return f"/send/requests/{world['case'].public_id}/draft-plan{rest}"


def fill_in_everything(world) -> PlanResponse:
    response = plan_response.response_for_saving(world["family"], world["case"])
    for section in plan_response.SECTIONS:
        saved = sectioned_forms.save_section(
            world["family"],
            response,
            section,
            EVERY_ANSWER[section.key],
            response.version,
            True,
            audited=world["case"],
        )
        assert not saved.conflict and not saved.problems, section.key
    return response


def test_a_family_gives_their_views_section_by_section_and_sends_them_once(world, mailbox):
    with at(world, datetime(2026, 6, 25, 9, 0, tzinfo=UTC)) as family:
        progress = get_page(family, f"/send/requests/{world['case'].public_id}/progress")
        banner = progress.select_one(".govuk-notification-banner")
        assert "Comment on the draft EHC plan by 7 July 2026" in banner.get_text()
        assert banner.find("a", string="Give your views on the draft plan")["href"] == url(world)
        overview = get_page(family, url(world))
        assert "until the end of 7 July 2026" in overview.get_text()
        assert [" ".join(li.get_text().split()) for li in overview.select(".govuk-task-list__item")][0] == (
            "1. Sections A to D: the child and their needs Not started"
        )
        section = get_page(family, url(world, "/child_and_needs"))
        assert section.find(id="version")["value"] == "1"
        response = post(
            family,
            url(world, "/child_and_needs"),
            {"b": "Jamie needs speech and language therapy every week.", "completed": "yes", "version": "1"},
        )
        assert response.status_code == 302 and response.headers["Location"].endswith(url(world))
        overview = get_page(family, url(world))
        assert "Sections A to D: the child and their needs Completed" in " ".join(overview.get_text().split())
        # the school needs a reason; what was typed is kept
        soup = post_page(
            family, url(world, "/school"), {"school": "Westfield Academy", "completed": "yes", "version": "2"}
        )
        assert error_messages(soup) == ["Enter why you want this school or setting"]
        assert field_error(soup, "school_reason") == "Error: Enter why you want this school or setting"
        assert soup.find(id="school")["value"] == "Westfield Academy"
        # sending before every part is completed says which are not
        soup = post_page(family, url(world, "/send"), {})
        assert "Complete “Sections E to H: outcomes and provision”" in error_messages(soup)
    fill_in_everything(world)
    with at(world, datetime(2026, 7, 1, 9, 0, tzinfo=UTC)) as family:
        check = get_page(family, url(world, "/check"))
        assert "Westfield Academy" in check.get_text()
        report = (io.BytesIO(files.PDF), "speech therapy report.pdf")
        response = post(family, url(world, "/send"), {"files": [report]})
        assert response.status_code == 302
        assert response.headers["Location"].endswith(f"/send/requests/{world['case'].public_id}/progress")
        progress = get_page(family, f"/send/requests/{world['case'].public_id}/progress")
        assert "Your response has been sent to the team" in progress.get_text()
        assert "Your response to the draft plan" in progress.get_text()
        assert progress.find("a", string="speech therapy report.pdf") is not None
        assert progress.select_one(".govuk-notification-banner--important") is None or (
            "Comment on the draft" not in progress.get_text()
        )
        again = post(family, url(world, "/send"), {})
        assert again.status_code == 409
        assert post(family, url(world, "/meeting"), {"meeting": "no", "version": "9"}).status_code == 409
        sent_page = get_page(family, url(world))
        assert "You sent your response on 1 July 2026" in sent_page.get_text()
    events = database.session.scalar(
        select(func.count(CaseEvent.id)).where(CaseEvent.kind == "plan_response")
    )
    assert events == 1
    [told] = mailbox.wait_for("pat@somerset.gov.uk")
    assert told["Subject"] == f"The family responded to the draft plan on request {world['case'].reference}"
    body = mailbox.text(told) + mailbox.html(told)
    for detail in (*CHILD_DETAILS, "speech", "Westfield"):
        assert detail not in body
    with at(world, datetime(2026, 7, 1, 10, 0, tzinfo=UTC), "pat@somerset.gov.uk") as staff:
        case_page = get_page(staff, f"/staff/requests/{world['case'].public_id}")
        heading = case_page.find(id="plan-response")
        assert heading is not None
        text = " ".join(case_page.get_text().split())
        assert "Jamie needs speech and language therapy every week." in text
        assert "Westfield Academy" in text and "It has a speech and language base." in text


def test_an_unsent_response_is_the_family_s_own(world):
    fill_in_everything(world)
    with at(world, datetime(2026, 7, 1, 10, 0, tzinfo=UTC), "pat@somerset.gov.uk") as staff:
        page = get_page(staff, f"/staff/requests/{world['case'].public_id}")
        assert page.find(id="plan-response") is None
        assert "Westfield Academy" not in page.get_text()


def test_views_save_as_typed_and_a_stale_tab_is_shown_both_versions(world):
    with at(world, datetime(2026, 6, 25, 9, 0, tzinfo=UTC)) as family:
        first = autosave(
            family, url(world, "/meeting"), {"meeting_about": "Transport", "version": "1", "tab": "a"}
        )
        assert first.get_data(as_text=True).startswith("Saved at ")
        assert len(first.get_data()) < 1024
        # the same tab carries on from its own save
        again = autosave(
            family,
            url(world, "/meeting"),
            {"meeting_about": "Transport and hours", "version": "1", "tab": "a"},
        )
        assert again.get_data(as_text=True).startswith("Saved at ")
        # another tab, opened before those saves, does not overwrite them
        stale = post(
            family, url(world, "/meeting"), {"meeting_about": "Something else", "version": "1", "tab": "b"}
        )
        assert stale.status_code == 200
        text = " ".join(stale.get_data(as_text=True).split())
        assert "This section was changed somewhere else" in text
        assert "Transport and hours" in text and "Something else" in text
    response = plan_response.response_of(world["case"])
    assert response.answers["meeting"]["meeting_about"] == "Transport and hours"


@pytest.mark.parametrize(
    "when, accepted",
    [
        (datetime(2026, 7, 7, 22, 59, tzinfo=UTC), True),  # 23:59 on 7 July in London (summer time)
        (datetime(2026, 7, 7, 23, 0, tzinfo=UTC), False),  # the next minute is 8 July in London
    ],
    ids=["23:59-on-the-last-day", "the-next-minute"],
)
def test_views_are_taken_until_the_end_of_the_last_day_uk_time(world, when, accepted):
    fill_in_everything(world)
    with at(world, when) as family:
        response = post(family, url(world, "/send"), {})
        if accepted:
            assert response.status_code == 302
        else:
            assert response.status_code == 409
            text = " ".join(response.get_data(as_text=True).split())
            assert "The time to comment on the draft plan ended at the end of 7 July 2026" in text
            assert "contact the SEND Assessment Hub Team as soon as you can" in text
            late = autosave(family, url(world, "/meeting"), {"meeting": "no", "version": "6"})
            assert late.get_data(as_text=True).startswith("<span")
            assert "Not saved" in late.get_data(as_text=True)
    sent = plan_response.response_of(world["case"]).sent_at
    assert (sent is not None) is accepted


def test_the_service_refuses_a_response_after_the_last_day_in_its_own_statement(world):
    response = fill_in_everything(world)
    last_day_over = time_machine.travel(datetime(2026, 7, 7, 23, 0, tzinfo=UTC), tick=False)
    with last_day_over, pytest.raises(plan_response.NotOpen):
        plan_response.send(world["family"], world["case"], response, [])


def test_another_family_and_a_case_without_a_draft_plan_get_404(world, app):
    make_family("other@example.com")
    fill_in_everything(world)
    with at(world, datetime(2026, 6, 25, 9, 0, tzinfo=UTC), "other@example.com") as other:
        for address in ("", "/child_and_needs", "/check"):
            assert other.get(url(world, address)).status_code == 404
        for address in ("/child_and_needs", "/child_and_needs/autosave", "/send"):
            assert post(other, url(world, address), {"b": "mine", "version": "1"}).status_code == 404
    assert plan_response.response_of(world["case"]).answers["child_and_needs"]["b"] != "mine"
    # the family's own case, before a draft plan: nothing to respond to
    other_case = assessment_requests.start(world["family"], world["case"].child)
    other_case.state, other_case.reference = "submitted", "EHC-2026-999999"
    cases.open_case(world["family"], other_case, now())
    database.session.commit()
    with at(world, datetime(2026, 6, 25, 9, 0, tzinfo=UTC)) as family:
        assert family.get(f"/send/requests/{other_case.public_id}/draft-plan").status_code == 404


def test_two_tabs_sending_at_once_send_once(app, db, world):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the race needs PostgreSQL's concurrent transactions")
    response_id = fill_in_everything(world).id
    request_id, family_id = world["case"].id, world["family"].id

    def act(ready) -> str:
        with app.app_context(), time_machine.travel(datetime(2026, 7, 1, 9, 0, tzinfo=UTC), tick=False):
            from models import AssessmentRequest

            family = database.session.get(User, family_id)
            request = database.session.get(AssessmentRequest, request_id)
            response = database.session.get(PlanResponse, response_id)
            ready()
            try:
                plan_response.send(family, request, response, [])
                outcome = "sent"
            except plan_response.NotOpen:
                outcome = "refused"
            database.session.remove()
            return outcome

    assert sorted(run_together(act, [(), ()])) == ["refused", "sent"]
    events = database.session.scalar(
        select(func.count(CaseEvent.id)).where(CaseEvent.kind == "plan_response")
    )
    assert events == 1


def remind(app, when: datetime) -> str:
    with time_machine.travel(when, tick=False):
        result = app.test_cli_runner().invoke(args=["cases", "remind"])
    assert result.exit_code == 0, result.output
    return result.output.partition("\n")[0] + "\n"  # the draft plans' line (reviews follow)


def test_a_family_is_reminded_once_5_days_before_the_last_day(world, app, mailbox):
    nothing = "Reminded 0 families of their last day to comment on a draft plan.\n"
    assert remind(app, datetime(2026, 7, 1, 8, 0, tzinfo=UTC)) == nothing  # 6 days before 7 July
    assert remind(app, datetime(2026, 7, 2, 8, 0, tzinfo=UTC)) == (
        "Reminded 1 families of their last day to comment on a draft plan.\n"
    )
    assert remind(app, datetime(2026, 7, 2, 9, 0, tzinfo=UTC)) == nothing  # run again: nothing twice
    assert remind(app, datetime(2026, 7, 3, 8, 0, tzinfo=UTC)) == nothing
    reminders = [
        email
        for email in mailbox.wait_for("parent@example.com", count=6)
        if email["Subject"].startswith("Reminder")
    ]
    assert len(reminders) == 1
    [reminder] = reminders
    assert (
        reminder["Subject"] == f"Reminder: your views on the draft plan for request {world['case'].reference}"
    )
    body = mailbox.text(reminder) + mailbox.html(reminder)
    assert "is 7 July 2026" in body and url(world) in body
    for detail in CHILD_DETAILS:
        assert detail not in body


def test_a_family_who_has_sent_their_views_is_not_reminded(world, app):
    response = fill_in_everything(world)
    with time_machine.travel(datetime(2026, 7, 1, 9, 0, tzinfo=UTC), tick=False):
        plan_response.send(world["family"], world["case"], response, [])
    assert remind(app, datetime(2026, 7, 2, 8, 0, tzinfo=UTC)).startswith("Reminded 0 ")
