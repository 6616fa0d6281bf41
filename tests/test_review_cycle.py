"""An annual review from its meeting to its outcome: the team shares reports and advice, the family sends
their views before the meeting, the team adds the report and the council's decision, and an amendment
goes through the family's comments to the amended plan. Another family sees none of it."""

from __future__ import annotations

import io
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from extensions import db as database
from models import AuditEvent, Plan, Review, ReviewResponse, User
from services import plans, reviews, statutory
from services.clock import uk_day
from tests import files
from tests.concurrency import run_together
from tests.pages import error_messages, get_page, post, post_page
from tests.people import (
    approved_link,
    make_child,
    make_family,
    make_staff,
    moved_on,
    signed_in_past_second_step,
    submitted_case,
)

ISSUED = date(2025, 9, 15)
ARRANGED = datetime(2026, 8, 10, 9, 0, tzinfo=UTC)  # a Monday, with the meeting 3 weeks later
MEETING = date(2026, 8, 31)


@pytest.fixture
def world(app, db):
    pat = make_staff("pat@somerset.gov.uk")
    parent = make_family("parent@example.com")
    other_parent = make_family("other@example.com", first_name="Sam")
    stranger = make_family("stranger@example.com", first_name="Kim")
    child = make_child(born=date(2014, 5, 2))
    approved_link(parent, child)
    approved_link(other_parent, child)
    plan = Plan(
        child_id=child.id,
        issued_on=ISSUED,
        school="Taunton Primary",
        to_post_16=False,
        officer_id=pat.id,
        recorded_by_id=pat.id,
    )
    plan.review_due_on = plans.review_due(plan, child)
    database.session.add(plan)
    database.session.commit()
    with time_machine.travel(ARRANGED, tick=False):
        review = plans.arrange_meeting(pat, plan, MEETING, "Taunton Primary, room 4", "The SENCo", None)
    return dict(pat=pat, parent=parent, stranger=stranger, child=child, plan=plan, review=review)


def client_of(app, email: str):
    client = app.test_client()
    signed_in_past_second_step(client, email)
    return client


def at(when: datetime):
    return time_machine.travel(when, tick=False)


@contextmanager
def signed_in(app, when: datetime):
    """The officer and a parent, signed in at `when` (a session started at another time has expired)."""
    with at(when):
        yield client_of(app, "pat@somerset.gov.uk"), client_of(app, "parent@example.com")


def words(soup) -> str:
    return " ".join(soup.get_text(" ").split())


def upload(name: str = "report.pdf", data: bytes = files.PDF):
    return (io.BytesIO(data), name)


def fill_in_views(client, review: Review) -> None:
    base = f"/send/reviews/{review.public_id}/views"
    post(
        client,
        f"{base}/family_views",
        {"working": "Reading at home", "hopes": "Join the choir", "completed": "yes", "version": "1"},
    )
    version = database.session.scalar(select(ReviewResponse.version))
    post(
        client,
        f"{base}/all_about_me",
        {"liked_for": "I am kind", "completed": "yes", "version": str(version)},
    )


