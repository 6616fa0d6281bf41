"""The team's caseload: every open case, what is due first, filtered as an officer needs; its counts, the
national 20-week measure and the export a council reports from."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Select, and_, exists, func, select
from sqlalchemy.orm import joinedload

from extensions import db
from models import AdviceRequest, AssessmentRequest, CaseEvent, CaseException, CaseStep, User
from services import advice, statutory

PAGE_SIZE = 50
OPEN_STEPS = [step.value for step in CaseStep if step.is_open]
DUE_SOON_DAYS = 7
# The steps a council reports the dates of.
DECISION_STEPS = [CaseStep.AGREED_TO_ASSESS.value, CaseStep.NOT_AGREED_TO_ASSESS.value]


@dataclass(frozen=True)
class Filters:
    step: str = ""  # one of OPEN_STEPS, or every open step
    officer: str = ""  # an officer's id, "none" for unassigned, or anyone
    due: str = ""  # "overdue", "week" (due in the next 7 days), "advice" (advice overdue), or any date
    page: int = 1


@dataclass(frozen=True)
class Counts:
    open: int
    overdue: int
    due_this_week: int
    unassigned: int
    advice_overdue: int


@dataclass(frozen=True)
class CaseRow:
    case: AssessmentRequest
    standing: statutory.Standing | None
    days_left: int | None
    advice_overdue: int = 0  # requests for advice past their due date and not received


def _covered_by_exception() -> ColumnElement[bool]:
    """An exception arose on or before the case's next due date: it is never shown overdue."""
    return exists().where(
        CaseException.request_id == AssessmentRequest.id,
        CaseException.starts_on <= AssessmentRequest.next_due_on,
    )


def _overdue(today: date) -> ColumnElement[bool]:
    return and_(AssessmentRequest.next_due_on < today, ~_covered_by_exception())


def _due_soon(today: date) -> ColumnElement[bool]:
    return AssessmentRequest.next_due_on.between(today, today + timedelta(days=DUE_SOON_DAYS))


def _advice_overdue(today: date) -> ColumnElement[bool]:
    return exists().where(
        AdviceRequest.request_id == AssessmentRequest.id,
        AdviceRequest.received_on.is_(None),
        AdviceRequest.due_on < today,
    )


def _open_cases() -> Select:
    return select(AssessmentRequest).where(AssessmentRequest.step.in_(OPEN_STEPS))


def _filtered(filters: Filters, today: date) -> Select:
    query = _open_cases()
    if filters.step in OPEN_STEPS:
        query = query.where(AssessmentRequest.step == filters.step)
    if filters.officer == "none":
        query = query.where(AssessmentRequest.officer_id.is_(None))
    elif filters.officer.isdigit():
        query = query.where(AssessmentRequest.officer_id == int(filters.officer))
    if filters.due == "overdue":
        query = query.where(_overdue(today))
    elif filters.due == "week":
        query = query.where(_due_soon(today))
    elif filters.due == "advice":
        query = query.where(_advice_overdue(today))
    return query


def page_of_cases(filters: Filters, today: date) -> tuple[list[CaseRow], int]:
    """One page of open cases, the next due first (then the oldest received), and how many match."""
    query = _filtered(filters, today)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    found = db.session.scalars(
        query.options(joinedload(AssessmentRequest.officer))
        .order_by(
            AssessmentRequest.next_due_on.is_(None),
            AssessmentRequest.next_due_on,
            AssessmentRequest.received_on,
            AssessmentRequest.id,
        )
        .limit(PAGE_SIZE)
        .offset((max(filters.page, 1) - 1) * PAGE_SIZE)
    ).all()
    ids = [case.id for case in found]
    covered, late_advice = _covered_ids(ids), advice.overdue_counts(ids, today)
    return [_row(case, today, case.id in covered, late_advice.get(case.id, 0)) for case in found], total


def _covered_ids(case_ids: list[int]) -> set[int]:
    if not case_ids:
        return set()
    return set(
        db.session.scalars(
            select(AssessmentRequest.id).where(AssessmentRequest.id.in_(case_ids), _covered_by_exception())
        )
    )


