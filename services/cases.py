"""Moving a case on: each change is one conditional UPDATE of the request row plus its event, in one
transaction. When two people act on the same case at once, the UPDATE of the second finds the row no
longer as they saw it and changes nothing: they are told who acted first, and when."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import ColumnElement, case, select, update

from extensions import db, rows_changed
from models import AssessmentRequest, User
from models.audit import CHANGED
from models.cases import (
    ALLOWED_FROM,
    EXCEPTION_RECORDED,
    OFFICER_ASSIGNED,
    STEP_CHANGED,
    WITHDRAWABLE_STEPS,
    CaseEvent,
    CaseException,
    CaseStep,
    ExceptionKind,
)
from services import audit, statutory
from services.clock import now


class StepNotAllowed(Exception):
    """The step asked for cannot follow the step the case was seen at."""

    def __init__(self, seen: CaseStep, wanted: CaseStep) -> None:
        super().__init__(f"{wanted.label} cannot follow {seen.label}")
        self.seen, self.wanted = seen, wanted


class ActedFirst(Exception):
    """Someone else changed the case after it was seen: their event says who, when and to what."""

    def __init__(self, event: CaseEvent | None) -> None:
        super().__init__("The case was changed by someone else first")
        self.event = event


def step_of(request: AssessmentRequest) -> CaseStep:
    if request.step is None:
        raise ValueError("a draft is not a case yet")
    return CaseStep(request.step)


def open_case(owner: User, request: AssessmentRequest, moment: datetime) -> CaseEvent:
    """A request just submitted becomes a case at its first step (in the submitting transaction)."""
    request.step, request.step_changed_at = CaseStep.SUBMITTED, moment
    event = CaseEvent(
        request_id=request.id,
        kind=STEP_CHANGED,
        step=CaseStep.SUBMITTED,
        actor_id=owner.id,
        created_at=moment,
    )
    db.session.add(event)
    return event


def move(
    actor: User,
    request: AssessmentRequest,
    seen: CaseStep,
    wanted: CaseStep,
    note_for_family: str | None = None,
    internal_note: str | None = None,
) -> CaseEvent:
    """Move the case from the step its actor saw to the step wanted, if the rules allow it."""
    if seen not in ALLOWED_FROM[wanted]:
        raise StepNotAllowed(seen, wanted)
    moment = now()
    _claim(request, AssessmentRequest.step == seen, step=wanted, step_changed_at=moment)
    return _logged(
        actor,
        request,
        CaseEvent(
            kind=STEP_CHANGED,
            step=wanted,
            officer_id=request.officer_id,
            note_for_family=note_for_family or None,
            internal_note=internal_note or None,
            created_at=moment,
        ),
    )


def withdraw(owner: User, request: AssessmentRequest, note_for_family: str | None = None) -> CaseEvent:
    """The family withdraws their request, from any step before a final plan."""
    seen = step_of(request)
    if seen not in WITHDRAWABLE_STEPS:
        raise StepNotAllowed(seen, CaseStep.WITHDRAWN)
    return move(owner, request, seen, CaseStep.WITHDRAWN, note_for_family=note_for_family)


def assign_officer(
    staff: User, request: AssessmentRequest, officer: User, seen_officer_id: int | None
) -> CaseEvent:
    """Give the case an officer, or another one. The first officer starts the review."""
    if not officer.is_staff:
        raise ValueError("only a member of staff can be a case's officer")
    seen_step = step_of(request)
    if not seen_step.is_open:
        raise StepNotAllowed(seen_step, seen_step)
    officer_was: ColumnElement[bool] = (
        AssessmentRequest.officer_id.is_(None)
        if seen_officer_id is None
        else AssessmentRequest.officer_id == seen_officer_id
    )
    moment = now()
    starts_review = case(
        (AssessmentRequest.step == CaseStep.SUBMITTED, CaseStep.BEING_REVIEWED.value),
        else_=AssessmentRequest.step,
    )
    _claim(
        request,
        officer_was,
        AssessmentRequest.step == seen_step,
        officer_id=officer.id,
        step=starts_review,
        step_changed_at=moment if seen_step == CaseStep.SUBMITTED else request.step_changed_at,
    )
    return _logged(
        staff,
        request,
        CaseEvent(kind=OFFICER_ASSIGNED, step=request.step, officer_id=officer.id, created_at=moment),
    )


def record_exception(
    staff: User,
    request: AssessmentRequest,
    kind: ExceptionKind,
    starts_on: date,
    ends_on: date | None,
    reason: str,
) -> CaseException:
    """A reg. 10(4) exception: the case's dates stay as the law sets them, but are not shown overdue."""
    if ends_on is not None and ends_on < starts_on:
        raise ValueError("an exception cannot end before it starts")
    moment = now()
    exception = CaseException(
        request_id=request.id,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        reason=reason,
        recorded_by_id=staff.id,
        recorded_at=moment,
    )
    db.session.add(exception)
    open_steps = [step.value for step in CaseStep if step.is_open]
    _claim(request, AssessmentRequest.step.in_(open_steps))  # a new version, for pages showing the case
    _logged(
        staff,
        request,
        CaseEvent(
            kind=EXCEPTION_RECORDED,
            step=request.step,
            officer_id=request.officer_id,
            internal_note=f"{kind.label}: {reason}",
            created_at=moment,
        ),
    )
    return exception


def events_of(request: AssessmentRequest) -> list[CaseEvent]:
    return list(
        db.session.scalars(
            select(CaseEvent)
            .where(CaseEvent.request_id == request.id)
            .order_by(CaseEvent.created_at, CaseEvent.id)
        )
    )


def exceptions_of(request: AssessmentRequest) -> list[statutory.ExceptionPeriod]:
    rows = db.session.execute(
        select(CaseException.starts_on, CaseException.ends_on).where(CaseException.request_id == request.id)
    )
    return [statutory.ExceptionPeriod(starts_on, ends_on) for starts_on, ends_on in rows]


def _claim(request: AssessmentRequest, *seen_as: ColumnElement[bool], **changes: object) -> None:
    """The one UPDATE that decides: the row changes only if it is still as its actor saw it."""
    claimed = rows_changed(
        update(AssessmentRequest)
        .where(AssessmentRequest.id == request.id, *seen_as)
        .values(version=AssessmentRequest.version + 1, **changes)
        .execution_options(synchronize_session=False)
    )
    if claimed != 1:
        db.session.rollback()
        raise ActedFirst(_latest_event(request.id))
    db.session.refresh(request)


def _logged(actor: User, request: AssessmentRequest, event: CaseEvent) -> CaseEvent:
    event.request_id, event.actor_id = request.id, actor.id
    db.session.add(event)
    audit.record(actor, CHANGED, request)
    db.session.commit()
    return event


def _latest_event(request_id: int) -> CaseEvent | None:
    return db.session.scalar(
        select(CaseEvent)
        .where(CaseEvent.request_id == request_id)
        .order_by(CaseEvent.created_at.desc(), CaseEvent.id.desc())
        .limit(1)
    )
