"""Families asking to be linked to a child, and the SEND Assessment Hub Team's decisions."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, or_, select

from extensions import db
from models import (
    LINK_APPROVED,
    LINK_MORE_INFO,
    LINK_REJECTED,
    LINK_REQUESTED,
    LINK_REVOKED,
    OPEN_LINK_STATES,
    Child,
    ChildLink,
    User,
)
from models.audit import CHANGED, CREATED, DECIDED
from services import audit, mailer
from services.clock import now

YOUNG_PERSON_MIN_AGE = 16


def open_request_for_same_child(user: User, first: str, last: str, born: date) -> ChildLink | None:
    return db.session.scalar(
        select(ChildLink).where(
            ChildLink.user_id == user.id,
            ChildLink.state.in_((*OPEN_LINK_STATES, LINK_APPROVED)),
            func.lower(ChildLink.child_first_name) == first.lower(),
            func.lower(ChildLink.child_last_name) == last.lower(),
            ChildLink.child_date_of_birth == born,
        )
    )


def request_access(user: User, answers: dict) -> ChildLink:
    link = ChildLink(
        user_id=user.id,
        state=LINK_REQUESTED,
        relationship_to_child=answers["relationship"],
        has_parental_responsibility=answers.get("parental_responsibility"),
        child_first_name=answers["first_name"],
        child_last_name=answers["last_name"],
        child_date_of_birth=answers["date_of_birth"],
        child_postcode=answers["postcode"],
        child_school=answers["school"],
        notes=answers.get("notes") or None,
        requested_at=now(),
    )
    db.session.add(link)
    db.session.flush()
    audit.record(user, CREATED, link)
    db.session.commit()
    return link


def links_of(user: User) -> list[ChildLink]:
    return list(
        db.session.scalars(
            select(ChildLink).where(ChildLink.user_id == user.id).order_by(ChildLink.requested_at.desc())
        )
    )


def family_link(user: User, public_id: str) -> ChildLink | None:
    """One of this family's own requests or links; None for anyone else's."""
    return db.session.scalar(
        select(ChildLink).where(ChildLink.public_id == public_id, ChildLink.user_id == user.id)
    )


def family_child(user: User, public_id: str) -> tuple[Child, ChildLink] | None:
    """A child this family is linked to and approved for; None otherwise."""
    row = db.session.execute(
        select(Child, ChildLink)
        .join(ChildLink, ChildLink.child_id == Child.id)
        .where(Child.public_id == public_id, ChildLink.user_id == user.id, ChildLink.state == LINK_APPROVED)
    ).first()
    return (row[0], row[1]) if row else None


def answer_question(user: User, link: ChildLink, answer: str) -> None:
    link.answer = answer
    link.answered_at = now()
    link.state = LINK_REQUESTED
    audit.record(user, CHANGED, link)
    db.session.commit()


# --- Staff ---------------------------------------------------------------------------------------


def waiting_requests() -> list[ChildLink]:
    """Requests waiting for the team, oldest first (answers to questions wait from when answered)."""
    waited_since = func.coalesce(ChildLink.answered_at, ChildLink.requested_at)
    return list(
        db.session.scalars(select(ChildLink).where(ChildLink.state == LINK_REQUESTED).order_by(waited_since))
    )


def waiting_for_families() -> list[ChildLink]:
    return list(
        db.session.scalars(
            select(ChildLink).where(ChildLink.state == LINK_MORE_INFO).order_by(ChildLink.decided_at)
        )
    )


def possible_matches(link: ChildLink) -> list[Child]:
    """Existing records with the same date of birth and a similar name, or the same postcode."""
    first, last = link.child_first_name.lower(), link.child_last_name.lower()
    same_birthday_similar_name = (Child.date_of_birth == link.child_date_of_birth) & or_(
        func.lower(Child.last_name) == last, func.lower(Child.first_name) == first
    )
    same_postcode = Child.postcode == link.child_postcode
    return list(
        db.session.scalars(
            select(Child)
            .where(same_birthday_similar_name | same_postcode)
            .order_by(Child.last_name)
            .limit(20)
        )
    )


def _tell_family(link: ChildLink) -> None:
    mailer.queue_email(
        link.user.email,
        "Your request to see a child's SEND record has been reviewed",
        "access_reviewed",
        first_name=mailer.greeting_name(link.user),
    )


def _decide(staff: User, link: ChildLink, state: str) -> None:
    link.state = state
    link.decided_at = now()
    link.decided_by_id = staff.id
    audit.record(staff, DECIDED, link)
    _tell_family(link)


def approve(staff: User, link: ChildLink, child: Child | None) -> Child:
    """Link the family to an existing record, or to a new one made from what they typed."""
    if child is None:
        child = Child(
            first_name=link.child_first_name,
            last_name=link.child_last_name,
            date_of_birth=link.child_date_of_birth,
            postcode=link.child_postcode,
            school=link.child_school,
            created_by_id=staff.id,
            created_at=now(),
        )
        db.session.add(child)
        db.session.flush()
        audit.record(staff, CREATED, child)
    link.child_id = child.id
    audit.record(staff, CHANGED, child)
    _decide(staff, link, LINK_APPROVED)
    db.session.commit()
    return child


def reject(staff: User, link: ChildLink, reason: str) -> None:
    link.reason = reason
    _decide(staff, link, LINK_REJECTED)
    db.session.commit()


def ask_for_more(staff: User, link: ChildLink, question: str) -> None:
    link.question = question
    link.answer = None
    link.answered_at = None
    _decide(staff, link, LINK_MORE_INFO)
    db.session.commit()


def revoke(staff: User, link: ChildLink, reason: str) -> None:
    link.reason = reason
    _decide(staff, link, LINK_REVOKED)
    if link.child is not None:
        audit.record(staff, CHANGED, link.child)
    db.session.commit()


def staff_link(public_id: str) -> ChildLink | None:
    return db.session.scalar(select(ChildLink).where(ChildLink.public_id == public_id))


def staff_child(public_id: str) -> Child | None:
    return db.session.scalar(select(Child).where(Child.public_id == public_id))


def links_to(child: Child) -> list[ChildLink]:
    return list(db.session.scalars(select(ChildLink).where(ChildLink.child_id == child.id)))


def decisions_allowed(link: ChildLink) -> bool:
    return link.state in OPEN_LINK_STATES


def waited_days(link: ChildLink) -> int:
    since = link.answered_at or link.requested_at
    return (now() - since).days
