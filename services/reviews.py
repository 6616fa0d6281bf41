"""An annual review from its meeting to its outcome: the reports and advice shared with the family before
the meeting, the family's views, the review report, the council's decision (keep, amend or end the plan)
and, for an amendment, the family's comments and the amended plan. Every step is one conditional UPDATE,
so two people acting at once get one result; the family's deadlines are checked in the statement too."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask import current_app
from sqlalchemy import exists, func, select, update
from sqlalchemy.exc import IntegrityError

from extensions import db, rows_changed
from models import LINK_APPROVED, ChildLink, Document, Plan, Review, ReviewResponse, User
from models.audit import CHANGED, VIEWED
from models.documents import AMENDMENTS, PLAN, REVIEW_PAPER, REVIEW_REPORT
from models.plan_response import VIEWS
from models.plans import AMEND, AMENDED, END, ENDED, KEEP, KEPT
from services import audit, documents, links, mailer, notifications, plans, sectioned_forms, statutory
from services.appendix_a import Section
from services.clock import now


class ActedFirst(Exception):
    """Someone else took this step first, or the review has moved past it: nothing was changed."""


class NotOpen(Exception):
    """The family's views or comments can no longer be sent: sent already, or their time has passed."""


# --- Finding a review -------------------------------------------------------------------------------


def family_review(user: User, public_id: str, viewing: bool = True) -> Review | None:
    """A review of a plan of a child this adult is linked to (None for anyone else), with a VIEWED row
    for the child's record when a page shows it."""
    review = db.session.scalar(
        select(Review)
        .join(Plan, Plan.id == Review.plan_id)
        .join(ChildLink, ChildLink.child_id == Plan.child_id)
        .where(
            Review.public_id == public_id,
            ChildLink.user_id == user.id,
            ChildLink.state == LINK_APPROVED,
        )
    )
    if review is not None and viewing:
        audit.record_now(user, VIEWED, review.plan.child)
    return review


def staff_review(staff: User, public_id: str) -> Review | None:
    review = db.session.scalar(select(Review).where(Review.public_id == public_id))
    if review is not None:
        audit.record_now(staff, VIEWED, review.plan.child)
    return review


def review_documents(review: Review, viewer: User) -> dict[str, list[Document]]:
    """The review's documents this viewer may see, by category, oldest first."""
    found: dict[str, list[Document]] = {}
    for document in db.session.scalars(
        select(Document)
        .where(Document.review_id == review.id, documents.visible_to(viewer))
        .order_by(Document.id)
    ):
        found.setdefault(document.category, []).append(document)
    return found


# --- Dates ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReviewDates:
    papers_by: date  # reports and advice shared with the family: 2 weeks before the meeting
    views_by: date
    report_by: date  # 2 weeks after the meeting (once held)
    decision_by: date  # 4 weeks after the meeting
    appeal_by: date | None  # for a decision not to amend, to end the plan, or an amended plan
    report_late: bool
    decision_late: bool


def dates_of(review: Review) -> ReviewDates:
    held = review.held_on or review.meeting_on
    appeal_from = review.finished_on if review.outcome == AMENDED else review.decided_on
    report_by, decision_by = statutory.review_report_due(held), statutory.review_decision_due(held)
    reported = review.report_added_at.astimezone(statutory.UK).date() if review.report_added_at else None
    return ReviewDates(
        papers_by=statutory.invite_by(review.meeting_on),
        views_by=review.views_due_on,
        report_by=report_by,
        decision_by=decision_by,
        appeal_by=statutory.appeal_deadline(appeal_from) if appeal_from else None,
        report_late=reported is not None and reported > report_by,
        decision_late=review.decided_on is not None and review.decided_on > decision_by,
    )


def papers_late(review: Review) -> bool:
    """Shared after the day 2 weeks before the meeting (UK time), or not shared by then."""
    if review.papers_shared_at is None:
        return statutory.uk_today() > statutory.invite_by(review.meeting_on)
    shared = review.papers_shared_at.astimezone(statutory.UK).date()
    return shared > statutory.invite_by(review.meeting_on)


# --- The team's steps -------------------------------------------------------------------------------


