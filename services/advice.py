"""Advice for an EHC needs assessment: staff ask each professional, chase, record the advice as it comes
and choose when the family may see it. Each change is one conditional UPDATE, so that advice is received
once and shared once however many people act at once; each is an event of the case, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import ColumnElement, func, select, update

from extensions import db, rows_changed
from models import AdviceKind, AdviceRequest, AssessmentRequest, CaseEvent, Document, User
from models.cases import (
    ADVICE_ASKED,
    ADVICE_CHASED,
    ADVICE_RECEIVED,
    ADVICE_SHARED,
    STEP_CHANGED,
    CaseStep,
)
from services import cases, documents, statutory
from services.clock import now

# Steps at which the council asks for advice; asking at the first of them starts the assessment.
ASKING_STEPS = (CaseStep.AGREED_TO_ASSESS, CaseStep.ASSESSMENT_UNDER_WAY)


class NotNow(Exception):
    """The advice, or the case, is no longer as the page showed it: nothing was changed."""


def may_ask(request: AssessmentRequest) -> bool:
    return request.step in ASKING_STEPS


def ask(
    staff: User, request: AssessmentRequest, kind: AdviceKind, provider: str, asked_on: date
) -> AdviceRequest:
    """Record a professional asked for advice, due back ADVICE_WEEKS later. The first starts the
    assessment: the case moves from "agreed to assess" to "assessment under way", and the family is told."""
    seen = cases.step_of(request)
    if seen not in ASKING_STEPS:
        raise NotNow(f"advice is not asked for at {seen.label}")
    moment = now()
    starts = seen == CaseStep.AGREED_TO_ASSESS
    changes: dict[str, object] = {}
    if starts:
        changes = dict(
            step=CaseStep.ASSESSMENT_UNDER_WAY,
            step_changed_at=moment,
            next_due_on=cases.due_on_at(request, CaseStep.ASSESSMENT_UNDER_WAY),
        )
    cases.claim(request, AssessmentRequest.step == seen, **changes)
    advice = AdviceRequest(
        request_id=request.id,
        kind=kind,
        provider=provider,
        asked_on=asked_on,
        due_on=statutory.advice_due(asked_on, current_app.config["ADVICE_WEEKS"]),
        asked_by_id=staff.id,
        created_at=moment,
    )
    db.session.add(advice)
    db.session.flush()
    if starts:
        step_event = CaseEvent(
            kind=STEP_CHANGED,
            step=CaseStep.ASSESSMENT_UNDER_WAY,
            officer_id=request.officer_id,
            created_at=moment,
        )
        cases.logged(staff, request, step_event, commit=False)
    cases.logged(staff, request, _event(ADVICE_ASKED, request, advice, moment, staff))
    return advice


def chase(staff: User, advice: AdviceRequest, chased_on: date) -> None:
    """Note that the team chased advice not yet received (the latest chase is kept; each is an event)."""
    _change(advice, AdviceRequest.received_on.is_(None), chased_on=chased_on)
    cases.logged(staff, advice_case(advice), _event(ADVICE_CHASED, advice_case(advice), advice, now(), staff))


def receive(staff: User, advice: AdviceRequest, received_on: date, prepared: list[Document]) -> None:
    """Record the advice as received, with its document (prepared by documents.prepare_to_add). The
    family does not see it until it is shared."""
    if received_on < advice.asked_on:
        raise ValueError("advice cannot be received before it was asked for")
    for document in prepared:
        document.advice_id = advice.id
    documents.add_prepared(staff, prepared)
    try:
        _change(advice, AdviceRequest.received_on.is_(None), received_on=received_on)
    except NotNow:
        documents.discard(prepared)
        raise
    request = advice_case(advice)
    cases.logged(staff, request, _event(ADVICE_RECEIVED, request, advice, now(), staff))


def share(staff: User, advice: AdviceRequest) -> None:
    """Share received advice with the family: its document goes with the "shared" event, on their
    timeline, and they are emailed that advice has been shared (never what it says)."""
    moment = now()
    _change(
        advice,
        AdviceRequest.received_on.is_not(None),
        AdviceRequest.shared_at.is_(None),
        shared_at=moment,
    )
    request = advice_case(advice)
    event = _event(ADVICE_SHARED, request, advice, moment, staff)
    db.session.add(event)
    db.session.flush()
    rows_changed(
        update(Document)
        .where(Document.advice_id == advice.id, Document.case_event_id.is_(None))
        .values(case_event_id=event.id)
        .execution_options(synchronize_session=False)
    )
    cases.logged(staff, request, event)


def advice_case(advice: AdviceRequest) -> AssessmentRequest:
    return db.session.get(AssessmentRequest, advice.request_id)  # type: ignore[return-value]


def _event(kind: str, request: AssessmentRequest, advice: AdviceRequest, moment, actor: User) -> CaseEvent:
    """An event about this advice, whole before it is first written (events are never updated)."""
    return CaseEvent(
        request_id=request.id,
        actor_id=actor.id,
        kind=kind,
        step=request.step,
        officer_id=request.officer_id,
        advice_id=advice.id,
        created_at=moment,
    )


def _change(advice: AdviceRequest, *seen_as: ColumnElement[bool], **changes: object) -> None:
    """The one UPDATE that decides, then a new version of the case (for pages and polls showing it)."""
    changed = rows_changed(
        update(AdviceRequest)
        .where(AdviceRequest.id == advice.id, *seen_as)
        .values(**changes)
        .execution_options(synchronize_session=False)
    )
    if changed != 1:
        db.session.rollback()
        raise NotNow("this advice has changed since the page was shown")
    request = advice_case(advice)
    try:
        cases.claim(request, AssessmentRequest.step.in_([step.value for step in CaseStep if step.is_open]))
    except cases.ActedFirst as ended:
        raise NotNow("the case has ended") from ended
    db.session.refresh(advice)


# --- What pages show ----------------------------------------------------------------------------------


def advice_of(request: AssessmentRequest) -> list[AdviceRequest]:
    return list(
        db.session.scalars(
            select(AdviceRequest)
            .where(AdviceRequest.request_id == request.id)
            .order_by(AdviceRequest.asked_on, AdviceRequest.id)
        )
    )


def staff_advice(public_id: str) -> AdviceRequest | None:
    return db.session.scalar(select(AdviceRequest).where(AdviceRequest.public_id == public_id))


@dataclass(frozen=True)
class AdviceRow:
    advice: AdviceRequest
    standing: statutory.Standing


def rows_of(request: AssessmentRequest, today: date) -> list[AdviceRow]:
    """Each request for advice with its standing: due, overdue, met, late or "exception applies"."""
    exceptions = cases.exceptions_of(request)
    return [
        AdviceRow(advice, statutory.standing(advice.due_on, today, exceptions, advice.received_on))
        for advice in advice_of(request)
    ]


def overdue_counts(request_ids: list[int], today: date) -> dict[int, int]:
    """For the Cases page: how many requests for advice of each case are overdue and not received (one
    statement for the page's cases; exceptions are shown on the case page)."""
    if not request_ids:
        return {}
    rows = db.session.execute(
        select(AdviceRequest.request_id, func.count(AdviceRequest.id))
        .where(
            AdviceRequest.request_id.in_(request_ids),
            AdviceRequest.received_on.is_(None),
            AdviceRequest.due_on < today,
        )
        .group_by(AdviceRequest.request_id)
    )
    return {request_id: count for request_id, count in rows}


@dataclass(frozen=True)
class FamilyAdvice:
    """What a family sees of a request for advice: never the advice itself until the team shares it."""

    who: str
    asked_on: date
    due_on: date
    received_on: date | None
    document: Document | None


def for_family(request: AssessmentRequest) -> list[FamilyAdvice]:
    return [
        FamilyAdvice(
            item.who,
            item.asked_on,
            item.due_on,
            item.received_on,
            item.document if item.shared_at is not None else None,
        )
        for item in advice_of(request)
    ]
