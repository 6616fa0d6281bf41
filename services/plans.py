"""EHC plans and when their annual reviews are due: a plan issued through a case, or recorded by staff
for one issued before the portal; and the team's Reviews page, what is due soonest first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from extensions import db
from models import LINK_APPROVED, AssessmentRequest, Child, ChildLink, Document, Plan, Review, User
from models.audit import CHANGED, CREATED, VIEWED
from services import audit, documents, links, mailer, notifications, statutory

REVIEWS_AHEAD_WEEKS = 8  # the Reviews page shows what is due in the next 8 weeks, and overdue, first
PAGE_SIZE = 50


def review_due(plan: Plan, child: Child) -> date:
    """The next review's date: 12 months from the plan or the last review (6 for a child under 5, a
    setting), or the phase transfer deadline when that comes first."""
    due = statutory.review_due(
        plan.last_reviewed_on or plan.issued_on,
        child.date_of_birth,
        current_app.config["UNDER_FIVE_REVIEW_MONTHS"],
    )
    if plan.transfer_year:
        due = min(due, statutory.phase_transfer_deadline(plan.transfer_year, plan.to_post_16))
    return due


def issue_from_case(request: AssessmentRequest, issued_on: date, staff: User) -> Plan | None:
    """The case's final plan starts the review cycle (in the step's transaction)."""
    if request.child is None:
        return None
    plan = Plan(
        child_id=request.child_id,
        request_id=request.id,
        issued_on=issued_on,
        officer_id=request.officer_id,
        recorded_by_id=staff.id,
        to_post_16=False,
    )
    plan.review_due_on = review_due(plan, request.child)
    db.session.add(plan)
    return plan


def record_existing(
    staff: User,
    child: Child,
    issued_on: date,
    school: str | None,
    transfer_year: int | None,
    to_post_16: bool,
    prepared: list[Document],
) -> Plan:
    """A plan issued before the portal, with its PDF (prepared by documents.prepare_to_add)."""
    plan = Plan(
        child_id=child.id,
        issued_on=issued_on,
        school=school or None,
        transfer_year=transfer_year,
        to_post_16=to_post_16,
        recorded_by_id=staff.id,
    )
    plan.review_due_on = review_due(plan, child)
    db.session.add(plan)
    db.session.flush()
    for document in prepared:
        document.plan_id = plan.id
    documents.add_prepared(staff, prepared)
    audit.record(staff, CREATED, child)
    db.session.commit()
    return plan


class TooSoon(Exception):
    """The meeting is less than 2 weeks away and no reason for the late notice was given."""


class AlreadyArranged(Exception):
    """A review of this plan is already under way (someone arranged its meeting first)."""


def open_review(plan: Plan) -> Review | None:
    return db.session.scalar(select(Review).where(Review.plan_id == plan.id, Review.outcome.is_(None)))


def arrange_meeting(
    staff: User, plan: Plan, meeting_on: date, place: str, invited: str, late_notice_reason: str | None
) -> Review:
    """Arrange the review meeting and invite the family. The law wants at least 2 weeks' notice: a
    meeting sooner needs the reason recorded. One review is under way per plan (a unique index), so two
    people arranging at once arrange one meeting."""
    if statutory.invite_by(meeting_on) < statutory.uk_today() and not late_notice_reason:
        raise TooSoon("the family must be invited at least 2 weeks before the meeting")
    review = Review(
        plan_id=plan.id,
        due_on=plan.review_due_on,
        meeting_on=meeting_on,
        place=place,
        invited=invited,
        late_notice_reason=late_notice_reason or None,
        arranged_by_id=staff.id,
    )
    db.session.add(review)
    try:
        db.session.flush()
    except IntegrityError as arranged:
        db.session.rollback()
        raise AlreadyArranged("a review of this plan is already under way") from arranged
    audit.record(staff, CHANGED, plan.child)
    _invite(plan)
    db.session.commit()
    return review


def _invite(plan: Plan) -> None:
    """Each adult linked to the child hears that a meeting is arranged, and where to see it: no detail."""
    link = links.public_url("send.child", public_id=plan.child.public_id)
    for member in linked_adults(plan):
        notifications.notify(
            member,
            "an annual review meeting has been arranged",
            None,
            link,
            "An annual review meeting has been arranged",
            "review_meeting",
            first_name=mailer.greeting_name(member),
            child_url=link,
        )


def linked_adults(plan: Plan) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .join(ChildLink, ChildLink.user_id == User.id)
            .where(ChildLink.child_id == plan.child_id, ChildLink.state == LINK_APPROVED)
        )
    )


def staff_plan(staff: User, public_id: str) -> Plan | None:
    """Any plan, for the team, with a VIEWED row for its child's record."""
    plan = db.session.scalar(select(Plan).where(Plan.public_id == public_id))
    if plan is not None:
        audit.record_now(staff, VIEWED, plan.child)
    return plan


