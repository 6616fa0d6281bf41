"""The audit log: one row for every view or change of a child's record or request, by anyone."""

from __future__ import annotations

from sqlalchemy import Select, and_, bindparam, insert, literal, or_, select
from sqlalchemy.orm import aliased

from extensions import Base, commit_keeping_loaded, db, table_of
from models import AssessmentRequest, AuditEvent, Child, ChildLink, Document, User
from services.clock import now
from services.security_events import client_address

WHO_COLUMNS = ("actor_id", "actor_role", "created_at", "ip_address")


def _who(actor: User) -> dict:
    """The part of a row that says who acted, when and from where."""
    return dict(zip(WHO_COLUMNS, (actor.id, actor.role, now(), client_address.get()), strict=True))


def _row(actor: User, action: str, target: Record) -> dict:
    return {**_who(actor), "action": action, "record_type": record_type(target), "record_id": target.id}


def record(actor: User, action: str, target: Record) -> None:
    """Write a row in the caller's transaction, kept or undone with it: who, what, which record, when,
    from where. A plain INSERT, as the row is never read back (see record_all_now)."""
    db.session.execute(_INSERT, [_row(actor, action, target)])


def record_now(actor: User, action: str, target: Record) -> None:
    """Write a row for a record already in the database and commit it before the page is shown."""
    record_all_now(actor, action, [target])


def record_all_now(actor: User, action: str, targets: list[Record]) -> None:
    """`record_now` for several records, in one round trip to the database. The rows go as the
    statement's parameters, not in it, so the statement is compiled once per process, not per page."""
    if targets:
        db.session.execute(_INSERT, [_row(actor, action, target) for target in targets])
        commit_keeping_loaded()


_INSERT = insert(table_of(AuditEvent))


def logs_in_the_same_statement() -> bool:
    """PostgreSQL runs an INSERT inside a WITH clause; SQLite does not."""
    return db.engine.dialect.name == "postgresql"


def found_and_logged(query: Select, model: type[Base], action: str) -> Select:
    """`query`'s rows of `model`, with an audit row written for each row it finds, in the same statement: a
    page showing a record makes one round trip to the database for both (PostgreSQL only, see
    logs_in_the_same_statement). Run it with `actor_parameters`."""
    found = query.cte("found")
    table = table_of(AuditEvent)
    who = [table.c[name] for name in WHO_COLUMNS]
    row = select(
        *(bindparam(f"audit_{column.name}", type_=column.type) for column in who),
        literal(action, table.c.action.type),
        literal(RECORD_TYPES[model], table.c.record_type.type),
        found.c.id,
    ).select_from(found)
    columns = [*(column.name for column in who), "action", "record_type", "record_id"]
    logged = insert(table).from_select(columns, row).cte("logged")
    return select(aliased(model, found)).add_cte(logged)


def actor_parameters(actor: User) -> dict:
    """The parameters of found_and_logged's audit row: who, when, from where."""
    return {f"audit_{name}": value for name, value in _who(actor).items()}


Record = Child | ChildLink | Document | AssessmentRequest
RECORD_TYPES = {
    Child: "child",
    ChildLink: "access_request",
    Document: "document",
    AssessmentRequest: "assessment_request",
}


def record_type(target: Record) -> str:
    return RECORD_TYPES[type(target)]


def trail(child: Child) -> list[tuple[AuditEvent, User | None]]:
    """Everything logged about a child's record and the requests linked to it, newest first."""
    link_ids = select(ChildLink.id).where(ChildLink.child_id == child.id)
    document_ids = select(Document.id).where(Document.child_id == child.id)
    request_ids = select(AssessmentRequest.id).where(AssessmentRequest.child_id == child.id)
    rows = db.session.execute(
        select(AuditEvent, User)
        .outerjoin(User, User.id == AuditEvent.actor_id)
        .where(
            or_(
                and_(AuditEvent.record_type == "child", AuditEvent.record_id == child.id),
                and_(AuditEvent.record_type == "access_request", AuditEvent.record_id.in_(link_ids)),
                and_(AuditEvent.record_type == "document", AuditEvent.record_id.in_(document_ids)),
                and_(AuditEvent.record_type == "assessment_request", AuditEvent.record_id.in_(request_ids)),
            )
        )
        .order_by(AuditEvent.id.desc())
    )
    return [(event, actor) for event, actor in rows]