def _claim(review: Review, *conditions, **changes) -> None:
    changed = rows_changed(
        update(Review)
        .where(Review.id == review.id, *conditions)
        .values(**changes)
        .execution_options(synchronize_session=False)
    )
    if changed != 1:
        db.session.rollback()
        raise ActedFirst("the review has moved on")


def _add_shared(staff: User, review: Review, prepared: list[Document], category: str) -> None:
    """The team's documents for a review, shared with the family as they are added."""
    moment = now()
    for document in prepared:
        document.category = category
        document.review_id = review.id
        document.child_id = review.plan.child_id
        document.shared_at, document.shared_by_id = moment, staff.id
    documents.add_prepared(staff, prepared)


def _finish(staff: User, review: Review, update_kind: str) -> None:
    audit.record(staff, CHANGED, review.plan.child)
    tell_family(review, update_kind)
    db.session.commit()
    db.session.refresh(review)


def share_papers(staff: User, review: Review, prepared: list[Document]) -> None:
    """Reports and advice for the meeting, shared with the family now (the law: 2 weeks before it)."""
    try:
        _claim(
            review,
            Review.outcome.is_(None),
            Review.held_on.is_(None),
            papers_shared_at=func.coalesce(Review.papers_shared_at, now()),
        )
    except ActedFirst:
        documents.discard(prepared)
        raise
    _add_shared(staff, review, prepared, REVIEW_PAPER)
    _finish(staff, review, "reports for an annual review meeting have been shared")


def record_report(staff: User, review: Review, held_on: date, prepared: list[Document]) -> None:
    """The meeting was held on `held_on`; its report (due within 2 weeks) is shared with the family."""
    try:
        _claim(
            review,
            Review.outcome.is_(None),
            Review.held_on.is_(None),
            held_on=held_on,
            report_added_at=now(),
        )
    except ActedFirst:
        documents.discard(prepared)
        raise
    _add_shared(staff, review, prepared, REVIEW_REPORT)
    _finish(staff, review, "the report of an annual review meeting has been added")


def decide(
    staff: User,
    review: Review,
    decision: str,
    reasons: str,
    summary: str | None = None,
    prepared: list[Document] = (),  # type: ignore[assignment]
) -> None:
    """The council's decision after the meeting (due within 4 weeks of it). Keeping the plan or ending
    it closes the review; an amendment gives the family at least 15 days to comment and sets the date
    the amended plan is due. The plan's next review is counted from the meeting."""
    today = statutory.uk_today()
    held = review.held_on
    if held is None:  # the decision follows the report (a page older than the review's state)
        documents.discard(prepared)
        raise ActedFirst("the report has not been added")
    changes: dict = dict(
        decision=decision, decision_reasons=reasons, decided_on=today, decided_by_id=staff.id
    )
    if decision == AMEND:
        changes |= dict(
            amendment_summary=summary,
            comments_due_on=statutory.comment_deadline(today, current_app.config["DRAFT_PLAN_COMMENT_DAYS"]),
            amended_plan_due_on=statutory.amended_plan_due(today, held),
        )
    else:
        changes |= dict(outcome=KEPT if decision == KEEP else ENDED, finished_on=today)
    try:
        _claim(review, Review.held_on.is_not(None), Review.decision.is_(None), **changes)
    except ActedFirst:
        documents.discard(prepared)
        raise
    plan = review.plan
    plan.last_reviewed_on = held
    plan.review_due_on = plans.review_due(plan, plan.child)
    if decision == END:
        plan.ended_on = today
    _add_shared(staff, review, prepared, AMENDMENTS)
    _finish(staff, review, "the council has decided the outcome of an annual review")


def issue_amended_plan(staff: User, review: Review, prepared: list[Document]) -> None:
    """The amended plan (due within 8 weeks of the proposal, 12 of the meeting): it becomes the plan the
    family downloads, and the review is over."""
    try:
        _claim(
            review,
            Review.decision == AMEND,
            Review.outcome.is_(None),
            outcome=AMENDED,
            finished_on=statutory.uk_today(),
        )
    except ActedFirst:
        documents.discard(prepared)
        raise
    for document in prepared:
        document.plan_id = review.plan_id
    _add_shared(staff, review, prepared, PLAN)
    _finish(staff, review, "an amended EHC plan has been issued")


