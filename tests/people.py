"""Families and staff set up for the tests of linking, review and access control."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from extensions import db
from models import LINK_APPROVED, CaseStep, Child, ChildLink
from services import assessment_requests, cases, statutory
from services.clock import now
from tests.factories import make_user
from tests.test_sign_in import sign_in


def signed_in_past_second_step(client, email: str) -> None:
    """Sign in, then mark the session as through the second step (tested on its own elsewhere)."""
    assert sign_in(client, email=email).status_code == 302
    with client.session_transaction() as session:
        session["two_step_passed"] = True


def make_family(email: str, first_name: str = "Alex"):
    user = make_user(email, first_name=first_name)
    user.two_step_email_at = now()
    db.session.commit()
    return user


def make_staff(email: str = "officer@somerset.gov.uk", role: str = "staff"):
    user = make_user(email, role=role, first_name="Pat")
    user.two_step_email_at = now()
    db.session.commit()
    return user


def submitted_case(family, child, at: datetime | None = None, reference: str | None = None):
    """A request for the child, submitted at that moment (now by default): a case at its first step."""
    moment = at or now()
    case = assessment_requests.start(family, child)
    case.state, case.submitted_at = "submitted", moment
    case.reference = reference or f"EHC-{moment.year}-{case.id:06d}"
    case.received_on = statutory.received_date(moment)
    case.decision_due_on = statutory.decision_due(case.received_on)
    cases.open_case(family, case, moment)
    db.session.commit()
    return case


# The steps from an officer's review to a final plan, each with the one before it.
ON_TO_THE_FINAL_PLAN = (
    ("being_reviewed", "agreed_to_assess"),
    ("agreed_to_assess", "assessment_under_way"),
    ("assessment_under_way", "plan_to_be_issued"),
    ("plan_to_be_issued", "draft_plan_sent"),
    ("draft_plan_sent", "final_plan_issued"),
)


def moved_on(officer, case, until: str, letters_for: dict | None = None) -> None:
    """Give the case its officer (if it has none) and move it step by step until it reaches `until`,
    by the service (each step's pages are tested on their own). letters_for[step] goes with that step."""
    if case.officer_id is None:
        cases.assign_officer(officer, case, officer, None)
    for seen, wanted in ON_TO_THE_FINAL_PLAN:
        if cases.step_of(case) == CaseStep(until):
            return
        if cases.step_of(case) == CaseStep(seen):
            letters = (letters_for or {}).get(wanted, [])
            cases.move(officer, case, CaseStep(seen), CaseStep(wanted), letters=letters)


def make_child(
    first: str = "Jamie", last: str = "Rivers", born: date = date(2015, 4, 2), postcode: str = "TA1 1HE"
):
    child = Child(
        first_name=first, last_name=last, date_of_birth=born, postcode=postcode, school="Taunton Primary"
    )
    db.session.add(child)
    db.session.commit()
    return child


def make_link(user, child=None, state: str = "requested", first: str = "Jamie", last: str = "Rivers"):
    link = ChildLink(
        user_id=user.id,
        child_id=child.id if child else None,
        state=state,
        relationship_to_child="parent",
        has_parental_responsibility=True,
        child_first_name=first,
        child_last_name=last,
        child_date_of_birth=child.date_of_birth if child else date(2015, 4, 2),
        child_postcode="TA1 1HE",
        child_school="Taunton Primary",
        requested_at=now(),
    )
    db.session.add(link)
    db.session.commit()
    return link


def approved_link(user, child):
    return make_link(user, child, state=LINK_APPROVED, first=child.first_name, last=child.last_name)


# Fixtures shared by the SEND-section tests; a module imports them by name.


@pytest.fixture
def family(client):
    """A family account, signed in and through the second step."""
    user = make_family("parent@example.com")
    signed_in_past_second_step(client, "parent@example.com")
    return user


@pytest.fixture
def officers(db):
    """Two members of staff, Pat Morgan and Sam Morgan, for tests of two people acting at once."""
    pat = make_staff("pat@somerset.gov.uk")
    sam = make_staff("sam@somerset.gov.uk")
    sam.first_name = "Sam"
    db.session.commit()
    return pat, sam


@pytest.fixture
def child(family):
    """A child the family is linked to (approved)."""
    linked = make_child()
    approved_link(family, linked)
    return linked
