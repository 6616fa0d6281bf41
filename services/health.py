"""What a load balancer needs to know: is the database reachable, is Redis reachable, and how many
emails are waiting in the outbox. Each check is one cheap round trip, held to a short timeout."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TypeGuard

from flask import current_app
from limits.storage import Storage, storage_from_string
from sqlalchemy import func, select, text

from extensions import db
from models import OutboxMessage

log = logging.getLogger(__name__)

OK, UNREACHABLE, NOT_USED = "ok", "unreachable", "not used"


def uses_redis(uri: str | None) -> TypeGuard[str]:
    return "redis" in (uri or "").partition("://")[0].lower().split("+")


def database_status() -> tuple[str, int | None]:
    """The database's state and the number of emails not yet sent."""
    try:
        db.session.execute(text("SELECT 1"))
        backlog = db.session.scalar(
            select(func.count()).where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.attempts < current_app.config["MAIL_MAX_ATTEMPTS"],  # given up: not waiting
            )
        )
    except Exception:
        log.exception("Health check: the database did not answer")
        db.session.rollback()
        return UNREACHABLE, None
    return OK, backlog


def redis_status(settings: Mapping, stores: dict[str, Storage]) -> str:
    """The Redis that counts rate limits, asked with the portal's Redis timeout."""
    uri = settings.get("RATELIMIT_STORAGE_URI")
    if not uses_redis(uri):
        return NOT_USED
    if uri not in stores:
        timeout = float(settings["REDIS_TIMEOUT_SECONDS"])
        store = storage_from_string(uri, socket_timeout=timeout, socket_connect_timeout=timeout)
        assert isinstance(store, Storage)  # a redis:// address gives the synchronous storage
        stores[uri] = store
    if stores[uri].check():
        return OK
    log.warning("Health check: Redis did not answer within %s seconds", settings["REDIS_TIMEOUT_SECONDS"])
    return UNREACHABLE
