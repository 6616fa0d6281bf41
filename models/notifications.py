"""Updates held for a daily email, for the family members who chose one (services.notifications)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from extensions import Model
from models.types import UTCDateTime, utcnow

EACH_TIME, DAILY = "each", "daily"  # User.email_updates


class Notification(Model):
    """One update held for the daily email: its kind, which request, and where to look; never a detail."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(100))
    reference: Mapped[str | None] = mapped_column(String(20))
    link: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # Set when it went out in a daily email: each update is sent once.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
