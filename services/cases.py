"""Moving a case on: each change is one conditional UPDATE of the request row plus its event, in one
transaction. When two people act on the same case at once, the UPDATE of the second finds the row no
longer as they saw it and changes nothing: they are told who acted first, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app
from sqlalchemy import ColumnElement, case, select, update

from extensions import db, rows_changed
from models import AssessmentRequest, Document, User
from models.audit import CHANGED
from models.cases import (
    ADVICE_ASKED,
    ADVICE_CHASED,
    ADVICE_RECEIVED,
    ADVICE_SHARED,
    ADVICE_SHARED_KIND,
    ALLOWED_FROM,
    APPEALABLE_STEPS,
    EXCEPTION_RECORDED,
    FAMILY_ACTIONS,
    FAMILY_ANSWERED,
    FAMILY_RESPONDED,
    OFFICER_ASSIGNED,
    OFFICER_CHANGED_KIND,
    STAFF_ONLY_EVENTS,
    STEP_CHANGED,
    UPDATE_KINDS,
    WITHDRAWABLE_STEPS,
    CaseEvent,
    CaseException,
    CaseStep,
    ExceptionKind,
)
from services import audit, documents, links, mailer, notifications, plans, statutory
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
    request.next_due_on = due_on_at(request, CaseStep.SUBMITTED)
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
    respond_by: date | None = None,
    letters: list[Document] = (),  # type: ignore[assignment]
) -> CaseEvent:
    """Move the case from the step its actor saw to the step wanted, if the rules allow it. Asking for
    more information may say by when the family should answer; letters (prepared by
    documents.prepare_to_add) go with the step, for the family to download."""
    if seen not in ALLOWED_FROM[wanted]:
        raise StepNotAllowed(seen, wanted)
    return _moved(
        actor,
        request,
        seen,
        wanted,
        CaseEvent(
            kind=STEP_CHANGED,
            note_for_family=note_for_family or None,
            internal_note=internal_note or None,
            respond_by=_family_due(wanted, respond_by),
        ),
        letters,
    )


def _family_due(wanted: CaseStep, asked: date | None) -> date | None:
    """The date the family is asked to act by at this step: the team's, for more information; the
    setting's days from today, for comments on a draft plan; none at other steps."""
    if wanted == CaseStep.DRAFT_PLAN_SENT:
        return statutory.comment_deadline(statutory.uk_today(), current_app.config["DRAFT_PLAN_COMMENT_DAYS"])
    return asked if wanted == CaseStep.MORE_INFORMATION else None


def withdraw(owner: User, request: AssessmentRequest, note_for_family: str | None = None) -> CaseEvent:
    """The family withdraws their request, from any step before a final plan."""
    seen = step_of(request)
    if seen not in WITHDRAWABLE_STEPS:
        raise StepNotAllowed(seen, CaseStep.WITHDRAWN)
    return move(owner, request, seen, CaseStep.WITHDRAWN, note_for_family=note_for_family)


def answer(
    owner: User,
    request: AssessmentRequest,
    words: str,
    sent_with: list[Document] = (),  # type: ignore[assignment]
) -> CaseEvent:
    """The family answers the team's request for more information, with any documents (prepared by
    documents.prepare_to_add): the case goes back to its officer, who is emailed."""
    event = CaseEvent(kind=FAMILY_ANSWERED, note_for_family=words)
    return _moved(owner, request, CaseStep.MORE_INFORMATION, CaseStep.BEING_REVIEWED, event, sent_with)


