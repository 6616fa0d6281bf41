"""The append-only audit log of who viewed or changed a child's record or request (ids, never contents)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from extensions import Model, table_of
from models.types import UTCDateTime, append_only, utcnow

VIEWED, CREATED, CHANGED, DOWNLOADED, DECIDED = "viewed", "created", "changed", "downloaded", "decided"
DELETED, SUBMITTED = "deleted", "submitted"
# The team shares a document with the other adults linked to its child, or stops sharing it.
SHARED, UNSHARED = "shared", "unshared"


class AuditEvent(Model):
    __tablename__ = "audit_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    actor_role: Mapped[str] = mapped_column(String(20))
    action: Mapped[str] = mapped_column(String(20))
    record_type: Mapped[str] = mapped_column(String(30))
    record_id: Mapped[int] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    ip_address: Mapped[str | None] = mapped_column(String(45))


# On PostgreSQL the database itself refuses to change or delete audit rows.
APPEND_ONLY_FUNCTION, APPEND_ONLY_TRIGGER = append_only(table_of(AuditEvent))
