"""How the portal tells a family that something happened on their case: an email each time (the
default), or, for those who chose it in Your account, one email a day listing the kinds of update since
the last (`flask --app app cases digest`, run daily). Either way the email says which request and what
kind of update, with a link; never the child's name, a message or any detail."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, time, timedelta

from sqlalchemy import select, update

from extensions import db
from models import Notification, User
from models.notifications import DAILY
from services import mailer, statutory
from services.clock import now


def notify(
    member: User, kind: str, reference: str | None, link: str, subject: str, template: str, /, **context
) -> None:
    """Email this update now (the template's context after the slash), or hold it for the member's daily
    email: its kind, which request, and the link. In the caller's transaction."""
    if member.email_updates == DAILY:
        db.session.add(
            Notification(user_id=member.id, kind=kind, reference=reference, link=link, created_at=now())
        )
        return
    mailer.queue_email(member.email, subject, template, **context)


def send_daily(moment: datetime | None = None) -> int:
    """One email to each member with updates held from before today (UK time), listing them; each update
    is claimed by a conditional UPDATE first, so a second run sends nothing twice. Returns how many."""
    moment = moment or now()
    start_of_today = datetime.combine(moment.astimezone(statutory.UK).date(), time(0), statutory.UK)
    waiting = db.session.scalars(
        select(Notification.user_id)
        .where(Notification.sent_at.is_(None), Notification.created_at < start_of_today)
        .distinct()
    ).all()
    return sum(_send_to(user_id, start_of_today, moment) for user_id in waiting)


def _send_to(user_id: int, before: datetime, moment: datetime) -> bool:
    held = list(
        db.session.scalars(
            update(Notification)
            .where(
                Notification.user_id == user_id,
                Notification.sent_at.is_(None),
                Notification.created_at < before,
            )
            .values(sent_at=moment)
            .returning(Notification)
            .execution_options(synchronize_session=False)
        )
    )
    if not held:
        db.session.rollback()
        return False
    member = db.session.get(User, user_id)
    assert member is not None
    by_request: dict[tuple[str | None, str], list[str]] = defaultdict(list)
    for update_held in sorted(held, key=lambda item: item.created_at):
        kinds = by_request[(update_held.reference, update_held.link)]
        if update_held.kind not in kinds:
            kinds.append(update_held.kind)
    mailer.queue_email(
        member.email,
        "Your updates from the SEND Assessment Hub Team",
        "daily_updates",
        first_name=mailer.greeting_name(member),
        updates=[(reference, link, kinds) for (reference, link), kinds in by_request.items()],
        day=(before - timedelta(days=1)).date(),
    )
    db.session.commit()
    return True
