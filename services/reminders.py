"""Reminders the portal sends on a schedule (`flask --app app cases remind`, run daily): a family whose
draft plan is out is reminded of the last day to comment, DRAFT_PLAN_REMINDER_DAYS before it; a family
with an annual review meeting within 2 weeks, that their views are wanted before it; the team, of reviews
falling due within 8 weeks and of reviews overdue. Each case, review or plan is claimed with a conditional
UPDATE before its email is queued, in one transaction, so running the command twice, or on two servers at
once, never sends a reminder twice."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import or_, select, update

from extensions import db, rows_changed
from models import AssessmentRequest, Plan, PlanResponse, Review, ReviewResponse
from models.cases import CaseStep
from models.plan_response import VIEWS
from services import links, mailer, notifications, plans, statutory
from services.clock import now, uk_day


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


# --- Annual reviews ---------------------------------------------------------------------------------


def remind_of_review_views(today: date | None = None) -> int:
    """Remind the family of a review meeting within the next 2 weeks that their views are wanted before
    it, once for each review, while they have not sent them. Returns how many reviews."""
    today = today or statutory.uk_today()
    due = db.session.scalars(
        select(Review).where(
            Review.outcome.is_(None),
            Review.held_on.is_(None),
            Review.meeting_on.between(
                today + timedelta(days=1), today + timedelta(days=statutory.INVITE_DAYS_BEFORE)
            ),
            Review.views_reminded_at.is_(None),
            ~select(ReviewResponse.id)
            .where(
                ReviewResponse.review_id == Review.id,
                ReviewResponse.kind == VIEWS,
                ReviewResponse.sent_at.is_not(None),
            )
            .exists(),
        )
    ).all()
    return sum(_remind_of_views(review) for review in due)


def _remind_of_views(review: Review) -> bool:
    claimed = rows_changed(
        update(Review)
        .where(Review.id == review.id, Review.views_reminded_at.is_(None))
        .values(views_reminded_at=now())
        .execution_options(synchronize_session=False)
    )
    if claimed != 1:
        db.session.rollback()
        return False
    review_url = links.public_url("family_reviews.review", public_id=review.public_id)
    for member in plans.linked_adults(review.plan):
        notifications.notify(
            member,
            f"send your views for an annual review by {uk_day(review.views_due_on)}",
            None,
            review_url,
            "Reminder: send your views before an annual review meeting",
            "review_views_reminder",
            first_name=mailer.greeting_name(member),
            last_day=review.views_due_on,
            review_url=review_url,
        )
    db.session.commit()
    return True


def remind_team_of_reviews(today: date | None = None) -> tuple[int, int]:
    """Tell each plan's officer (or the team's address) once when its review falls due within
    REVIEWS_AHEAD_WEEKS with no meeting arranged, and once when it becomes overdue. Each plan is claimed
    for its review date, so a new date is reminded of again. Returns how many of each."""
    today = today or statutory.uk_today()
    current = [Plan.ended_on.is_(None)]
    no_meeting = ~select(Review.id).where(Review.plan_id == Plan.id, Review.outcome.is_(None)).exists()
    soon = db.session.scalars(
        select(Plan).where(
            *current,
            no_meeting,
            Plan.review_due_on.between(today, today + timedelta(weeks=plans.REVIEWS_AHEAD_WEEKS)),
            _not_reminded(Plan.due_soon_reminded_for),
        )
    ).all()
    late = db.session.scalars(
        select(Plan).where(*current, Plan.review_due_on < today, _not_reminded(Plan.overdue_reminded_for))
    ).all()
    due_soon = sum(_remind_team(plan, Plan.due_soon_reminded_for, overdue=False) for plan in soon)
    overdue = sum(_remind_team(plan, Plan.overdue_reminded_for, overdue=True) for plan in late)
    return due_soon, overdue


def _not_reminded(column):
    return or_(column.is_(None), column != Plan.review_due_on)


def _remind_team(plan: Plan, column, overdue: bool) -> bool:
    due_on = plan.review_due_on
    claimed = rows_changed(
        update(Plan)
        .where(Plan.id == plan.id, Plan.review_due_on == due_on, _not_reminded(column))
        .values({column.key: due_on})
        .execution_options(synchronize_session=False)
    )
    if claimed != 1:
        db.session.rollback()
        return False
    to = plan.officer.email if plan.officer is not None else current_app.config["TEAM_EMAIL"]
    if to:
        mailer.queue_email(
            to,
            f"An annual review is overdue: it was due by {uk_day(due_on)}"
            if overdue
            else f"An annual review is due by {uk_day(due_on)}",
            "review_due_staff",
            overdue=overdue,
            due_on=due_on,
            plan_url=links.public_url("reviews.arrange_meeting", public_id=plan.public_id),
        )
    db.session.commit()
    return True
