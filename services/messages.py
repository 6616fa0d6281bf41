"""Conversations with the SEND Assessment Hub Team (models.messages): who sees a thread, sending a message,
reading, unread counts, and the team's inbox of threads waiting for a reply.

Who sees a thread: staff; the young person themself, when linked; every adult linked to the child with
parental responsibility, unless a young person linked to the record has not chosen to let them (a
setting on the young person's account); and, for a case's thread, whoever made the request.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from extensions import db, rows_changed
from models import (
    AssessmentRequest,
    Child,
    ChildLink,
    Document,
    Message,
    Thread,
    ThreadRead,
    User,
)
from models.audit import CHANGED, VIEWED
from models.messages import sees_child_threads
from services import audit, documents, links, mailer, notifications
from services.clock import now

PAGE_OF_MESSAGES = 30


class NotWaiting(Exception):
    """The thread was answered, or marked as needing no reply, by someone else first."""


# --- Threads and who sees them ------------------------------------------------------------------------


def thread_of(child: Child, request: AssessmentRequest | None = None) -> Thread | None:
    query = select(Thread).where(Thread.child_id == child.id)
    query = query.where(Thread.request_id == request.id if request else Thread.request_id.is_(None))
    return db.session.scalar(query)


def thread_for_sending(child: Child, request: AssessmentRequest | None = None) -> Thread:
    """The thread, started by its first message (once only, if two people start it at once)."""
    found = thread_of(child, request)
    if found is not None:
        return found
    db.session.add(Thread(child_id=child.id, request_id=request.id if request else None, version=1))
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
    found = thread_of(child, request)
    assert found is not None
    return found


def family_may_see(user: User, child: Child, request: AssessmentRequest | None = None) -> bool:
    if request is not None and request.owner_id == user.id:
        return True
    return db.session.scalar(select(ChildLink.id).where(sees_child_threads(user.id, child.id))) is not None


def family_members(thread: Thread) -> list[User]:
    """Everyone in the family who sees the thread, for their unread counts and emails."""
    linked = select(ChildLink.user_id).where(sees_child_threads(ChildLink.user_id, thread.child_id))
    owner = (
        select(AssessmentRequest.owner_id).where(AssessmentRequest.id == thread.request_id)
        if thread.request_id
        else None
    )
    who = User.id.in_(linked) if owner is None else or_(User.id.in_(linked), User.id.in_(owner))
    return list(db.session.scalars(select(User).where(who, User.role != "staff").order_by(User.id)))


# --- Sending and reading ------------------------------------------------------------------------------


def send(author: User, thread: Thread, body: str, sent_with: list[Document] = ()) -> Message:  # type: ignore[assignment]
    """Add a message (never changed afterwards) with its documents. A family's message waits for the
    team until a reply; a reply is counted unread for everyone in the family and emailed to them."""
    moment = now()
    from_team = author.is_staff
    message = Message(
        thread_id=thread.id, author_id=author.id, from_team=from_team, body=body, created_at=moment
    )
    db.session.add(message)
    db.session.flush()
    for document in sent_with:
        document.message_id = message.id
    documents.add_prepared(author, sent_with)
    waiting = None if from_team else func.coalesce(Thread.waiting_since, moment)
    rows_changed(
        update(Thread)
        .where(Thread.id == thread.id)
        .values(version=Thread.version + 1, last_message_at=moment, waiting_since=waiting)
        .execution_options(synchronize_session=False)
    )
    audit.record(author, CHANGED, subject_of(thread))
    _read_up_to(author, thread, message.id, moment)
    if from_team:
        family = family_members(thread)
        rows_changed(
            update(User)
            .where(User.id.in_([member.id for member in family]))
            .values(unread_messages=User.unread_messages + 1)
            .execution_options(synchronize_session=False)
        )
        for member in family:
            _email_new_message(member, thread)
    else:
        _email_officer(thread)
    db.session.commit()
    db.session.refresh(thread)
    return message


def subject_of(thread: Thread) -> Child | AssessmentRequest:
    """The record a thread is about, for the audit log: its case, or the child."""
    return thread.request if thread.request is not None else thread.child


def _email_new_message(member: User, thread: Thread) -> None:
    """Which conversation and where to read it: never the message, the child's name, or who wrote it."""
    if thread.request is not None:
        subject = f"New message about your request {thread.request.reference}"
        address = links.public_url("messages.case_thread", public_id=thread.request.public_id)
    else:
        subject = "New message from the SEND Assessment Hub Team"
        address = links.public_url("messages.child_thread", public_id=thread.child.public_id)
    reference = thread.request.reference if thread.request else None
    notifications.notify(
        member,
        "a new message from the team",
        reference,
        address,
        subject,
        "new_message",
        first_name=mailer.greeting_name(member),
        reference=reference,
        thread_url=address,
    )


