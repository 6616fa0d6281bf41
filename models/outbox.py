"""The mail outbox: every email is a row written in the same transaction as the change behind it.

The row is the durable queue: a worker claims it (`claimed_until`) with a conditional UPDATE, sends it
with no transaction open, then records the result. Once sent, or given up, its bodies are blanked, so
no code or link stays readable; `flask mail purge` deletes old sent and given-up rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from extensions import Model
from models.types import UTCDateTime, utcnow


class OutboxMessage(Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    # Set while a worker is sending the message; another worker may take it once this has passed.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
