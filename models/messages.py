"""Conversations with the SEND Assessment Hub Team: one thread per case, and one per linked child for
anything outside a case. Messages are never edited or deleted (on PostgreSQL a trigger refuses it)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    ColumnElement,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    and_,
    or_,
    select,
    text,
)
from sqlalchemy.orm import InstrumentedAttribute, Mapped, mapped_column, relationship

from extensions import Model, table_of
from models.children import LINK_APPROVED, YOUNG_PERSON, Child, ChildLink, new_public_id
from models.requests import AssessmentRequest
from models.types import UTCDateTime, append_only, utcnow
from models.user import User

MESSAGE_MAX_CHARACTERS = 5000
# A column, or an expression over columns, standing for an id in the rules of who sees a thread.
ColumnExpression = ColumnElement[int] | InstrumentedAttribute[int]


class Thread(Model):
    __tablename__ = "threads"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    child_id: Mapped[int] = mapped_column(ForeignKey("children.id"), index=True)
    # The case the thread is about; none for the child's own thread (anything outside a case).
    request_id: Mapped[int | None] = mapped_column(ForeignKey("assessment_requests.id"), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_message_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # When the oldest family message the team has not answered was sent (none: nothing waiting). The
    # team's inbox is ordered by it; a reply, or "no reply needed", clears it.
    waiting_since: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # Raised by every message, for the thread's poll (304 while unchanged).
    version: Mapped[int] = mapped_column(Integer, default=1)

    child: Mapped[Child] = relationship()
    request: Mapped[AssessmentRequest | None] = relationship()

    __table_args__ = (
        # One thread per child outside a case.
        Index(
            "ix_threads_one_per_child",
            "child_id",
            unique=True,
            postgresql_where=text("request_id IS NULL"),
            sqlite_where=text("request_id IS NULL"),
        ),
    )


class Message(Model):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(24), unique=True, default=new_public_id)
    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # Written by staff for the team: shown as the team, with the officer's first name only.
    from_team: Mapped[bool] = mapped_column(Boolean)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    author: Mapped[User] = relationship()


class ThreadRead(Model):
    """How far each person has read a thread: unread counts, "New", and whether the family read a reply."""

    __tablename__ = "thread_reads"

    thread_id: Mapped[int] = mapped_column(ForeignKey("threads.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True, index=True)
    last_read_message_id: Mapped[int] = mapped_column(Integer)
    read_at: Mapped[datetime] = mapped_column(UTCDateTime())


# On PostgreSQL the database itself refuses to change or delete a sent message.
MESSAGES_APPEND_ONLY_FUNCTION, MESSAGES_APPEND_ONLY_TRIGGER = append_only(table_of(Message))


def kept_from_parents(child_id: int | ColumnExpression) -> ColumnElement[bool]:
    """A young person is linked to the record and has not chosen to let the adults see their threads."""
    return (
        select(ChildLink.id)
        .join(User, User.id == ChildLink.user_id)
        .where(
            ChildLink.child_id == child_id,
            ChildLink.state == LINK_APPROVED,
            ChildLink.relationship_to_child == YOUNG_PERSON,
            User.parents_see_messages.is_(False),
        )
        .exists()
    )


def sees_child_threads(
    user_id: int | ColumnExpression, child_id: int | ColumnExpression
) -> ColumnElement[bool]:
    """The approved links that see a child's threads: the young person's own, and adults with parental
    responsibility unless the young person keeps them out."""
    return and_(
        ChildLink.user_id == user_id,
        ChildLink.child_id == child_id,
        ChildLink.state == LINK_APPROVED,
        or_(
            ChildLink.relationship_to_child == YOUNG_PERSON,
            and_(ChildLink.has_parental_responsibility.is_(True), ~kept_from_parents(child_id)),
        ),
    )


def thread_seen_by(
    viewer_id: int | ColumnExpression, thread_id: int | ColumnExpression
) -> ColumnElement[bool]:
    """The family member sees the thread: through a link to its child, or as the maker of its case."""
    return (
        select(Thread.id)
        .where(
            Thread.id == thread_id,
            or_(
                select(ChildLink.id).where(sees_child_threads(viewer_id, Thread.child_id)).exists(),
                select(AssessmentRequest.id)
                .where(AssessmentRequest.id == Thread.request_id, AssessmentRequest.owner_id == viewer_id)
                .exists(),
            ),
        )
        .exists()
    )