def tell_family(review: Review, kind: str) -> None:
    """Each adult linked to the child hears that the review has moved on, and where: no detail."""
    link = links.public_url("family_reviews.review", public_id=review.public_id)
    for member in plans.linked_adults(review.plan):
        notifications.notify(
            member,
            kind,
            None,
            link,
            "Update on an annual review",
            "review_update",
            first_name=mailer.greeting_name(member),
            kind=kind,
            review_url=link,
        )


# --- The family's views and comments ----------------------------------------------------------------


def response_of(review: Review, kind: str) -> ReviewResponse | None:
    return db.session.scalar(
        select(ReviewResponse).where(ReviewResponse.review_id == review.id, ReviewResponse.kind == kind)
    )


def sent_response(review: Review, kind: str) -> ReviewResponse | None:
    """What the team sees: only once the family has sent it."""
    found = response_of(review, kind)
    return found if found is not None and found.is_sent else None


def response_for_saving(
    owner: User, review: Review, kind: str, found: ReviewResponse | None = None
) -> ReviewResponse:
    """The family's views or comments (`found`, as the page looked them up), started on the first save
    (once only, if two adults or two tabs start at once)."""
    if found is not None:
        return found
    db.session.add(
        ReviewResponse(review_id=review.id, kind=kind, owner_id=owner.id, answers={}, section_status={})
    )
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
    found = response_of(review, kind)
    assert found is not None
    return found


def _still_open(kind: str, today: date):
    """The condition on the review, in SQL, that the family may still send this."""
    if kind == VIEWS:
        return [Review.outcome.is_(None), Review.held_on.is_(None), Review.meeting_on > today]
    return [Review.decision == AMEND, Review.outcome.is_(None), Review.comments_due_on >= today]


def due_on(review: Review, kind: str) -> date | None:
    return review.views_due_on if kind == VIEWS else review.comments_due_on


def is_open(review: Review, kind: str, response: ReviewResponse | None, today: date | None = None) -> bool:
    today = today or statutory.uk_today()
    if response is not None and response.is_sent:
        return False
    if kind == VIEWS:
        return review.outcome is None and review.held_on is None and today < review.meeting_on
    return (
        review.decision == AMEND
        and review.outcome is None
        and review.comments_due_on is not None
        and today <= review.comments_due_on
    )


def incomplete_sections(response: ReviewResponse | None, sections: tuple[Section, ...]) -> list[Section]:
    if response is None:
        return list(sections)
    return sectioned_forms.incomplete_sections(response, sections)


def send(owner: User, review: Review, kind: str, response: ReviewResponse, sent_with: list[Document]) -> None:
    """Send the views or comments once, while their time is open (UK time): both are checked in the
    statement that marks them sent. The plan's officer (or the team) is emailed."""
    sent = rows_changed(
        update(ReviewResponse)
        .where(
            ReviewResponse.id == response.id,
            ReviewResponse.sent_at.is_(None),
            exists().where(Review.id == review.id, *_still_open(kind, statutory.uk_today())),
        )
        .values(sent_at=now(), version=ReviewResponse.version + 1)
        .execution_options(synchronize_session=False)
    )
    if sent != 1:
        db.session.rollback()
        documents.discard(sent_with)
        raise NotOpen("sent already, or the time to send has passed")
    for document in sent_with:
        document.review_id = review.id
        document.child_id = review.plan.child_id
    documents.add_prepared(owner, sent_with)
    audit.record(owner, CHANGED, review.plan.child)
    _email_team(
        review,
        "sent their views for an annual review" if kind == VIEWS else "commented on proposed amendments",
    )
    db.session.commit()
    db.session.refresh(response)


def _email_team(review: Review, done: str) -> None:
    officer = review.plan.officer
    to = officer.email if officer is not None else current_app.config["TEAM_EMAIL"]
    if not to:
        return
    mailer.queue_email(
        to,
        f"The family {done}",
        "review_family_sent",
        done=done,
        review_url=links.public_url("reviews.review", public_id=review.public_id),
    )