def _email_officer(thread: Thread) -> None:
    """A family's message on a case: its officer is emailed, if they asked to be (Your account)."""
    case = thread.request
    if case is None or case.officer is None or not case.officer.email_on_family_messages:
        return
    mailer.queue_email(
        case.officer.email,
        f"New message from the family on request {case.reference}",
        "family_message",
        reference=case.reference,
        thread_url=links.public_url("messages.staff_case_thread", public_id=case.public_id),
    )


def read(viewer: User, thread: Thread) -> int | None:
    """Mark the thread read to its latest message, with a VIEWED row in the audit log. Returns the id of
    the first message the viewer had not read before ("New" goes above it), if any."""
    marker = db.session.get(ThreadRead, (thread.id, viewer.id))
    before = marker.last_read_message_id if marker else 0
    latest = db.session.scalar(select(func.max(Message.id)).where(Message.thread_id == thread.id)) or 0
    first_new = db.session.scalar(
        select(func.min(Message.id)).where(
            Message.thread_id == thread.id, Message.id > before, Message.author_id != viewer.id
        )
    )
    if latest > before:
        _read_up_to(viewer, thread, latest, now())
    audit.record(viewer, VIEWED, subject_of(thread))
    db.session.commit()
    return first_new


def _read_up_to(viewer: User, thread: Thread, message_id: int, moment: datetime) -> None:
    """Move the viewer's marker on, and take what they had not read off their unread count. Two pages of
    the same person at once (a poll and a reload, two tabs) each move it by compare-and-set, so what was
    read is counted off once."""
    _marker_exists(thread.id, viewer.id, moment)
    for _ in range(3):
        before = db.session.scalar(
            select(ThreadRead.last_read_message_id).where(
                ThreadRead.thread_id == thread.id, ThreadRead.user_id == viewer.id
            )
        )
        if before is None or before >= message_id:
            return
        moved = rows_changed(
            update(ThreadRead)
            .where(
                ThreadRead.thread_id == thread.id,
                ThreadRead.user_id == viewer.id,
                ThreadRead.last_read_message_id == before,
            )
            .values(last_read_message_id=message_id, read_at=moment)
            .execution_options(synchronize_session=False)
        )
        if moved == 1:
            _count_off(viewer, thread, before, message_id)
            return


def _marker_exists(thread_id: int, user_id: int, moment: datetime) -> None:
    """A marker at the thread's start unless there is one (INSERT ... ON CONFLICT DO NOTHING)."""
    dialect_insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    db.session.execute(
        dialect_insert(ThreadRead)
        .values(thread_id=thread_id, user_id=user_id, last_read_message_id=0, read_at=moment)
        .on_conflict_do_nothing()
    )


def _count_off(viewer: User, thread: Thread, before: int, message_id: int) -> None:
    """Take the team's messages now read off a family member's unread count (never below 0)."""
    if viewer.is_staff:
        return
    newly_read = db.session.scalar(
        select(func.count(Message.id)).where(
            Message.thread_id == thread.id,
            Message.from_team.is_(True),
            Message.id > before,
            Message.id <= message_id,
        )
    )
    if newly_read:
        rows_changed(
            update(User)
            .where(User.id == viewer.id)
            .values(
                unread_messages=case(
                    (User.unread_messages > newly_read, User.unread_messages - newly_read), else_=0
                )
            )
            .execution_options(synchronize_session=False)
        )


@dataclass(frozen=True)
class Shown:
    messages: list[Message]
    earlier: int | None  # the id to ask for earlier messages before, when there are more
    documents: dict[int, list[Document]]


def page_of(thread: Thread, before: int | None = None) -> Shown:
    """The latest PAGE_OF_MESSAGES messages (before a message, for "Show earlier messages"), oldest first."""
    query = select(Message).where(Message.thread_id == thread.id)
    if before:
        query = query.where(Message.id < before)
    found = list(db.session.scalars(query.order_by(Message.id.desc()).limit(PAGE_OF_MESSAGES + 1)))
    more = len(found) > PAGE_OF_MESSAGES
    shown = list(reversed(found[:PAGE_OF_MESSAGES]))
    sent_with: dict[int, list[Document]] = {}
    if shown:
        for document in db.session.scalars(
            select(Document)
            .where(Document.message_id.in_([message.id for message in shown]))
            .order_by(Document.id)
        ):
            sent_with.setdefault(document.message_id or 0, []).append(document)
    return Shown(shown, shown[0].id if more and shown else None, sent_with)


def family_read_at(thread: Thread) -> list[tuple[int, datetime]]:
    """For the team: how far the family has read, as (last message read, when), furthest first."""
    family_ids = [member.id for member in family_members(thread)]
    rows = db.session.execute(
        select(ThreadRead.last_read_message_id, ThreadRead.read_at)
        .where(ThreadRead.thread_id == thread.id, ThreadRead.user_id.in_(family_ids))
        .order_by(ThreadRead.last_read_message_id.desc())
    )
    return [(message_id, at) for message_id, at in rows]


