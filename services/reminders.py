"""Reminders the portal sends on a schedule (`flask --app app cases remind`, run daily): a family whose
draft plan is out is reminded of the last day to comment, DRAFT_PLAN_REMINDER_DAYS before it. Each case is
claimed with a conditional UPDATE before its email is queued, in one transaction, so running the command
twice, or on two servers at once, never sends a reminder twice."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from extensions import db, rows_changed
from models import AssessmentRequest, PlanResponse
from models.cases import CaseStep
from services import links, mailer, notifications, statutory
from services.clock import uk_day


def remind_of_draft_plans(today: date | None = None) -> int:
    """Remind each family whose last day to comment falls within the coming DRAFT_PLAN_REMINDER_DAYS
    (a run missed is made up the next day) and who has not sent their views. Returns how many."""
    today = today or statutory.uk_today()
    until = today + timedelta(days=current_app.config["DRAFT_PLAN_REMINDER_DAYS"])
    due = db.session.scalars(
        select(AssessmentRequest).where(
            AssessmentRequest.step == CaseStep.DRAFT_PLAN_SENT,
            AssessmentRequest.family_due_on.between(today, until),
            or_(
                AssessmentRequest.family_reminded_for.is_(None),
                AssessmentRequest.family_reminded_for != AssessmentRequest.family_due_on,
            ),
            ~select(PlanResponse.id)
            .where(PlanResponse.request_id == AssessmentRequest.id, PlanResponse.sent_at.is_not(None))
            .exists(),
        )
    ).all()
    return sum(_remind(case) for case in due)


def _remind(case: AssessmentRequest) -> bool:
    last_day = case.family_due_on
    claimed = rows_changed(
        update(AssessmentRequest)
        .where(
            AssessmentRequest.id == case.id,
            AssessmentRequest.family_due_on == last_day,
            or_(
                AssessmentRequest.family_reminded_for.is_(None),
                AssessmentRequest.family_reminded_for != last_day,
            ),
        )
        .values(family_reminded_for=last_day)
        .execution_options(synchronize_session=False)
    )
    if claimed != 1:
        db.session.rollback()
        return False
    assert last_day is not None
    views_url = links.public_url("plan_response.overview", public_id=case.public_id)
    notifications.notify(
        case.owner,
        f"the last day to comment on the draft plan is {uk_day(last_day)}",
        case.reference,
        views_url,
        f"Reminder: your views on the draft plan for request {case.reference}",
        "draft_plan_reminder",
        first_name=mailer.greeting_name(case.owner),
        reference=case.reference,
        last_day=last_day,
        views_url=views_url,
    )
    db.session.commit()
    return True
