"""The Cases page: every open case, the next due first, with filters that work as plain links, counts,
the 20-week measure and the CSV a council reports from."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from sqlalchemy import text

from extensions import db as database
from models import CaseStep
from models.cases import ExceptionKind
from services import assessment_requests, caseload, cases, statutory
from tests.pages import get_page
from tests.people import approved_link, make_child, make_family, signed_in_past_second_step

TODAY = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)  # a Monday


def make_case(family, first: str, received: date, step: CaseStep = CaseStep.SUBMITTED, officer=None):
    child = make_child(first=first)
    approved_link(family, child)
    case = assessment_requests.start(family, child)
    moment = datetime(received.year, received.month, received.day, 10, tzinfo=UTC)
    case.state, case.submitted_at, case.received_on = "submitted", moment, received
    case.reference = f"EHC-2026-{case.id:06d}"
    cases.open_case(family, case, moment)
    database.session.commit()
    if step != CaseStep.SUBMITTED or officer:
        # set up directly at a step: the moves themselves are tested in test_cases.py
        due = cases.next_due_at(case, step, statutory.DRAFT_PLAN_WEEKS)
        database.session.execute(
            text(
                "UPDATE assessment_requests SET step = :step, officer_id = :officer, next_due_on = :due"
                " WHERE id = :id"
            ),
            {
                "step": step,
                "officer": officer.id if officer else None,
                "due": due.due_on if due else None,
                "id": case.id,
            },
        )
        database.session.commit()
        database.session.refresh(case)
    return case


@pytest.fixture
def caseload_world(app, db, officers):
    pat, sam = officers
    family = make_family("parent@example.com")
    made = {
        # decision due 6 weeks after receipt
        "overdue": make_case(family, "Olly", date(2026, 4, 13), CaseStep.BEING_REVIEWED, pat),  # due 25 May
        "excused": make_case(family, "Erin", date(2026, 4, 6), CaseStep.BEING_REVIEWED, sam),  # due 18 May
        "this week": make_case(family, "Wren", date(2026, 4, 24)),  # due 5 June
        "later": make_case(family, "Lara", date(2026, 5, 18)),  # due 29 June
        "assessing": make_case(
            family, "Asha", date(2026, 3, 2), CaseStep.ASSESSMENT_UNDER_WAY, pat
        ),  # 22 June
        "closed": make_case(family, "Cleo", date(2026, 1, 5), CaseStep.CLOSED, pat),
    }
    cases.record_exception(
        sam, made["excused"], ExceptionKind.SETTING_CLOSED, date(2026, 5, 1), date(2026, 6, 5), "Flooded"
    )
    client = app.test_client()
    with time_machine.travel(TODAY, tick=False):
        signed_in_past_second_step(client, "pat@somerset.gov.uk")
    return made, client, pat, sam


def references(soup) -> list[str]:
    return [row.find("a").get_text() for row in soup.select("tbody tr")]


def cases_page(client, query: str = ""):
    with time_machine.travel(TODAY, tick=False):
        return get_page(client, f"/staff/cases{query}")


def test_open_cases_come_next_due_first_with_days_left_or_overdue(caseload_world):
    made, client, _pat, _sam = caseload_world
    soup = cases_page(client)
    order = ["excused", "overdue", "this week", "assessing", "later"]
    assert references(soup) == [made[name].reference for name in order]
    rows = [" ".join(row.get_text(" ").split()) for row in soup.select("tbody tr")]
    assert "18 May 2026 Exception applies" in rows[0]
    assert "25 May 2026 7 days overdue" in rows[1]
    assert "5 June 2026 4 days left" in rows[2]
    assert "Unassigned" in rows[2] and "Pat Morgan" in rows[1]
    text = " ".join(soup.get_text().split())
    assert (
        "5 open" in text
        and "1 overdue" in text
        and "1 due in the next 7 days" in text
        and "2 unassigned" in text
    )


@pytest.mark.parametrize(
    "query, expected",
    [
        ("?due=overdue", ["overdue"]),
        ("?due=week", ["this week"]),
        ("?officer=none", ["this week", "later"]),
        ("?step=assessment_under_way", ["assessing"]),
        (
            "?step=closed",
            ["excused", "overdue", "this week", "assessing", "later"],
        ),  # not an open step: ignored
        (
            "?page=abc&step=bogus&officer=-1&due=soon",
            ["excused", "overdue", "this week", "assessing", "later"],
        ),
    ],
)
def test_filters_are_links_and_bad_values_are_ignored(caseload_world, query, expected):
    made, client, _pat, _sam = caseload_world
    assert references(cases_page(client, query)) == [made[name].reference for name in expected]


def test_my_cases_and_pages(caseload_world, monkeypatch):
    made, client, pat, _sam = caseload_world
    soup = cases_page(client)
    mine = soup.find("a", string="My cases")["href"]
    assert references(cases_page(client, mine[len("/staff/cases") :])) == [
        made["overdue"].reference,
        made["assessing"].reference,
    ]
    monkeypatch.setattr(caseload, "PAGE_SIZE", 1)
    first = cases_page(client, "?officer=none")
    assert "Page 1 of 2" in first.get_text()
    following = first.find("a", rel="next")["href"]
    assert "officer=none" in following and "page=2" in following
    assert references(cases_page(client, following[len("/staff/cases") :])) == [made["later"].reference]


def test_the_csv_has_the_reporting_dates_and_the_20_week_measure_leaves_out_exceptions(caseload_world, app):
    made, client, pat, sam = caseload_world
    family = made["later"].owner
    on_time = make_case(family, "Tess", date(2026, 1, 5), CaseStep.DRAFT_PLAN_SENT, pat)
    late = make_case(family, "=cmd", date(2026, 1, 5), CaseStep.DRAFT_PLAN_SENT, pat)
    excused = make_case(family, "Ezra", date(2026, 1, 5), CaseStep.DRAFT_PLAN_SENT, pat)
    for case, day in [(on_time, date(2026, 5, 25)), (late, date(2026, 5, 26)), (excused, date(2026, 6, 1))]:
        with time_machine.travel(datetime(day.year, day.month, day.day, 12, tzinfo=UTC), tick=False):
            cases.move(pat, case, CaseStep.DRAFT_PLAN_SENT, CaseStep.FINAL_PLAN_ISSUED)
    cases.record_exception(pat, excused, ExceptionKind.FAMILY_AWAY, date(2026, 3, 1), None, "Away")
    # final plan due 20 weeks after 5 January: 25 May. One on time, one a day late, one excused.
    assert caseload.within_20_weeks() == (1, 2)
    text = " ".join(cases_page(client).get_text().split())
    assert "Final plans issued within 20 weeks, leaving out cases with an exception: 50% (1 of 2)" in text
    with time_machine.travel(TODAY, tick=False):
        response = client.get("/staff/cases.csv")
    assert response.headers["Content-Disposition"] == 'attachment; filename="cases-2026-06-01.csv"'
    rows = {row["Reference"]: row for row in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}
    assert rows[on_time.reference]["Final plan issued"] == "2026-05-25"
    assert rows[on_time.reference]["Weeks to final plan"] == "20"
    assert rows[late.reference]["Weeks to final plan"] == "20"  # 20 weeks and a day
    assert rows[excused.reference]["Exception"] == "yes" and rows[on_time.reference]["Exception"] == "no"
    assert rows[made["closed"].reference]["Step"] == "Closed"
    assert "Olly" not in response.get_data(as_text=True)  # no child's name in the export


def test_families_cannot_see_the_caseload(app, caseload_world):
    family = app.test_client()
    with time_machine.travel(TODAY, tick=False):
        signed_in_past_second_step(family, "parent@example.com")
        assert family.get("/staff/cases").status_code == 403
        assert family.get("/staff/cases.csv").status_code == 403