def record_view(viewer: User, record: Child | AssessmentRequest) -> None:
    """Opening a conversation not yet started shows the record's name: a VIEWED row all the same."""
    audit.record_now(viewer, VIEWED, record)


# --- A family's conversations -----------------------------------------------------------------------


@dataclass(frozen=True)
class Conversation:
    child: Child
    case: AssessmentRequest | None
    thread: Thread | None
    unread: int


def conversations_of(user: User) -> list[Conversation]:
    """Each linked child's conversation and each of their cases' (those the family sees), with how many
    of the team's messages in each this person has not read; the latest first, then not started."""
    children = list(
        db.session.scalars(
            select(Child)
            .join(ChildLink, ChildLink.child_id == Child.id)
            .where(sees_child_threads(user.id, Child.id))
        )
    )
    child_ids = [child.id for child in children]
    cases = list(
        db.session.scalars(
            select(AssessmentRequest).where(
                AssessmentRequest.child_id.is_not(None),
                AssessmentRequest.state != "draft",
                or_(AssessmentRequest.child_id.in_(child_ids), AssessmentRequest.owner_id == user.id),
            )
        )
    )
    threads: dict[tuple[int | None, int | None], Thread] = {
        (thread.child_id, thread.request_id): thread
        for thread in db.session.scalars(
            select(Thread).where(
                or_(
                    and_(Thread.child_id.in_(child_ids), Thread.request_id.is_(None)),
                    Thread.request_id.in_([case.id for case in cases]),
                )
            )
        )
    }
    unread = _unread_by_thread(user, [thread.id for thread in threads.values()])
    found: list[tuple[Child, AssessmentRequest | None, Thread | None]] = [
        (child, None, threads.get((child.id, None))) for child in children
    ]
    found += [(case.child, case, threads.get((case.child_id, case.id))) for case in cases if case.child]
    conversations = [
        Conversation(child, case, thread, unread.get(thread.id, 0) if thread else 0)
        for child, case, thread in found
    ]
    return sorted(conversations, key=_latest_first)


def _latest_first(conversation: Conversation) -> tuple[bool, float]:
    """Started conversations, the latest message first; then those not started."""
    thread = conversation.thread
    if thread is None:
        return True, 0.0
    return False, -(thread.last_message_at or thread.created_at).timestamp()


def _unread_by_thread(user: User, thread_ids: list[int]) -> dict[int, int]:
    if not thread_ids:
        return {}
    read_to = (
        select(ThreadRead.last_read_message_id)
        .where(ThreadRead.thread_id == Message.thread_id, ThreadRead.user_id == user.id)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Message.thread_id, func.count(Message.id))
        .where(
            Message.thread_id.in_(thread_ids),
            Message.from_team.is_(True),
            Message.id > func.coalesce(read_to, 0),
        )
        .group_by(Message.thread_id)
    )
    return {thread_id: count for thread_id, count in rows}


# --- The team's inbox ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    thread: Thread
    officer: User | None


def _officer_of_thread():
    return (
        select(AssessmentRequest.officer_id)
        .where(AssessmentRequest.id == Thread.request_id)
        .scalar_subquery()
    )


def waiting(staff: User, which: str = "") -> list[Waiting]:
    """Threads waiting for the team, the longest waiting first: all, "mine" (cases I am the officer of)
    or "unassigned" (no officer, or about a child outside a case)."""
    officer = _officer_of_thread()
    query = select(Thread).where(Thread.waiting_since.is_not(None))
    if which == "mine":
        query = query.where(officer == staff.id)
    elif which == "unassigned":
        query = query.where(officer.is_(None))
    threads = list(db.session.scalars(query.order_by(Thread.waiting_since, Thread.id).limit(200)))
    return [Waiting(thread, thread.request.officer if thread.request else None) for thread in threads]


@dataclass(frozen=True)
class WaitingCounts:
    all: int
    mine: int
    unassigned: int


def waiting_counts(staff: User) -> WaitingCounts:
    officer = _officer_of_thread()
    row = db.session.execute(
        select(
            func.count(Thread.id),
            func.count(case((officer == staff.id, 1))),
            func.count(case((officer.is_(None), 1))),
        ).where(Thread.waiting_since.is_not(None))
    ).one()
    return WaitingCounts(*row)


def no_reply_needed(staff: User, thread: Thread) -> None:
    """Take a thread out of the inbox without a reply (the family's message needs none)."""
    changed = rows_changed(
        update(Thread)
        .where(Thread.id == thread.id, Thread.waiting_since.is_not(None))
        .values(waiting_since=None, version=Thread.version + 1)
        .execution_options(synchronize_session=False)
    )
    if changed != 1:
        db.session.rollback()
        raise NotWaiting("the thread is no longer waiting")
    audit.record(staff, CHANGED, subject_of(thread))
    db.session.commit()