def _row(case: AssessmentRequest, today: date, covered: bool, advice_overdue: int) -> CaseRow:
    if case.next_due_on is None:
        return CaseRow(case, None, None, advice_overdue)
    exceptions = [statutory.ExceptionPeriod(case.next_due_on)] if covered else []
    return CaseRow(
        case,
        statutory.standing(case.next_due_on, today, exceptions),
        (case.next_due_on - today).days,
        advice_overdue,
    )


def counts(today: date) -> Counts:
    def count(*conditions: ColumnElement[bool]) -> int:
        query = select(func.count(AssessmentRequest.id)).where(
            AssessmentRequest.step.in_(OPEN_STEPS), *conditions
        )
        return db.session.scalar(query) or 0

    return Counts(
        open=count(),
        overdue=count(_overdue(today)),
        due_this_week=count(_due_soon(today)),
        unassigned=count(AssessmentRequest.officer_id.is_(None)),
        advice_overdue=count(_advice_overdue(today)),
    )


def officers() -> list[User]:
    return list(
        db.session.scalars(
            select(User).where(User.id.in_(select(AssessmentRequest.officer_id))).order_by(User.last_name)
        )
    )


# --- What a council reports ------------------------------------------------------------------------------


def _first_event_dates(steps: list[str]) -> dict[int, date]:
    rows = db.session.execute(
        select(CaseEvent.request_id, func.min(CaseEvent.created_at))
        .where(CaseEvent.step.in_(steps), CaseEvent.kind == "step")
        .group_by(CaseEvent.request_id)
    )
    return {request_id: at.astimezone(statutory.UK).date() for request_id, at in rows}


def _with_exceptions() -> set[int]:
    return set(db.session.scalars(select(CaseException.request_id).distinct()))


def within_20_weeks() -> tuple[int, int]:
    """The national measure: of the final plans issued, leaving out cases with an exception, how many were
    issued within 20 weeks of the request being received. Returns (within, of)."""
    issued = _first_event_dates([CaseStep.FINAL_PLAN_ISSUED.value])
    excused = _with_exceptions()
    received: dict[int, date] = {
        request_id: day
        for request_id, day in db.session.execute(
            select(AssessmentRequest.id, AssessmentRequest.received_on).where(
                AssessmentRequest.id.in_(issued), AssessmentRequest.received_on.is_not(None)
            )
        )
        if day is not None
    }
    counted = [request_id for request_id in issued if request_id not in excused and request_id in received]
    within = sum(
        issued[request_id] <= statutory.final_plan_due(received[request_id]) for request_id in counted
    )
    return within, len(counted)


CSV_COLUMNS = [
    "Reference",
    "Step",
    "Officer",
    "Received",
    "Decision whether to assess",
    "Final plan issued",
    "Weeks to final plan",
    "Exception",
]


def export_csv() -> str:
    """Every case, with the dates a council reports on. Cells starting with a formula character are
    quoted so a spreadsheet shows them as text."""
    decided = _first_event_dates(DECISION_STEPS)
    issued = _first_event_dates([CaseStep.FINAL_PLAN_ISSUED.value])
    excused = _with_exceptions()
    output = io.StringIO()
    writer = csv.writer(output)
    writer.writerow(CSV_COLUMNS)
    every_case = db.session.scalars(
        select(AssessmentRequest)
        .where(AssessmentRequest.step.is_not(None))
        .options(joinedload(AssessmentRequest.officer))
        .order_by(AssessmentRequest.received_on, AssessmentRequest.id)
    )
    for case in every_case:
        final = issued.get(case.id)
        writer.writerow(
            [
                _cell(case.reference or ""),
                case.case_step.label if case.case_step else "",
                _cell(case.officer.full_name if case.officer else ""),
                case.received_on.isoformat() if case.received_on else "",
                decided[case.id].isoformat() if case.id in decided else "",
                final.isoformat() if final else "",
                statutory.weeks_taken(case.received_on, final) if final and case.received_on else "",
                "yes" if case.id in excused else "no",
            ]
        )
    return output.getvalue()


def _cell(value: str) -> str:
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