@dataclass(frozen=True)
class FamilyPlan:
    plan: Plan
    document: Document | None
    review: Review | None  # the review under way, with its meeting
    past_reviews: list[Review]  # earlier reviews, the latest first


def shown_to_family(child: Child) -> list[FamilyPlan]:
    """The child's plans as a linked family sees them: dates, the plan to download, the next meeting,
    and the reviews held."""
    shown = []
    for plan in plans_of(child):
        reviews = reviews_of(plan)
        under_way = next((review for review in reviews if review.outcome is None), None)
        past = [review for review in reviews if review is not under_way]
        shown.append(FamilyPlan(plan, plan_document(plan), under_way, past))
    return shown


def reviews_of(plan: Plan) -> list[Review]:
    """The plan's reviews, the latest meeting first."""
    return list(
        db.session.scalars(select(Review).where(Review.plan_id == plan.id).order_by(Review.meeting_on.desc()))
    )


def plan_of_case(request: AssessmentRequest) -> Plan | None:
    return db.session.scalar(select(Plan).where(Plan.request_id == request.id))


def plans_of(child: Child) -> list[Plan]:
    return list(
        db.session.scalars(select(Plan).where(Plan.child_id == child.id).order_by(Plan.issued_on.desc()))
    )


def plan_document(plan: Plan) -> Document | None:
    return db.session.scalar(
        select(Document).where(Document.plan_id == plan.id).order_by(Document.id.desc()).limit(1)
    )


# --- The Reviews page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    show: str = ""  # "" (due in the next 8 weeks, and overdue) or "all"
    officer: str = ""  # an officer's id, "none", or anyone
    school: str = ""
    transfer: str = ""  # "yes": only plans with a move to the next phase of education
    page: int = 1


@dataclass(frozen=True)
class ReviewRow:
    plan: Plan
    days_left: int
    transfer_deadline: date | None
    review: Review | None  # the review under way, once its meeting is arranged


@dataclass(frozen=True)
class Counts:
    plans: int
    overdue: int
    due_soon: int
    transfers: int


def _current() -> ColumnElement[bool]:
    return Plan.ended_on.is_(None)


def _filtered(filters: Filters, today: date) -> Select:
    query = select(Plan).where(_current())
    if filters.show != "all":
        query = query.where(Plan.review_due_on <= today + timedelta(weeks=REVIEWS_AHEAD_WEEKS))
    if filters.officer == "none":
        query = query.where(Plan.officer_id.is_(None))
    elif filters.officer.isdigit():
        query = query.where(Plan.officer_id == int(filters.officer))
    if filters.school:
        query = query.where(Plan.school == filters.school)
    if filters.transfer == "yes":
        query = query.where(Plan.transfer_year.is_not(None))
    return query


def page_of_reviews(filters: Filters, today: date) -> tuple[list[ReviewRow], int]:
    """One page of plans, the review due soonest (most overdue) first, and how many match."""
    query = _filtered(filters, today)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    found = db.session.execute(
        query.add_columns(Review)
        .outerjoin(Review, and_(Review.plan_id == Plan.id, Review.outcome.is_(None)))
        .options(joinedload(Plan.child), joinedload(Plan.officer))
        .order_by(Plan.review_due_on, Plan.id)
        .limit(PAGE_SIZE)
        .offset((max(filters.page, 1) - 1) * PAGE_SIZE)
    ).all()
    rows = [
        ReviewRow(
            plan,
            (plan.review_due_on - today).days,
            statutory.phase_transfer_deadline(plan.transfer_year, plan.to_post_16)
            if plan.transfer_year
            else None,
            under_way,
        )
        for plan, under_way in found
    ]
    return rows, total


def counts(today: date) -> Counts:
    row = db.session.execute(
        select(
            func.count(Plan.id),
            func.count(Plan.id).filter(Plan.review_due_on < today),
            func.count(Plan.id).filter(
                Plan.review_due_on.between(today, today + timedelta(weeks=REVIEWS_AHEAD_WEEKS))
            ),
            func.count(Plan.id).filter(Plan.transfer_year.is_not(None)),
        ).where(_current())
    ).one()
    return Counts(*row)


def schools() -> list[str]:
    return list(
        db.session.scalars(
            select(Plan.school).where(_current(), Plan.school.is_not(None)).distinct().order_by(Plan.school)
        )
    )
