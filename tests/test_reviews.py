"""EHC plans and their annual reviews: a final plan issued through a case starts the review cycle; staff
record a plan issued before the portal; the Reviews page shows what is due soonest (and overdue) first,
filtered by officer, school and phase transfer."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from extensions import db as database
from models import Plan, Review
from services import plans, statutory
from services.clock import now, uk_day
from tests import files
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


@pytest.fixture
def pat(app, db):
    return make_staff("pat@somerset.gov.uk")


@pytest.fixture
def staff(app, pat):
    client = app.test_client()
    signed_in_past_second_step(client, "pat@somerset.gov.uk")
    return client


def a_plan(child, issued: date, officer=None, school: str | None = None, transfer: int | None = None) -> Plan:
    plan = Plan(
        child_id=child.id,
        issued_on=issued,
        school=school,
        transfer_year=transfer,
        to_post_16=False,
        officer_id=officer.id if officer else None,
        recorded_by_id=officer.id if officer else 1,
    )
    plan.review_due_on = plans.review_due(plan, child)
    database.session.add(plan)
    database.session.commit()
    return plan


def test_a_final_plan_issued_through_a_case_starts_its_review_cycle(app, db, pat, mailbox):
    family = make_family("parent@example.com")
    child = make_child()
    approved_link(family, child)
    case = submitted_case(family, child)
    moved_on(pat, case, until="final_plan_issued")
    [plan] = database.session.scalars(select(Plan)).all()
    issued = statutory.uk_today()
    assert (plan.issued_on, plan.request_id, plan.officer_id) == (issued, case.id, pat.id)
    assert plan.review_due_on == statutory.add_months(issued, 12)
    client = app.test_client()
    signed_in_past_second_step(client, "parent@example.com")
    page = get_page(client, f"/send/requests/{case.public_id}/progress")
    assert f"The plan must be reviewed by {uk_day(plan.review_due_on)}" in page.get_text()


def test_staff_record_a_plan_issued_before_the_portal(app, db, staff):
    family = make_family("parent@example.com")
    child = make_child(born=date(2013, 9, 1))
    approved_link(family, child)
    address = f"/staff/children/{child.public_id}/plans/new"
    tomorrow = now().date() + timedelta(days=1)
    soup = post_page(
        staff,
        address,
        {
            "issued_day": tomorrow.day,
            "issued_month": tomorrow.month,
            "issued_year": tomorrow.year,
            "school": "Westfield Academy",
            "transfer_year": "next year",
        },
    )
    assert error_messages(soup) == [
        "The date the plan was issued must be today or in the past",
        f"Enter the year of the move as a number, such as {now().year + 1}",
        "Choose the plan: a PDF",
    ]
    assert soup.find(id="school")["value"] == "Westfield Academy"
    assert field_error(soup, "plan") == "Error: Choose the plan: a PDF"
    assert database.session.scalar(select(func.count(Plan.id))) == 0
    transfer = now().year + 1
    response = post(
        staff,
        address,
        {
            "issued_day": "10",
            "issued_month": "3",
            "issued_year": str(now().year),
            "school": "Westfield Academy",
            "transfer_year": str(transfer),
            "to_post_16": "no",
            "plan": (io.BytesIO(files.PDF), "ehc plan.pdf"),
        },
    )
    assert response.status_code == 302
    [plan] = database.session.scalars(select(Plan)).all()
    # 12 months from 10 March, or 15 February of the year of the move if that comes first
    expected = min(date(now().year + 1, 3, 10), date(transfer, 2, 15))
    assert plan.review_due_on == expected
    record = get_page(staff, f"/staff/children/{child.public_id}")
    assert f"next review due by {uk_day(expected)}" in " ".join(record.get_text().split())
    link = record.find("a", string="the plan")
    family_client = app.test_client()
    signed_in_past_second_step(family_client, "parent@example.com")
    assert family_client.get(link["href"]).data == files.PDF
    stranger = app.test_client()
    make_family("stranger@example.com")
    signed_in_past_second_step(stranger, "stranger@example.com")
    assert stranger.get(link["href"]).status_code == 404
    assert stranger.get("/staff/reviews").status_code == 403
    assert stranger.get(address).status_code == 403


def test_a_child_under_5_is_reviewed_every_6_months_a_setting(app, db, pat):
    toddler = make_child(first="Sky", born=date(2023, 5, 1))
    plan = a_plan(toddler, date(2026, 1, 10), pat)
    assert plan.review_due_on == date(2026, 7, 10)
    app.config["UNDER_FIVE_REVIEW_MONTHS"] = 3
    assert plans.review_due(plan, toddler) == date(2026, 4, 10)


def test_the_reviews_page_puts_overdue_and_soon_first_and_filters(app, db, pat, staff):
    sam = make_staff("sam@somerset.gov.uk")
    today = now().date()
    year_ago = statutory.add_months(today, -12)
    a_plan(make_child(first="Ada"), year_ago - timedelta(days=10), pat, "Westfield Academy")
    a_plan(make_child(first="Ben"), year_ago + timedelta(days=20), sam, "Taunton Primary")
    a_plan(make_child(first="Cal"), year_ago + timedelta(days=120), pat, "Westfield Academy")
    a_plan(make_child(first="Dee"), year_ago + timedelta(days=200), None, None, transfer=today.year + 3)

    def names(address: str) -> list[str]:
        soup = get_page(staff, address)
        return [row.find("a").get_text() for row in soup.select("tbody tr")]

    first_row = get_page(staff, "/staff/reviews").select_one("tbody tr")
    meeting = first_row.find("a", href=lambda address: address.endswith("/meeting"))
    assert get_page(staff, meeting["href"]).h1.get_text() == "Arrange the annual review meeting"

    assert names("/staff/reviews") == ["Ada Rivers", "Ben Rivers"]
    page = get_page(staff, "/staff/reviews")
    assert "10 days overdue" in page.get_text()
    counts = " ".join(page.select_one("ul.govuk-list").get_text().split())
    assert (
        "4 plans" in counts and "1 overdue, 1 due in the next 8 weeks" in counts and "1 with a move" in counts
    )
    assert names("/staff/reviews?show=all") == ["Ada Rivers", "Ben Rivers", "Cal Rivers", "Dee Rivers"]
    assert names(f"/staff/reviews?show=all&officer={pat.id}") == ["Ada Rivers", "Cal Rivers"]
    assert names("/staff/reviews?show=all&officer=none") == ["Dee Rivers"]
    assert names("/staff/reviews?show=all&school=Westfield+Academy") == ["Ada Rivers", "Cal Rivers"]
    assert names("/staff/reviews?show=all&transfer=yes") == ["Dee Rivers"]
    assert (
        "Phase transfer: by 15 February" in get_page(staff, "/staff/reviews?show=all&transfer=yes").get_text()
    )


def test_staff_arrange_the_review_meeting_with_2_weeks_notice_or_a_reason(app, db, pat, staff, mailbox):
    family = make_family("parent@example.com")
    child = make_child()
    approved_link(family, child)
    plan = a_plan(child, statutory.add_months(now().date(), -11), pat)
    address = f"/staff/plans/{plan.public_id}/meeting"
    soon = now().date() + timedelta(days=10)
    typed = {
        "meeting_day": soon.day,
        "meeting_month": soon.month,
        "meeting_year": soon.year,
        "place": "Taunton Primary, room 4",
        "invited": "The SENCo and the educational psychologist",
    }
    soup = post_page(staff, address, {**typed, "place": ""})
    assert error_messages(soup) == ["Enter where the meeting is"]
    soup = post_page(staff, address, typed)
    assert error_messages(soup) == [
        "The meeting is less than 2 weeks away: say why the family could not be invited sooner"
    ]
    assert soup.find(id="invited").get_text() == "The SENCo and the educational psychologist"
    assert database.session.scalar(select(func.count(Review.id))) == 0
    response = post(
        staff, address, {**typed, "late_notice_reason": "The family asked for it before the holidays"}
    )
    assert response.status_code == 302
    [invitation] = mailbox.wait_for("parent@example.com")
    assert invitation["Subject"] == "An annual review meeting has been arranged"
    body = mailbox.text(invitation) + mailbox.html(invitation)
    assert f"/send/children/{child.public_id}" in body
    for detail in ("Jamie", "Rivers", "Taunton", "SENCo", uk_day(soon)):
        assert detail not in body
    family_client = app.test_client()
    signed_in_past_second_step(family_client, "parent@example.com")
    record = " ".join(get_page(family_client, f"/send/children/{child.public_id}").get_text(" ").split())
    assert f"Review meeting {uk_day(soon)}, Taunton Primary, room 4" in record
    assert f"Next annual review Due by {uk_day(plan.review_due_on)}" in record
    # arranged once: the page shows it, and a second arrangement changes nothing
    page = get_page(staff, address)
    assert page.find("form", action=address) is None and "less than 2 weeks before" in page.get_text()
    with pytest.raises(plans.AlreadyArranged):
        plans.arrange_meeting(pat, plan, now().date() + timedelta(days=30), "Online", "SENCo", None)
    assert database.session.scalar(select(func.count(Review.id))) == 1


def test_a_meeting_two_weeks_away_needs_no_reason_and_one_in_the_past_is_refused(app, db, pat, staff):
    plan = a_plan(make_child(), statutory.add_months(now().date(), -11), pat)
    address = f"/staff/plans/{plan.public_id}/meeting"
    yesterday = now().date() - timedelta(days=1)
    soup = post_page(
        staff,
        address,
        {
            "meeting_day": yesterday.day,
            "meeting_month": yesterday.month,
            "meeting_year": yesterday.year,
            "place": "Online",
            "invited": "SENCo",
        },
    )
    assert error_messages(soup) == ["The date of the meeting must be today or in the future"]
    fortnight = statutory.uk_today() + timedelta(days=14)
    response = post(
        staff,
        address,
        {
            "meeting_day": fortnight.day,
            "meeting_month": fortnight.month,
            "meeting_year": fortnight.year,
            "place": "Online",
            "invited": "SENCo",
        },
    )
    assert response.status_code == 302