def test_the_review_runs_from_papers_to_an_amended_plan(app, world, mailbox):
    review, plan = world["review"], world["plan"]
    page = f"/staff/reviews/{review.public_id}"
    with signed_in(app, datetime(2026, 8, 12, 9, 0, tzinfo=UTC)) as (staff, family):
        response = post(staff, f"{page}/papers", {"files": [upload("Psychologist advice.pdf")]})
        assert response.status_code == 302
        shared = get_page(family, f"/send/reviews/{review.public_id}")
        listed = get_page(staff, "/staff/reviews?show=all")
        [paper] = shared.select("a[href^='/documents/']")
        downloaded = family.get(paper["href"]).data
    update = mailbox.wait_for("other@example.com", count=2)[-1]
    assert update["Subject"] == "Update on an annual review"
    body = mailbox.text(update) + mailbox.html(update)
    assert f"/send/reviews/{review.public_id}" in body
    for detail in ("Jamie", "Rivers", "Taunton", "Psychologist", "SENCo"):
        assert detail not in body
    [row_link] = [a for a in listed.select("a") if a.get_text().startswith("Meeting 31 August 2026")]
    assert row_link["href"] == page  # the Reviews page leads to the review under way
    text = words(shared)
    assert "Send your views by 30 August 2026" in text
    assert paper.get_text() == "Psychologist advice.pdf"
    assert downloaded == files.PDF

    # the family's views: every part completed before sending, then sent once with a report
    with signed_in(app, datetime(2026, 8, 20, 9, 0, tzinfo=UTC)) as (staff, family):
        check = post_page(family, f"/send/reviews/{review.public_id}/views/send", {})
        assert error_messages(check) == ["Complete “Your views”", "Complete “All about me”"]
        fill_in_views(family, review)
        response = post(
            family, f"/send/reviews/{review.public_id}/views/send", {"files": [upload("school.pdf")]}
        )
        assert response.status_code == 302
        sent = mailbox.wait_for("pat@somerset.gov.uk")[-1]
        assert sent["Subject"] == "The family sent their views for an annual review"
        staff_page = words(get_page(staff, page))
    assert "Reading at home" in staff_page and "I am kind" in staff_page and "school.pdf" in staff_page

    # after the meeting: the report, then the decision to amend with the proposed changes
    with signed_in(app, datetime(2026, 9, 4, 9, 0, tzinfo=UTC)) as (staff, family):
        held = {"held_day": "31", "held_month": "8", "held_year": "2026", "pdf": upload("report.pdf")}
        assert post(staff, f"{page}/report", held).status_code == 302
        amend = {"decision": "amend", "reasons": "More speech therapy is needed", "summary": ""}
        soup = post_page(staff, f"{page}/decision", amend)
        assert error_messages(soup) == [
            "Enter the proposed changes in brief",
            "Choose the proposed changes: a PDF",
        ]
        amend |= {"summary": "Section F: two sessions a week", "amendments": upload("changes.pdf")}
        assert post(staff, f"{page}/decision", amend).status_code == 302
        text = words(get_page(family, f"/send/reviews/{review.public_id}"))
    assert "The meeting was held on 31 August 2026" in text
    assert "Amend the plan. More speech therapy is needed" in text
    assert "Comment on the proposed changes by 19 September 2026" in text  # 15 days from 4 September
    assert "The amended plan is due by 30 October 2026" in text  # 8 weeks after the proposal comes first
    database.session.refresh(plan)
    assert plan.last_reviewed_on == MEETING and plan.review_due_on == date(2027, 8, 31)

    # the family's comments, then the amended plan
    base = f"/send/reviews/{review.public_id}/comments"
    with signed_in(app, datetime(2026, 9, 10, 9, 0, tzinfo=UTC)) as (staff, family):
        soup = post_page(
            family, f"{base}/proposed_changes", {"comments": "Good", "completed": "yes", "version": "1"}
        )
        assert error_messages(soup) == ["Select whether you agree with the proposed changes"]
        assert soup.find(id="comments").get_text() == "Good"  # what was typed is kept
        version = database.session.scalar(
            select(ReviewResponse.version).where(ReviewResponse.kind == "comments")
        )
        post(
            family,
            f"{base}/proposed_changes",
            {"agree": "partly", "comments": "Good", "completed": "yes", "version": str(version)},
        )
        version += 1
        post(
            family,
            f"{base}/meeting_and_school",
            {"meeting": "no", "completed": "yes", "version": str(version)},
        )
        assert post(family, f"{base}/send", {}).status_code == 302
        assert "Good" in words(get_page(staff, page))
    with signed_in(app, datetime(2026, 10, 1, 9, 0, tzinfo=UTC)) as (staff, family):
        assert (
            post(
                staff, f"{page}/amended-plan", {"pdf": upload("amended plan.pdf", files.PDF + b"%v2")}
            ).status_code
            == 302
        )
        text = words(get_page(family, f"/send/reviews/{review.public_id}"))
        record = get_page(family, f"/send/children/{world['child'].public_id}")
        [download] = [a for a in record.select("a") if a.get_text() == "download the plan"]
        downloaded = family.get(download["href"]).data
    assert "The amended plan, 1 October 2026" in text
    assert "Appeal by 1 December 2026" in text
    assert downloaded == files.PDF + b"%v2"
    database.session.refresh(review)
    assert review.outcome == "amended"
    assert plans.open_review(plan) is None


def test_keeping_or_ending_the_plan_shows_the_right_to_appeal(app, world):
    review, plan = world["review"], world["plan"]
    page = f"/staff/reviews/{review.public_id}"
    with signed_in(app, datetime(2026, 9, 30, 9, 0, tzinfo=UTC)) as (staff, family):
        # a decision comes after the report
        assert post(staff, f"{page}/decision", {"decision": "end", "reasons": "x"}).status_code == 409
        held = {"held_day": "31", "held_month": "8", "held_year": "2026", "pdf": upload()}
        assert post(staff, f"{page}/report", held).status_code == 302
        assert (
            post(
                staff, f"{page}/decision", {"decision": "end", "reasons": "Needs met at SEN support"}
            ).status_code
            == 302
        )
        text = words(get_page(family, f"/send/reviews/{review.public_id}"))
        staff_text = words(get_page(staff, page))
        reviews_page = words(get_page(staff, "/staff/reviews?show=all"))
    assert "Stop maintaining the plan. Needs met at SEN support" in text
    assert "Appeal by 30 November 2026" in text and "The plan stays in place while an appeal is heard" in text
    assert "After the 4 weeks" in staff_text  # decided 30 days after the meeting
    database.session.refresh(plan)
    assert plan.ended_on == date(2026, 9, 30)
    assert "Taunton Primary" not in reviews_page  # an ended plan is not reviewed


