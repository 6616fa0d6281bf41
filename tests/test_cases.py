"""A submitted request is a case moved step by step: which steps may follow which, officers, the family
withdrawing, exceptions to the time limits, and two officers acting on one case at once."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError

from extensions import db as database
from models import AssessmentRequest, AuditEvent, CaseEvent, CaseStep, User
from models.audit import CHANGED
from models.cases import ExceptionKind
from services import assessment_requests, cases, statutory
from services.clock import now
from tests.concurrency import run_together
from tests.people import approved_link, make_child, make_family

S = CaseStep
# Written out from the council's steps (domain.md), not read from the code: each step and what may come
# straight before it. Closing is possible from every open step; withdrawing from each before the final plan.
OPEN = [step for step in S if step not in (S.CLOSED, S.WITHDRAWN)]
MAY_FOLLOW = {
    S.SUBMITTED: set(),
    S.BEING_REVIEWED: {S.SUBMITTED, S.MORE_INFORMATION},
    S.MORE_INFORMATION: {S.BEING_REVIEWED},
    S.AGREED_TO_ASSESS: {S.BEING_REVIEWED, S.MORE_INFORMATION},
    S.NOT_AGREED_TO_ASSESS: {S.BEING_REVIEWED, S.MORE_INFORMATION},
    S.ASSESSMENT_UNDER_WAY: {S.AGREED_TO_ASSESS},
    S.PLAN_TO_BE_ISSUED: {S.ASSESSMENT_UNDER_WAY},
    S.NO_PLAN: {S.ASSESSMENT_UNDER_WAY},
    S.DRAFT_PLAN_SENT: {S.PLAN_TO_BE_ISSUED},
    S.FINAL_PLAN_ISSUED: {S.DRAFT_PLAN_SENT},
    S.CLOSED: set(OPEN),
    S.WITHDRAWN: set(OPEN) - {S.FINAL_PLAN_ISSUED},
}


@pytest.fixture
def family(db):
    return make_family("parent@example.com")


@pytest.fixture
def case(db, family):
    """A request submitted on Monday 9 March 2026, at its first step."""
    child = make_child()
    approved_link(family, child)
    request = assessment_requests.start(family, child)
    moment = datetime(2026, 3, 9, 10, 0, tzinfo=UTC)
    request.state, request.submitted_at = "submitted", moment
    request.received_on = statutory.received_date(moment)
    cases.open_case(family, request, moment)
    database.session.commit()
    return request


def put_at(request: AssessmentRequest, step: CaseStep) -> None:
    """Set up a case at a step (the test's own shortcut, not a move)."""
    database.session.execute(
        text("UPDATE assessment_requests SET step = :step WHERE id = :id"), {"step": step, "id": request.id}
    )
    database.session.commit()
    database.session.refresh(request)


def events(request: AssessmentRequest) -> list[tuple[str, str]]:
    return [(event.kind, event.step) for event in cases.events_of(request)]


def test_every_step_may_follow_only_the_steps_before_it(case, officers):
    pat, _sam = officers
    for wanted in S:
        for seen in S:
            put_at(case, seen)
            version = case.version
            if seen in MAY_FOLLOW[wanted]:
                cases.move(pat, case, seen, wanted)
                assert (case.step, case.version) == (wanted, version + 1), (seen, wanted)
            else:
                with pytest.raises(cases.StepNotAllowed):
                    cases.move(pat, case, seen, wanted)
                database.session.refresh(case)
                assert (case.step, case.version) == (seen, version), (seen, wanted)
    moves = database.session.scalar(select(func.count(CaseEvent.id)).where(CaseEvent.kind == "step"))
    assert moves == 1 + sum(len(before) for before in MAY_FOLLOW.values())  # and the submission's


def test_a_move_records_who_when_and_both_notes_with_an_audit_row(case, officers):
    pat, _sam = officers
    put_at(case, S.BEING_REVIEWED)
    event = cases.move(
        pat,
        case,
        S.BEING_REVIEWED,
        S.MORE_INFORMATION,
        "Please send the latest school report.",
        "Called school",
    )
    database.session.expire_all()
    assert (event.actor_id, event.step, event.note_for_family, event.internal_note) == (
        pat.id,
        "more_information",
        "Please send the latest school report.",
        "Called school",
    )
    assert abs((event.created_at - now()).total_seconds()) < 5
    assert case.step_changed_at == event.created_at
    rows = database.session.scalars(
        select(AuditEvent).where(
            AuditEvent.record_type == "assessment_request", AuditEvent.actor_id == pat.id
        )
    ).all()
    assert [(row.action, row.record_id) for row in rows] == [(CHANGED, case.id)]


def test_an_officer_who_saw_an_older_step_is_told_who_moved_it_first(case, officers):
    pat, sam = officers
    put_at(case, S.BEING_REVIEWED)
    cases.move(sam, case, S.BEING_REVIEWED, S.MORE_INFORMATION, "Please send the school report.")
    # Pat's page still showed "being reviewed": agreeing from there would skip Sam's request unseen.
    with pytest.raises(cases.ActedFirst) as acted:
        cases.move(pat, case, S.BEING_REVIEWED, S.AGREED_TO_ASSESS)
    assert (acted.value.event.actor_id, acted.value.event.step) == (sam.id, "more_information")
    database.session.refresh(case)
    assert case.step == "more_information"


def test_the_first_officer_starts_the_review_and_a_change_of_officer_is_recorded(case, officers):
    pat, sam = officers
    cases.assign_officer(pat, case, pat, None)
    assert (case.step, case.officer_id) == ("being_reviewed", pat.id)
    first_changed = case.step_changed_at
    cases.assign_officer(pat, case, sam, pat.id)
    assert (case.step, case.officer_id, case.step_changed_at) == ("being_reviewed", sam.id, first_changed)
    assert events(case) == [
        ("step", "submitted"),
        ("officer", "being_reviewed"),
        ("officer", "being_reviewed"),
    ]
    assert [event.officer_id for event in cases.events_of(case)][1:] == [pat.id, sam.id]
    with pytest.raises(cases.ActedFirst):  # Pat's page still showed Pat as the officer
        cases.assign_officer(pat, case, pat, pat.id)


def test_only_staff_can_be_officers_and_ended_cases_get_none(case, officers, family):
    pat, _sam = officers
    with pytest.raises(ValueError):
        cases.assign_officer(pat, case, family, None)
    put_at(case, S.CLOSED)
    with pytest.raises(cases.StepNotAllowed):
        cases.assign_officer(pat, case, pat, None)


def test_a_family_can_withdraw_until_the_final_plan(case, family, officers):
    put_at(case, S.FINAL_PLAN_ISSUED)
    with pytest.raises(cases.StepNotAllowed):
        cases.withdraw(family, case)
    put_at(case, S.ASSESSMENT_UNDER_WAY)
    event = cases.withdraw(family, case, "We have moved out of the county.")
    assert (case.step, event.actor_id, event.note_for_family) == (
        "withdrawn",
        family.id,
        "We have moved out of the county.",
    )


def test_an_exception_keeps_the_dates_but_never_shows_them_overdue(case, officers):
    pat, _sam = officers
    decision = statutory.decision_due(case.received_on)
    assert decision == date(2026, 4, 20)
    with pytest.raises(ValueError):
        cases.record_exception(
            pat, case, ExceptionKind.SETTING_CLOSED, date(2026, 4, 1), date(2026, 3, 1), "x"
        )
    assert cases.exceptions_of(case) == []
    assert (
        statutory.standing(decision, date(2026, 4, 21), cases.exceptions_of(case))
        == statutory.Standing.OVERDUE
    )
    version = case.version
    cases.record_exception(
        pat, case, ExceptionKind.FAMILY_AWAY, date(2026, 3, 30), date(2026, 5, 4), "Family abroad for 5 weeks"
    )
    assert case.version == version + 1  # pages showing the case see a change
    periods = cases.exceptions_of(case)
    assert periods == [statutory.ExceptionPeriod(date(2026, 3, 30), date(2026, 5, 4))]
    assert statutory.standing(decision, date(2026, 4, 21), periods) == statutory.Standing.EXCEPTION
    assert statutory.decision_due(case.received_on) == decision
    [recorded] = [event for event in cases.events_of(case) if event.kind == "exception"]
    assert recorded.note_for_family is None  # the reason is the team's: families see the dates' standing
    assert "Family abroad for 5 weeks" in recorded.internal_note


# --- On PostgreSQL: two people at once, and the events kept as they were -------------------------------


def needs_postgresql(db) -> None:
    if db.engine.dialect.name != "postgresql":
        pytest.skip("the race needs PostgreSQL's concurrent transactions")


def race(app, request_id: int, actions: list[tuple[int, object]]) -> list[str]:
    def act(ready, officer_id: int, action) -> str:
        with app.app_context():
            officer = database.session.get(User, officer_id)
            request = database.session.get(AssessmentRequest, request_id)
            ready()
            try:
                action(officer, request)
                outcome = "done"
            except cases.ActedFirst as first:
                outcome = f"first: {first.event.actor_id}"
            database.session.remove()
            return outcome

    return run_together(act, actions)


@pytest.mark.parametrize(
    "first, second",
    [(S.AGREED_TO_ASSESS, S.NOT_AGREED_TO_ASSESS), (S.AGREED_TO_ASSESS, S.AGREED_TO_ASSESS)],
    ids=["agree-refuse", "agree-agree"],
)
def test_two_officers_deciding_at_once_record_one_decision(app, db, case, officers, first, second):
    needs_postgresql(db)
    pat, sam = officers
    put_at(case, S.BEING_REVIEWED)
    outcomes = race(
        app,
        case.id,
        [
            (pat.id, lambda officer, request: cases.move(officer, request, S.BEING_REVIEWED, first)),
            (sam.id, lambda officer, request: cases.move(officer, request, S.BEING_REVIEWED, second)),
        ],
    )
    assert sorted(outcomes)[0] == "done" and sorted(outcomes)[1].startswith("first: ")
    database.session.expire_all()
    decisions = database.session.scalars(
        select(CaseEvent).where(CaseEvent.request_id == case.id, CaseEvent.step != "submitted")
    ).all()
    assert len(decisions) == 1
    [refused] = [outcome for outcome in outcomes if outcome != "done"]
    assert refused == f"first: {decisions[0].actor_id}"  # the loser is told who acted first
    assert database.session.get(AssessmentRequest, case.id).step == decisions[0].step
    audit_rows = database.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.record_type == "assessment_request", AuditEvent.action == CHANGED
        )
    )
    assert audit_rows == 1


def test_two_officers_taking_the_same_case_at_once_give_it_one_officer(app, db, case, officers):
    needs_postgresql(db)
    pat, sam = officers
    outcomes = race(
        app,
        case.id,
        [
            (user.id, lambda officer, request: cases.assign_officer(officer, request, officer, None))
            for user in officers
        ],
    )
    assert sorted(outcome == "done" for outcome in outcomes) == [False, True]
    database.session.expire_all()
    assigned = database.session.scalars(select(CaseEvent).where(CaseEvent.kind == "officer")).all()
    assert len(assigned) == 1
    assert database.session.get(AssessmentRequest, case.id).officer_id == assigned[0].officer_id


def test_case_events_cannot_be_changed_or_deleted_on_postgresql(db, case):
    needs_postgresql(db)
    for statement in ("UPDATE case_events SET step = 'closed'", "DELETE FROM case_events"):
        with pytest.raises(DBAPIError, match="append-only"):
            database.session.execute(text(statement))
        database.session.rollback()
    assert events(case) == [("step", "submitted")]
