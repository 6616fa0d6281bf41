"""One-time links sent by email (activation now; password reset and email change use the same table)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from extensions import Model
from models.types import UTCDateTime, utcnow
from models.user import User

PURPOSE_ACTIVATE = "activate"
PURPOSE_RESET = "reset"
PURPOSE_EMAIL_CHANGE = "email_change"


class EmailToken(Model):
    __tablename__ = "email_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    purpose: Mapped[str] = mapped_column(String(20))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # A password reset link's button was pressed: the link is spent, and the row is the session's
    # grant to choose a new password until used_at (or cancelled_at, or expires_at) ends it.
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # For an email change: the address the link was sent to, which becomes the username.
    new_email: Mapped[str | None] = mapped_column(String(254))

    user: Mapped[User] = relationship()