def test_the_report_date_cannot_be_in_the_future_and_must_be_a_pdf(app, world):
    review = world["review"]
    page = f"/staff/reviews/{review.public_id}"
    with signed_in(app, datetime(2026, 8, 31, 9, 0, tzinfo=UTC)) as (staff, family):
        soup = post_page(
            staff,
            f"{page}/report",
            {"held_day": "1", "held_month": "9", "held_year": "2026", "pdf": upload()},
        )
        assert error_messages(soup) == ["The date the meeting was held must be today or in the past"]
        soup = post_page(
            staff,
            f"{page}/report",
            {"held_day": "31", "held_month": "8", "held_year": "2026", "pdf": upload("r.png", files.png())},
        )
        assert error_messages(soup) == ["r.png must be a PDF"]
    database.session.refresh(review)
    assert review.held_on is None


def test_views_can_be_sent_until_the_day_before_the_meeting(app, world):
    review, parent = world["review"], world["parent"]
    with at(datetime(2026, 8, 20, 9, 0, tzinfo=UTC)):
        family = client_of(app, "parent@example.com")
        fill_in_views(family, review)
    response = database.session.scalar(select(ReviewResponse))
    # 00:30 on the meeting day, UK time (23:30 UTC): too late, even past the page's own check
    with at(datetime(2026, 8, 30, 23, 30, tzinfo=UTC)):
        family = client_of(app, "parent@example.com")
        assert family.get(f"/send/reviews/{review.public_id}/views/check").status_code == 409
        with pytest.raises(reviews.NotOpen):
            reviews.send(parent, review, "views", response, [])
    with at(datetime(2026, 8, 30, 22, 59, tzinfo=UTC)):  # 23:59 the day before
        reviews.send(parent, review, "views", response, [])
        with pytest.raises(reviews.NotOpen):
            reviews.send(parent, review, "views", response, [])  # once only


def test_another_family_gets_404_on_every_review_address(app, world):
    review = world["review"]
    stranger = client_of(app, "stranger@example.com")
    base = f"/send/reviews/{review.public_id}"
    for url in (base, f"{base}/views", f"{base}/views/family_views", f"{base}/views/check"):
        assert stranger.get(url).status_code == 404, url
    for url in (f"{base}/views/family_views", f"{base}/views/family_views/autosave", f"{base}/views/send"):
        assert post(stranger, url, {"working": "x", "version": "1"}).status_code == 404, url
    assert database.session.scalar(select(func.count(ReviewResponse.id))) == 0
    # comments exist only once amendments are proposed, even for the family
    family = client_of(app, "parent@example.com")
    assert family.get(f"{base}/comments").status_code == 404
    assert family.get(f"{base}/unknown").status_code == 404
    # staff pages are for staff
    for url in (f"/staff/reviews/{review.public_id}", "/staff/reviews"):
        assert family.get(url).status_code == 403
    assert post(family, f"/staff/reviews/{review.public_id}/papers", {}).status_code == 403


def test_every_view_of_a_review_is_audited(app, world):
    review, child = world["review"], world["child"]
    family = client_of(app, "parent@example.com")
    staff = client_of(app, "pat@somerset.gov.uk")
    before = database.session.scalar(select(func.count(AuditEvent.id)).where(AuditEvent.action == "viewed"))
    get_page(family, f"/send/reviews/{review.public_id}")
    get_page(staff, f"/staff/reviews/{review.public_id}")
    rows = database.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "viewed").order_by(AuditEvent.id).offset(before)
    ).all()
    assert [(row.record_type, row.record_id) for row in rows] == [("child", child.id), ("child", child.id)]