def _moved(
    actor: User,
    request: AssessmentRequest,
    seen: CaseStep,
    wanted: CaseStep,
    event: CaseEvent,
    sent_with: list[Document] = (),  # type: ignore[assignment]
) -> CaseEvent:
    moment = now()
    try:
        claim(
            request,
            AssessmentRequest.step == seen,
            step=wanted,
            step_changed_at=moment,
            next_due_on=due_on_at(request, wanted),
            family_due_on=event.respond_by if event.kind == STEP_CHANGED else None,
        )
    except ActedFirst:
        documents.discard(sent_with)
        raise
    event.step, event.officer_id, event.created_at = wanted, request.officer_id, moment
    if wanted == CaseStep.FINAL_PLAN_ISSUED:
        plans.issue_from_case(request, moment.astimezone(statutory.UK).date(), actor)
    return logged(actor, request, event, sent_with)


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
    claim(
        request,
        officer_was,
        AssessmentRequest.step == seen_step,
        officer_id=officer.id,
        step=starts_review,
        step_changed_at=moment if seen_step == CaseStep.SUBMITTED else request.step_changed_at,
    )
    return logged(
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
    claim(request, AssessmentRequest.step.in_(open_steps))  # a new version, for pages showing the case
    logged(
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


def exceptions_recorded(request: AssessmentRequest) -> list[CaseException]:
    return list(
        db.session.scalars(
            select(CaseException)
            .where(CaseException.request_id == request.id)
            .order_by(CaseException.starts_on, CaseException.id)
        )
    )


def exceptions_of(request: AssessmentRequest) -> list[statutory.ExceptionPeriod]:
    rows = db.session.execute(
        select(CaseException.starts_on, CaseException.ends_on).where(CaseException.request_id == request.id)
    )
    return [statutory.ExceptionPeriod(starts_on, ends_on) for starts_on, ends_on in rows]


def claim(request: AssessmentRequest, *seen_as: ColumnElement[bool], **changes: object) -> None:
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


def logged(
    actor: User,
    request: AssessmentRequest,
    event: CaseEvent,
    sent_with: list[Document] = (),  # type: ignore[assignment]
    commit: bool = True,
) -> CaseEvent:
    """Write the event with its documents, an audit row and any email, and (unless more is to be
    written in the same transaction) commit."""
    event.request_id, event.actor_id = request.id, actor.id
    db.session.add(event)
    if sent_with:
        db.session.flush()
        documents.attach_to_event(actor, sent_with, event.id)
    audit.record(actor, CHANGED, request)
    kind = _update_kind(event)
    if kind is not None:
        _email_family(request, kind)
    if event.kind in FAMILY_ACTIONS:
        _email_team(request, *FAMILY_ACTIONS[event.kind])
    if commit:
        db.session.commit()
    return event


def _update_kind(event: CaseEvent) -> str | None:
    if event.kind == STEP_CHANGED:
        return UPDATE_KINDS.get(event.case_step)
    if event.kind == OFFICER_ASSIGNED:
        first = not db.session.scalar(
            select(CaseEvent.id).where(
                CaseEvent.request_id == event.request_id,
                CaseEvent.kind == OFFICER_ASSIGNED,
                CaseEvent.id != event.id,
            )
        )
        return UPDATE_KINDS[CaseStep.BEING_REVIEWED] if first else OFFICER_CHANGED_KIND
    if event.kind == ADVICE_SHARED:
        return ADVICE_SHARED_KIND
    return None  # asking for advice shows on the timeline; the rest is the team's own record


def _email_family(request: AssessmentRequest, kind: str) -> None:
    """Which request and what kind of update, with a link to its Progress page: never a detail."""
    db.session.flush()
    progress_url = links.public_url("appendix_a.progress", public_id=request.public_id)
    notifications.notify(
        request.owner,
        kind,
        request.reference,
        progress_url,
        f"Update on your request {request.reference}",
        "case_update",
        first_name=mailer.greeting_name(request.owner),
        reference=request.reference,
        kind=kind,
        progress_url=progress_url,
    )


def _email_team(request: AssessmentRequest, done: str, done_in_full: str) -> None:
    """Tell the case's officer (or, with none yet, the team's address) what the family has done."""
    to = request.officer.email if request.officer is not None else current_app.config["TEAM_EMAIL"]
    if not to:
        return
    mailer.queue_email(
        to,
        f"The family {done} on request {request.reference}",
        "case_family_acted",
        done=done_in_full,
        reference=request.reference,
        case_url=links.public_url("staff.assessment_request", public_id=request.public_id),
    )


ADVICE_TITLES = {
    ADVICE_ASKED: "Advice asked for from {who}",
    ADVICE_CHASED: "Advice chased from {who}",
    ADVICE_RECEIVED: "Advice received from {who}",
    ADVICE_SHARED: "Advice shared with {whom}: {who}",
}


# --- What the family and staff are shown ------------------------------------------------------------


@dataclass(frozen=True)
class NextDue:
    what: str  # what the council must do: "decide whether to ..."
    due_on: date


# What the council does next at each step, and which of the clock's dates it is due by.
_NEXT = {
    CaseStep.SUBMITTED: ("decide whether to carry out an EHC needs assessment", "decision"),
    CaseStep.BEING_REVIEWED: ("decide whether to carry out an EHC needs assessment", "decision"),
    CaseStep.MORE_INFORMATION: ("decide whether to carry out an EHC needs assessment", "decision"),
    CaseStep.AGREED_TO_ASSESS: ("decide whether to issue an EHC plan", "no_plan_notice"),
    CaseStep.ASSESSMENT_UNDER_WAY: ("decide whether to issue an EHC plan", "no_plan_notice"),
    CaseStep.PLAN_TO_BE_ISSUED: ("send the draft EHC plan", "draft_plan"),
    CaseStep.DRAFT_PLAN_SENT: ("issue the final EHC plan", "final_plan"),
}


def next_due(
    request: AssessmentRequest, draft_plan_weeks: int = statutory.DRAFT_PLAN_WEEKS
) -> NextDue | None:
    return next_due_at(request, step_of(request), draft_plan_weeks)


def next_due_at(request: AssessmentRequest, step: CaseStep, draft_plan_weeks: int) -> NextDue | None:
    found = _NEXT.get(step)
    if found is None or request.received_on is None:
        return None
    what, which = found
    return NextDue(what, getattr(statutory.due_dates(request.received_on, draft_plan_weeks), which))


def due_on_at(request: AssessmentRequest, step: CaseStep) -> date | None:
    found = next_due_at(request, step, current_app.config["DRAFT_PLAN_WEEKS"])
    return found.due_on if found else None


def decided_on(request: AssessmentRequest) -> date | None:
    """The UK date the case reached its current step."""
    return request.step_changed_at.astimezone(statutory.UK).date() if request.step_changed_at else None


def appeal_until(request: AssessmentRequest) -> date | None:
    """After a refusal to assess or to issue a plan, or a final plan: the last day to appeal (2 months
    from the decision, the day it was recorded here)."""
    decided = decided_on(request)
    if step_of(request) not in APPEALABLE_STEPS or decided is None:
        return None
    return statutory.appeal_deadline(decided)


@dataclass(frozen=True)
class TimelineEntry:
    at: datetime
    title: str
    step: CaseStep | None  # for a change of step
    note_for_family: str | None
    internal_note: str | None
    respond_by: date | None = None
    documents: tuple[Document, ...] = ()  # the letters or answer documents that went with it


def timeline(request: AssessmentRequest, viewer: User) -> list[TimelineEntry]:
    """Every event, oldest first, with the documents that went with it that the viewer may see. A
    family's timeline has no internal notes and no exceptions."""
    for_staff = viewer.is_staff
    sent_with = documents.case_documents(viewer, request)
    entries = []
    for event in events_of(request):
        if event.kind in STAFF_ONLY_EVENTS and not for_staff:
            continue
        entries.append(
            TimelineEntry(
                at=event.created_at,
                title=_title(event, for_staff),
                step=event.case_step if event.kind == STEP_CHANGED else None,
                note_for_family=event.note_for_family,
                internal_note=event.internal_note if for_staff else None,
                respond_by=event.respond_by,
                documents=tuple(sent_with.get(event.id, ())),
            )
        )
    return entries


def latest_move(entries: list[TimelineEntry], step: CaseStep) -> TimelineEntry | None:
    """The last move to this step (what the team asked for and by when, say)."""
    return next((entry for entry in reversed(entries) if entry.step == step), None)


def _title(event: CaseEvent, for_staff: bool) -> str:
    if event.kind == FAMILY_ANSWERED:
        return "The family answered" if for_staff else "Your answer"
    if event.kind == FAMILY_RESPONDED:
        return "The family responded to the draft plan" if for_staff else "Your response to the draft plan"
    if event.kind == OFFICER_ASSIGNED and event.officer is not None:
        return f"Officer: {event.officer.full_name}"
    if event.kind == EXCEPTION_RECORDED:
        return "Exception to the time limits recorded"
    if event.advice is not None:
        return ADVICE_TITLES[event.kind].format(
            who=event.advice.who, whom="the family" if for_staff else "you"
        )
    return event.case_step.label


def _latest_event(request_id: int) -> CaseEvent | None:
    return db.session.scalar(
        select(CaseEvent)
        .where(CaseEvent.request_id == request_id)
        .order_by(CaseEvent.created_at.desc(), CaseEvent.id.desc())
        .limit(1)
    )
