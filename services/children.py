"""Families asking to be linked to a child, and the SEND Assessment Hub Team's decisions."""

from __future__ import annotations

from datetime import date

from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.orm import joinedload

from extensions import db, rows_changed
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
from models.audit import CHANGED, CREATED, DECIDED, VIEWED
from models.children import YOUNG_PERSON
from services import audit, mailer
from services.clock import now, uk_date, uk_time


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


# Built once, as the SEND home runs it on every visit (see assessment_requests._FAMILY_REQUEST).
_LINKS_OF = (
    select(ChildLink)
    .options(joinedload(ChildLink.child))
    .where(ChildLink.user_id == bindparam("user_id"))
    .order_by(ChildLink.requested_at.desc())
)


def links_of(user: User) -> list[ChildLink]:
    return list(db.session.scalars(_LINKS_OF, {"user_id": user.id}))


def family_link(user: User, public_id: str) -> ChildLink | None:
    """One of this family's own requests or links, with a VIEWED row in the audit log; None for anyone
    else's (and nothing logged)."""
    link = db.session.scalar(
        select(ChildLink).where(ChildLink.public_id == public_id, ChildLink.user_id == user.id)
    )
    if link is not None:
        audit.record_now(user, VIEWED, link)
    return link


def family_child(user: User, public_id: str) -> tuple[Child, ChildLink] | None:
    """A child this family is linked to and approved for, with a VIEWED row in the audit log; None
    otherwise (and nothing logged)."""
    row = db.session.execute(
        select(Child, ChildLink)
        .join(ChildLink, ChildLink.child_id == Child.id)
        .where(Child.public_id == public_id, ChildLink.user_id == user.id, ChildLink.state == LINK_APPROVED)
    ).first()
    if row is None:
        return None
    audit.record_now(user, VIEWED, row[0])
    return row[0], row[1]


def answer_question(user: User, link: ChildLink, answer: str) -> None:
    """The family answers the team's question; raises NotOpen when it was answered or decided first."""
    _change(
        link,
        (LINK_MORE_INFO,),
        {"answer": answer, "answered_at": now(), "state": LINK_REQUESTED},
        family=True,
    )
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


class NotOpen(Exception):
    """Someone else changed the request first: the change was not made, and `message` says who and when."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


# What a request or link became, as said to the member of staff who came second.
DONE = {
    LINK_APPROVED: "approved",
    LINK_REJECTED: "rejected",
    LINK_MORE_INFO: "sent back to the family with a question",
    LINK_REVOKED: "revoked",
    LINK_REQUESTED: "answered by the family",
}


def already_done(link: ChildLink, family: bool = False) -> str:
    """What happened to the request first, and who did it when: "This request was already approved by
    Pat Morgan at 10:02am on 4 December 2026". A family is told the team, not the officer."""
    thing = "link" if link.state == LINK_REVOKED else "request"
    message = f"This {thing} was already {DONE[link.state]}"
    when = link.answered_at
    if link.state != LINK_REQUESTED:
        when = link.decided_at
        decider = db.session.get(User, link.decided_by_id) if link.decided_by_id else None
        message += " by " + (
            "the SEND Assessment Hub Team" if family or decider is None else decider.full_name
        )
    if when is not None:
        message += f" at {uk_time(when)} on {uk_date(when)}"
    return message


def _change(link: ChildLink, allowed: tuple[str, ...], values: dict, family: bool = False) -> None:
    """One conditional UPDATE decides: the row changes only if it is still in an allowed state. When
    another officer (or another tab) changed it first, nothing of this transaction is kept."""
    changed = rows_changed(
        update(ChildLink)
        .where(ChildLink.id == link.id, ChildLink.state.in_(allowed))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if changed != 1:
        db.session.rollback()
        db.session.refresh(link)
        raise NotOpen(already_done(link, family))
    db.session.refresh(link)


def _decide(staff: User, link: ChildLink, state: str, allowed: tuple[str, ...], **values) -> None:
    _change(link, allowed, {"state": state, "decided_at": now(), "decided_by_id": staff.id, **values})
    audit.record(staff, DECIDED, link)
    _tell_family(link)


def approve(staff: User, link: ChildLink, child: Child | None) -> Child:
    """Link the family to an existing record, or to a new one made from what they typed. Raises NotOpen
    when the request was decided first (the new record is not kept then)."""
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
    child_id = child.id
    _decide(staff, link, LINK_APPROVED, OPEN_LINK_STATES, child_id=child_id)
    child = db.session.get_one(Child, child_id)
    audit.record(staff, CHANGED, child)
    db.session.commit()
    return child


def reject(staff: User, link: ChildLink, reason: str) -> None:
    _decide(staff, link, LINK_REJECTED, OPEN_LINK_STATES, reason=reason)
    db.session.commit()


def ask_for_more(staff: User, link: ChildLink, question: str) -> None:
    _decide(
        staff,
        link,
        LINK_MORE_INFO,
        OPEN_LINK_STATES,
        question=question,
        answer=None,
        answered_at=None,
    )
    db.session.commit()


def revoke(staff: User, link: ChildLink, reason: str) -> None:
    _decide(staff, link, LINK_REVOKED, (LINK_APPROVED,), reason=reason)
    if link.child is not None:
        audit.record(staff, CHANGED, link.child)
    db.session.commit()


def staff_link(staff: User, public_id: str) -> ChildLink | None:
    """Any request or link, for the team, with a VIEWED row in the audit log."""
    link = db.session.scalar(select(ChildLink).where(ChildLink.public_id == public_id))
    if link is not None:
        audit.record_now(staff, VIEWED, link)
    return link


def staff_child(staff: User, public_id: str) -> Child | None:
    """Any child's record, for the team, with a VIEWED row in the audit log."""
    child = chosen_record(public_id)
    if child is not None:
        audit.record_now(staff, VIEWED, child)
    return child


def chosen_record(public_id: str) -> Child | None:
    """The record a member of staff chose to link a request to: not shown, so not logged as viewed."""
    return db.session.scalar(select(Child).where(Child.public_id == public_id))


def links_to(child: Child) -> list[ChildLink]:
    return list(db.session.scalars(select(ChildLink).where(ChildLink.child_id == child.id)))


def decisions_allowed(link: ChildLink) -> bool:
    return link.state in OPEN_LINK_STATES


def waited_days(link: ChildLink) -> int:
    since = link.answered_at or link.requested_at
    return (now() - since).days


def is_linked_young_person(user: User) -> bool:
    """The account is a young person's own, linked to their record."""
    return (
        db.session.scalar(
            select(ChildLink.id).where(
                ChildLink.user_id == user.id,
                ChildLink.state == LINK_APPROVED,
                ChildLink.relationship_to_child == YOUNG_PERSON,
            )
        )
        is not None
    )