def test_two_officers_deciding_at_once_decide_once(app, db, world):
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the race needs PostgreSQL's concurrent transactions")
    review, pat = world["review"], world["pat"]
    review.held_on = MEETING
    database.session.commit()
    second = make_staff("jo@somerset.gov.uk")
    ids = [pat.id, second.id]

    def act(ready, staff_id: int, decision: str) -> str:
        with app.app_context(), at(datetime(2026, 9, 4, 9, 0, tzinfo=UTC)):
            staff = database.session.get(User, staff_id)
            found = database.session.get(Review, review.id)
            ready()
            try:
                reviews.decide(staff, found, decision, "Reasons")
                outcome = "decided"
            except reviews.ActedFirst:
                outcome = "refused"
            database.session.remove()
            return outcome

    assert sorted(run_together(act, [(ids[0], "keep"), (ids[1], "end")])) == ["decided", "refused"]
    database.session.expire_all()
    assert database.session.get(Review, review.id).decision in ("keep", "end")


def remind(app, when: datetime) -> list[str]:
    with at(when):
        result = app.test_cli_runner().invoke(args=["cases", "remind"])
    assert result.exit_code == 0, result.output
    return result.output.splitlines()[1:]


def test_reminders_go_once_to_the_family_and_the_team(app, world, mailbox):
    pat, child = world["pat"], world["child"]
    # a second plan, due within 8 weeks with no meeting, and a third, overdue
    for issued in (date(2025, 9, 25), date(2025, 6, 1)):
        plan = Plan(
            child_id=child.id, issued_on=issued, to_post_16=False, officer_id=pat.id, recorded_by_id=pat.id
        )
        plan.review_due_on = plans.review_due(plan, child)
        database.session.add(plan)
    database.session.commit()
    # 14 August 2026: the meeting on 31 August is 17 days away
    assert remind(app, datetime(2026, 8, 14, 8, 0, tzinfo=UTC)) == [
        "Reminded 0 families to send their views for a review.",
        "Told the team of 1 reviews due within 8 weeks and 1 overdue.",
    ]
    assert remind(app, datetime(2026, 8, 17, 8, 0, tzinfo=UTC)) == [
        "Reminded 1 families to send their views for a review.",
        "Told the team of 0 reviews due within 8 weeks and 0 overdue.",
    ]
    assert remind(app, datetime(2026, 8, 17, 9, 0, tzinfo=UTC)) == [  # run again: nothing twice
        "Reminded 0 families to send their views for a review.",
        "Told the team of 0 reviews due within 8 weeks and 0 overdue.",
    ]
    family_reminders = [
        email
        for email in mailbox.wait_for("parent@example.com", count=2)
        if email["Subject"].startswith("Reminder")
    ]
    assert [email["Subject"] for email in family_reminders] == [
        "Reminder: send your views before an annual review meeting"
    ]
    team = mailbox.wait_for("pat@somerset.gov.uk", count=2)
    assert sorted(email["Subject"] for email in team) == [
        "An annual review is due by 25 September 2026",
        "An annual review is overdue: it was due by 1 June 2026",
    ]
    for email in [*family_reminders, *team]:
        body = mailbox.text(email) + mailbox.html(email)
        for detail in ("Jamie", "Rivers", "Taunton", "SENCo"):
            assert detail not in body
    assert "30 August 2026" in mailbox.text(family_reminders[0])


def test_the_review_dates_shown_follow_the_law(world):
    review = world["review"]
    dates = reviews.dates_of(review)
    assert dates.papers_by == date(2026, 8, 17)  # 2 weeks before the meeting
    assert dates.views_by == date(2026, 8, 30)
    assert dates.report_by == date(2026, 9, 14)
    assert dates.decision_by == date(2026, 9, 28)
    assert uk_day(statutory.amended_plan_due(date(2026, 9, 4), MEETING)) == "30 October 2026"
    assert uk_day(statutory.amended_plan_due(date(2026, 10, 20), MEETING)) == "23 November 2026"


def test_the_progress_of_the_request_follows_its_plan_into_review(app, db):
    pat, family = make_staff("pat@somerset.gov.uk"), make_family("parent@example.com")
    child = make_child()
    approved_link(family, child)
    case = submitted_case(family, child)
    moved_on(pat, case, until="final_plan_issued")
    plan = plans.plan_of_case(case)
    review = plans.arrange_meeting(
        pat, plan, statutory.uk_today() + timedelta(days=20), "Online", "SENCo", None
    )
    client = client_of(app, "parent@example.com")
    page = get_page(client, f"/send/requests/{case.public_id}/progress")
    [link] = [a for a in page.select("a") if a.get_text().startswith("What to do and by when")]
    assert link["href"] == f"/send/reviews/{review.public_id}"
    assert f"Meeting {uk_day(review.meeting_on)}: under way" in words(page)
    assert "Send your views by" in words(get_page(client, link["href"]))
