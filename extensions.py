"""Flask extensions, created once and bound to the app in create_app()."""

import time
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, cast

from flask import request
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_mail import Mail
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_sqlalchemy.session import Session as FlaskSession
from flask_wtf import CSRFProtect
from sqlalchemy import CursorResult, Engine, Executable, Table, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


# Set in a session's info while the request it serves runs statement by statement (`reads_only`).
STATEMENT_BY_STATEMENT = "statement_by_statement"


class PortalSession(FlaskSession):
    """Flask-SQLAlchemy's session, which runs its statements one at a time, each committed by the database
    as it runs, while a `reads_only` view is answered: such a page needs no transaction around its reads,
    and leaving it out saves the BEGIN and COMMIT (or ROLLBACK) round trips to the database."""

    def get_bind(self, *args: Any, **kwargs: Any) -> Any:
        bind = super().get_bind(*args, **kwargs)
        if self.info.get(STATEMENT_BY_STATEMENT) and isinstance(bind, Engine):
            return _autocommitting(bind)
        return bind


def _autocommitting(engine: Engine) -> Engine:
    """The same engine and pool, handing out connections that commit each statement as it runs (and are
    put back to transactions when returned to the pool)."""
    found = getattr(engine, "_portal_autocommitting", None)
    if found is None:
        found = engine.execution_options(isolation_level="AUTOCOMMIT")
        engine._portal_autocommitting = found  # type: ignore[attr-defined]
    return found


@event.listens_for(PortalSession, "before_flush")
def refuse_unit_of_work_statement_by_statement(session: PortalSession, *_: Any) -> None:
    """A flush writes several statements that belong together; one at a time, a failure half way would
    leave half of them. A `reads_only` view writes single statements only (rows_changed, an audit row)."""
    if session.info.get(STATEMENT_BY_STATEMENT) and (session.new or session.dirty or session.deleted):
        raise RuntimeError("a reads_only view changed records through the session: drop reads_only")


def reads_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """For a page (GET) that reads records and writes at most single statements that stand alone, such as
    its audit row: its statements run one at a time with no transaction around them. Its other methods
    (a POST to the same address) keep their transaction."""
    view.reads_only = True  # type: ignore[attr-defined]
    return view


def answer_statement_by_statement(view: Callable[..., Any] | None, method: str) -> None:
    """Called before each request: whether this one's session runs statement by statement."""
    if method in ("GET", "HEAD") and getattr(view, "reads_only", False):
        db.session.info[STATEMENT_BY_STATEMENT] = True


def back_to_transactions() -> None:
    """Called after each request: the next one starts with transactions, whatever this one did."""
    if STATEMENT_BY_STATEMENT in db.session.info:
        del db.session.info[STATEMENT_BY_STATEMENT]


db = SQLAlchemy(model_class=Base, session_options={"class_": PortalSession})

# The models' base class. db.Model is made at run time from Base, which type checkers cannot follow.
if TYPE_CHECKING:
    Model = Base
else:
    Model = db.Model

migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
mail = Mail()
compress = Compress()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@limiter.request_filter
def only_posts_are_limited() -> bool:
    """Every limit is on a form's POST (blueprints.limit_posts): other requests skip the checks."""
    return request.method != "POST"


def rows_changed(statement: Executable) -> int:
    """Run an INSERT, UPDATE or DELETE in the session; the number of rows it changed. A conditional
    UPDATE that changed no row lost the race to another request."""
    return cast("CursorResult[Any]", db.session.execute(statement)).rowcount


def table_of(model: type[Base]) -> Table:
    """A model's table, for Core statements that leave the session's objects alone."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


def commit_keeping_loaded() -> None:
    """Commit, leaving what this request has loaded in place instead of reloading it on next use. For a
    commit after which the loaded objects already hold what the database holds (the audit row of a view, a
    section just written through them): reloading the account and its records would double the queries."""
    session = db.session()
    if session.info.get(STATEMENT_BY_STATEMENT):
        return  # each statement was committed as it ran, and nothing waits to be flushed (see PortalSession)
    session.expire_on_commit = False
    try:
        session.commit()
    finally:
        session.expire_on_commit = True


def ping_connections_left_idle(engine: Engine, idle_seconds: float) -> None:
    """Check a pooled database connection before a request uses it, but only when it has been left unused for
    `idle_seconds`: one that the server closed meanwhile (a restart, a failover, an idle timeout) is replaced
    instead of failing the page. A busy portal reuses its connections within moments and skips the check,
    which would otherwise be one more round trip to the database on every request."""

    @event.listens_for(engine, "checkin")
    def note_when_returned(_dbapi_connection: Any, record: Any) -> None:
        record.info["returned_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_left_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        returned = record.info.get("returned_at")
        if returned is None or time.monotonic() - returned < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:  # the pool throws this connection away and makes a new one
            raise DisconnectionError("the database closed an idle connection") from error
